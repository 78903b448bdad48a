package io.flotilla.snapshot;

import io.flotilla.persistence.snapshots.RollupSnapshot;
import io.flotilla.pvm.tree.NodeStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@link SnapshotSourceStores} of a data directory: {@link RollupJournal} and {@link ReadOnlyStores}. */
final class EmbeddedSourceStores implements SnapshotSourceStores {
    private final Path dataDir;
    private final ReadOnlyStores stores = new ReadOnlyStores();
    private NodeStore context;
    private L1Blocks l1Blocks;
    private boolean l1BlocksOpened;

    EmbeddedSourceStores(Path dataDir) {
        this.dataDir = dataDir.toAbsolutePath();
    }

    @Override
    public List<String> rollups() {
        return RollupJournal.rollups(dataDir);
    }

    @Override
    public RollupSnapshot journaledState(String rollup) {
        RollupJournal.Recorded r = RollupJournal.read(dataDir, rollup);
        return r == null ? null : r.state();
    }

    @Override
    public Chain chain(String rollup) {
        return stores.chain(dataDir.resolve("chain"), rollup);
    }

    @Override
    public NodeStore context() {
        if (context == null) {
            context = stores.context(dataDir.resolve("context"));
        }
        return context;
    }

    @Override
    public L1Blocks l1Blocks() {
        if (!l1BlocksOpened) {
            l1BlocksOpened = true;
            l1Blocks = Files.isDirectory(dataDir.resolve("l1-blocks")) ? stores.l1Blocks(dataDir.resolve("l1-blocks"))
                    : null;
        }
        return l1Blocks;
    }

    @Override
    public String describe() {
        return dataDir.toString();
    }

    @Override
    public void close() {
        stores.close();
    }
}
