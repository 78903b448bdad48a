package io.flotilla.loadtests.recovery;

import io.flotilla.loadtests.Results;
import io.flotilla.loadtests.fleet.Fleet;
import io.flotilla.loadtests.fleet.FleetBench;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Recovery (issue 6): a node holding N rollups (embedded stores) runs L levels, is stopped, misses K more L1
 * levels, and is started again over the same data directory. Measured: from the start call until the HTTP
 * API answers, and until every rollup's head is the L1 head (journal recovered and the K levels caught up).
 * Baselines in the same session: the first start of the same fleet (from origination), and a restart with
 * nothing to catch up. Every final state is checked against the bare PVM over the same inboxes.
 *
 * <pre>flotilla bench recovery [--rollups N] [--levels L] [--behind K] [--kernel K] [--no-record]</pre>
 */
public final class RecoveryBench {

    /** What to run. */
    public record Options(int rollups, int levels, int behind, String kernel, boolean record) {
        public static Options defaults() {
            return new Options(1000, 5, 2, "echo", true);
        }
    }

    /**
     * What came out, in seconds from the {@code NodeRuntime.start} call: {@code firstStart} (fresh fleet to
     * every rollup at its origination level), {@code restartIdle} (restart with nothing missed, to all heads),
     * {@code restartHttp} (the restart after K missed levels, to the HTTP API's first answer of the rollup
     * list), {@code restartCaughtUp} (same restart, to every rollup at the L1 head).
     */
    public record Result(double firstStart, double restartIdle, double restartHttp, double restartCaughtUp,
                         int journaledLevels, int stateMismatches) {}

    private RecoveryBench() {}

    /** Runs the scenario; progress lines go to {@code out}. */
    public static Result run(Options o, PrintStream out) throws Exception {
        Duration timeout = Duration.ofMinutes(10);
        try (Fleet fleet = Fleet.originate(o.kernel(), o.rollups(), true, null)) {
            FleetBench.warmUp(fleet.kernelBytes(), Math.min(o.rollups(), 20), o.levels());
            double first = fleet.start(timeout, out, "first start");
            out.printf(Locale.ROOT, "first start: %d rollups serving in %.2f s; %d levels%n", o.rollups(), first,
                    o.levels());
            fleet.run(o.levels(), 1, out, Duration.ofSeconds(5));
            fleet.stop();
            double idle = fleet.start(timeout, out, "restart, nothing missed");
            out.printf(Locale.ROOT, "restart with nothing missed: %.2f s; stopping, %d levels while down%n", idle,
                    o.behind());
            fleet.stop();
            for (int i = 0; i < o.behind(); i++) {
                fleet.produceLevel();
            }
            long t0 = System.nanoTime();
            // the HTTP API is bound when start returns; poll it from another thread from the start call on
            double[] httpAt = {-1};
            Thread poller = new Thread(() -> httpAt[0] = firstAnswer(fleet, t0), "recovery-http-poll");
            poller.setDaemon(true);
            poller.start();
            double caughtUp = fleet.start(timeout, out, "restart, catching up");
            poller.join(timeout.toMillis());
            out.printf(Locale.ROOT, "restart after %d missed levels: HTTP answered at %.2f s, all caught up at %.2f s%n",
                    o.behind(), httpAt[0], caughtUp);
            List<String> hashes = fleet.headStateHashes();
            int last = fleet.l1().head().level();
            List<String> bare = FleetBench.bareHashes(fleet.l1(), fleet.rollups(), last, o.levels() + o.behind());
            int mismatches = FleetBench.mismatches(bare, hashes);
            if (mismatches > 0) {
                out.println("WARNING: " + mismatches + " rollups differ from the bare PVM run");
            }
            return new Result(first, idle, httpAt[0], caughtUp, o.levels() + o.behind(), mismatches);
        }
    }

    /** Seconds from {@code t0} until {@code GET /rollups} answers 200 on the restarted node. */
    private static double firstAnswer(Fleet fleet, long t0) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long deadline = t0 + Duration.ofMinutes(10).toNanos();
        while (System.nanoTime() < deadline) {
            var node = fleet.node();
            if (node != null) {
                try {
                    HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(node.rpcUrl() + "/rollups"))
                            .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() == 200) {
                        return (System.nanoTime() - t0) / 1e9;
                    }
                } catch (Exception e) {
                    // not up yet
                }
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
        return -1;
    }

    /** The result as a Markdown table. */
    public static String table(Options o, Result r) {
        return "| rollups | kernel | levels journaled | levels missed | first start s | restart, nothing missed s "
                + "| restart: HTTP answers s | restart: all caught up s | caught up / first start | state mismatches |\n"
                + "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
                + String.format(Locale.ROOT, "| %d | %s | %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %d |%n",
                o.rollups(), o.kernel(), r.journaledLevels(), o.behind(), r.firstStart(), r.restartIdle(),
                r.restartHttp(), r.restartCaughtUp(), r.restartCaughtUp() / r.firstStart(), r.stateMismatches());
    }

    /** The command line; returns the exit code (0, 1 when a final state differs from the bare PVM's, 2 for bad options). */
    public static int cli(String[] args, String commandName) throws Exception {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "fleetbench-logback.xml");
        }
        Options d = Options.defaults();
        int rollups = d.rollups();
        int levels = d.levels();
        int behind = d.behind();
        String kernel = d.kernel();
        boolean record = d.record();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--rollups" -> rollups = Integer.parseInt(FleetBench.value(args, ++i));
                    case "--levels" -> levels = Integer.parseInt(FleetBench.value(args, ++i));
                    case "--behind" -> behind = Integer.parseInt(FleetBench.value(args, ++i));
                    case "--kernel" -> kernel = FleetBench.value(args, ++i);
                    case "--record" -> record = true;
                    case "--no-record" -> record = false;
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            Fleet.kernel(kernel);
            if (rollups < 1 || levels < 1 || behind < 0) {
                throw new IllegalArgumentException("--rollups and --levels must be at least 1, --behind at least 0");
            }
        } catch (IllegalArgumentException e) {
            System.err.println(commandName + ": " + e.getMessage());
            return 2;
        }
        Options o = new Options(rollups, levels, behind, kernel, record);
        Result r = run(o, System.out);
        String table = table(o, r);
        System.out.println();
        System.out.println(table);
        if (o.record()) {
            String command = (commandName + " " + String.join(" ", args)).trim();
            System.out.println("appended to " + Results.append("Recovery", command, table));
        }
        return r.stateMismatches() == 0 ? 0 : 1;
    }
}
