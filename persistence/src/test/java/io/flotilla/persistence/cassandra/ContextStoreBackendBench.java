package io.flotilla.persistence.cassandra;

import io.flotilla.persistence.store.ContextStore;
import io.flotilla.persistence.store.EmbeddedContextStore;
import io.flotilla.pvm.tree.Hash;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Manual benchmark (not a unit test): context store writes and reads, embedded (RocksDB) against Cassandra, in the
 * same JVM and run. Arguments: {@code host:port [batches=200] [nodesPerBatch=1000] [reads=5000]}. Each batch is
 * one {@code putAll} of new nodes of 100-4,000 random bytes (a level's new nodes), then single-threaded random
 * reads of stored nodes. The Cassandra keyspace is created for the run and dropped after.
 * Command and results: load-tests/RESULTS.md.
 */
public final class ContextStoreBackendBench {
    private ContextStoreBackendBench() {}

    public static void main(String[] args) throws Exception {
        String cassandra = args[0];
        int batches = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int perBatch = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        int reads = args.length > 3 ? Integer.parseInt(args[3]) : 5000;
        System.out.println("| backend | batches x nodes | write s | nodes/s | MB/s | batch p50 ms | batch p99 ms | reads/s |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        Path dir = Files.createTempDirectory("ctxbench");
        try (EmbeddedContextStore s = EmbeddedContextStore.open(dir.resolve("context"))) {
            run("embedded (RocksDB)", s, batches, perBatch, reads);
        }
        CassandraStorage.Settings settings = CassandraStorage.Settings.of(cassandra,
                "ctxbench_" + Long.toHexString(System.nanoTime()));
        try (CassandraStorage storage = CassandraStorage.open(settings)) {
            try {
                run("Cassandra " + cassandra, storage.contextStore(), batches, perBatch, reads);
            } finally {
                storage.dropKeyspace();
            }
        }
    }

    static void run(String name, ContextStore s, int batches, int perBatch, int reads) {
        SplittableRandom r = new SplittableRandom(11);
        List<Hash> keys = new ArrayList<>();
        long bytes = 0;
        long[] lat = new long[batches];
        long total = 0;
        for (int b = 0; b < batches; b++) {
            Map<Hash, byte[]> m = new LinkedHashMap<>();
            while (m.size() < perBatch) {
                byte[] v = new byte[r.nextInt(100, 4001)];
                r.nextBytes(v);
                m.put(Hash.of(v), v);
                bytes += v.length;
            }
            keys.addAll(m.keySet());
            long t0 = System.nanoTime();
            s.putAll(m);
            lat[b] = System.nanoTime() - t0;
            total += lat[b];
        }
        Arrays.sort(lat);
        double ws = total / 1e9;
        long r0 = System.nanoTime();
        for (int i = 0; i < reads; i++) {
            if (s.get(keys.get(r.nextInt(keys.size()))) == null) {
                throw new AssertionError("a stored node is missing");
            }
        }
        double rs = (System.nanoTime() - r0) / 1e9;
        System.out.printf(Locale.ROOT, "| %s | %d x %d | %.1f | %.0f | %.1f | %.1f | %.1f | %.0f |%n", name, batches,
                perBatch, ws, keys.size() / ws, bytes / 1e6 / ws, lat[batches / 2] / 1e6,
                lat[Math.min(batches - 1, batches * 99 / 100)] / 1e6, reads / rs);
    }
}
