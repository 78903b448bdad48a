package io.flotilla.loadtests;

import io.flotilla.loadtests.fleet.FleetBench;
import io.flotilla.loadtests.http.HttpBench;
import io.flotilla.loadtests.recovery.RecoveryBench;
import java.util.Arrays;

/**
 * {@code flotilla bench <scenario> [options]}: one command per load-test scenario of issue 6; each prints a
 * table and appends it to {@code load-tests/RESULTS.md} (unless {@code --no-record}). The {@code flotilla}
 * launcher runs this class from the load-tests module's classpath, so the node does not depend on load-tests.
 * The PVM benchmark ({@code bench pvm}) is a JMH run the launcher hands to {@code load-tests/bench-pvm.sh}.
 */
public final class Bench {
    private Bench() {}

    static final String USAGE = """
            usage: flotilla bench <scenario> [options]   (appends to load-tests/RESULTS.md unless --no-record)
              fleet     [--rollups 1,100,1000] [--levels L] [--kernel echo|counter|compute] [--ahead K] [--memory]
                        fleet throughput: rollup-levels/s, L1 block -> journaled L2 block latency, heap per rollup,
                        context-store writes; baseline: the bare PVM over the same inboxes
              compute   the fleet scenario with the compute-heavy kernel (default --rollups 1,100)
              http      [--rollups 100] [--levels 20] [--clients 64] [--rate 5000] [--streams 4] [--max-seconds 120]
                        [--warmup-seconds 10] [--alone-seconds 10]
                        HTTP clients polling outbox messages and durable values, and monitor_blocks streams,
                        while the fleet runs; baseline: the same fleet without the load, before and after;
                        the node's CPU per request with the fleet idle (--alone-seconds, 0 skips it)
              recovery  [--rollups 1000] [--levels 5] [--behind 2]
                        restart of a node holding N rollups until all are serving and caught up; baselines:
                        the first start and a restart with nothing missed
              pvm       [--quick] ...  the JMH PVM comparison (load-tests/bench-pvm.sh)
            """;

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    /** Dispatches to a scenario; returns its exit code (2 for usage errors). */
    public static int run(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            System.out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        String command = "flotilla bench " + args[0];
        return switch (args[0]) {
            case "fleet" -> FleetBench.cli(withDefaults(rest, "--rollups", "1,100,1000"), command, true);
            case "compute" -> FleetBench.cli(withDefaults(rest, "--kernel", "compute", "--rollups", "1,100"),
                    command, true);
            case "http" -> HttpBench.cli(rest, command);
            case "recovery" -> RecoveryBench.cli(rest, command);
            default -> {
                System.err.println("flotilla bench: unknown scenario " + args[0] + " (fleet, compute, http, recovery, pvm)");
                System.err.print(USAGE);
                yield 2;
            }
        };
    }

    /** {@code args} with each (option, value) pair of {@code defaults} added in front unless already given. */
    static String[] withDefaults(String[] args, String... defaults) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < defaults.length; i += 2) {
            if (!Arrays.asList(args).contains(defaults[i])) {
                out.add(defaults[i]);
                out.add(defaults[i + 1]);
            }
        }
        out.addAll(Arrays.asList(args));
        return out.toArray(String[]::new);
    }
}
