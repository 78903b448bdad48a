package io.flotilla.node;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code flotilla init <mode> config for <sr1> with operators <key>...}: writes {@code config.json}. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = {
            "Writes <data-dir>/config.json for a rollup node, as octez-smart-rollup-node init does:",
            "  flotilla init operator config for sr1... with operators bootstrap1",
            "`flotilla run --data-dir DIR` (or --config-file FILE) then serves that rollup."})
public final class InitCommand implements Callable<Integer> {

    @Parameters(arity = "4..*", paramLabel = "WORD", description = "<mode> config for <sr1> with operators <key>...")
    List<String> words = new ArrayList<>();

    @Option(names = {"-d", "--data-dir"}, paramLabel = "DIR", defaultValue = "flotilla-data",
            description = "data directory (default: ./${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--config-file", paramLabel = "FILE", description = "where to write (default: <data-dir>/config.json)")
    Path configFile;

    @Option(names = "--rpc-addr", paramLabel = "HOST[:PORT]", description = "HTTP API address (default: 127.0.0.1)")
    String rpcAddr;

    @Option(names = "--rpc-port", paramLabel = "PORT", description = "HTTP API port (default: 8932)")
    Integer rpcPort;

    @Option(names = "--history-mode", paramLabel = "MODE", description = "archive (default) or full")
    String historyMode;

    @Option(names = "--l1-endpoint", paramLabel = "URL", description = "the sandbox L1 to follow")
    String l1Endpoint;

    @Option(names = "--force", description = "overwrite an existing file")
    boolean force;

    @Override
    public Integer call() {
        Path file = configFile != null ? configFile : dataDir.resolve(NodeConfig.FILE);
        try {
            NodeConfig c = OctezForm.parse(words, true).toConfig();
            String host = c.rpcAddr();
            int port = c.rpcPort();
            if (rpcAddr != null) {
                RunCommand.HostPort hp = RunCommand.HostPort.parse(rpcAddr, port);
                host = hp.host();
                port = hp.port();
            }
            if (rpcPort != null) {
                port = rpcPort;
            }
            NodeRuntime.HistoryMode history = historyMode == null ? c.historyMode()
                    : NodeRuntime.HistoryMode.parse(historyMode);
            c = new NodeConfig(c.rollup(), c.mode(), c.operators(), host, port, history,
                    java.util.Optional.ofNullable(l1Endpoint));
            if (Files.exists(file) && !force) {
                System.err.println("flotilla init: " + file + " exists (use --force to overwrite)");
                return 1;
            }
            c.write(file);
            System.out.println("Wrote " + file + ":");
            System.out.println(NodeConfig.MAPPER.writeValueAsString(c.toJson()));
            return 0;
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            System.err.println("flotilla init: " + e.getMessage());
            return 2;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
