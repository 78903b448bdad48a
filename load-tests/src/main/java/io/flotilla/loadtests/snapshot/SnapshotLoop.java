package io.flotilla.loadtests.snapshot;

import io.flotilla.snapshot.SnapshotExporter;
import io.flotilla.snapshot.SnapshotImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Exports and imports one stopped data directory (kept by {@code bench-snapshot.sh --keep DIR}) over and over, to
 * profile the write phase and the import without re-running a node: run it under JFR
 * ({@code -XX:StartFlightRecording}) and look at the samples of the last runs. Prints each run's consistent cut,
 * write phase and import time, and the process CPU time of each; the import runs with {@code --no-check}'s L1 (none) but every content check.
 *
 * <pre>load-tests/bench-snapshot.sh --loop DATA_DIR [RUNS]</pre>
 */
public final class SnapshotLoop {
    private SnapshotLoop() {}

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path work = Files.createTempDirectory("snapshot-loop-");
        // wall times swing with the machine's load; the process's CPU time is steadier
        com.sun.management.OperatingSystemMXBean cpu = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        for (int r = 0; r < runs; r++) {
            Path out = Files.createDirectories(work.resolve("export" + r));
            long c0 = cpu.getProcessCpuTime();
            SnapshotExporter.Result e = SnapshotExporter.export(SnapshotExporter.Options.of(data, out).withLevel("head")
                    .withCheck(false));
            long c1 = cpu.getProcessCpuTime();
            SnapshotImporter.Result i = SnapshotImporter.importSnapshot(new SnapshotImporter.Options(
                    SnapshotImporter.Source.file(e.file()), work.resolve("import" + r), null, false, true));
            long c2 = cpu.getProcessCpuTime();
            System.out.printf(Locale.ROOT, "run %d: cut %.0f ms, write %.0f ms (%d bytes), import %.0f ms; process CPU: "
                    + "export %.0f ms, import %.0f ms%n", r, e.cutMillis(), e.writeMillis(), e.bytes(), i.millis(),
                    (c1 - c0) / 1e6, (c2 - c1) / 1e6);
            SnapshotBench.deleteRecursively(out);
            SnapshotBench.deleteRecursively(work.resolve("import" + r));
        }
        SnapshotBench.deleteRecursively(work);
    }
}
