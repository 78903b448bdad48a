package io.flotilla.node;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code flotilla} command line. */
@Command(name = "flotilla", mixinStandardHelpOptions = true, versionProvider = Flotilla.Version.class,
        description = "A clustered node for WebAssembly smart rollups (Tezos wasm_2_0_0 kernels).",
        subcommands = {RunCommand.class, InitCommand.class, L1SandboxCommand.class, ClientCommand.class,
            DebuggerCommand.class, SnapshotCommand.class, SnapshotServerCommand.class, CommandLine.HelpCommand.class})
public final class Flotilla implements Runnable {

    static final String VERSION = "0.1.0-SNAPSHOT";

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static int execute(String... args) {
        return new CommandLine(new Flotilla()).execute(args);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"flotilla " + VERSION};
        }
    }
}
