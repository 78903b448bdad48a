package io.flotilla.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.pvm.encoding.StateHash;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Format compatibility: {@code golden/format1-sample.snapshot} is a snapshot of format_version 1 (zstd), written
 * once by the exporter of the commit that added it (from {@code SandboxDataDir.create(dir, 10, 300)}, exported at
 * head) and never regenerated: today's importer must still import it with every check it can run without an L1.
 * When the format changes, keep this file and add a sample of the new version next to it.
 */
class FormatCompatibilityTest {
    static final String SAMPLE = "golden/format1-sample.snapshot";

    @TempDir
    Path tmp;

    /** Writes the sample the first time {@link ArchiveLayoutGoldenTest} runs in update mode; never replaces it. */
    static void writeSampleIfAbsent(SandboxDataDir data) throws IOException {
        Path target = ArchiveLayoutGoldenTest.goldenFile(ArchiveLayoutGoldenTest.GOLDEN).resolveSibling("format1-sample.snapshot");
        if (Files.exists(target)) {
            return;
        }
        SnapshotExporter.Result r = SnapshotExporter.export(SnapshotExporter.Options.of(data.dir,
                        Files.createTempDirectory("format-sample")).withLevel("head").withCompression(Compression.ZSTD),
                ArchiveLayoutGoldenTest.FIXED);
        Files.copy(r.file(), target);
    }

    @Test
    void todaysImporterImportsAFormat1Snapshot() throws Exception {
        Path file = tmp.resolve("sample.snapshot");
        try (InputStream in = FormatCompatibilityTest.class.getResourceAsStream("/" + SAMPLE)) {
            assertNotNull(in, SAMPLE + " is checked in");
            Files.copy(in, file);
        }
        Path dataDir = tmp.resolve("data");
        SnapshotImporter.Result r = SnapshotImporter.importSnapshot(new SnapshotImporter.Options(
                SnapshotImporter.Source.file(file), dataDir, null, false, true));
        assertEquals(Compression.ZSTD, r.compression());
        assertEquals(1, r.metadata().formatVersion());
        assertEquals(11, r.header().headLevel()); // origination at level 1, then 10 levels
        assertTrue(r.treeNodes() > 10, "tree nodes: " + r.treeNodes());
        // the node would continue from here: the journal holds the head, the chain its block and the state
        RollupJournal.Recorded journal = RollupJournal.read(dataDir, r.metadata().rollupAddress());
        assertEquals(11, journal.state().headLevel());
        assertEquals(r.metadata().headState(), new StateHash(journal.state().headStateHash32()).toBase58());
        try (ReadOnlyStores stores = new ReadOnlyStores()) {
            var head = stores.chain(dataDir.resolve("chain"), r.metadata().rollupAddress()).get(11).orElseThrow();
            assertEquals(r.metadata().headState(), new StateHash(head.stateHash().bytes()).toBase58());
            assertEquals(1, head.messages().size(), "the level's external message");
        }
    }
}
