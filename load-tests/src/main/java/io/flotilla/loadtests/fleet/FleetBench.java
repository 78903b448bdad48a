package io.flotilla.loadtests.fleet;

import io.flotilla.actors.l1.L1Block;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.L1Source;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.actors.rollup.Inbox;
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
import io.flotilla.pvm.LevelResult;
import io.flotilla.pvm.Pvm;
import io.flotilla.pvm.PvmConfig;
import io.flotilla.pvm.PvmState;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.encoding.RollupAddress;
import io.flotilla.pvm.host.RollupMetadata;
import io.flotilla.pvm.reveal.PreimageSource;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;

/**
 * Fleet throughput (issue 6): one node (NodeRuntime) on a manual in-process SandboxL1, N rollups originated in
 * one block, then L blocks with one external message each. A block is produced once the fleet is at most
 * {@code ahead - 1} levels behind (ahead = 1: lockstep, the next block only when every rollup wrote the
 * current one). Baseline, in the same JVM: the bare PVM ({@link Pvm#runLevel}) over the same inboxes, one
 * thread, no actors, no storage.
 *
 * <pre>load-tests/bench-fleet.sh [--rollups N] [--levels L] [--kernel echo|counter] [--embedded|--memory]
 *                          [--ahead K] [--record]</pre>
 */
public final class FleetBench {

    /** What to run. */
    public record Options(int rollups, int levels, String kernel, boolean embedded, int ahead, boolean record,
                          Path dataDir, Duration progressEvery) {
        public static Options defaults() {
            return new Options(100, 5, "echo", true, 1, false, null, Duration.ofSeconds(5));
        }
    }

    /** What came out. Latencies are from block production to the rollup's L2 block write (chain store). */
    public record Result(int rollups, int levels, long rollupLevels, double wallSeconds, double rollupLevelsPerSecond,
                         double p50Millis, double p99Millis, double maxMillis, long heapBeforeBytes,
                         long heapAfterStartBytes, long heapAfterRunBytes, long contextNodes, long contextBytes,
                         long contextDiskBytes, double barePvmSeconds, int stateMismatches, double setupSeconds) {
        public double heapPerRollupStart() {
            return (double) (heapAfterStartBytes - heapBeforeBytes) / rollups;
        }

        public double heapPerRollupRun() {
            return (double) (heapAfterRunBytes - heapBeforeBytes) / rollups;
        }

        public double fleetOverBare() {
            return wallSeconds / barePvmSeconds;
        }
    }

    /** System property (or {@code --cassandra HOST:PORT}): run on Cassandra stores and journal. */
    static final String CASSANDRA = "fleetbench.cassandra";

    private FleetBench() {}

    public static void main(String[] args) throws Exception {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "fleetbench-logback.xml");
        }
        Options o = Options.defaults();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rollups" -> o = with(o, "rollups", args[++i]);
                case "--levels" -> o = with(o, "levels", args[++i]);
                case "--kernel" -> o = with(o, "kernel", args[++i]);
                case "--ahead" -> o = with(o, "ahead", args[++i]);
                case "--data-dir" -> o = with(o, "dataDir", args[++i]);
                case "--embedded" -> o = with(o, "embedded", "true");
                case "--memory" -> o = with(o, "embedded", "false");
                // every store and the journal on Cassandra, in a keyspace of this run (dropped after)
                case "--cassandra" -> System.setProperty(CASSANDRA, args[++i]);
                case "--record" -> o = with(o, "record", "true");
                default -> {
                    System.err.println("unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        String command = "load-tests/bench-fleet.sh " + String.join(" ", args);
        Result r = run(o, System.out);
        String table = table(o, r);
        System.out.println();
        System.out.println(table);
        if (o.record()) {
            record(command, o, r, table);
        }
        System.exit(r.stateMismatches() == 0 ? 0 : 1);
    }

    private static Options with(Options o, String k, String v) {
        return new Options(k.equals("rollups") ? Integer.parseInt(v) : o.rollups(),
                k.equals("levels") ? Integer.parseInt(v) : o.levels(),
                k.equals("kernel") ? v : o.kernel(),
                k.equals("embedded") ? Boolean.parseBoolean(v) : o.embedded(),
                k.equals("ahead") ? Integer.parseInt(v) : o.ahead(),
                k.equals("record") ? Boolean.parseBoolean(v) : o.record(),
                k.equals("dataDir") ? Path.of(v) : o.dataDir(), o.progressEvery());
    }

    /** Runs the scenario and the bare-PVM baseline; progress lines go to {@code out}. */
    public static Result run(Options o, PrintStream out) throws Exception {
        if (!o.kernel().equals("echo") && !o.kernel().equals("counter")) {
            throw new IllegalArgumentException("kernel: echo or counter");
        }
        int n = o.rollups();
        int levels = o.levels();
        boolean ownDir = o.dataDir() == null;
        Path dataDir = ownDir ? Files.createTempDirectory("fleetbench") : o.dataDir();
        long setupStart = System.nanoTime();
        try (SandboxL1 l1 = SandboxL1.manual()) {
            byte[] kernel = DemoNode.bundledKernel(o.kernel());
            List<String> rollups = new ArrayList<>(n);
            List<NodeRuntime.ServedRollup> served = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String source = SandboxAccounts.bootstrap(1 + i % SandboxAccounts.COUNT).address();
                String address = l1.inject(L1Operation.originate(source, kernel, "bytes",
                        PvmVersion.DEFAULT.label())).orThrow().rollup().orElseThrow();
                rollups.add(address);
                served.add(new NodeRuntime.ServedRollup(address, RollupMode.OBSERVER, null));
            }
            l1.produceBlock(); // level 1: the originations
            int first = l1.head().level() + 1;
            int last = first + levels - 1;

            // warm the PVM up (JIT) on a few rollups, so neither side pays the whole warm-up
            warmUp(kernel, Math.min(n, 20), levels);

            String cassandra = System.getProperty(CASSANDRA);
            CassandraStorage.Settings keyspace = cassandra == null ? null
                    : CassandraStorage.Settings.of(cassandra, "fleetbench_" + Long.toHexString(System.nanoTime()));
            NodeStores base = cassandra != null ? NodeStores.cassandra(l1, keyspace)
                    : o.embedded() ? NodeStores.embedded(dataDir, l1)
                    : new NodeStores(new InMemoryContextStore(), new InMemoryL2ChainStore(), false);
            Timing timing = new Timing(rollups, first, levels, n);
            NodeStores stores = new NodeStores(base.context(), new TimedChain(base.chain(), timing), base.durable(),
                    base.backend(), base.resource());
            long heapBefore = heapAfterGc();
            NodeRuntime.Options no = new NodeRuntime.Options(dataDir, "127.0.0.1", 0,
                    NodeRuntime.HistoryMode.ARCHIVE, Duration.ofMillis(100));
            Result result;
            try (NodeRuntime node = NodeRuntime.start(no, l1, false, stores, served)) {
                awaitHeads(node, rollups, first - 1, Duration.ofMinutes(10), out, "start");
                long heapAfterStart = heapAfterGc();
                double setupSeconds = (System.nanoTime() - setupStart) / 1e9;
                ContextStore.Stats ctx0 = stats(stores);
                out.printf(Locale.ROOT, "setup: %d rollups originated and started in %.1f s%n", n, setupSeconds);

                String sender = SandboxAccounts.bootstrap(2).address();
                long t0 = System.nanoTime();
                long nextProgress = t0 + o.progressEvery().toNanos();
                int produced = 0;
                while (timing.completedLevels() < levels) {
                    if (produced < levels && produced - timing.completedLevels() < o.ahead()) {
                        int level = first + produced;
                        l1.inject(L1Operation.addMessages(sender,
                                List.of(("message " + level).getBytes(StandardCharsets.UTF_8)))).orThrow();
                        timing.produced(level, System.nanoTime());
                        l1.produceBlock();
                        produced++;
                        continue;
                    }
                    Thread.sleep(0, 200_000);
                    long now = System.nanoTime();
                    if (now >= nextProgress) {
                        nextProgress = now + o.progressEvery().toNanos();
                        long done = timing.done.get();
                        out.printf(Locale.ROOT, "  %6.1f s: produced %d/%d levels, %d/%d rollup-levels written, %.0f/s%n",
                                (now - t0) / 1e9, produced, levels, done, (long) n * levels, done / ((now - t0) / 1e9));
                    }
                }
                // every L2 block is written; wait until every entity journaled its last one
                awaitHeads(node, rollups, last, Duration.ofMinutes(10), out, "journal");
                long t1 = System.nanoTime();
                double wall = (t1 - t0) / 1e9;
                ContextStore.Stats ctx1 = stats(stores);
                long heapAfterRun = heapAfterGc();
                long[] lat = timing.latencies();
                Arrays.sort(lat);
                long rl = (long) n * levels;
                out.printf(Locale.ROOT, "fleet: %d rollup-levels in %.2f s (%.0f/s); now the bare PVM baseline%n",
                        rl, wall, rl / wall);
                // final states, for the sanity check against the bare run
                List<String> hashes = new ArrayList<>(n);
                for (String r : rollups) {
                    hashes.add(status(node, r).headStateHash());
                }
                Bare bare = barePvm(l1, rollups, last, levels, false);
                int mismatches = 0;
                for (int i = 0; i < n; i++) {
                    if (!bare.hashes().get(i).equals(hashes.get(i))) {
                        mismatches++;
                    }
                }
                if (mismatches > 0) {
                    out.println("WARNING: " + mismatches + " rollups differ from the bare PVM run");
                }
                result = new Result(n, levels, timing.done.get(), wall, timing.done.get() / wall,
                        pct(lat, 0.50), pct(lat, 0.99), lat.length == 0 ? 0 : lat[lat.length - 1] / 1e6,
                        heapBefore, heapAfterStart, heapAfterRun,
                        ctx1 == null ? -1 : ctx1.nodes() - ctx0.nodes(), ctx1 == null ? -1 : ctx1.bytes() - ctx0.bytes(),
                        ctx1 == null ? -1 : ctx1.diskBytes(), bare.seconds(), mismatches, setupSeconds);
            }
            if (keyspace != null) {
                try (CassandraStorage c = CassandraStorage.open(keyspace)) {
                    c.dropKeyspace();
                }
            }
            return result;
        } finally {
            if (ownDir) {
                deleteRecursively(dataDir);
            }
        }
    }

    private static ContextStore.Stats stats(NodeStores s) {
        return s.context() instanceof ContextStore c ? c.stats() : null;
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    /** The bare PVM over a throwaway sandbox with the same shape (rollups, levels, one message each). */
    static void warmUp(byte[] kernel, int rollups, int levels) {
        try (SandboxL1 l1 = SandboxL1.manual()) {
            List<String> addresses = new ArrayList<>();
            for (int i = 0; i < rollups; i++) {
                addresses.add(l1.inject(L1Operation.originate(SandboxAccounts.bootstrap(1).address(), kernel, "bytes",
                        PvmVersion.DEFAULT.label())).orThrow().rollup().orElseThrow());
            }
            l1.produceBlock();
            for (int level = 0; level < levels; level++) {
                l1.inject(L1Operation.addMessages(SandboxAccounts.bootstrap(2).address(),
                        List.of(("warm-up " + level).getBytes(StandardCharsets.UTF_8)))).orThrow();
                l1.produceBlock();
            }
            barePvm(l1, addresses, l1.head().level(), levels, true);
        }
    }

    record Bare(double seconds, List<String> hashes) {}

    /** The levels first..last of every rollup through {@link Pvm#runLevel}, one thread; only runLevel is timed. */
    static Bare barePvm(L1Source l1, List<String> rollups, int last, int levels, boolean warmup) {
        long nanos = 0;
        List<String> hashes = new ArrayList<>(rollups.size());
        List<L1Block> blocks = new ArrayList<>();
        for (int level = 0; level <= last; level++) {
            blocks.add(l1.block(level).orElseThrow());
        }
        for (String rollup : rollups) {
            L1Source.RollupInfo info = l1.rollup(rollup).orElseThrow();
            Pvm pvm = new Pvm(PvmConfig.defaults(), PreimageSource.none(),
                    new RollupMetadata(RollupAddress.fromBase58(rollup).bytes(), info.originationLevel()));
            PvmState state = PvmState.originate(info.kernel(), PvmVersion.parse(info.pvmVersion()));
            for (int level = info.originationLevel() + 1; level <= last; level++) {
                var input = Inbox.forRollup(rollup, blocks.get(level), blocks.get(level - 1));
                long s = System.nanoTime();
                LevelResult r = pvm.runLevel(state, input);
                nanos += System.nanoTime() - s;
                state = r.state();
            }
            hashes.add(state.hash().hex());
        }
        return new Bare(nanos / 1e9, hashes);
    }

    private static RollupEntity.Status status(NodeRuntime node, String r) {
        try {
            return node.fleet().status(r).toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("status of " + r + ": " + e, e);
        }
    }

    /** Polls every entity's status until its head is at least {@code level}. */
    private static void awaitHeads(NodeRuntime node, List<String> rollups, int level, Duration timeout,
                                   PrintStream out, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> pending = rollups;
        while (true) {
            List<CompletableFuture<RollupEntity.Status>> fs = new ArrayList<>(pending.size());
            for (String r : pending) {
                fs.add(node.fleet().status(r).toCompletableFuture());
            }
            List<String> still = new ArrayList<>();
            for (int i = 0; i < pending.size(); i++) {
                RollupEntity.Status s = fs.get(i).get(120, TimeUnit.SECONDS);
                if (!s.originated() || s.headLevel() < level) {
                    still.add(pending.get(i));
                }
            }
            if (still.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + ": " + still.size() + " rollups not at level " + level);
            }
            pending = still;
            Thread.sleep(still.size() == rollups.size() ? 200 : 20);
        }
    }

    static long heapAfterGc() {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            best = Math.min(best, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return best;
    }

    /** When each level was produced and when each rollup wrote its L2 block for it. */
    static final class Timing {
        private final java.util.Map<String, Integer> index;
        private final int first;
        private final int levels;
        private final int n;
        private final AtomicLongArray producedAt;
        private final AtomicLongArray writtenAt; // [rollup * levels + (level - first)]
        private final AtomicIntegerArray perLevel;
        final AtomicLong done = new AtomicLong();
        private volatile int completed;

        Timing(List<String> rollups, int first, int levels, int n) {
            this.index = new java.util.HashMap<>();
            for (int i = 0; i < rollups.size(); i++) {
                index.put(rollups.get(i), i);
            }
            this.first = first;
            this.levels = levels;
            this.n = n;
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

    /** The node's chain store, noting when each L2 block is written (just before its event is journaled). */
    static final class TimedChain implements L2ChainStore, AutoCloseable {
        private final L2ChainStore inner;
        private final Timing timing;

        TimedChain(L2ChainStore inner, Timing timing) {
            this.inner = inner;
            this.timing = timing;
        }

        @Override
        public void put(String rollup, L2Block block) {
            inner.put(rollup, block);
            timing.written(rollup, block.level(), System.nanoTime());
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
        public void close() throws Exception {
            if (inner instanceof AutoCloseable c) {
                c.close();
            }
        }
    }

    static String table(Options o, Result r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT,
                "| rollups | levels | kernel | stores | ahead | rollup-levels | wall s | rollup-levels/s | p50 ms | p99 ms | max ms "
                        + "| bare PVM s | fleet / bare | heap/rollup started | heap/rollup after run | ctx nodes/s | ctx KB/s | ctx disk MB | setup s |%n"));
        b.append("|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        b.append(String.format(Locale.ROOT,
                "| %d | %d | %s | %s | %d | %d | %.2f | %.0f | %.1f | %.1f | %.1f | %.3f | %.1f | %s | %s | %s | %s | %s | %.1f |%n",
                r.rollups(), r.levels(), o.kernel(), System.getProperty(CASSANDRA) != null ? "cassandra"
                        : o.embedded() ? "embedded" : "memory", o.ahead(), r.rollupLevels(),
                r.wallSeconds(), r.rollupLevelsPerSecond(), r.p50Millis(), r.p99Millis(), r.maxMillis(),
                r.barePvmSeconds(), r.fleetOverBare(), kb(r.heapPerRollupStart()), kb(r.heapPerRollupRun()),
                r.contextNodes() < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", r.contextNodes() / r.wallSeconds()),
                r.contextNodes() < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", r.contextBytes() / 1024.0 / r.wallSeconds()),
                r.contextDiskBytes() < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", r.contextDiskBytes() / 1048576.0),
                r.setupSeconds()));
        if (r.stateMismatches() > 0) {
            b.append("\n**").append(r.stateMismatches()).append(" rollups' final states differ from the bare PVM run.**\n");
        }
        return b.toString();
    }

    private static String kb(double bytes) {
        return String.format(Locale.ROOT, "%.1f KB", bytes / 1024);
    }

    private static void record(String command, Options o, Result r, String table) throws IOException {
        Path results = Path.of(System.getProperty("fleetbench.results", "load-tests/RESULTS.md"));
        String load = Files.readString(Path.of("/proc/loadavg")).trim();
        String section = "\n## Fleet run — " + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"))
                + " (`" + command.trim() + "`)\n\n"
                + "Machine: " + Runtime.getRuntime().availableProcessors() + " cores, shared (load average at the end: "
                + load + "), max heap " + Runtime.getRuntime().maxMemory() / 1048576 + " MB, Java "
                + System.getProperty("java.version") + ".\n\n" + table;
        Files.writeString(results, section, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        System.out.println("appended to " + results);
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
}
