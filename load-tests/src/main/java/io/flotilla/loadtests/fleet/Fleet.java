package io.flotilla.loadtests.fleet;

import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.actors.rollup.RollupEntity;
import io.flotilla.actors.rollup.RollupMode;
import io.flotilla.node.DemoNode;
import io.flotilla.node.NodeRuntime;
import io.flotilla.node.NodeStores;
import io.flotilla.persistence.cassandra.CassandraStorage;
import io.flotilla.persistence.chain.InMemoryL2ChainStore;
import io.flotilla.persistence.chain.L2Block;
import io.flotilla.persistence.chain.L2ChainStore;
import io.flotilla.persistence.store.ContextStore;
import io.flotilla.persistence.store.InMemoryContextStore;
import io.flotilla.pvm.KernelFiles;
import io.flotilla.pvm.PvmVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A benchmark fleet: a manual in-process {@link SandboxL1}, N rollups originated in one block (observer mode), and
 * a node ({@link NodeRuntime}, HTTP on an ephemeral loopback port) serving them, which can be stopped and
 * started again over the same data directory. {@link #run} produces levels with one external message each and
 * times them: latency is block production → the rollup's L2 block written to the chain store (the write
 * right before the event is journaled).
 */
public final class Fleet implements AutoCloseable {

    /** The kernels a fleet can run: the node's bundled echo and counter, and the compute-heavy bench kernel. */
    public static final List<String> KERNELS = List.of("echo", "counter", "compute");

    /**
     * System property (FleetBench's {@code --cassandra HOST:PORT}): the fleet's journal and stores go to that
     * Cassandra, in a keyspace of this fleet (the same across restarts, dropped on close).
     */
    public static final String CASSANDRA = "fleetbench.cassandra";

    /** One timed run of levels. */
    public record Phase(int levels, long rollupLevels, double wallSeconds, long[] sortedLatencies, long contextNodes,
                        long contextBytes, long contextDiskBytes) {
        public double rollupLevelsPerSecond() {
            return rollupLevels / wallSeconds;
        }

        /** The p-quantile of the latencies in milliseconds (0 when none). */
        public double latencyMillis(double p) {
            return percentileMillis(sortedLatencies, p);
        }
    }

    private final SandboxL1 l1;
    private final List<String> rollups;
    private final byte[] kernel;
    private final String kernelName;
    private final boolean embedded;
    private final Path dataDir;
    private final boolean ownDir;
    private final TimedChainHook hook = new TimedChainHook();
    private final CassandraStorage.Settings cassandra = System.getProperty(CASSANDRA) == null ? null
            : CassandraStorage.Settings.of(System.getProperty(CASSANDRA), "fleetbench_" + Long.toHexString(System.nanoTime()));
    private NodeStores stores;
    private volatile NodeRuntime node;
    private int messages;

    private Fleet(SandboxL1 l1, List<String> rollups, byte[] kernel, String kernelName, boolean embedded, Path dataDir,
                  boolean ownDir) {
        this.l1 = l1;
        this.rollups = rollups;
        this.kernel = kernel;
        this.kernelName = kernelName;
        this.embedded = embedded;
        this.dataDir = dataDir;
        this.ownDir = ownDir;
    }

    /** The kernel's module bytes; an unknown name is refused with the list of known ones. */
    public static byte[] kernel(String name) {
        return switch (name) {
            case "echo", "counter" -> DemoNode.bundledKernel(name);
            case "compute" -> {
                try (InputStream in = Fleet.class.getResourceAsStream("/bench/compute.wat")) {
                    if (in == null) {
                        throw new IllegalStateException("/bench/compute.wat is not on the classpath");
                    }
                    yield KernelFiles.fromText(new String(in.readAllBytes(), StandardCharsets.UTF_8), "compute.wat");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            default -> throw new IllegalArgumentException("kernel: one of " + String.join(", ", KERNELS)
                    + ", not " + name);
        };
    }

    /**
     * Originates {@code n} rollups running {@code kernelName} in one L1 block (level 1); the node is not started.
     *
     * @param dataDir the node's data directory, or null for a temporary one deleted on close
     */
    public static Fleet originate(String kernelName, int n, boolean embedded, Path dataDir) throws IOException {
        if (n < 1) {
            throw new IllegalArgumentException("rollups: at least 1");
        }
        byte[] kernel = kernel(kernelName);
        boolean ownDir = dataDir == null;
        Path dir = ownDir ? Files.createTempDirectory("fleetbench") : dataDir;
        SandboxL1 l1 = SandboxL1.manual();
        List<String> rollups = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String source = SandboxAccounts.bootstrap(1 + i % SandboxAccounts.COUNT).address();
            rollups.add(l1.inject(L1Operation.originate(source, kernel, "bytes", PvmVersion.DEFAULT.label()))
                    .orThrow().rollup().orElseThrow());
        }
        l1.produceBlock();
        return new Fleet(l1, rollups, kernel, kernelName, embedded, dir, ownDir);
    }

    public SandboxL1 l1() {
        return l1;
    }

    public List<String> rollups() {
        return rollups;
    }

    public byte[] kernelBytes() {
        return kernel;
    }

    public String kernelName() {
        return kernelName;
    }

    public boolean embedded() {
        return embedded;
    }

    /** Where the journal and stores live: cassandra, embedded or memory. */
    public String storage() {
        return cassandra != null ? "cassandra" : embedded ? "embedded" : "memory";
    }

    public NodeRuntime node() {
        return node;
    }

    /**
     * Starts the node (embedded stores reopened from the data directory) and waits until every rollup's head
     * is the L1 head; returns the seconds from the start call to that point.
     */
    public double start(Duration timeout, PrintStream out, String what) throws Exception {
        if (node != null) {
            throw new IllegalStateException("the node is already running");
        }
        long t0 = System.nanoTime();
        NodeStores base = cassandra != null ? NodeStores.cassandra(l1, cassandra)
                : embedded ? NodeStores.embedded(dataDir, l1)
                : new NodeStores(new InMemoryContextStore(), new InMemoryL2ChainStore(), false);
        stores = new NodeStores(base.context(), new TimedChain(base.chain(), hook), base.durable(), base.backend(),
                base.resource());
        List<NodeRuntime.ServedRollup> served = new ArrayList<>(rollups.size());
        for (String r : rollups) {
            served.add(new NodeRuntime.ServedRollup(r, RollupMode.OBSERVER, null));
        }
        NodeRuntime.Options no = new NodeRuntime.Options(dataDir, "127.0.0.1", 0, NodeRuntime.HistoryMode.ARCHIVE,
                Duration.ofMillis(100));
        node = NodeRuntime.start(no, l1, false, stores, served);
        awaitHeads(l1.head().level(), timeout, out, what);
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Stops the node (its stores are closed with it); the L1 and the data directory stay. */
    public void stop() {
        if (node != null) {
            node.close();
            node = null;
            stores = null;
        }
    }

    /** Produces one L1 block with one external message (the node may be stopped); returns its level. */
    public int produceLevel() {
        l1.inject(L1Operation.addMessages(SandboxAccounts.bootstrap(2).address(),
                List.of(("message " + (++messages)).getBytes(StandardCharsets.UTF_8)))).orThrow();
        l1.produceBlock();
        return l1.head().level();
    }

    /**
     * Produces {@code levels} levels, keeping at most {@code ahead} in flight (1: lockstep), and times them until
     * every rollup's head is the last one, i.e. journaled.
     */
    public Phase run(int levels, int ahead, PrintStream out, Duration progressEvery) throws Exception {
        return run(levels, ahead, out, progressEvery, STALL);
    }

    /** How long a run waits with no rollup-level written before it gives up on the node. */
    public static final Duration STALL = Duration.ofMinutes(3);

    /**
     * As {@link #run(int, int, PrintStream, Duration)}; a node that writes no L2 block for {@code stall} is stuck:
     * an IllegalStateException says how far it got.
     */
    public Phase run(int levels, int ahead, PrintStream out, Duration progressEvery, Duration stall)
            throws Exception {
        int n = rollups.size();
        int first = l1.head().level() + 1;
        Timing timing = new Timing(rollups, first, levels);
        hook.timing = timing;
        ContextStore.Stats ctx0 = stats();
        long t0 = System.nanoTime();
        long nextProgress = t0 + progressEvery.toNanos();
        int produced = 0;
        long lastDone = -1;
        long lastChange = t0;
        while (timing.completedLevels() < levels) {
            if (produced < levels && produced - timing.completedLevels() < ahead) {
                timing.produced(first + produced, System.nanoTime());
                int level = produceLevel();
                if (level != first + produced) {
                    throw new IllegalStateException("someone else produced L1 blocks");
                }
                produced++;
                continue;
            }
            Thread.sleep(0, 200_000);
            long now = System.nanoTime();
            long doneNow = timing.done.get();
            if (doneNow != lastDone) {
                lastDone = doneNow;
                lastChange = now;
            } else if (now - lastChange > stall.toNanos()) {
                throw new IllegalStateException(String.format(Locale.ROOT,
                        "the node is stuck: no L2 block written for %d s (produced %d/%d levels, %d/%d rollup-levels "
                                + "written)", stall.toSeconds(), produced, levels, doneNow, (long) n * levels));
            }
            if (now >= nextProgress) {
                nextProgress = now + progressEvery.toNanos();
                long done = timing.done.get();
                out.printf(Locale.ROOT, "  %6.1f s: produced %d/%d levels, %d/%d rollup-levels written, %.0f/s%n",
                        (now - t0) / 1e9, produced, levels, done, (long) n * levels, done / ((now - t0) / 1e9));
            }
        }
        awaitHeads(first + levels - 1, Duration.ofMinutes(10), out, "journal");
        double wall = (System.nanoTime() - t0) / 1e9;
        hook.timing = null;
        ContextStore.Stats ctx1 = stats();
        long[] lat = timing.latencies();
        Arrays.sort(lat);
        return new Phase(levels, timing.done.get(), wall, lat,
                ctx1 == null ? -1 : ctx1.nodes() - ctx0.nodes(), ctx1 == null ? -1 : ctx1.bytes() - ctx0.bytes(),
                ctx1 == null ? -1 : ctx1.diskBytes());
    }

    /** Every rollup's head state hash, as its entity reports it. */
    public List<String> headStateHashes() {
        List<String> hashes = new ArrayList<>(rollups.size());
        for (String r : rollups) {
            hashes.add(status(r).headStateHash());
        }
        return hashes;
    }

    private ContextStore.Stats stats() {
        return stores != null && stores.context() instanceof ContextStore c ? c.stats() : null;
    }

    private RollupEntity.Status status(String r) {
        Exception last = null;
        for (int attempt = 0; attempt < 6; attempt++) { // an ask times out after 10 s on an overloaded machine
            try {
                return node.fleet().status(r).toCompletableFuture().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                last = e;
            }
        }
        throw new IllegalStateException("status of " + r + ": " + last, last);
    }

    /** Polls every entity's status until its head is at least {@code level}. */
    void awaitHeads(int level, Duration timeout, PrintStream out, String what) throws Exception {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long nextProgress = start + Duration.ofSeconds(5).toNanos();
        List<String> pending = rollups;
        while (true) {
            List<CompletableFuture<RollupEntity.Status>> fs = new ArrayList<>(pending.size());
            for (String r : pending) {
                fs.add(node.fleet().status(r).toCompletableFuture());
            }
            List<String> still = new ArrayList<>();
            for (int i = 0; i < pending.size(); i++) {
                RollupEntity.Status s;
                try {
                    s = fs.get(i).get(120, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    // the node's status ask times out (10 s) when the machine is overloaded: not there yet
                    still.add(pending.get(i));
                    continue;
                }
                if (!s.originated() || s.headLevel() < level) {
                    still.add(pending.get(i));
                }
            }
            if (still.isEmpty()) {
                return;
            }
            long now = System.nanoTime();
            if (now > deadline) {
                throw new IllegalStateException(what + ": " + still.size() + " rollups not at level " + level);
            }
            if (now > nextProgress) {
                nextProgress = now + Duration.ofSeconds(5).toNanos();
                out.printf(Locale.ROOT, "  %6.1f s (%s): %d/%d rollups at level %d%n", (now - start) / 1e9, what,
                        rollups.size() - still.size(), rollups.size(), level);
            }
            pending = still;
            Thread.sleep(Math.min(500, 20 + still.size())); // fewer asks while many are still busy
        }
    }

    @Override
    public void close() throws IOException {
        try {
            stop();
            if (cassandra != null) {
                try (CassandraStorage c = CassandraStorage.open(cassandra)) {
                    c.dropKeyspace();
                }
            }
        } finally {
            l1.close();
            if (ownDir) {
                FleetBench.deleteRecursively(dataDir);
            }
        }
    }

    static double percentileMillis(long[] sortedNanos, double p) {
        if (sortedNanos.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p * sortedNanos.length) - 1;
        return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, i))] / 1e6;
    }

    /** When each level was produced and when each rollup wrote its L2 block for it. */
    static final class Timing {
        private final Map<String, Integer> index;
        private final int first;
        private final int levels;
        private final int n;
        private final AtomicLongArray producedAt;
        private final AtomicLongArray writtenAt; // [rollup * levels + (level - first)]
        private final AtomicIntegerArray perLevel;
        final AtomicLong done = new AtomicLong();
        private volatile int completed;

        Timing(List<String> rollups, int first, int levels) {
            this.index = new HashMap<>();
            for (int i = 0; i < rollups.size(); i++) {
                index.put(rollups.get(i), i);
            }
            this.first = first;
            this.levels = levels;
            this.n = rollups.size();
            this.producedAt = new AtomicLongArray(levels);
            this.writtenAt = new AtomicLongArray(n * levels);
            this.perLevel = new AtomicIntegerArray(levels);
        }

        void produced(int level, long t) {
            producedAt.set(level - first, t);
        }

        void written(String rollup, int level, long t) {
            Integer i = index.get(rollup);
            int k = level - first;
            if (i == null || k < 0 || k >= levels) {
                return;
            }
            if (writtenAt.compareAndSet(i * levels + k, 0, t)) {
                done.incrementAndGet();
                if (perLevel.incrementAndGet(k) == n) {
                    synchronized (this) {
                        int c = completed;
                        while (c < levels && perLevel.get(c) == n) {
                            c++;
                        }
                        completed = c;
                    }
                }
            }
        }

        int completedLevels() {
            return completed;
        }

        long[] latencies() {
            long[] out = new long[n * levels];
            int m = 0;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < levels; k++) {
                    long w = writtenAt.get(i * levels + k);
                    if (w != 0) {
                        out[m++] = w - producedAt.get(k);
                    }
                }
            }
            return Arrays.copyOf(out, m);
        }
    }

    /** Which timing the chain store reports to (none between runs). */
    static final class TimedChainHook {
        volatile Timing timing;
    }

    /** The node's chain store, noting when each L2 block is written (just before its event is journaled). */
    static final class TimedChain implements L2ChainStore, AutoCloseable {
        private final L2ChainStore inner;
        private final TimedChainHook hook;

        TimedChain(L2ChainStore inner, TimedChainHook hook) {
            this.inner = inner;
            this.hook = hook;
        }

        @Override
        public void put(String rollup, L2Block block) {
            inner.put(rollup, block);
            Timing t = hook.timing;
            if (t != null) {
                t.written(rollup, block.level(), System.nanoTime());
            }
        }

        @Override
        public Optional<L2Block> get(String rollup, int level) {
            return inner.get(rollup, level);
        }

        @Override
        public void truncateAbove(String rollup, int level) {
            inner.truncateAbove(rollup, level);
        }

        @Override
        public Optional<Integer> firstLevel(String rollup) {
            return inner.firstLevel(rollup);
        }

        @Override
        public Optional<Integer> lastLevel(String rollup) {
            return inner.lastLevel(rollup);
        }

        @Override
        public java.util.Set<String> rollups() {
            return inner.rollups();
        }

        @Override
        public void deleteBelow(String rollup, int level) {
            inner.deleteBelow(rollup, level);
        }

        @Override
        public void close() throws Exception {
            if (inner instanceof AutoCloseable c) {
                c.close();
            }
        }
    }
}
