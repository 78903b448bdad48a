package io.flotilla.persistence.store;

import io.flotilla.pvm.tree.Hash;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Manual benchmark of context store engines (not a unit test). See persistence/CONTEXT-STORE.md for the command and
 * the recorded results. Arguments: {@code [dir] [engines=rocksdb,mvstore,lmdb] [batches=1000] [killTrials=5]}.
 *
 * <p>Workload: batches of 1,000 nodes with sizes uniform in [100, 4000] bytes of random (incompressible) content,
 * random 32-byte keys; each batch durable (fsync) before the next. Then: close and reopen time, random reads of
 * existing keys (1 and 2 threads), lookups of absent keys, disk usage, and {@code kill -9} of a child writer process
 * at a random moment followed by a check that every acknowledged batch is complete and the batch in flight is
 * either complete or absent.
 */
public final class ContextStoreBench {
    static final int BATCH = 1000;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("writer")) {
            writer(args[1], Path.of(args[2]), Long.parseLong(args[3]));
            return;
        }
        if (args.length > 0 && args[0].equals("reads")) {
            reads(Path.of(args[1]), args[2].split(","), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            return;
        }
        Path root = Path.of(args.length > 0 ? args[0] : "target/bench");
        String[] engines = (args.length > 1 ? args[1] : "rocksdb,mvstore,lmdb").split(",");
        int batches = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        int trials = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        for (String engine : engines) {
            bench(engine, root.resolve(engine), batches, trials);
        }
    }

    /** Batch {@code b} of run {@code seed}: deterministic, so a verifier can regenerate it. */
    static Map<Hash, byte[]> batch(long seed, int b) {
        SplittableRandom r = new SplittableRandom(seed * 1_000_003L + b);
        Map<Hash, byte[]> m = new LinkedHashMap<>();
        byte[] k = new byte[32];
        for (int i = 0; i < BATCH; i++) {
            for (int j = 0; j < 32; j += 8) {
                long x = r.nextLong();
                for (int q = 0; q < 8; q++) {
                    k[j + q] = (byte) (x >>> (8 * q));
                }
            }
            byte[] v = new byte[r.nextInt(100, 4001)];
            for (int j = 0; j < v.length; j += 8) {
                long x = r.nextLong();
                for (int q = 0; q < 8 && j + q < v.length; q++) {
                    v[j + q] = (byte) (x >>> (8 * q));
                }
            }
            m.put(Hash.fromBytes(k.clone()), v);
        }
        return m;
    }

    static void bench(String engine, Path dir, int batches, int trials) throws Exception {
        deleteTree(dir);
        System.out.printf(Locale.ROOT, "== %s (%d batches x %d nodes) in %s%n", engine, batches, BATCH, dir);
        List<Hash> keys = new ArrayList<>(batches * BATCH);
        long totalBytes = 0;
        long[] lat = new long[batches];
        long writeNanos = 0;
        ContextStore s = BenchEngines.open(engine, dir);
        for (int b = 0; b < batches; b++) {
            Map<Hash, byte[]> m = batch(1, b);
            for (byte[] v : m.values()) {
                totalBytes += v.length;
            }
            keys.addAll(m.keySet());
            long t0 = System.nanoTime();
            s.putAll(m);
            lat[b] = System.nanoTime() - t0;
            writeNanos += lat[b];
        }
        Arrays.sort(lat);
        double ws = writeNanos / 1e9;
        System.out.printf(Locale.ROOT, "write: %.1f s, %.0f nodes/s, %.1f MB/s, batch p50 %.1f ms p99 %.1f ms%n",
                ws, keys.size() / ws, totalBytes / 1e6 / ws, lat[batches / 2] / 1e6, lat[batches * 99 / 100] / 1e6);
        s.close();
        System.out.printf(Locale.ROOT, "disk after close: %.1f MB for %.1f MB of values%n",
                EmbeddedContextStore.diskUsage(dir) / 1e6, totalBytes / 1e6);

        long t0 = System.nanoTime();
        s = BenchEngines.open(engine, dir);
        byte[] first = s.get(keys.get(0));
        long reopen = System.nanoTime() - t0;
        if (first == null) {
            throw new AssertionError("first key missing after reopen");
        }
        System.out.printf(Locale.ROOT, "reopen + first get with %d keys: %.0f ms%n", keys.size(), reopen / 1e6);

        for (int threads : new int[] {1, 2}) {
            int perThread = 100_000;
            ContextStore fs = s;
            List<Thread> ts = new ArrayList<>();
            long r0 = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                int tt = t;
                Thread th = new Thread(() -> {
                    SplittableRandom r = new SplittableRandom(42 + tt);
                    for (int i = 0; i < perThread; i++) {
                        if (fs.get(keys.get(r.nextInt(keys.size()))) == null) {
                            throw new AssertionError("missing key");
                        }
                    }
                });
                th.start();
                ts.add(th);
            }
            for (Thread th : ts) {
                th.join();
            }
            double rs = (System.nanoTime() - r0) / 1e9;
            System.out.printf(Locale.ROOT, "random reads, %d thread(s): %.0f gets/s%n", threads,
                    threads * perThread / rs);
        }
        SplittableRandom r = new SplittableRandom(7);
        long m0 = System.nanoTime();
        byte[] kk = new byte[32];
        for (int i = 0; i < 100_000; i++) {
            r.nextBytes(kk);
            if (s.get(Hash.fromBytes(kk)) != null) {
                throw new AssertionError("absent key found");
            }
        }
        System.out.printf(Locale.ROOT, "absent-key gets: %.0f gets/s%n", 100_000 / ((System.nanoTime() - m0) / 1e9));
        s.close();

        int ok = 0;
        for (int t = 0; t < trials; t++) {
            ok += killTrial(engine, dir.resolveSibling(engine + "-kill"), t) ? 1 : 0;
        }
        System.out.printf(Locale.ROOT, "kill -9 durability: %d/%d trials kept every acknowledged batch%n", ok, trials);
        deleteTree(dir.resolveSibling(engine + "-kill"));
    }

    /**
     * Random reads only, on the stores a previous full run left in {@code root}: engines take turns for
     * {@code rounds} rounds so that load from other processes on a shared machine spreads over all of them.
     */
    static void reads(Path root, String[] engines, int batches, int rounds) {
        List<Hash> keys = new ArrayList<>(batches * BATCH);
        for (int b = 0; b < batches; b++) {
            keys.addAll(batch(1, b).keySet());
        }
        for (int round = 0; round < rounds; round++) {
            for (String engine : engines) {
                try (ContextStore s = BenchEngines.open(engine, root.resolve(engine))) {
                    for (int threads : new int[] {1, 2}) {
                        int perThread = 50_000;
                        List<Thread> ts = new ArrayList<>();
                        long r0 = System.nanoTime();
                        for (int t = 0; t < threads; t++) {
                            int tt = t;
                            Thread th = new Thread(() -> {
                                SplittableRandom r = new SplittableRandom(1000L * tt + 17);
                                for (int i = 0; i < perThread; i++) {
                                    if (s.get(keys.get(r.nextInt(keys.size()))) == null) {
                                        throw new AssertionError("missing key");
                                    }
                                }
                            });
                            th.start();
                            ts.add(th);
                        }
                        for (Thread th : ts) {
                            try {
                                th.join();
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                        double rs = (System.nanoTime() - r0) / 1e9;
                        System.out.printf(Locale.ROOT, "round %d %s: random reads, %d thread(s): %.0f gets/s%n",
                                round, engine, threads, threads * perThread / rs);
                    }
                }
            }
        }
    }

    /** Runs a child writer, kills it with SIGKILL after a random number of acknowledged batches, verifies. */
    static boolean killTrial(String engine, Path dir, int trial) throws Exception {
        deleteTree(dir);
        long seed = 100 + trial;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--add-opens", "java.base/java.nio=ALL-UNNAMED",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                ContextStoreBench.class.getName(), "writer", engine, dir.toString(), Long.toString(seed))
                .redirectErrorStream(true).start();
        int killAfter = 5 + new SplittableRandom(seed).nextInt(40);
        int acked = -1;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    acked = Integer.parseInt(line.substring(4));
                    if (acked + 1 >= killAfter) {
                        p.destroyForcibly(); // SIGKILL on Linux
                        break;
                    }
                } else {
                    System.out.println("  writer: " + line);
                }
            }
        }
        p.waitFor(30, TimeUnit.SECONDS);
        if (acked < 0) {
            throw new IllegalStateException("writer died before its first acknowledgement");
        }
        try (ContextStore s = BenchEngines.open(engine, dir)) {
            for (int b = 0; b <= acked; b++) {
                for (Map.Entry<Hash, byte[]> e : batch(seed, b).entrySet()) {
                    if (!Arrays.equals(e.getValue(), s.get(e.getKey()))) {
                        System.out.printf("  trial %d: acknowledged batch %d lost or damaged%n", trial, b);
                        return false;
                    }
                }
            }
            boolean atomic = true;
            StringBuilder report = new StringBuilder();
            for (int b = acked + 1; b <= acked + 2; b++) {
                int present = 0;
                for (Map.Entry<Hash, byte[]> e : batch(seed, b).entrySet()) {
                    byte[] v = s.get(e.getKey());
                    if (v != null) {
                        present++;
                        if (!Arrays.equals(v, e.getValue())) {
                            System.out.printf("  trial %d: unacknowledged node damaged%n", trial);
                            return false;
                        }
                    }
                }
                report.append(" batch ").append(b).append(": ")
                        .append(present == 0 ? "absent" : present == BATCH ? "complete" : "PARTIAL " + present);
                atomic &= present == 0 || present == BATCH;
            }
            System.out.printf("  trial %d: killed after %d acks;%s%n", trial, acked + 1, report);
            return atomic;
        }
    }

    static void writer(String engine, Path dir, long seed) {
        try (ContextStore s = BenchEngines.open(engine, dir)) {
            for (int b = 0; ; b++) {
                s.putAll(batch(seed, b));
                System.out.println("ACK " + b);
                System.out.flush();
            }
        }
    }

    static void deleteTree(Path d) throws IOException {
        if (!Files.exists(d)) {
            return;
        }
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
