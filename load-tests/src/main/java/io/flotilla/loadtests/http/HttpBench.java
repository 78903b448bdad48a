package io.flotilla.loadtests.http;

import io.flotilla.loadtests.Results;
import io.flotilla.loadtests.fleet.Fleet;
import io.flotilla.loadtests.fleet.FleetBench;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * HTTP under load (issue 6): a fleet of N rollups on one node (embedded stores) runs L levels three times —
 * quiet, under HTTP load, quiet again — so the loaded run has a baseline on each side in the same session.
 * The load is an {@link HttpLoad} client pool on loopback, in a JVM of its own ({@link HttpLoadProcess}), polling
 * outbox messages and durable values of the rollups on an open-loop schedule at a fixed rate, plus
 * {@code monitor_blocks} streams; it runs only during the loaded run. The client process's CPU is reported: on a
 * small machine it competes with the node.
 *
 * <pre>flotilla bench http [--rollups N] [--levels L] [--kernel K] [--clients C] [--rate R] [--streams S]
 *                     [--max-seconds T] [--warmup-seconds W] [--alone-seconds A] [--no-record]</pre>
 *
 * <p>Between the warm-up and the loaded run, the same HTTP load runs for {@code A} seconds (default 10) with the fleet
 * idle: the node's CPU per request there (process CPU time, its idle CPU taken out) is the HTTP path's cost, which
 * other work on a shared machine does not change much, unlike latencies and throughput.
 */
public final class HttpBench {

    /**
     * What to run. {@code alone}: how long the HTTP load runs with the fleet idle, to measure the node's CPU per request
     * (zero skips it).
     */
    public record Options(int rollups, int levels, String kernel, int clients, double rate, int streams,
                          Duration maxLoad, boolean record, Duration progressEvery, Duration warmUp, Duration alone) {
        public static Options defaults() {
            // 64 keep-alive connections: at 5,000 req/s each sends every 12.8 ms, room for answers of several ms
            return new Options(100, 20, "echo", 64, 5000, 4, Duration.ofSeconds(120), true, Duration.ofSeconds(5),
                    Duration.ofSeconds(10), Duration.ofSeconds(10));
        }
    }

    /**
     * The HTTP load with the fleet idle: what the clients saw, and the node process's CPU over the load and over as
     * long a time idle just before (CPU time, not wall time: other work on the machine does not count in it).
     */
    public record Alone(HttpLoad.Report load, double nodeCpuSeconds, double idleCpuSeconds, double idleSeconds,
                        double loadSeconds) {
        /** The node's CPU per request served, in microseconds, its idle CPU over the same time taken out. */
        public double nodeCpuMicrosPerRequest() {
            if (load.requests() == 0) {
                return Double.NaN;
            }
            double idle = idleSeconds > 0 ? idleCpuSeconds * loadSeconds / idleSeconds : 0;
            return Math.max(0, nodeCpuSeconds - idle) * 1e6 / load.requests();
        }
    }

    /** What came out: the fleet before, under and after the load, and what the clients saw. */
    public record Result(Fleet.Phase quietBefore, Fleet.Phase loaded, Fleet.Phase quietAfter, HttpLoad.Report load,
                         int streamsOpened, Alone alone) {
        public double quietRollupLevelsPerSecond() {
            return (quietBefore.rollupLevels() + quietAfter.rollupLevels())
                    / (quietBefore.wallSeconds() + quietAfter.wallSeconds());
        }

        /** Loaded fleet throughput over the quiet one (1 = no slowdown). */
        public double loadedOverQuiet() {
            return loaded.rollupLevelsPerSecond() / quietRollupLevelsPerSecond();
        }
    }

    private HttpBench() {}

    /** Runs the scenario; progress lines go to {@code out}. */
    public static Result run(Options o, PrintStream out) throws Exception {
        try (Fleet fleet = Fleet.originate(o.kernel(), o.rollups(), true, null)) {
            FleetBench.warmUp(fleet.kernelBytes(), Math.min(o.rollups(), 20), o.levels());
            double setup = fleet.start(Duration.ofMinutes(10), out, "start");
            List<String> rollups = fleet.rollups();
            InetSocketAddress target = fleet.node().rpcAddress();
            out.printf(Locale.ROOT, "setup: %d rollups started in %.1f s; quiet run%n", o.rollups(), setup);
            Fleet.Phase before = fleet.run(o.levels(), 1, out, o.progressEvery());
            out.printf(Locale.ROOT, "quiet: %.0f rollup-levels/s; loaded run (%d clients, %.0f req/s, %d streams)%n",
                    before.rollupLevelsPerSecond(), o.clients(), o.rate(), o.streams());
            int outboxLevel = fleet.l1().head().level(); // every rollup has its L2 block (and echo its outbox) there
            // the HTTP path's first requests run in the JVM's interpreter (tens of ms): warm it up, unmeasured,
            // on the same requests, before any measured run
            List<String> paths = new ArrayList<>();
            for (int k = 0; k < 2 * rollups.size(); k++) {
                paths.add(requestPath(rollups, outboxLevel, k));
            }
            HttpLoad.Report w;
            try (HttpLoadProcess warm = HttpLoadProcess.start(target, o.clients(), o.rate(), o.warmUp(), paths,
                    List.of())) {
                Thread.sleep(o.warmUp().toMillis());
                w = warm.stop();
            }
            out.printf(Locale.ROOT, "HTTP warm-up: %d requests, %d errors, p50 %.2f ms%n", w.requests(), w.errors(),
                    w.latencyMillis(0.5));
            Alone alone = null;
            if (!o.alone().isZero()) {
                alone = alone(target, o, paths);
                out.printf(Locale.ROOT, "HTTP alone (fleet idle): %.0f req/s, service p50 %.2f ms, p99 %.2f ms, node CPU "
                                + "%.0f us/request%n", alone.load().requestsPerSecond(), alone.load().serviceMillis(0.5),
                        alone.load().serviceMillis(0.99), alone.nodeCpuMicrosPerRequest());
            }
            List<String> streams = new ArrayList<>();
            for (int i = 0; i < o.streams(); i++) {
                streams.add("/rollups/" + rollups.get(i % rollups.size()) + "/global/monitor_blocks");
            }
            Fleet.Phase loaded;
            HttpLoad.Report report;
            try (HttpLoadProcess load = HttpLoadProcess.start(target, o.clients(), o.rate(), o.maxLoad(), paths,
                    streams)) {
                if (!load.awaitStreamsOpen(Duration.ofSeconds(60))) {
                    out.println("WARNING: not every monitor_blocks stream opened");
                }
                loaded = fleet.run(o.levels(), 1, out, o.progressEvery());
                // the node's block feeds poll (100 ms here): let each stream see the blocks of the run
                if (!load.awaitStreamLines(streams.size(), Duration.ofSeconds(30))) {
                    out.println("WARNING: a monitor_blocks stream received no block");
                }
                report = load.stop();
            }
            out.printf(Locale.ROOT, "loaded: %.0f rollup-levels/s, %d requests (%.0f/s), %d errors, client process "
                            + "%.2f CPU cores; quiet run again%n", loaded.rollupLevelsPerSecond(), report.requests(),
                    report.requestsPerSecond(), report.errors(), report.clientCpuSeconds() / report.seconds());
            for (String e : report.firstErrors()) {
                out.println("  error: " + e);
            }
            Fleet.Phase after = fleet.run(o.levels(), 1, out, o.progressEvery());
            return new Result(before, loaded, after, report, streams.size(), alone);
        }
    }

    /** The load alone on the idle fleet, with the node's CPU over it and over as long idle just before. */
    static Alone alone(InetSocketAddress target, Options o, List<String> paths) throws Exception {
        double idleSeconds = o.alone().toMillis() / 1000.0;
        long c0 = nodeCpuNanos();
        Thread.sleep(o.alone().toMillis());
        double idleCpu = (nodeCpuNanos() - c0) / 1e9;
        try (HttpLoadProcess load = HttpLoadProcess.start(target, o.clients(), o.rate(), o.alone(), paths,
                List.of())) {
            long t0 = System.nanoTime();
            long c1 = nodeCpuNanos();
            Thread.sleep(o.alone().toMillis());
            double cpu = (nodeCpuNanos() - c1) / 1e9;
            double seconds = (System.nanoTime() - t0) / 1e9;
            HttpLoad.Report r = load.stop();
            return new Alone(r, cpu, idleCpu, idleSeconds, seconds);
        }
    }

    /** CPU time of this process (the node runs in it; the clients do not). */
    static long nodeCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Request k: alternately the outbox of a finished level and a durable value, round-robin over the rollups. */
    static String requestPath(List<String> rollups, int outboxLevel, int k) {
        String r = rollups.get((k / 2) % rollups.size());
        return (k & 1) == 0
                ? "/rollups/" + r + "/global/block/head/outbox/" + outboxLevel + "/messages"
                : "/rollups/" + r + "/global/block/head/durable/wasm_2_0_0/value?key=/readonly/wasm_version";
    }

    /** The result as a Markdown table. */
    public static String table(Options o, Result r) {
        HttpLoad.Report l = r.load();
        return "| rollups | levels/run | kernel | clients | target req/s | requests | req/s | p50 ms | p99 ms | max ms "
                + "| errors | streams | stream lines | quiet rl/s (before, after) | loaded rl/s | loaded / quiet "
                + "| client CPU (cores) | service p50 ms | service p99 ms "
                + "| alone: req/s | alone: service p50 / p99 ms | alone: node CPU µs/req |\n"
                + "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---:|\n"
                + String.format(Locale.ROOT,
                "| %d | %d | %s | %d | %.0f | %d | %.0f | %.2f | %.2f | %.2f | %d | %d | %d | %.0f (%.0f, %.0f) | %.0f | %.2f "
                        + "| %.2f | %.2f | %.2f | %s |%n",
                o.rollups(), o.levels(), o.kernel(), o.clients(), o.rate(), l.requests(), l.requestsPerSecond(),
                l.latencyMillis(0.50), l.latencyMillis(0.99), l.latencyMillis(1.0), l.errors() + l.streamErrors(),
                r.streamsOpened(), l.streamLines(), r.quietRollupLevelsPerSecond(),
                r.quietBefore().rollupLevelsPerSecond(), r.quietAfter().rollupLevelsPerSecond(),
                r.loaded().rollupLevelsPerSecond(), r.loadedOverQuiet(), l.clientCpuSeconds() / l.seconds(),
                l.serviceMillis(0.50), l.serviceMillis(0.99), r.alone() == null ? "— | — | —"
                        : String.format(Locale.ROOT, "%.0f | %.2f / %.2f | %.0f", r.alone().load().requestsPerSecond(),
                        r.alone().load().serviceMillis(0.5), r.alone().load().serviceMillis(0.99),
                        r.alone().nodeCpuMicrosPerRequest()));
    }

    /** The command line; returns the exit code (0, 1 when a request failed, 2 for bad options). */
    public static int cli(String[] args, String commandName) throws Exception {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "fleetbench-logback.xml");
        }
        Options d = Options.defaults();
        int rollups = d.rollups();
        int levels = d.levels();
        String kernel = d.kernel();
        int clients = d.clients();
        double rate = d.rate();
        int streams = d.streams();
        Duration max = d.maxLoad();
        Duration warmUp = d.warmUp();
        Duration alone = d.alone();
        boolean record = d.record();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--rollups" -> rollups = Integer.parseInt(FleetBench.value(args, ++i));
                    case "--levels" -> levels = Integer.parseInt(FleetBench.value(args, ++i));
                    case "--kernel" -> kernel = FleetBench.value(args, ++i);
                    case "--clients" -> clients = Integer.parseInt(FleetBench.value(args, ++i));
                    case "--rate" -> rate = Double.parseDouble(FleetBench.value(args, ++i));
                    case "--streams" -> streams = Integer.parseInt(FleetBench.value(args, ++i));
                    case "--max-seconds" -> max = Duration.ofSeconds(Long.parseLong(FleetBench.value(args, ++i)));
                    case "--warmup-seconds" -> warmUp = Duration.ofSeconds(Long.parseLong(FleetBench.value(args, ++i)));
                    case "--alone-seconds" -> alone = Duration.ofSeconds(Long.parseLong(FleetBench.value(args, ++i)));
                    case "--record" -> record = true;
                    case "--no-record" -> record = false;
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            Fleet.kernel(kernel);
            if (warmUp.isNegative() || warmUp.isZero()) {
                throw new IllegalArgumentException("--warmup-seconds must be positive");
            }
            if (alone.isNegative()) {
                throw new IllegalArgumentException("--alone-seconds must be 0 or more");
            }
            if (rollups < 1 || levels < 1 || clients < 1 || rate <= 0 || streams < 0 || max.isNegative()
                    || max.isZero()) {
                throw new IllegalArgumentException("--rollups, --levels, --clients, --rate and --max-seconds must be "
                        + "positive, --streams at least 0");
            }
        } catch (IllegalArgumentException e) {
            System.err.println(commandName + ": " + e.getMessage());
            return 2;
        }
        Options o = new Options(rollups, levels, kernel, clients, rate, streams, max, record, d.progressEvery(),
                warmUp, alone);
        Result r = run(o, System.out);
        String table = table(o, r);
        System.out.println();
        System.out.println(table);
        if (o.record()) {
            String command = (commandName + " " + String.join(" ", args)).trim();
            System.out.println("appended to " + Results.append("HTTP under load", command, table));
        }
        long aloneErrors = r.alone() == null ? 0 : r.alone().load().errors();
        return r.load().errors() + r.load().streamErrors() + aloneErrors == 0 ? 0 : 1;
    }
}
