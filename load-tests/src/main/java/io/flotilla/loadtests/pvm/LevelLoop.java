package io.flotilla.loadtests.pvm;

import io.flotilla.pvm.LevelInput;
import io.flotilla.pvm.LevelResult;
import io.flotilla.pvm.Pvm;
import io.flotilla.pvm.PvmConfig;
import io.flotilla.pvm.PvmState;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.host.RollupMetadata;
import io.flotilla.pvm.reveal.PreimageSource;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The bare PVM level loop of one rollup, for profiling (run it under JFR) and before/after comparisons:
 * {@code LevelLoop [--levels 3000] [--warmup 1000] [--kernel echo|counter] [--messages 1] [--chunk 500] [--rollups 1]}.
 * Each level carries {@code messages} external messages (the echo kernel writes each to its outbox, so the
 * outbox keeps growing as in a long run). Prints the process CPU and wall time per level for every chunk of
 * levels (a cost that grows with the levels kept shows up as a rising column) and the final state hash, which
 * must not change between builds. With {@code --rollups R} (R > 1) it runs R rollups level by level instead, as the
 * fleet benchmark's bare baseline does (few levels each, so few outbox levels kept), and prints the CPU per
 * rollup-level and a hash over the final states.
 */
public final class LevelLoop {
    private LevelLoop() {}

    public static void main(String[] args) throws IOException {
        int levels = 3000;
        int warmup = 1000;
        int messages = 1;
        int chunk = 500;
        String kernel = "echo";
        int rollups = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--levels" -> levels = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--messages" -> messages = Integer.parseInt(args[++i]);
                case "--chunk" -> chunk = Integer.parseInt(args[++i]);
                case "--kernel" -> kernel = args[++i];
                case "--rollups" -> rollups = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        byte[] wasm = kernel(kernel);
        Pvm pvm = new Pvm(PvmConfig.defaults(), PreimageSource.none(), RollupMetadata.DEFAULT);
        if (rollups > 1) {
            fleet(pvm, wasm, rollups, levels, messages); // warm-up
            long c = cpu();
            long p = pvmThreadsCpu();
            long w = System.nanoTime();
            String h = fleet(pvm, wasm, rollups, levels, messages);
            double n = (double) rollups * levels;
            System.out.printf(Locale.ROOT, "kernel %s, %d rollups x %d levels, %d message(s) per level: "
                    + "%.1f CPU us / rollup-level (PVM threads only: %.1f), %.1f wall us / rollup-level%n", kernel,
                    rollups, levels, messages, (cpu() - c) / 1e3 / n, (pvmThreadsCpu() - p) / 1e3 / n,
                    (System.nanoTime() - w) / 1e3 / n);
            System.out.println("final states " + h);
            return;
        }
        // warm-up on a throwaway state, so the JIT has compiled the level loop before it is timed
        run(pvm, wasm, warmup, messages, 0, null);
        System.out.printf(Locale.ROOT, "kernel %s, %d levels, %d message(s) per level%n", kernel, levels, messages);
        System.out.printf(Locale.ROOT, "%12s %16s %16s%n", "levels", "CPU us / level", "wall us / level");
        PvmState s = run(pvm, wasm, levels, messages, chunk, System.out);
        System.out.println("final state " + s.hash().hex());
    }

    static PvmState run(Pvm pvm, byte[] wasm, int levels, int messages, int chunk, java.io.PrintStream out) {
        PvmState s = PvmState.originate(wasm, PvmVersion.DEFAULT);
        long cpu0 = cpu();
        long wall0 = System.nanoTime();
        long cpuAll = cpu0;
        long wallAll = wall0;
        for (int level = 1; level <= levels; level++) {
            byte[][] payloads = new byte[messages][];
            for (int m = 0; m < messages; m++) {
                payloads[m] = ("level " + level + " message " + m).getBytes(StandardCharsets.UTF_8);
            }
            LevelResult r = pvm.runLevel(s, LevelInput.ofExternal(level, List.of(payloads)));
            s = r.state();
            if (out != null && chunk > 0 && level % chunk == 0) {
                long c = cpu();
                long w = System.nanoTime();
                out.printf(Locale.ROOT, "%5d..%-6d %16.1f %16.1f%n", level - chunk + 1, level,
                        (c - cpu0) / 1e3 / chunk, (w - wall0) / 1e3 / chunk);
                cpu0 = c;
                wall0 = w;
            }
        }
        if (out != null) {
            out.printf(Locale.ROOT, "%12s %16.1f %16.1f%n", "all", (cpu() - cpuAll) / 1e3 / levels,
                    (System.nanoTime() - wallAll) / 1e3 / levels);
        }
        return s;
    }

    /** {@code rollups} rollups, level by level; a hash over their final state hashes. */
    static String fleet(Pvm pvm, byte[] wasm, int rollups, int levels, int messages) {
        PvmState[] states = new PvmState[rollups];
        java.util.Arrays.fill(states, PvmState.originate(wasm, PvmVersion.DEFAULT));
        for (int level = 1; level <= levels; level++) {
            for (int r = 0; r < rollups; r++) {
                byte[][] payloads = new byte[messages][];
                for (int m = 0; m < messages; m++) {
                    payloads[m] = ("rollup " + r + " level " + level + " message " + m).getBytes(StandardCharsets.UTF_8);
                }
                states[r] = pvm.runLevel(states[r], LevelInput.ofExternal(level, List.of(payloads))).state();
            }
        }
        StringBuilder all = new StringBuilder();
        for (PvmState s : states) {
            all.append(s.hash().hex());
        }
        return io.flotilla.pvm.util.Hex.encode(io.flotilla.pvm.crypto.Blake2b.hash256(
                all.toString().getBytes(StandardCharsets.US_ASCII)));
    }

    /** CPU time of the PVM's threads (named pvm-...): the level work without GC and JIT threads. */
    static long pvmThreadsCpu() {
        var mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (var info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("pvm-")) {
                long t = mx.getThreadCpuTime(info.getThreadId());
                sum += Math.max(0, t);
            }
        }
        return sum;
    }

    /** The process's CPU: kernels run on the PVM's own threads, not this one. */
    static long cpu() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    static byte[] kernel(String name) throws IOException {
        try (InputStream in = Pvm.class.getResourceAsStream("/kernels/" + name + ".wat")) {
            if (in == null) {
                throw new IllegalArgumentException("no bundled kernel " + name + " (echo, counter, hello)");
            }
            return io.flotilla.pvm.KernelFiles.fromText(new String(in.readAllBytes(), StandardCharsets.UTF_8), name);
        }
    }
}
