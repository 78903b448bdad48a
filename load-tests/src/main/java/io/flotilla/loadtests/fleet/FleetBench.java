package io.flotilla.loadtests.fleet;

import io.flotilla.actors.l1.L1Block;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.L1Source;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.actors.rollup.Inbox;
import io.flotilla.loadtests.Results;
import io.flotilla.node.NodeRuntime;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Fleet throughput (issue 6): one node (NodeRuntime) on a manual in-process SandboxL1, N rollups originated in
 * one block, then L blocks with one external message each. A block is produced once the fleet is at most
 * {@code ahead - 1} levels behind (ahead = 1: lockstep, the next block only when every rollup wrote the
 * current one). Baseline, in the same JVM: the bare PVM ({@link Pvm#runLevel}) over the same inboxes, one
 * thread, no actors, no storage.
 *
 * <pre>load-tests/bench-fleet.sh [--rollups N[,N...]] [--levels L] [--kernel echo|counter|compute] [--embedded|--memory]
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
                         long contextDiskBytes, double barePvmSeconds, int stateMismatches, double setupSeconds,
                         double cpuSeconds, double bareCpuSeconds) {
        public double heapPerRollupStart() {
            return (double) (heapAfterStartBytes - heapBeforeBytes) / rollups;
        }

        public double heapPerRollupRun() {
            return (double) (heapAfterRunBytes - heapBeforeBytes) / rollups;
        }

        public double fleetOverBare() {
            return wallSeconds / barePvmSeconds;
        }

        /**
         * CPU of the whole process per rollup-level over the timed phase, in ms: on a shared machine this moves far
         * less with the other processes' load than the wall time does.
         */
        public double cpuMillisPerRollupLevel() {
            return rollupLevels == 0 ? 0 : cpuSeconds * 1e3 / rollupLevels;
        }

        /** Process CPU of the bare PVM per level, in µs (the node of the run is idle meanwhile). */
        public double bareCpuMicrosPerLevel() {
            return rollupLevels == 0 ? 0 : bareCpuSeconds * 1e6 / rollupLevels;
        }
    }

    private FleetBench() {}

    public static void main(String[] args) throws Exception {
        System.exit(cli(args, "load-tests/bench-fleet.sh", false));
    }

    /**
     * The command line of the scenario: {@code --rollups} takes a comma-separated list of fleet sizes (one run
     * each, in order); without {@code --levels} a size gets 20 levels up to 100 rollups, 5 above.
     *
     * @return the exit code: 0, 1 when a rollup's final state differs from the bare PVM's, 2 for bad options
     */
    public static int cli(String[] args, String commandName, boolean recordByDefault) throws Exception {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "fleetbench-logback.xml");
        }
        Options o = with(Options.defaults(), "record", Boolean.toString(recordByDefault));
        List<Integer> sizes = List.of(o.rollups());
        Integer levels = null;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--rollups" -> sizes = Arrays.stream(value(args, ++i).split(","))
                            .map(String::trim).map(Integer::parseInt).toList();
                    case "--levels" -> levels = Integer.parseInt(value(args, ++i));
                    case "--kernel" -> o = with(o, "kernel", value(args, ++i));
                    case "--ahead" -> o = with(o, "ahead", value(args, ++i));
                    case "--data-dir" -> o = with(o, "dataDir", value(args, ++i));
                    case "--embedded" -> o = with(o, "embedded", "true");
                    // the journal and every store on Cassandra, in a keyspace of the run (dropped after)
                    case "--cassandra" -> System.setProperty(Fleet.CASSANDRA, value(args, ++i));
                    case "--memory" -> o = with(o, "embedded", "false");
                    case "--record" -> o = with(o, "record", "true");
                    case "--no-record" -> o = with(o, "record", "false");
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            Fleet.kernel(o.kernel()); // refuse an unknown kernel before any work
            if (sizes.stream().anyMatch(s -> s < 1) || (levels != null && levels < 1) || o.ahead() < 1) {
                throw new IllegalArgumentException("--rollups, --levels and --ahead must be at least 1");
            }
        } catch (IllegalArgumentException e) {
            System.err.println(commandName + ": " + e.getMessage());
            return 2;
        }
        int exit = 0;
        StringBuilder tables = new StringBuilder();
        for (int size : sizes) {
            Options run = with(with(o, "rollups", Integer.toString(size)), "levels",
                    Integer.toString(levels != null ? levels : size <= 100 ? 20 : 5));
            System.out.printf(Locale.ROOT, "== fleet: %d %s rollups, %d levels, %s stores ==%n", size, run.kernel(),
                    run.levels(), System.getProperty(Fleet.CASSANDRA) != null ? "cassandra"
                            : run.embedded() ? "embedded" : "memory");
            Result r = run(run, System.out);
            String table = table(run, r);
            System.out.println();
            System.out.println(table);
            tables.append(table).append('\n');
            if (r.stateMismatches() != 0) {
                exit = 1;
            }
        }
        if (o.record()) {
            String command = (commandName + " " + String.join(" ", args)).trim();
            System.out.println("appended to " + Results.append("Fleet run", command, tables.toString()));
        }
        return exit;
    }

    /** The value of the option at {@code i - 1}; a missing one is an IllegalArgumentException. */
    public static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
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
        int n = o.rollups();
        int levels = o.levels();
        long setupStart = System.nanoTime();
        try (Fleet fleet = Fleet.originate(o.kernel(), n, o.embedded(), o.dataDir())) {
            // warm the PVM up (JIT) on a few rollups, so neither side pays the whole warm-up
            warmUp(fleet.kernelBytes(), Math.min(n, 20), levels);
            long heapBefore = heapAfterGc();
            fleet.start(Duration.ofMinutes(10), out, "start");
            long heapAfterStart = heapAfterGc();
            double setupSeconds = (System.nanoTime() - setupStart) / 1e9;
            out.printf(Locale.ROOT, "setup: %d rollups originated and started in %.1f s%n", n, setupSeconds);
            long cpuBefore = processCpuNanos();
            Fleet.Phase phase = fleet.run(levels, o.ahead(), out, o.progressEvery());
            double cpuSeconds = (processCpuNanos() - cpuBefore) / 1e9;
            long heapAfterRun = heapAfterGc();
            out.printf(Locale.ROOT, "fleet: %d rollup-levels in %.2f s (%.0f/s); now the bare PVM baseline%n",
                    phase.rollupLevels(), phase.wallSeconds(), phase.rollupLevelsPerSecond());
            // final states, for the sanity check against the bare run
            List<String> hashes = fleet.headStateHashes();
            int last = fleet.l1().head().level();
            Bare bare = barePvm(fleet.l1(), fleet.rollups(), last, levels, false);
            int mismatches = mismatches(bare.hashes(), hashes);
            if (mismatches > 0) {
                out.println("WARNING: " + mismatches + " rollups differ from the bare PVM run");
            }
            long[] lat = phase.sortedLatencies();
            return new Result(n, levels, phase.rollupLevels(), phase.wallSeconds(), phase.rollupLevelsPerSecond(),
                    pct(lat, 0.50), pct(lat, 0.99), lat.length == 0 ? 0 : lat[lat.length - 1] / 1e6,
                    heapBefore, heapAfterStart, heapAfterRun, phase.contextNodes(), phase.contextBytes(),
                    phase.contextDiskBytes(), bare.seconds(), mismatches, setupSeconds, cpuSeconds, bare.cpuSeconds());
        }
    }

    /** How many positions differ. */
    public static int mismatches(List<String> expected, List<String> actual) {
        int m = 0;
        for (int i = 0; i < expected.size(); i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                m++;
            }
        }
        return m;
    }

    private static double pct(long[] sorted, double p) {
        return Fleet.percentileMillis(sorted, p);
    }

    /** The bare PVM over a throwaway sandbox with the same shape (rollups, levels, one message each). */
    public static void warmUp(byte[] kernel, int rollups, int levels) {
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

    record Bare(double seconds, double cpuSeconds, List<String> hashes) {}

    /** CPU time of this process (every thread) so far, -1 where the JVM cannot tell. */
    static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    /** Every rollup's state hash at L1 level {@code last} by the bare PVM, for checking a fleet's heads. */
    public static List<String> bareHashes(L1Source l1, List<String> rollups, int last, int levels) {
        return barePvm(l1, rollups, last, levels, false).hashes();
    }

    /** The levels first..last of every rollup through {@link Pvm#runLevel}, one thread; only runLevel is timed. */
    static Bare barePvm(L1Source l1, List<String> rollups, int last, int levels, boolean warmup) {
        long nanos = 0;
        long cpu = 0;
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
                // the process's CPU: the kernel runs on a PVM thread, not this one (the node is idle meanwhile)
                long c = processCpuNanos();
                long s = System.nanoTime();
                LevelResult r = pvm.runLevel(state, input);
                nanos += System.nanoTime() - s;
                cpu += processCpuNanos() - c;
                state = r.state();
            }
            hashes.add(state.hash().hex());
        }
        return new Bare(nanos / 1e9, cpu / 1e9, hashes);
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

    static String table(Options o, Result r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT,
                "| rollups | levels | kernel | stores | ahead | rollup-levels | wall s | rollup-levels/s | p50 ms | p99 ms | max ms "
                        + "| bare PVM s | fleet / bare | heap/rollup started | heap/rollup after run | ctx nodes/s | ctx KB/s | ctx disk MB | setup s | CPU ms / rollup-level | bare PVM CPU µs / level |%n"));
        b.append("|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        b.append(String.format(Locale.ROOT,
                "| %d | %d | %s | %s | %d | %d | %.2f | %.0f | %.1f | %.1f | %.1f | %.3f | %.1f | %s | %s | %s | %s | %s | %.1f | %.2f | %.0f |%n",
                r.rollups(), r.levels(), o.kernel(), System.getProperty(Fleet.CASSANDRA) != null ? "cassandra"
                        : o.embedded() ? "embedded" : "memory", o.ahead(), r.rollupLevels(),
                r.wallSeconds(), r.rollupLevelsPerSecond(), r.p50Millis(), r.p99Millis(), r.maxMillis(),
                r.barePvmSeconds(), r.fleetOverBare(), kb(r.heapPerRollupStart()), kb(r.heapPerRollupRun()),
                r.contextNodes() < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", r.contextNodes() / r.wallSeconds()),
                r.contextNodes() < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", r.contextBytes() / 1024.0 / r.wallSeconds()),
                r.contextDiskBytes() < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", r.contextDiskBytes() / 1048576.0),
                r.setupSeconds(), r.cpuMillisPerRollupLevel(), r.bareCpuMicrosPerLevel()));
        if (r.stateMismatches() > 0) {
            b.append("\n**").append(r.stateMismatches()).append(" rollups' final states differ from the bare PVM run.**\n");
        }
        return b.toString();
    }

    private static String kb(double bytes) {
        return String.format(Locale.ROOT, "%.1f KB", bytes / 1024);
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
