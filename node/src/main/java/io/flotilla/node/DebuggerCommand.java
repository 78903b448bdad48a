package io.flotilla.node;

import io.flotilla.pvm.KernelFiles;
import io.flotilla.pvm.PvmConfig;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.debugger.Debugger;
import io.flotilla.pvm.encoding.DebuggerInputs;
import io.flotilla.pvm.encoding.RollupAddress;
import io.flotilla.pvm.engine.Engine;
import io.flotilla.pvm.host.RollupMetadata;
import io.flotilla.pvm.reveal.PreimageDirectory;
import io.flotilla.pvm.wasm.KernelValidationException;
import io.flotilla.pvm.wasm.KernelValidator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code flotilla debugger}: an interactive (or scripted) kernel debugger, like Octez's wasm debugger. */
@Command(name = "debugger", mixinStandardHelpOptions = true,
        description = {
            "Runs a kernel level by level and inspects it, like octez-smart-rollup-wasm-debugger.",
            "Commands are read from --script, or from standard input (a prompt is shown on a terminal).",
            "Type `help` at the prompt for the list of commands."})
public final class DebuggerCommand implements Callable<Integer> {

    @Option(names = "--kernel", required = true, paramLabel = "FILE", description = "kernel (.wasm, or .wat/.wast text)")
    Path kernel;

    @Option(names = "--inputs", paramLabel = "FILE", description = "inputs JSON: a list of inboxes, each a list of messages")
    Path inputs;

    @Option(names = "--rollup", paramLabel = "SR1", description = "rollup address (default: ${DEFAULT-VALUE})",
            defaultValue = "sr163Lv22CdE8QagCwf48PWDTquk6isQwv57")
    String rollup;

    @Option(names = "--origination-level", defaultValue = "0", description = "origination level for reveal_metadata")
    int originationLevel;

    @Option(names = "--preimage-dir", paramLabel = "DIR", defaultValue = "preimage", description = "preimages (default: ${DEFAULT-VALUE})")
    Path preimageDir;

    @Option(names = {"-p", "--pvm-version"}, defaultValue = "2.0.0-r5", description = "PVM version (default: ${DEFAULT-VALUE})")
    String pvmVersion;

    @Option(names = "--engine", defaultValue = "compiler", description = "compiler (default) or interpreter")
    String engine;

    @Option(names = "--gas", description = "metered work allowed per kernel_run (default: " + PvmConfig.DEFAULT_GAS + ")")
    Long gas;

    @Option(names = "--script", paramLabel = "FILE", description = "read commands from FILE instead of standard input")
    Path script;

    @Override
    public Integer call() throws IOException {
        PrintStream out = System.out;
        PvmVersion version;
        RollupAddress address;
        byte[] wasm;
        List<List<byte[]>> levels = new ArrayList<>();
        try {
            version = PvmVersion.parse(pvmVersion);
            address = RollupAddress.fromBase58(rollup);
            wasm = KernelFiles.load(kernel);
            KernelValidator.validate(wasm, version);
            if (inputs != null) {
                String json = Files.readString(inputs, StandardCharsets.UTF_8);
                levels.addAll(DebuggerInputs.parseSerialized(json,
                        DebuggerInputs.Defaults.OCTEZ.withDestination(address)));
            }
        } catch (KernelValidationException e) {
            System.err.println("flotilla debugger: kernel " + kernel + " refused (" + e.kind() + "): " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException | java.io.UncheckedIOException | IOException e) {
            System.err.println("flotilla debugger: " + e.getMessage());
            return 2;
        }
        PvmConfig config = PvmConfig.defaults().withEngine(Engine.named(engine));
        if (gas != null) {
            config = config.withGas(gas);
        }
        Debugger dbg = new Debugger(wasm, version, levels, new RollupMetadata(address.bytes(), originationLevel),
                new PreimageDirectory(preimageDir), config, out);

        boolean interactive = script == null && System.console() != null;
        BufferedReader in = script != null
                ? Files.newBufferedReader(script, StandardCharsets.UTF_8)
                : new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (in) {
            if (interactive) {
                out.println("Flotilla kernel debugger (" + version.label() + ", " + engine + "). Type `help` for commands.");
            }
            while (true) {
                if (interactive) {
                    out.print("> ");
                    out.flush();
                }
                String line = in.readLine();
                if (line == null || !dbg.execute(line)) {
                    break;
                }
            }
        }
        return 0;
    }
}
