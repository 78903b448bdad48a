package io.flotilla.snapshot;

import io.flotilla.snapshot.hosting.PeriodicExporter;
import java.nio.file.Path;
import java.util.List;

/**
 * The snapshot server's periodic export from a node's data directory (stopped or in use): the node's head
 * level read from its journal, and {@link SnapshotExporter} at the finalized level with its integrity check.
 */
public final class NodeExports {

    private NodeExports() {
    }

    /**
     * The rollup to export: {@code rollup} when given, else the data directory's only rollup.
     *
     * @throws IllegalArgumentException when the directory holds none yet or several and none was chosen
     */
    public static String rollup(Path dataDir, String rollup) {
        if (rollup != null) {
            io.flotilla.pvm.encoding.RollupAddress.fromBase58(rollup);
            return rollup;
        }
        List<String> rollups = RollupJournal.rollups(dataDir);
        if (rollups.size() != 1) {
            throw new IllegalArgumentException(rollups.isEmpty() ? "no rollup in " + dataDir + " yet; name it with --rollup"
                    : dataDir + " holds several rollups, choose one with --rollup: " + rollups);
        }
        return rollups.get(0);
    }

    /** The rollup's head level as journaled by the node, -1 before its first block. */
    public static PeriodicExporter.LevelProbe headLevel(Path dataDir, String rollup) {
        return () -> {
            RollupJournal.Recorded r = RollupJournal.read(dataDir, rollup);
            return r == null || !r.state().originated() ? -1 : r.state().headLevel();
        };
    }

    /** Exports the rollup at its finalized level into the exporter's working directory. */
    public static PeriodicExporter.Export finalizedExport(Path dataDir, String rollup, Compression compression) {
        return (workDir, level) -> SnapshotExporter.export(SnapshotExporter.Options.of(dataDir, workDir)
                .withRollup(rollup).withCompression(compression)).file();
    }
}
