package io.flotilla.loadtests.snapshot;

import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.L1Source;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.actors.rollup.RollupMode;
import io.flotilla.node.DemoNode;
import io.flotilla.node.NodeRuntime;
import io.flotilla.node.NodeStores;
import io.flotilla.pvm.KernelFiles;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.snapshot.Compression;
import io.flotilla.snapshot.SnapshotExporter;
import io.flotilla.snapshot.SnapshotImporter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Snapshot throughput (issue 7): a node (a kernel in operator mode, embedded stores, manual sandbox L1) runs
 * {@code --levels} levels with one {@code --payload}-byte message each; then, while it keeps making blocks, the
 * snapshot is exported (zstd), checked, imported, and exported compact; {@code tar | zstd -3 -T1} and
 * {@code zstd -d | tar -x} over the same stores in the same run are the baseline. The node's block latency (L1 block
 * made to L2 block evaluated) before and during the export shows whether the export blocks it. What the full and
 * compact archives hold, stream by stream, is printed ({@link SnapshotListing}).
 *

 * <p>The first export is measured cold (the first in the JVM, while the node works); then {@code --repeat} times,
 * alternating on the stopped node: {@code tar | zstd}, {@code zstd -d | tar -x}, a warm export, an import with
 * every check; the table shows medians.
 *
 * <p>{@code --kernel echo} (default): the bundled echo kernel; its state grows by exactly its input (the outbox),
 * which bounds the full/compact ratio near 2. {@code --kernel ledger}: {@code bench/ledger.wat}, a token ledger of
 * 1,024 accounts whose messages are batches of 72-byte transfers (with a 64-byte signature each, as real
 * transactions carry): its state is rewritten in many places per level, as most real kernels' is.
 *
 * <pre>load-tests/bench-snapshot.sh [--kernel echo|ledger] [--levels N] [--payload BYTES] [--repeat N] [--record] [--keep]</pre>
 *
 * <p>{@code --keep} leaves the work directory (the stopped node's data directory under {@code data/}) in place
 * for {@link SnapshotLoop}.
 */
public final class SnapshotBench {
    private SnapshotBench() {}

    public static void main(String[] args) throws Exception {
        int levels = 400;
        int payload = 2048;
        boolean record = false;
        boolean keep = false;
        int repeat = 3;
        String kernel = "echo";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--levels" -> levels = Integer.parseInt(args[++i]);
                case "--payload" -> payload = Integer.parseInt(args[++i]);
                case "--record" -> record = true;
                case "--keep" -> keep = true;
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                case "--kernel" -> kernel = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path work = Files.createTempDirectory("snapshot-bench-");
        Path data = work.resolve("data");
        SandboxL1 l1 = new SandboxL1(SandboxL1.Config.manualMode()
                .withConstants(new L1Source.SandboxConstants(20, 40, Duration.ofSeconds(1))));
        NodeRuntime.Options options = new NodeRuntime.Options(data, "127.0.0.1", 0, NodeRuntime.HistoryMode.ARCHIVE,
                Duration.ofMillis(50));
        NodeRuntime node;
        final boolean ledger;
        switch (kernel) {
            case "echo" -> {
                node = DemoNode.start(options, l1, false, NodeStores.embedded(data, l1));
                ledger = false;
            }
            case "ledger" -> {
                String address = DemoNode.originate(l1, ledgerKernel(), PvmVersion.DEFAULT.label(),
                        DemoNode.OPERATOR.address(), Duration.ofSeconds(30));
                node = NodeRuntime.start(options, l1, false, NodeStores.embedded(data, l1), List.of(
                        new NodeRuntime.ServedRollup(address, RollupMode.OPERATOR, DemoNode.OPERATOR.address())));
                ledger = true;
            }
            default -> throw new IllegalArgumentException("--kernel is echo or ledger, not " + kernel);
        }
        String rollup = node.fleet().rollups().get(0);
        String source = SandboxAccounts.bootstrap(2).address();
        System.out.printf("running %d levels of the %s kernel with a %d-byte message each...%n", levels, kernel,
                payload);
        for (int i = 0; i < levels; i++) {
            l1.inject(L1Operation.addMessages(source, List.of(message(ledger, i, payload)))).orThrow();
            awaitHead(node, rollup, l1.produceBlock().level());
        }
        long storeBytes = size(data.resolve("context")) + size(data.resolve("chain"));

        // the node keeps making blocks; its latency before and during the export
        List<double[]> latencies = Collections.synchronizedList(new ArrayList<>());
        final int firstMessage = levels;
        final int size = payload;
        Thread producer = new Thread(() -> {
            int i = firstMessage;
            // at most 20 more blocks: L1's LCC (40 levels behind the head at least) stays within the exported levels,
            // so the imports' L1 checks hold
            while (!Thread.currentThread().isInterrupted() && i < firstMessage + 20) {
                try {
                    long t0 = System.nanoTime();
                    l1.inject(L1Operation.addMessages(source, List.of(message(ledger, i++, size)))).orThrow();
                    awaitHead(node, rollup, l1.produceBlock().level());
                    latencies.add(new double[] {t0, (System.nanoTime() - t0) / 1e6});
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    System.err.println("producer: " + e);
                    return;
                }
            }
        }, "bench-producer");
        producer.start();
        Thread.sleep(1000);
        long exportStart = System.nanoTime();
        SnapshotExporter.Result full = SnapshotExporter.export(SnapshotExporter.Options.of(data,
                Files.createDirectories(work.resolve("full"))).withLevel("head").withCheck(false));
        long exportEnd = System.nanoTime();
        Thread.sleep(2000);
        producer.interrupt();
        producer.join();
        SnapshotExporter.Result checked = SnapshotExporter.export(SnapshotExporter.Options.of(data,
                Files.createDirectories(work.resolve("checked"))).withLevel(Integer.toString(full.header().headLevel()))
                .withL1(l1));
        SnapshotExporter.Result compact = SnapshotExporter.export(SnapshotExporter.Options.of(data,
                Files.createDirectories(work.resolve("compact"))).withLevel(Integer.toString(full.header().headLevel()))
                .withCompact(true).withCheck(false));
        node.close();

        // the first export above ran cold (classes loading, JIT) while the node worked; these run warm on the stopped
        // node, alternating with the baseline so both see the same machine load; medians
        List<Double> tarRuns = new ArrayList<>();
        List<Double> untarRuns = new ArrayList<>();
        List<Double> warmRuns = new ArrayList<>();
        List<Double> importRuns = new ArrayList<>();
        for (int r = 0; r < repeat; r++) {
            Path tarFile = work.resolve("dirs.tar.zst");
            Files.deleteIfExists(tarFile);
            tarRuns.add(shell("tar -cf - -C " + data + " context chain | zstd -3 -T1 -q -c > " + tarFile));
            Path untar = work.resolve("untar" + r);
            Files.createDirectories(untar);
            untarRuns.add(shell("zstd -d -q -c " + tarFile + " | tar -xf - -C " + untar));
            SnapshotExporter.Result warm = SnapshotExporter.export(SnapshotExporter.Options.of(data,
                    Files.createDirectories(work.resolve("warm" + r))).withLevel(Integer.toString(full.header().headLevel()))
                    .withCheck(false));
            warmRuns.add(warm.cutMillis() + warm.writeMillis());
            SnapshotImporter.Result imported = SnapshotImporter.importSnapshot(new SnapshotImporter.Options(
                    SnapshotImporter.Source.file(full.file()), work.resolve("imported" + r), l1, false, true));
            importRuns.add(imported.millis());
        }
        double tarMs = median(tarRuns);
        double untarMs = median(untarRuns);
        double warmMs = median(warmRuns);
        double importMs = median(importRuns);
        long tarBytes = Files.size(work.resolve("dirs.tar.zst"));
        SnapshotImporter.Result importedCompact = SnapshotImporter.importSnapshot(new SnapshotImporter.Options(
                SnapshotImporter.Source.file(compact.file()), work.resolve("imported-compact"), l1, false, true));
        l1.close();

        List<Double> before = new ArrayList<>();
        List<Double> during = new ArrayList<>();
        synchronized (latencies) {
            for (double[] l : latencies) {
                boolean overlaps = l[0] < exportEnd && l[0] + l[1] * 1e6 > exportStart;
                (overlaps ? during : before).add(l[1]);
            }
        }
        double mb = storeBytes / 1e6;
        double coldMs = full.cutMillis() + full.writeMillis();
        String row = String.format(Locale.ROOT,
                "| %d | %d B | %.1f MB | %.1f MB | %.0f ms (%.1f MB/s) | %.0f ms (%.1f MB/s) | %.0f ms (%.1f MB/s) "
                        + "| %.2fx | %.2fx | %.1f ms | %.0f ms "
                        + "| %.0f ms (%.1f MB/s) | %.0f ms (%.1f MB/s) | %.2fx | %.1f MB | %.2fx | %.0f ms (%d levels replayed) "
                        + "| %.0f / %.0f ms | %.0f / %.0f ms (%d blocks) |",
                levels, payload, mb, full.bytes() / 1e6, coldMs, mb / (coldMs / 1e3), warmMs, mb / (warmMs / 1e3),
                tarMs, mb / (tarMs / 1e3), tarMs / coldMs, tarMs / warmMs, full.cutMillis(),
                checked.checkMillis(), importMs, mb / (importMs / 1e3), untarMs,
                mb / (untarMs / 1e3), untarMs / importMs, compact.bytes() / 1e6, (double) full.bytes() / compact.bytes(),
                importedCompact.millis(), importedCompact.replayedLevels(), median(before), max(before),
                median(during), max(during), during.size());
        String header = "| levels | payload | stores (context+chain) | snapshot (zstd) | export, first (cold JVM, node "
                + "running) | export, warm (median) | tar \\| zstd -3 -T1 (median) | export speed vs tar\\|zstd, first "
                + "| export speed vs tar\\|zstd, warm | consistent cut (first) | check | import, all checks (median) "
                + "| zstd -d \\| tar -x (median) | import speed vs zstd -d\\|tar | compact snapshot | full/compact "
                + "| compact import | node block latency p50/max before | p50/max during export |\n|" + "---|".repeat(19);
        System.out.println(header);
        System.out.println(row);
        System.out.printf("tar|zstd archive %.1f MB; files in %s; runs (ms): export warm %s, tar|zstd %s, import %s, "
                + "zstd -d|tar %s%n", tarBytes / 1e6, work, warmRuns, tarRuns, importRuns, untarRuns);
        String listing = "What the snapshots hold (" + kernel + " kernel), full:\n\n"
                + SnapshotListing.table(SnapshotListing.list(full.file())) + "\ncompact:\n\n"
                + SnapshotListing.table(SnapshotListing.list(compact.file()));
        System.out.println(listing);
        if (record) {
            Path results = Path.of(System.getProperty("snapshotbench.results", "load-tests/RESULTS.md"));
            String section = "\n## Snapshot export / import (" + Instant.now().toString().substring(0, 16)
                    + "Z, `load-tests/bench-snapshot.sh --kernel " + kernel + " --levels " + levels + " --payload "
                    + payload + " --repeat " + repeat + " --record`, load average " + loadAverage() + ")\n\n" + header
                    + "\n" + row + "\n\n" + listing;
            Files.writeString(results, section, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        }
        if (keep) {
            // the stopped node's data directory, for SnapshotLoop (profiling the export and import alone)
            System.out.println("kept the node's data directory " + data + " and the files in " + work);
        } else {
            deleteRecursively(work);
        }
    }

    /** A message of the kernel's workload: a batch of transfers for the ledger, else {@link #message(int, int)}. */
    static byte[] message(boolean ledger, int i, int size) {
        return ledger ? transfers(i, size) : message(i, size);
    }

    /**
     * As many 72-byte ledger transfers as fit in {@code size} bytes: accounts and amounts drawn from a seeded
     * generator (most transfers succeed: amounts up to 5,000 against balances of 1,000,000), then 64 random bytes
     * where a real transaction carries its signature.
     */
    static byte[] transfers(int i, int size) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(i);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(size / 72 * 72).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        while (b.remaining() >= 72) {
            b.putShort((short) random.nextInt(1024)).putShort((short) random.nextInt(1024))
                    .putInt(1 + random.nextInt(5000));
            byte[] signature = new byte[64];
            random.nextBytes(signature);
            b.put(signature);
        }
        return b.array();
    }

    static byte[] ledgerKernel() throws IOException {
        try (java.io.InputStream in = SnapshotBench.class.getResourceAsStream("/bench/ledger.wat")) {
            if (in == null) {
                throw new IllegalStateException("/bench/ledger.wat is not on the classpath");
            }
            return KernelFiles.fromText(new String(in.readAllBytes(), StandardCharsets.UTF_8), "ledger.wat");
        }
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip().split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    static byte[] message(int i, int size) {
        byte[] b = new byte[size];
        // half repetitive, half varied: neither incompressible nor trivially compressible
        for (int j = 0; j < size; j++) {
            b[j] = (byte) (j < size / 2 ? 'a' + (j % 26) : (i * 31 + j * 17) ^ (j >>> 3));
        }
        return b;
    }

    static void awaitHead(NodeRuntime node, String rollup, int level) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (node.fleet().status(rollup).toCompletableFuture().get(30, TimeUnit.SECONDS).headLevel() < level) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("level " + level + " not evaluated in 120 s");
            }
            Thread.sleep(2);
        }
    }

    static double shell(String command) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("bash", "-c", "set -o pipefail; " + command).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("failed: " + command);
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    static long size(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    static double median(List<Double> xs) {
        if (xs.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    static double max(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    static void deleteRecursively(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
