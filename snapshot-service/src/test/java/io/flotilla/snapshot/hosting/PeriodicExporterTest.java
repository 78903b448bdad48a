package io.flotilla.snapshot.hosting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.pvm.encoding.RollupAddress;
import io.flotilla.snapshot.Compression;
import io.flotilla.snapshot.HistoryMode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Periodic export mechanics: when to export, atomic publication, pruning. The export itself is a snapshot
 * file of the real layout written at the probed level (the node's exporter is wired in the CLI).
 */
class PeriodicExporterTest {

    static final RollupAddress ROLLUP = TestSnapshots.rollup(4);

    @TempDir
    Path dir;
    final AtomicInteger nodeLevel = new AtomicInteger(-1);
    final ByteArrayOutputStream log = new ByteArrayOutputStream();

    List<String> served() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    static String name(int level) {
        return "snapshot-" + ROLLUP.toBase58().substring(0, 13) + "-" + level + ".full";
    }

    @Test
    void exportsEveryNLevelsKeepsTheKNewestAndNeverListsAPartialFile() throws Exception {
        SnapshotCatalog catalog = new SnapshotCatalog(dir, new SnapshotFileInspector(), new PrintStream(log, true));
        PeriodicExporter exporter = new PeriodicExporter(catalog, 5, 2, nodeLevel::get, (work, level) -> {
            Path file = TestSnapshots.write(work, ROLLUP, level, HistoryMode.FULL, Compression.ZSTD, 20_000);
            // while the export is being written, the served directory does not show it
            assertTrue(catalog.list().stream().noneMatch(s -> s.level() == level));
            return file;
        }, new PrintStream(log, true));

        assertNull(exporter.tick(), "the node has no level yet");
        nodeLevel.set(3);
        assertEquals(dir.resolve(name(3)), exporter.tick(), "nothing here yet: export at once");
        nodeLevel.set(7);
        assertNull(exporter.tick(), "7 < 3 + 5");
        nodeLevel.set(8);
        assertEquals(dir.resolve(name(8)), exporter.tick());
        assertEquals(List.of(name(3), name(3) + ".sha256", name(8), name(8) + ".sha256"), served());
        nodeLevel.set(20);
        assertEquals(dir.resolve(name(20)), exporter.tick());
        assertEquals(List.of(name(20), name(20) + ".sha256", name(8), name(8) + ".sha256"), served(),
                "level 3 pruned with its checksum");
        assertEquals(List.of(), Files.list(dir.resolve(PeriodicExporter.WORK_DIR)).toList());
        for (HostedSnapshot s : catalog.list()) {
            assertEquals(SnapshotCatalog.sha256(dir.resolve(s.file())), s.sha256());
            assertEquals(s.sha256Line(), Files.readString(SnapshotCatalog.sidecar(dir.resolve(s.file()))));
        }
        assertTrue(log.toString().contains("pruned " + name(3)), log.toString());
    }

    @Test
    void aFailedExportPublishesNothing() throws Exception {
        SnapshotCatalog catalog = new SnapshotCatalog(dir, new SnapshotFileInspector(), new PrintStream(log, true));
        PeriodicExporter exporter = new PeriodicExporter(catalog, 5, 2, nodeLevel::get, (work, level) -> {
            Files.write(work.resolve(name(level)), new byte[1000]); // half written
            throw new IOException("disk full");
        }, new PrintStream(log, true));
        nodeLevel.set(10);
        assertEquals("disk full", assertThrows(IOException.class, exporter::tick).getMessage());
        assertEquals(List.of(), served());
        assertEquals(List.of(), Files.list(dir.resolve(PeriodicExporter.WORK_DIR)).toList());
        assertThrows(IllegalArgumentException.class,
                () -> new PeriodicExporter(catalog, 0, 2, nodeLevel::get, (w, l) -> w, System.err));
        assertThrows(IllegalArgumentException.class,
                () -> new PeriodicExporter(catalog, 5, 0, nodeLevel::get, (w, l) -> w, System.err));
    }
}
