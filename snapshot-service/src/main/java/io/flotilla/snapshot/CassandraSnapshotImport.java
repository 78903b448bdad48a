package io.flotilla.snapshot;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flotilla.actors.node.CassandraJournal;
import io.flotilla.persistence.cassandra.CassandraStorage;
import io.flotilla.persistence.chain.L2Block;
import io.flotilla.persistence.snapshots.RollupSnapshot;
import io.flotilla.pvm.encoding.StateHash;
import io.flotilla.pvm.tree.Hash;
import io.flotilla.pvm.tree.NodeStore;
import io.flotilla.pvm.tree.Tree;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.SaveSnapshotFailure;
import org.apache.pekko.persistence.SaveSnapshotSuccess;

import org.apache.pekko.persistence.SnapshotProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code flotilla snapshot import ... --storage cassandra}: imports a snapshot into a Cassandra keyspace, with every
 * check of {@link SnapshotImporter}, leaving the keyspace unchanged when anything fails.
 *
 * <p>How: the snapshot is first imported, with all its checks, into a staging data directory next to
 * {@code dataDir}; then the keyspace is checked (its journal holds nothing of the rollup; it follows the snapshot's
 * L1 chain). Only then is anything written, in this order: tree nodes (content-addressed: harmless to any
 * reader), L2 blocks of the rollup, the keyspace's L1 binding, and last the rollup entity's journal snapshot, the
 * switch: a node sees the rollup from that row on, recovers from it and continues from the snapshot head. A failure
 * before the switch leaves at most unreferenced tree nodes and L2 blocks of a rollup the journal does not know
 * (overwritten by the next import; tree nodes are swept by a GC). The snapshot is written through
 * pekko-persistence-cassandra's own snapshot store, so its row is exactly what the plugin reads back.
 */
public final class CassandraSnapshotImport {
    private static final Logger LOG = LoggerFactory.getLogger(CassandraSnapshotImport.class);
    /** Tree nodes per write to Cassandra. */
    private static final int NODE_BATCH = 5_000;

    private CassandraSnapshotImport() {}

    /**
     * Imports into the keyspace of {@code settings}.
     *
     * @param o the import: source, checks, L1; {@code dataDir} is the node's data directory, where its
     *          {@code config.json} is checked (rollup address, history mode) and preimages are added
     * @throws ImportCheckException when a check refuses the snapshot (the keyspace is untouched)
     * @throws IllegalArgumentException when the keyspace already holds the rollup or follows another L1 chain
     */
    public static SnapshotImporter.Result importSnapshot(SnapshotImporter.Options o, CassandraStorage.Settings settings) {
        long t0 = System.nanoTime();
        if (o.force()) {
            throw new IllegalArgumentException("--force is not supported with --storage cassandra: import into a keyspace "
                    + "that does not hold the rollup (another keyspace, or drop the rollup's rows first)");
        }
        Path dataDir = o.dataDir().toAbsolutePath().normalize();
        String ks = settings.keyspace();
        Path stage = null;
        try {
            Files.createDirectories(dataDir.getParent());
            stage = Files.createTempDirectory(dataDir.getParent(), "." + dataDir.getFileName() + ".cassandra-import-");
            Path staged = Files.createDirectories(stage.resolve("data"));
            if (Files.exists(dataDir.resolve("config.json"))) {
                // the checks against the node's configuration (rollup address, history mode) run on the staged copy
                Files.copy(dataDir.resolve("config.json"), staged.resolve("config.json"));
            }
            SnapshotImporter.Result r = SnapshotImporter.importSnapshot(new SnapshotImporter.Options(o.source(), staged,
                    o.l1(), false, o.check(), o.pvm()));
            String rollup = r.header().rollup().toBase58();
            checkKeyspace(settings, rollup, r.metadata().l1Genesis());
            RollupSnapshot state = RollupJournal.read(staged, rollup).state();
            write(settings, staged, dataDir, rollup, r.metadata(), state);
            LOG.info("snapshot {} imported into Cassandra keyspace {}: rollup {} at level {}", o.source().describe(), ks,
                    rollup, r.header().headLevel());
            return new SnapshotImporter.Result(r.header(), r.metadata(), r.compression(), r.treeNodes(),
                    r.replayedLevels(), (System.nanoTime() - t0) / 1e6);
        } catch (IOException e) {
            throw new UncheckedIOException("snapshot import failed, keyspace " + ks + " unchanged: " + e.getMessage(), e);
        } finally {
            SnapshotImporter.removeStage(stage);
        }
    }

    /** Reads only: refuses a keyspace whose journal already holds the rollup, or that follows another L1 chain. */
    private static void checkKeyspace(CassandraStorage.Settings settings, String rollup, String l1Genesis) {
        String ks = settings.keyspace();
        try (CqlSession session = CassandraStorage.connect(settings)) {
            if (CassandraJournalTables.holds(session, ks, rollup)) {
                throw new IllegalArgumentException("the Cassandra keyspace " + ks + " already holds rollup " + rollup
                        + " (its journal has it); import into another keyspace");
            }
            if (l1Genesis != null && CassandraJournalTables.hasTable(session, ks, "deployment")) {
                Row row = session.execute("SELECT value FROM " + ks + ".deployment WHERE key = 'l1-genesis'").one();
                if (row != null && !l1Genesis.equals(row.getString(0))) {
                    throw new IllegalArgumentException("the Cassandra keyspace " + ks + " follows another L1 chain "
                            + "(genesis " + row.getString(0) + ") than the snapshot (" + l1Genesis + ")");
                }
            }
        }
    }

    private static void write(CassandraStorage.Settings settings, Path staged, Path dataDir, String rollup,
                              SnapshotMetadata meta, RollupSnapshot state) throws IOException {
        try (CassandraStorage storage = CassandraStorage.open(settings);
             ReadOnlyStores stores = new ReadOnlyStores()) {
            NodeStore context = stores.context(staged.resolve("context"));
            ReadOnlyStores.Chain chain = stores.chain(staged.resolve("chain"), rollup);
            int first = chain.firstLevel().orElseThrow();
            int head = chain.lastLevel().orElseThrow();
            List<L2Block> blocks = new ArrayList<>();
            for (int level = first; level <= head; level++) {
                blocks.add(chain.get(level).orElseThrow());
            }
            // 1. tree nodes: every staged state (the genesis state too when the import kept it)
            List<Hash> roots = new ArrayList<>();
            Hash genesis = Hash.fromBytes(StateHash.fromBase58(meta.genesisState()).bytes());
            if (context.get(genesis) != null) {
                roots.add(genesis);
            }
            for (L2Block b : blocks) {
                roots.add(b.stateHash());
            }
            copyNodes(context, storage.contextStore(), roots);
            // preimages are content-addressed: add the snapshot's to the data directory's (the node reads them there)
            copyPreimages(staged.resolve("wasm_2_0_0"), dataDir.resolve("wasm_2_0_0"));
            // 2. the L2 chain, invisible until the journal knows the rollup
            for (L2Block b : blocks) {
                storage.l2ChainStore().put(rollup, b);
            }
            if (meta.l1Genesis() != null) {
                storage.bindToL1(meta.l1Genesis());
            }
            // 3. the switch: the entity's snapshot at sequence number 1
            saveJournalSnapshot(settings, rollup, state);
        }
    }

    /** Copies the trees under {@code roots}, each node once, in batches (the context store retries what times out). */
    private static void copyNodes(NodeStore from, io.flotilla.persistence.store.ContextStore to, List<Hash> roots) {
        Set<Hash> written = new HashSet<>();
        Map<Hash, byte[]> batch = new HashMap<>();
        NodeStore collector = new NodeStore() {
            @Override
            public byte[] get(Hash h) {
                return from.get(h);
            }

            @Override
            public boolean contains(Hash h) {
                return written.contains(h);
            }

            @Override
            public void put(Hash h, byte[] encoding) {
                if (written.add(h)) {
                    batch.put(h, encoding);
                    if (batch.size() >= NODE_BATCH) {
                        to.putAll(batch);
                        batch.clear();
                    }
                }
            }
        };
        for (Hash root : roots) {
            Tree.load(root, from).copyTo(collector);
        }
        to.putAll(batch);
    }

    private static void copyPreimages(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            return;
        }
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path p : files.toList()) {
                if (!Files.exists(to.resolve(p.getFileName()))) {
                    Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    /**
     * Writes the rollup entity's snapshot through the plugin's snapshot store (it creates its table when missing),
     * from a small local actor system that binds {@link RollupSnapshot} to flotilla-kryo as a node does.
     */
    private static void saveJournalSnapshot(CassandraStorage.Settings settings, String rollup, RollupSnapshot state) {
        Config config = ConfigFactory.parseString("pekko.actor.provider = local\npekko.loglevel = WARNING\n"
                        + "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]\n"
                        + "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"")
                .withFallback(CassandraJournal.config(List.of(settings.contactPointsText().split(",")),
                        settings.keyspace(), settings.replicationFactor()))
                .withFallback(ConfigFactory.parseResources("flotilla-serialization.conf"))
                .withFallback(ConfigFactory.load())
                .resolve();
        ActorSystem system = ActorSystem.create("flotilla-snapshot-import", config);
        try {
            ActorRef store = Persistence.get(system).snapshotStoreFor("pekko.persistence.cassandra.snapshot",
                    ConfigFactory.empty());
            org.apache.pekko.persistence.SnapshotMetadata md = new org.apache.pekko.persistence.SnapshotMetadata(CassandraJournalTables.persistenceId(rollup), 1,
                    System.currentTimeMillis());
            Object reply = Patterns.ask(store, new SnapshotProtocol.SaveSnapshot(md, state), Duration.ofSeconds(120))
                    .toCompletableFuture().get(150, TimeUnit.SECONDS);
            if (reply instanceof SaveSnapshotFailure f) {
                throw new IllegalStateException("cannot write the rollup's journal snapshot to keyspace "
                        + settings.keyspace() + ": " + f.cause().getMessage(), f.cause());
            }
            if (!(reply instanceof SaveSnapshotSuccess)) {
                throw new IllegalStateException("unexpected answer of the snapshot store: " + reply);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing the rollup's journal snapshot", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot write the rollup's journal snapshot to keyspace "
                    + settings.keyspace() + ": " + e, e);
        } finally {
            system.terminate();
            try {
                system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("the import's actor system did not stop in time: {}", e.toString());
            }
        }
    }
}
