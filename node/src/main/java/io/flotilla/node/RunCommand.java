package io.flotilla.node;

import io.flotilla.actors.l1.L1Endpoint;
import io.flotilla.actors.l1.RemoteSandboxL1;
import io.flotilla.actors.l1.L1Source;
import io.flotilla.actors.l1.OctezRpcL1;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.actors.rollup.RollupMode;
import io.flotilla.http.FlotillaHttpServer;
import io.flotilla.persistence.cassandra.CassandraStorage;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code flotilla run}: a node; with no arguments, the demo (sandbox L1 in process, echo rollup). */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {
            "Runs a Flotilla node until Ctrl-C / SIGTERM.",
            "With no arguments: data under ./flotilla-data, an in-process sandbox L1 (1 s blocks), and a demo",
            "rollup running the bundled echo kernel in operator mode, with its HTTP API on 127.0.0.1:8932.",
            "Octez form: run <mode> for <sr1> with operators <key>... (or --config-file, or <data-dir>/config.json)."})
public final class RunCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "WORD", description = "<mode> for <sr1> with operators <key>...")
    List<String> words = new ArrayList<>();

    @Option(names = {"-d", "--data-dir"}, paramLabel = "DIR", defaultValue = "flotilla-data",
            description = "data directory (default: ./${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--rpc-addr", paramLabel = "HOST[:PORT]", description = "HTTP API address (default: 127.0.0.1:8932)")
    String rpcAddr;

    @Option(names = "--rpc-port", paramLabel = "PORT", description = "HTTP API port")
    Integer rpcPort;

    @Option(names = "--history-mode", paramLabel = "MODE", description = "archive (default) or full")
    String historyMode;

    @Option(names = "--gc-frequency", paramLabel = "LEVELS",
            description = "full mode: collect when the LCC moved this many levels past the last GC target "
                    + "(default: a fifth of the challenge window)")
    int gcFrequency;

    @Option(names = "--l1-endpoint", paramLabel = "URL",
            description = "follow the L1 at URL: an Octez node (observer mode) or a sandbox L1 served by "
                    + "`flotilla l1-sandbox`, instead of an in-process sandbox")
    String l1Endpoint;

    @Option(names = "--l1-kind", paramLabel = "KIND", defaultValue = "auto",
            description = "what serves --l1-endpoint: auto (probe), octez or sandbox (default: ${DEFAULT-VALUE})")
    String l1Kind;

    @Option(names = "--block-time", paramLabel = "DURATION", defaultValue = "1s",
            description = "block time of the in-process sandbox L1 (default: ${DEFAULT-VALUE})")
    String blockTime;

    @Option(names = "--config-file", paramLabel = "FILE", description = "a config.json written by `flotilla init`")
    Path configFile;

    @Option(names = "--cluster-config", paramLabel = "FILE",
            description = "run as a node of a Pekko cluster described by this HOCON file (seed nodes, remoting port, "
                    + "rollups, Cassandra): see cluster-config/README.md")
    Path clusterConfig;

    @picocli.CommandLine.Mixin
    StorageOptions storageOptions = new StorageOptions();

    /** Set by tests: stop instead of waiting for a signal. */
    CountDownLatch stop = new CountDownLatch(1);
    volatile NodeRuntime runtime;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        NodeConfig config;
        String configOrigin;
        try {
            if (!words.isEmpty()) {
                config = OctezForm.parse(words, false).toConfig();
                configOrigin = "command line";
            } else if (configFile != null) {
                config = NodeConfig.read(configFile);
                configOrigin = configFile.toString();
            } else if (Files.exists(dataDir.resolve(NodeConfig.FILE))) {
                config = NodeConfig.read(dataDir.resolve(NodeConfig.FILE));
                configOrigin = dataDir.resolve(NodeConfig.FILE).toString();
            } else {
                config = null;
                configOrigin = null;
            }
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            System.err.println("flotilla run: " + e.getMessage());
            return 2;
        }
        String host = config != null ? config.rpcAddr() : FlotillaHttpServer.Settings.DEFAULT_HOST;
        int port = config != null ? config.rpcPort() : FlotillaHttpServer.Settings.DEFAULT_PORT;
        NodeRuntime.HistoryMode history = config != null ? config.historyMode() : NodeRuntime.HistoryMode.ARCHIVE;
        String endpoint = l1Endpoint != null ? l1Endpoint : config != null ? config.l1Endpoint().orElse(null) : null;
        Duration block;
        try {
            if (rpcAddr != null) {
                HostPort hp = HostPort.parse(rpcAddr, port);
                host = hp.host();
                port = hp.port();
            }
            if (rpcPort != null) {
                port = rpcPort;
            }
            if (historyMode != null) {
                history = NodeRuntime.HistoryMode.parse(historyMode);
            }
            block = Durations.parse(blockTime);
        } catch (IllegalArgumentException e) {
            System.err.println("flotilla run: " + e.getMessage());
            return 2;
        }

        CassandraStorage.Settings cassandraSettings;
        try {
            cassandraSettings = storageOptions.cassandra();
        } catch (IllegalArgumentException e) {
            System.err.println("flotilla run: " + e.getMessage());
            return 2;
        }

        if (clusterConfig != null) {
            return runClustered(config, endpoint, NodeRuntime.Options.defaults(dataDir).withRpc(host, port)
                    .withHistoryMode(history), out, cassandraSettings);
        }

        L1Source l1;
        String l1Text;
        if (endpoint != null) {
            try {
                l1 = L1Endpoint.connect(URI.create(endpoint), L1Endpoint.Kind.parse(l1Kind));
            } catch (IllegalArgumentException | IllegalStateException e) {
                System.err.println("flotilla run: " + e.getMessage());
                return 1;
            }
            if (l1 instanceof OctezRpcL1) {
                // Flotilla holds no keys for Octez: it follows, it does not inject
                String refused = config == null ? "an Octez L1 needs a rollup: run observer for <sr1> --l1-endpoint "
                        + endpoint : config.mode() != RollupMode.OBSERVER ? "only observer mode is supported with an "
                        + "Octez L1 (" + config.mode().label() + " would inject operations): run observer for "
                        + config.rollup() + " --l1-endpoint " + endpoint : null;
                if (refused != null) {
                    System.err.println("flotilla run: " + refused);
                    l1.close();
                    return 2;
                }
                l1Text = "the Octez node at " + endpoint;
            } else {
                l1Text = "the sandbox L1 at " + endpoint;
            }
        } else {
            l1 = inProcessSandbox(dataDir, block);
            l1Text = "an in-process sandbox L1 (" + block.toMillis() + " ms blocks, kept in " + dataDir.resolve("l1") + ")";
        }
        NodeRuntime.Options options = NodeRuntime.Options.defaults(dataDir).withRpc(host, port).withHistoryMode(history)
                .withGcFrequency(gcFrequency);
        try {
            if (config == null) {
                runtime = DemoNode.start(options, l1, true, stores(l1, cassandraSettings));
            } else {
                if (l1.rollup(config.rollup()).isEmpty()) { // an IllegalStateException for a non-wasm rollup
                    System.err.println("flotilla run: rollup " + config.rollup() + " is not originated on " + l1Text);
                    l1.close();
                    return 1;
                }
                runtime = NodeRuntime.start(options, l1, true, stores(l1, cassandraSettings),
                        List.of(new NodeRuntime.ServedRollup(config.rollup(), config.mode(), config.operator())));
            }
        } catch (RuntimeException e) {
            System.err.println("flotilla run: " + e.getMessage());
            l1.close();
            return 1;
        }
        Thread hook = closeOnShutdown();

        String rollup = runtime.fleet().rollups().get(0);
        String url = runtime.rpcUrl();
        out.println();
        out.println("Flotilla node running");
        out.println("  data directory  " + dataDir.toAbsolutePath());
        out.println("  L1              " + l1Text);
        out.println("  rollup          " + rollup + (config == null ? " (demo: echo kernel" : " (from " + configOrigin)
                + ", " + runtime.registry().mode(rollup).label() + " mode"
                + (runtime.registry().operator(rollup) == null ? "" : ", operator " + runtime.registry().operator(rollup))
                + ")");
        out.println("  history mode    " + history.label()
                + (history == NodeRuntime.HistoryMode.FULL ? " (GC every " + (gcFrequency > 0 ? gcFrequency + " levels"
                : "challenge window / 5 levels") + " of LCC progress)" : ""));
        out.println("  storage         " + (cassandraSettings == null ? "embedded (" + dataDir.toAbsolutePath() + ")"
                : "Cassandra " + cassandraSettings.contactPointsText() + ", keyspace " + cassandraSettings.keyspace()));
        out.println("  HTTP API        " + url);
        out.println();
        out.println("Try:");
        out.println("  curl -s " + url + "/rollups");
        out.println("  curl -s " + url + "/global/block/head");
        out.println("  curl -s '" + url + "/global/block/head/durable/wasm_2_0_0/value?key=/readonly/wasm_version'");
        out.println("  curl -s -X POST -H 'Content-Type: application/json' -d '[\"68656c6c6f\"]' " + url
                + "/local/batcher/injection");
        out.println("  curl -s " + url + "/local/batcher/queue");
        out.println("  curl -s " + url + "/local/outbox/pending        # the echo kernel's outbox, by level");
        out.println("  curl -s " + url + "/global/block/head/outbox/<level>/messages");
        out.println("  curl -s '" + url + "/global/block/head/helpers/proofs/outbox/<level>/messages?index=0'");
        out.println("  curl -s " + url + "/global/last_stored_commitment   # every 20 levels");
        out.println("  curl -sN " + url + "/global/monitor_blocks");
        out.println("  curl -s " + url + "/metrics");
        out.println("Stop with Ctrl-C.");
        out.flush();
        return serveUntilStopped(hook);
    }

    private NodeStores stores(L1Source l1, CassandraStorage.Settings cassandraSettings) {
        return cassandraSettings == null ? NodeStores.embedded(dataDir, l1) : NodeStores.cassandra(l1, cassandraSettings);
    }

    /**
     * {@code --cluster-config}: a node of a cluster following a shared L1 ({@code --l1-endpoint}), serving the
     * rollups of the file (and the one of the Octez form, if given) on the shared Cassandra.
     */
    private Integer runClustered(NodeConfig octez, String endpoint, NodeRuntime.Options options, PrintStream out,
            CassandraStorage.Settings storageOption) throws InterruptedException {
        ClusterSetup setup;
        List<NodeRuntime.ServedRollup> rollups = new ArrayList<>();
        try {
            setup = ClusterSetup.read(clusterConfig);
            if (octez != null) {
                rollups.add(new NodeRuntime.ServedRollup(octez.rollup(), octez.mode(), octez.operator()));
            }
            for (NodeRuntime.ServedRollup r : setup.rollups()) {
                if (rollups.stream().noneMatch(x -> x.address().equals(r.address()))) {
                    rollups.add(r);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("flotilla run: " + e.getMessage());
            return 2;
        }
        if (endpoint == null) {
            System.err.println("flotilla run: the nodes of a cluster follow one shared L1: give --l1-endpoint URL");
            return 2;
        }
        if (rollups.isEmpty()) {
            System.err.println("flotilla run: no rollup to serve: list them in flotilla.rollups of " + clusterConfig);
            return 2;
        }
        RemoteSandboxL1 l1 = new RemoteSandboxL1(URI.create(endpoint));
        try {
            l1.head();
            for (NodeRuntime.ServedRollup r : rollups) {
                if (l1.rollup(r.address()).isEmpty()) {
                    System.err.println("flotilla run: rollup " + r.address() + " is not originated on " + endpoint);
                    l1.close();
                    return 1;
                }
            }
        } catch (RuntimeException e) {
            System.err.println("flotilla run: the L1 at " + endpoint + " does not answer: " + e.getMessage());
            l1.close();
            return 1;
        }
        String storesText;
        try {
            // the cluster file's Cassandra, else --storage cassandra's; neither: embedded (a one-node cluster only)
            CassandraStorage.Settings cassandra = setup.cassandra().orElse(storageOption);
            NodeStores stores;
            if (cassandra != null) {
                stores = NodeStores.cassandra(l1, cassandra);
                storesText = "Cassandra " + cassandra.contactPointsText() + ", keyspace " + cassandra.keyspace();
            } else {
                stores = NodeStores.embedded(dataDir, l1);
                storesText = "embedded, in " + dataDir.toAbsolutePath() + " (a one-node cluster only)";
            }
            runtime = NodeRuntime.start(options, l1, true, stores, rollups, setup.config());
        } catch (RuntimeException e) {
            System.err.println("flotilla run: " + e.getMessage());
            l1.close();
            return 1;
        }
        Thread hook = closeOnShutdown();
        var pekko = runtime.fleet().system().settings().config();
        out.println();
        out.println("Flotilla cluster node running");
        out.println("  cluster address " + org.apache.pekko.cluster.typed.Cluster.get(runtime.fleet().system())
                .selfMember().address());
        out.println("  seed nodes      " + pekko.getStringList("pekko.cluster.seed-nodes"));
        out.println("  L1              the sandbox L1 at " + endpoint);
        out.println("  stores          " + storesText);
        out.println("  rollups         " + rollups.size() + " (placed by Cluster Sharding)");
        out.println("  HTTP API        " + runtime.rpcUrl() + " (answers for every rollup: /rollups/<sr1>/...)");
        out.flush();
        return serveUntilStopped(hook);
    }

    /** A signal (Ctrl-C, SIGTERM) closes the node and ends {@link #serveUntilStopped}. */
    private Thread closeOnShutdown() {
        Thread hook = new Thread(() -> {
            runtime.close();
            stop.countDown();
        }, "flotilla-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    /** Waits for a signal or for a test's stop, and closes the node in the latter case. */
    private int serveUntilStopped(Thread hook) throws InterruptedException {
        stop.await();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
            runtime.close(); // stopped by a test rather than a signal
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook closes the node
        }
        return 0;
    }

    /** The in-process sandbox keeps its chain under {@code <data-dir>/l1}, so a restart continues it. */
    static SandboxL1 inProcessSandbox(Path dataDir, Duration blockTime) {
        try {
            return SandboxL1.open(dataDir.resolve("l1"), SandboxL1.Config.timed().withBlockTime(blockTime));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot open the sandbox L1 in " + dataDir.resolve("l1")
                    + ": " + e.getMessage(), e);
        }
    }

    /** host:port, [v6]:port, host, or :port. */
    record HostPort(String host, int port) {
        static HostPort parse(String s, int defaultPort) {
            String host = s;
            int port = defaultPort;
            int colon = s.lastIndexOf(':');
            if (s.startsWith("[")) {
                int end = s.indexOf(']');
                if (end < 0) {
                    throw new IllegalArgumentException("invalid address " + s);
                }
                host = s.substring(1, end);
                if (end + 1 < s.length() && s.charAt(end + 1) == ':') {
                    port = parsePort(s.substring(end + 2));
                }
            } else if (colon >= 0 && s.indexOf(':') == colon) {
                host = colon == 0 ? FlotillaHttpServer.Settings.DEFAULT_HOST : s.substring(0, colon);
                port = parsePort(s.substring(colon + 1));
            }
            return new HostPort(host, port);
        }

        private static int parsePort(String p) {
            try {
                int port = Integer.parseInt(p);
                if (port < 0 || port > 65535) {
                    throw new NumberFormatException();
                }
                return port;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid port '" + p + "'");
            }
        }
    }
}
