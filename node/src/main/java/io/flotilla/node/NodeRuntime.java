package io.flotilla.node;

import com.typesafe.config.ConfigFactory;
import io.flotilla.actors.l1.L1Block;
import io.flotilla.actors.l1.L1Source;
import io.flotilla.actors.node.FleetNode;
import io.flotilla.actors.node.RollupRegistry;
import io.flotilla.actors.rollup.RollupMode;
import io.flotilla.actors.rollup.RollupServices;
import io.flotilla.http.FlotillaHttpServer;
import io.flotilla.persistence.gc.HistoryGc;
import io.flotilla.pvm.PvmConfig;
import io.flotilla.pvm.PvmThreads;
import io.flotilla.pvm.reveal.PreimageDirectory;
import io.flotilla.pvm.util.Hex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Flotilla node: the fleet (actor system, rollup entities, embedded journal under the data
 * directory), the stores, the batcher and the HTTP API, wired over one L1. {@link #close()} stops the
 * HTTP server, then the actor system; the L1 is closed only when the runtime was given ownership.
 */
public final class NodeRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeRuntime.class);

    /**
     * A rollup to serve, with its mode and operator ({@code tz1}; null in observer mode) and its history mode (null:
     * the node's, {@link Options#historyMode()}).
     */
    public record ServedRollup(String address, RollupMode mode, String operator, HistoryMode historyMode) {
        public ServedRollup {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(mode, "mode");
        }

        public ServedRollup(String address, RollupMode mode, String operator) {
            this(address, mode, operator, null);
        }
    }

    /** History modes: archive keeps everything, full lets the {@link HistoryGc} delete what precedes the LCC. */
    public enum HistoryMode {
        ARCHIVE, FULL;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static HistoryMode parse(String s) {
            return switch (s.toLowerCase(java.util.Locale.ROOT)) {
                case "archive" -> ARCHIVE;
                case "full" -> FULL;
                default -> throw new IllegalArgumentException("unknown history mode '" + s + "' (archive or full)");
            };
        }
    }

    /**
     * How to run.
     *
     * @param rpcPort 0 binds an ephemeral port
     * @param monitorPoll how often block streams look for new blocks
     * @param pvm how kernels run (engine, gas per kernel_run, memory cap)
     * @param pvmThreads where levels are evaluated ({@link PvmThreads#SHARED} unless a test wants its own lanes)
     */
    public record Options(Path dataDir, String rpcHost, int rpcPort, HistoryMode historyMode, Duration monitorPoll,
                          PvmConfig pvm, PvmThreads pvmThreads, int gcFrequency) {
        public Options {
            Objects.requireNonNull(pvm, "pvm");
            Objects.requireNonNull(pvmThreads, "pvmThreads");
            if (gcFrequency < 0) {
                throw new IllegalArgumentException("the GC frequency must be positive (levels), got " + gcFrequency);
            }
        }

        /** With the default GC frequency (a fifth of the challenge window). */
        public Options(Path dataDir, String rpcHost, int rpcPort, HistoryMode historyMode, Duration monitorPoll,
                       PvmConfig pvm, PvmThreads pvmThreads) {
            this(dataDir, rpcHost, rpcPort, historyMode, monitorPoll, pvm, pvmThreads, 0);
        }

        /** In full mode, collect every {@code levels} levels of LCC progress (0: a fifth of the challenge window). */
        public Options withGcFrequency(int levels) {
            return new Options(dataDir, rpcHost, rpcPort, historyMode, monitorPoll, pvm, pvmThreads, levels);
        }

        /** With the default PVM configuration, on the shared PVM threads. */
        public Options(Path dataDir, String rpcHost, int rpcPort, HistoryMode historyMode, Duration monitorPoll) {
            this(dataDir, rpcHost, rpcPort, historyMode, monitorPoll, PvmConfig.defaults(), PvmThreads.SHARED);
        }

        public static Options defaults(Path dataDir) {
            return new Options(dataDir, FlotillaHttpServer.Settings.DEFAULT_HOST,
                    FlotillaHttpServer.Settings.DEFAULT_PORT, HistoryMode.ARCHIVE, Duration.ofMillis(200));
        }

        public Options withRpc(String host, int port) {
            return new Options(dataDir, host, port, historyMode, monitorPoll, pvm, pvmThreads, gcFrequency);
        }

        public Options withHistoryMode(HistoryMode m) {
            return new Options(dataDir, rpcHost, rpcPort, m, monitorPoll, pvm, pvmThreads, gcFrequency);
        }

        public Options withPvm(PvmConfig c) {
            return new Options(dataDir, rpcHost, rpcPort, historyMode, monitorPoll, c, pvmThreads, gcFrequency);
        }

        public Options withPvmThreads(PvmThreads t) {
            return new Options(dataDir, rpcHost, rpcPort, historyMode, monitorPoll, pvm, t, gcFrequency);
        }
    }

    private final L1Source l1;
    private final boolean ownsL1;
    private final RollupRegistry registry;
    private final FleetNode fleet;
    private final NodeQueries queries;
    private final FlotillaHttpServer http;
    private final InetSocketAddress rpcAddress;
    private volatile boolean closed;

    private NodeRuntime(L1Source l1, boolean ownsL1, RollupRegistry registry, FleetNode fleet, NodeQueries queries,
                        FlotillaHttpServer http, InetSocketAddress rpcAddress) {
        this.l1 = l1;
        this.ownsL1 = ownsL1;
        this.registry = registry;
        this.fleet = fleet;
        this.queries = queries;
        this.http = http;
        this.rpcAddress = rpcAddress;
    }

    /**
     * Starts a node over {@code l1} serving {@code rollups}; returns once the HTTP API is bound.
     *
     * @param ownsL1 close the L1 with the node
     */
    public static NodeRuntime start(Options options, L1Source l1, boolean ownsL1, NodeStores stores,
                                    List<ServedRollup> rollups) {
        return start(options, l1, ownsL1, stores, rollups, ConfigFactory.empty());
    }

    /**
     * As above, as a node of a Pekko cluster: {@code cluster} holds the Pekko settings that come first (remoting
     * port, seed nodes, sharding...; see {@link ClusterSetup}); a cluster's {@code stores} must be shared ones
     * ({@link NodeStores#cassandra}).
     */
    public static NodeRuntime start(Options options, L1Source l1, boolean ownsL1, NodeStores stores,
                                    List<ServedRollup> rollups, com.typesafe.config.Config cluster) {
        Path dataDir = options.dataDir().toAbsolutePath();
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + dataDir + ": " + e.getMessage(), e);
        }
        prepareJournal(dataDir, l1.block(0).map(L1Block::hashHex).orElse("unknown"), stores.durable());
        RollupRegistry registry = new RollupRegistry();
        for (ServedRollup r : rollups) {
            registry.register(r.address(), r.mode(), r.operator());
        }
        // one GC per node: the stores are shared by its rollups; full -> archive is refused here, before anything runs
        HistoryGc gc = new HistoryGc(stores.context(), stores.chain(),
                stores.durable() ? dataDir.resolve("gc-records") : null);
        int gcFrequency = options.gcFrequency() > 0 ? options.gcFrequency()
                : HistoryGc.defaultFrequency(l1.constants().challengeWindow());
        try {
            for (ServedRollup r : rollups) {
                io.flotilla.persistence.gc.HistoryMode mode = gcMode(r, options);
                // the GC protects the nodes that writers of its own process put (persistence/GC.md): with entities
                // writing from other JVMs of a cluster it could delete a node one of them just found present
                if (!cluster.isEmpty() && mode == io.flotilla.persistence.gc.HistoryMode.FULL) {
                    throw new IllegalArgumentException("history mode full is not supported on a cluster yet (the GC "
                            + "protects only the writers of its own process): run rollup " + r.address()
                            + " in archive mode");
                }
                gc.register(r.address(), mode, gcFrequency);
            }
        } catch (RuntimeException e) {
            gc.close();
            stores.close();
            throw e;
        }
        RollupServices services = new RollupServices(l1, stores.context(), stores.chain(), options.pvm(),
                options.pvmThreads(), new PreimageDirectory(dataDir.resolve("wasm_2_0_0")), registry::mode,
                registry::operator, gc);
        // the chain actor's start level (an Octez-followed chain starts at the rollups' origination) over the
        // cluster settings, if any
        com.typesafe.config.Config pekko = chainStart(l1, rollups).withFallback(cluster);
        FleetNode fleet;
        try {
            fleet = stores.backend() == null
                    ? FleetNode.startEmbedded("flotilla", dataDir, services, pekko)
                    : FleetNode.start("flotilla", services, pekko, stores.backend());
        } catch (RuntimeException e) {
            gc.close();
            stores.close();
            throw e;
        }
        NodeQueries queries = null;
        try {
            queries = new NodeQueries(fleet, registry, options.monitorPoll().toMillis());
            for (ServedRollup r : rollups) {
                fleet.serve(r.address());
                LOG.info("serving rollup {} in {} mode{}", r.address(), r.mode().label(),
                        r.operator() == null ? "" : " (operator " + r.operator() + ")");
            }
            FlotillaHttpServer http = new FlotillaHttpServer(fleet.system(), queries,
                    FlotillaHttpServer.Settings.fromConfig(fleet.system().settings().config())
                            .withAddress(options.rpcHost(), options.rpcPort()));
            InetSocketAddress bound = http.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
            NodeRuntime rt = new NodeRuntime(l1, ownsL1, registry, fleet, queries, http, bound);
            rt.stores = stores;
            rt.gc = gc;
            rt.options = options;
            rt.gcFrequency = gcFrequency;
            return rt;
        } catch (Exception e) {
            if (queries != null) {
                queries.close();
            }
            fleet.close();
            gc.close();
            stores.close();
            throw new IllegalStateException("the node did not start: " + rootMessage(e), e);
        }
    }

    /**
     * An Octez chain is long: its chain actor journals from the first served rollup's origination level on (the
     * sandbox's, from genesis).
     */
    private static com.typesafe.config.Config chainStart(L1Source l1, List<ServedRollup> rollups) {
        if (!(l1 instanceof io.flotilla.actors.l1.OctezRpcL1)) {
            return ConfigFactory.empty();
        }
        int first = rollups.stream().map(r -> l1.rollup(r.address())).flatMap(java.util.Optional::stream)
                .mapToInt(L1Source.RollupInfo::originationLevel).min().orElseGet(() -> l1.head().level());
        return ConfigFactory.parseMap(java.util.Map.of("flotilla.l1-chain.start-level", first));
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    /**
     * A data directory belongs to one L1 chain, and its journal to the stores it was written with. When the
     * chain changed (a fresh in-process sandbox) or the stores did not survive the last run (in memory
     * until the embedded stores land), the old journal names states that are gone: it is moved aside to
     * {@code journal.previous} (an H2 journal) or {@code journal-rocks.previous} (RocksDB) and the rollups are
     * evaluated again from their origination.
     */
    static void prepareJournal(Path dataDir, String l1Genesis, boolean storesDurable) {
        Path marker = dataDir.resolve("l1-chain");
        try {
            String previous = Files.exists(marker) ? Files.readString(marker, StandardCharsets.UTF_8).strip() : null;
            List<Path> journals = new ArrayList<>();
            for (String name : io.flotilla.actors.node.EmbeddedJournal.DIRECTORIES) {
                if (Files.isDirectory(dataDir.resolve(name))) {
                    journals.add(dataDir.resolve(name));
                }
            }
            boolean hasJournal = !journals.isEmpty();
            String why = null;
            if (hasJournal && previous != null && !previous.equals(l1Genesis)) {
                why = "the L1 chain changed (genesis " + abbreviate(previous) + " -> " + abbreviate(l1Genesis) + ")";
            } else if (hasJournal && !storesDurable) {
                why = "the context and chain stores are in memory, so the journal's states are gone";
            }
            if (why != null) {
                List<Path> asides = new ArrayList<>();
                for (Path journal : journals) {
                    Path aside = dataDir.resolve(journal.getFileName() + ".previous");
                    deleteRecursively(aside);
                    Files.move(journal, aside, StandardCopyOption.ATOMIC_MOVE);
                    asides.add(aside);
                }
                Path chain = dataDir.resolve("chain");
                if (Files.isDirectory(chain)) {
                    Path chainAside = dataDir.resolve("chain.previous");
                    deleteRecursively(chainAside);
                    Files.move(chain, chainAside, StandardCopyOption.ATOMIC_MOVE);
                }
                LOG.info("starting from a fresh journal ({}): the previous one is in {}", why, asides);
            }
            Files.writeString(marker, l1Genesis + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the journal in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    private static String abbreviate(String hex) {
        return hex.length() > 12 ? hex.substring(0, 12) + "..." : hex;
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }

    private static io.flotilla.persistence.gc.HistoryMode gcMode(ServedRollup r, Options o) {
        HistoryMode m = r.historyMode() != null ? r.historyMode() : o.historyMode();
        return io.flotilla.persistence.gc.HistoryMode.parse(m.label());
    }

    /** Starts serving one more rollup. */
    public void serve(ServedRollup r) {
        gc.register(r.address(), gcMode(r, options), gcFrequency);
        registry.register(r.address(), r.mode(), r.operator());
        fleet.serve(r.address());
    }

    public FleetNode fleet() {
        return fleet;
    }

    public NodeQueries queries() {
        return queries;
    }

    public L1Source l1() {
        return l1;
    }

    public RollupRegistry registry() {
        return registry;
    }

    /** Where the HTTP API listens. */
    public InetSocketAddress rpcAddress() {
        return rpcAddress;
    }

    /** {@code http://host:port} of the HTTP API. */
    public String rpcUrl() {
        String host = rpcAddress.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + rpcAddress.getPort();
    }

    private NodeStores stores;
    private HistoryGc gc;
    private Options options;
    private int gcFrequency;

    /**
     * The node's history GC: {@code /local/gc_info}, {@code /admin/cancel_gc}, and {@link HistoryGc#pause} for a
     * snapshot export ({@code try (GcPause p = runtime.gc().pause("snapshot export")) { ... }}).
     */
    public HistoryGc gc() {
        return gc;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            http.close();
        } catch (RuntimeException e) {
            LOG.warn("stopping the HTTP API: {}", e.toString());
        }
        queries.close();
        fleet.close();
        if (gc != null) {
            gc.close();
        }
        if (stores != null) {
            stores.close();
        }
        if (ownsL1) {
            l1.close();
        }
        LOG.info("node stopped");
    }

    static String hex(byte[] b) {
        return Hex.encode(b);
    }
}
