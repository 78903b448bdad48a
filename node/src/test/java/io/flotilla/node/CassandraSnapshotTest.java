package io.flotilla.node;

import static org.junit.jupiter.api.Assertions.*;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.metadata.schema.TableMetadata;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.actors.l1.SandboxL1Server;
import io.flotilla.actors.rollup.RollupEntity;
import io.flotilla.actors.rollup.RollupMode;
import io.flotilla.persistence.cassandra.CassandraStorage;
import io.flotilla.persistence.chain.L2Block;
import io.flotilla.snapshot.ArchiveLayout;
import io.flotilla.snapshot.CassandraSnapshotImport;
import io.flotilla.snapshot.Compression;
import io.flotilla.snapshot.ImportCheck;
import io.flotilla.snapshot.ImportCheckException;
import io.flotilla.snapshot.SnapshotExporter;
import io.flotilla.snapshot.SnapshotHeader;
import io.flotilla.snapshot.SnapshotImporter;
import io.flotilla.snapshot.Tar;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots of Cassandra-backed nodes (issue 3): a node on Cassandra (operator, echo kernel, manual sandbox L1) and an
 * embedded observer of the same rollup run side by side; a snapshot exported from the Cassandra keyspace imports
 * into an empty data directory and an embedded node continues from it to the source's state hashes; a snapshot of
 * the embedded node imports into a fresh keyspace and a node on it continues the same way; a tampered snapshot, or
 * a keyspace that already holds the rollup, is refused with the keyspace unchanged. Keyspaces of this class are
 * dropped after it. Needs {@code FLOTILLA_CASSANDRA} (skipped without, failing in CI).
 */
class CassandraSnapshotTest {
    @TempDir
    static Path tmp;
    static String endpoint;
    static final List<String> keyspaces = new ArrayList<>();
    static String sourceKeyspace;
    static SandboxL1 l1;
    static NodeRuntime source;
    static NodeRuntime embedded;
    static Path embeddedDir;
    static String rollup;

    static CassandraStorage.Settings settings(String keyspace) {
        return CassandraStorage.Settings.of(endpoint, keyspace);
    }

    static String newKeyspace(String what) {
        String ks = ("snapcass_" + what + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE))
                .toLowerCase(Locale.ROOT);
        keyspaces.add(ks);
        return ks;
    }

    @BeforeAll
    static void runSourceNodes() throws Exception {
        endpoint = System.getProperty("flotilla.cassandra", System.getenv("FLOTILLA_CASSANDRA"));
        if (endpoint == null || endpoint.isBlank()) {
            String how = "start one with `cluster-config/cassandra/flotilla-cassandra start` and set "
                    + "FLOTILLA_CASSANDRA=127.0.0.1:9042";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail("CI=true but no Cassandra is configured for the tests: " + how);
            }
            System.err.println("Cassandra tests skipped: no Cassandra configured: " + how);
            Assumptions.abort("no Cassandra configured: " + how);
        }
        sourceKeyspace = newKeyspace("source");
        l1 = new SandboxL1(SandboxL1.Config.manualMode().withConstants(SnapshotTest.SMALL));
        source = DemoNode.start(SnapshotTest.options(tmp.resolve("source")), l1, false,
                NodeStores.cassandra(l1, settings(sourceKeyspace)));
        rollup = source.fleet().rollups().get(0);
        embeddedDir = tmp.resolve("embedded-source");
        embedded = NodeRuntime.start(SnapshotTest.options(embeddedDir), l1, false, NodeStores.embedded(embeddedDir, l1),
                observer());
        int origination = l1.rollup(rollup).orElseThrow().originationLevel();
        // a cemented commitment (the LCC check needs one) and commitments above it
        for (int i = 0; i < 80 && status(source).lccLevel() < origination + 2 * SnapshotTest.SMALL.commitmentPeriod(); i++) {
            produce(i);
        }
        assertTrue(status(source).lccLevel() > origination, status(source).toString());
        for (int i = 0; i < 3; i++) {
            produce(100 + i);
        }
    }

    @AfterAll
    static void stopAndDrop() {
        for (NodeRuntime n : new NodeRuntime[] {embedded, source}) {
            if (n != null) {
                n.close();
            }
        }
        if (endpoint != null && !keyspaces.isEmpty()) {
            try (CqlSession s = CassandraStorage.connect(settings(keyspaces.get(0)))) {
                for (String ks : keyspaces) {
                    s.execute("DROP KEYSPACE IF EXISTS " + ks);
                }
            }
        }
    }

    static List<NodeRuntime.ServedRollup> observer() {
        return List.of(new NodeRuntime.ServedRollup(rollup, RollupMode.OBSERVER, null));
    }

    static RollupEntity.Status status(NodeRuntime node) throws Exception {
        return node.fleet().status(rollup).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** Adds a message, produces a block, waits until both source nodes evaluated it. */
    static int produce(int i) throws Exception {
        l1.inject(L1Operation.addMessages(SandboxAccounts.bootstrap(2).address(),
                List.of(("message " + i).getBytes(StandardCharsets.UTF_8)))).orThrow();
        int level = l1.produceBlock().level();
        awaitHead(source, level);
        awaitHead(embedded, level);
        return level;
    }

    static void awaitHead(NodeRuntime node, int level) throws Exception {
        Http.await("head " + level, () -> {
            try {
                return status(node).headLevel() >= level;
            } catch (Exception e) {
                return false;
            }
        }, SnapshotTest.WAIT);
    }

    /** Starts {@code copy}, checks it resumed at the snapshot head, produces levels, compares every state hash. */
    static void assertContinues(NodeRuntime copy, int head) throws Exception {
        RollupEntity.Status started = status(copy);
        assertTrue(started.originated());
        assertTrue(started.headLevel() >= head, started.toString());
        Http http = new Http(copy.rpcUrl());
        assertEquals(new Http(source.rpcUrl()).json("/global/block/" + head).get("state_hash").asText(),
                http.json("/global/block/" + head).get("state_hash").asText());
        int last = 0;
        for (int i = 0; i < 4; i++) {
            last = produce(ThreadLocalRandom.current().nextInt(1_000_000));
        }
        awaitHead(copy, last);
        SnapshotTest.assertSameStates(source, copy, head + 1, last);
        assertEquals(status(source).headStateHash(), status(copy).headStateHash());
    }

    @Test
    void exportFromCassandraImportsIntoAnEmbeddedNodeThatContinues() throws Exception {
        // through the CLI, as a user would: the same storage options as flotilla run
        Path file = tmp.resolve("from-cassandra.snapshot");
        int code = Flotilla.execute("snapshot", "export", file.toString(), "--data-dir", tmp.resolve("source").toString(),
                "--storage", "cassandra", "--cassandra", endpoint, "--keyspace", sourceKeyspace);
        assertEquals(0, code, "flotilla snapshot export --storage cassandra");
        // a keyspace named by mistake is refused, not created
        String missing = newKeyspace("missing");
        assertEquals(1, Flotilla.execute("snapshot", "export", tmp.resolve("none.snapshot").toString(), "--storage",
                "cassandra", "--cassandra", endpoint, "--keyspace", missing));
        try (CqlSession s = CassandraStorage.connect(settings(missing))) {
            assertTrue(s.getMetadata().getKeyspace(missing).isEmpty(), "the export created keyspace " + missing);
        }
        assertFalse(Files.exists(tmp.resolve("none.snapshot")));
        SnapshotHeader header = SnapshotImporter.info(SnapshotImporter.Source.file(file)).header();
        assertEquals(rollup, header.rollup().toBase58());

        Path target = tmp.resolve("imported-embedded");
        SnapshotImporter.Result imported = SnapshotImporter.importSnapshot(new SnapshotImporter.Options(
                SnapshotImporter.Source.file(file), target, l1, false, true));
        assertEquals(header, imported.header());
        NodeRuntime copy = NodeRuntime.start(SnapshotTest.options(target), l1, false, NodeStores.embedded(target, l1),
                observer());
        try {
            assertContinues(copy, header.headLevel());
        } finally {
            copy.close();
        }
    }

    @Test
    void exportFromAnEmbeddedNodeImportsIntoCassandraAndANodeThereContinues() throws Exception {
        SnapshotExporter.Result r = SnapshotExporter.export(SnapshotExporter.Options.of(embeddedDir,
                Files.createDirectories(tmp.resolve("from-embedded"))).withL1(l1));
        String keyspace = newKeyspace("target");
        Path dataDir = tmp.resolve("cassandra-target");
        // through the CLI, with every check against the L1 served over HTTP
        try (SandboxL1Server server = SandboxL1Server.start(l1, 0)) {
            assertEquals(0, Flotilla.execute("snapshot", "import", r.file().toString(), "-E", server.uri().toString(),
                    "--data-dir", dataDir.toString(), "--storage", "cassandra", "--cassandra", endpoint, "--keyspace",
                    keyspace), "flotilla snapshot import --storage cassandra");
        }
        // the observer configuration for `flotilla run --data-dir D --storage cassandra`
        assertTrue(Files.readString(dataDir.resolve(NodeConfig.FILE)).contains(rollup));
        NodeRuntime copy = NodeRuntime.start(SnapshotTest.options(dataDir), l1, false,
                NodeStores.cassandra(l1, settings(keyspace)), observer());
        try {
            assertContinues(copy, r.header().headLevel());
        } finally {
            copy.close();
        }
        // the keyspace now holds the rollup: a second import is refused and changes nothing
        Map<String, List<String>> before = dump(keyspace);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                CassandraSnapshotImport.importSnapshot(new SnapshotImporter.Options(
                        SnapshotImporter.Source.file(r.file()), dataDir, l1, false, true), settings(keyspace)));
        assertTrue(e.getMessage().contains("already holds rollup " + rollup), e.getMessage());
        // the same through the CLI's storage options
        assertEquals(1, Flotilla.execute("snapshot", "import", r.file().toString(), "--no-check", "--data-dir",
                dataDir.toString(), "--storage", "cassandra", "--cassandra", endpoint, "--keyspace", keyspace));
        assertEquals(before, dump(keyspace), "the keyspace changed");
    }

    @Test
    void aTamperedSnapshotLeavesTheKeyspaceUnchanged() throws Exception {
        SnapshotExporter.Result r = SnapshotExporter.export(SnapshotExporter.Options.of(embeddedDir,
                tmp.resolve("plain.snapshot")).withCompression(Compression.NONE).withCheck(false));
        // a keyspace in use (tables, L1 binding, a rollup's chain rows), and one that does not exist yet
        String used = newKeyspace("tamper");
        try (CassandraStorage s = CassandraStorage.open(settings(used))) {
            s.bindToL1(l1.block(0).orElseThrow().hashHex());
            // the rollup's first block without a journal: what an import that stopped before its switch leaves
            s.l2ChainStore().put(rollup, blocks(r.file()).get(0));
        }
        String absent = newKeyspace("absent");
        Map<String, List<String>> before = dump(used);
        // the head block claims another state: refused by the content checks, after every node was read
        byte[] tampered = rewriteBlocks(r.file(), b -> b.level() == r.header().headLevel()
                ? SnapshotTest.with(b, b.inboxHash(), SnapshotTest.junk(7), b.commitment()) : b);
        for (String ks : List.of(used, absent)) {
            ImportCheckException e = assertThrows(ImportCheckException.class, () -> CassandraSnapshotImport.importSnapshot(
                    new SnapshotImporter.Options(SnapshotImporter.Source.stream(new ByteArrayInputStream(tampered),
                            "tampered"), tmp.resolve("tamper-data"), l1, false, true), settings(ks)));
            assertEquals(ImportCheck.BLOCKS, e.check(), e.getMessage());
        }
        assertEquals(before, dump(used), "the keyspace changed");
        try (CqlSession s = CassandraStorage.connect(settings(used))) {
            assertTrue(s.getMetadata().getKeyspace(absent).isEmpty(), "a failed import created keyspace " + absent);
        }
    }

    /** Every row of every table of the keyspace, as text, by table. */
    static Map<String, List<String>> dump(String keyspace) {
        Map<String, List<String>> out = new TreeMap<>();
        try (CqlSession s = CassandraStorage.connect(settings(keyspace))) {
            for (TableMetadata t : s.getMetadata().getKeyspace(keyspace).orElseThrow().getTables().values()) {
                List<String> rows = new ArrayList<>();
                for (Row row : s.execute("SELECT * FROM " + keyspace + "." + t.getName().asInternal())) {
                    rows.add(row.getFormattedContents());
                }
                rows.sort(null);
                out.put(t.getName().asInternal(), rows);
            }
        }
        return out;
    }

    static List<L2Block> blocks(Path plain) throws Exception {
        List<L2Block> out = new ArrayList<>();
        rewriteBlocks(plain, b -> {
            out.add(b);
            return b;
        });
        return out;
    }

    /** A plain snapshot with its L2 blocks changed by {@code change}. */
    static byte[] rewriteBlocks(Path plain, java.util.function.UnaryOperator<L2Block> change) throws Exception {
        byte[] bytes = Files.readAllBytes(plain);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Arrays.copyOf(bytes, SnapshotHeader.LENGTH));
        Tar.Reader in = new Tar.Reader(new ByteArrayInputStream(bytes, SnapshotHeader.LENGTH, bytes.length));
        Tar.Writer w = new Tar.Writer(out);
        Tar.Entry e;
        while ((e = in.next()) != null) {
            byte[] data = in.data().readAllBytes();
            if (ArchiveLayout.streamOf(e.name()).equals(ArchiveLayout.BLOCKS)) {
                ArchiveLayout.Records records = new ArchiveLayout.Records(new ByteArrayInputStream(data), e.name());
                ByteArrayOutputStream o = new ByteArrayOutputStream();
                DataOutputStream d = new DataOutputStream(o);
                while (records.more()) {
                    ArchiveLayout.writeBlock(d, change.apply(records.block()));
                }
                d.flush();
                data = o.toByteArray();
            }
            w.entry(e.name(), data);
        }
        w.finish();
        return out.toByteArray();
    }
}
