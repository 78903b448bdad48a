package io.flotilla.node;

import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.L1Source;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.actors.rollup.RollupEntity;
import io.flotilla.actors.rollup.RollupMode;
import io.flotilla.persistence.chain.EmbeddedL2ChainStore;
import io.flotilla.persistence.chain.L2Block;
import io.flotilla.pvm.LevelInput;
import io.flotilla.pvm.Commitment;
import io.flotilla.pvm.tree.Hash;
import io.flotilla.snapshot.ArchiveLayout;
import io.flotilla.snapshot.Compression;
import io.flotilla.snapshot.ImportCheck;
import io.flotilla.snapshot.ImportCheckException;
import io.flotilla.snapshot.SnapshotExporter;
import io.flotilla.snapshot.SnapshotHeader;
import io.flotilla.snapshot.SnapshotImporter;
import io.flotilla.snapshot.SnapshotMetadata;
import io.flotilla.snapshot.Tar;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots of a real node (operator mode, echo kernel, embedded stores, manual sandbox L1): export while it runs,
 * import into an empty directory, a second node continuing from the snapshot head to the same state hashes; every
 * import check refusing a tampered snapshot and leaving the target directory untouched; compact snapshots and the
 * three compressions.
 */
class SnapshotTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    /** A commitment every 4 levels, cementable 20 levels after publication: several commitments stay above the LCC. */
    static final L1Source.SandboxConstants SMALL = new L1Source.SandboxConstants(4, 20, Duration.ofSeconds(1));

    @TempDir
    static Path tmp;
    static SandboxL1 l1;
    static NodeRuntime source;
    static Path sourceDir;
    static String rollup;
    static int origination;
    /** A plain snapshot of the head with at least two commitments above the LCC, for the tamper tests. */
    static Path plain;
    static SnapshotHeader plainHeader;

    static NodeRuntime.Options options(Path dir) {
        return new NodeRuntime.Options(dir, "127.0.0.1", 0, NodeRuntime.HistoryMode.ARCHIVE, Duration.ofMillis(50));
    }

    @BeforeAll
    static void runASourceNode() throws Exception {
        l1 = new SandboxL1(SandboxL1.Config.manualMode().withConstants(SMALL));
        sourceDir = tmp.resolve("source");
        source = DemoNode.start(options(sourceDir), l1, false, NodeStores.embedded(sourceDir, l1));
        rollup = source.fleet().rollups().get(0);
        origination = l1.rollup(rollup).orElseThrow().originationLevel();
        for (int i = 0; i < 80; i++) {
            RollupEntity.Status s = status(source);
            if (s.lccLevel() >= origination + 2 * SMALL.commitmentPeriod()
                    && s.lastCommitmentLevel() >= s.lccLevel() + 4 * SMALL.commitmentPeriod()) {
                break;
            }
            produce(i);
        }
        RollupEntity.Status s = status(source);
        assertTrue(s.lccLevel() >= origination + 2 * SMALL.commitmentPeriod(), s.toString());
        assertTrue(s.lastCommitmentLevel() >= s.lccLevel() + 4 * SMALL.commitmentPeriod(), s.toString());
        // the finalized level (L1 head - 2) then covers that last commitment, published in the block after it
        for (int i = 0; i < 3; i++) {
            produce(100 + i);
        }
        SnapshotExporter.Result r = SnapshotExporter.export(SnapshotExporter.Options.of(sourceDir, tmp.resolve("plain"))
                .withCompression(Compression.NONE).withL1(l1));
        assertEquals(s.lastCommitment(), io.flotilla.pvm.util.Hex.encode(r.header().lastCommitment().bytes()));
        plain = r.file();
        plainHeader = r.header();
    }

    @AfterAll
    static void stop() {
        if (source != null) {
            source.close();
        }
    }

    static RollupEntity.Status status(NodeRuntime node) throws Exception {
        return node.fleet().status(rollup).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** Adds a message, produces a block, waits until the source node evaluated it. */
    static int produce(int i) throws Exception {
        l1.inject(L1Operation.addMessages(SandboxAccounts.bootstrap(2).address(),
                List.of(("message " + i).getBytes(StandardCharsets.UTF_8)))).orThrow();
        int level = l1.produceBlock().level();
        awaitHead(source, level);
        return level;
    }

    static void awaitHead(NodeRuntime node, int level) throws Exception {
        Http.await("head " + level, () -> {
            try {
                return status(node).headLevel() >= level;
            } catch (Exception e) {
                return false;
            }
        }, WAIT);
    }

    @Test
    void exportFromTheRunningNodeImportAndContinueToTheSameStates() throws Exception {
        int before = status(source).headLevel();
        // finalized (the default level): its last commitment is published on L1
        SnapshotExporter.Result r = SnapshotExporter.export(SnapshotExporter.Options.of(sourceDir,
                Files.createDirectories(tmp.resolve("exports"))).withL1(l1));
        assertTrue(r.file().getFileName().toString().startsWith("snapshot-" + rollup.substring(0, 13) + "-"));
        assertTrue(r.file().getFileName().toString().endsWith(".archive"));
        assertTrue(r.header().headLevel() >= before - 2, r.header() + " vs head " + before);
        assertTrue(r.cutMillis() >= 0 && r.checkMillis() > 0);
        assertEquals(Compression.ZSTD, SnapshotImporter.info(SnapshotImporter.Source.file(r.file())).compression());

        Path target = tmp.resolve("imported");
        SnapshotImporter.Result imported = SnapshotImporter.importSnapshot(new SnapshotImporter.Options(
                SnapshotImporter.Source.file(r.file()), target, l1, false, true));
        assertEquals(r.header(), imported.header());
        int head = r.header().headLevel();

        List<NodeRuntime.ServedRollup> served = List.of(new NodeRuntime.ServedRollup(rollup, RollupMode.OBSERVER, null));
        NodeRuntime copy = NodeRuntime.start(options(target), l1, false, NodeStores.embedded(target, l1), served);
        try {
            // it starts from the snapshot head: the imported state, not a replay from origination
            RollupEntity.Status started = status(copy);
            assertTrue(started.originated());
            assertTrue(started.headLevel() >= head, started.toString());
            assertEquals(l1.lastCementedCommitment(rollup).orElseThrow().inboxLevel(), started.lccLevel());
            Http http = new Http(copy.rpcUrl());
            assertEquals(new Http(source.rpcUrl()).json("/global/block/" + head).get("state_hash").asText(),
                    http.json("/global/block/" + head).get("state_hash").asText());

            int last = 0;
            for (int i = 0; i < 6; i++) {
                last = produce(1000 + i);
            }
            awaitHead(copy, last);
            assertSameStates(source, copy, head + 1, last);
        } finally {
            copy.close();
        }
        // a restart recovers from the imported state plus the events persisted after it
        NodeRuntime again = NodeRuntime.start(options(target), l1, false, NodeStores.embedded(target, l1), served);
        try {
            int next = produce(2000);
            awaitHead(again, next);
            assertSameStates(source, again, head + 1, next);
            assertEquals(status(source).headStateHash(), status(again).headStateHash());
        } finally {
            again.close();
        }
    }

    /** Every field of every L2 block in the chain stores of two imported data directories. */
    static void assertSameBlocks(Path a, Path b, int from, int to) {
        try (EmbeddedL2ChainStore ca = new EmbeddedL2ChainStore(a.resolve("chain"));
             EmbeddedL2ChainStore cb = new EmbeddedL2ChainStore(b.resolve("chain"))) {
            for (int level = from; level <= to; level++) {
                L2Block x = ca.get(rollup, level).orElseThrow();
                L2Block y = cb.get(rollup, level).orElseThrow();
                assertEquals(x.hash(), y.hash(), "block " + level);
                assertArrayEquals(x.l1Hash(), y.l1Hash(), "L1 hash " + level);
                assertEquals(x.inboxHash(), y.inboxHash(), "inbox " + level);
                assertEquals(x.stateHash(), y.stateHash(), "state " + level);
                assertEquals(List.of(x.ticks(), x.totalTicks(), x.outboxCount(), x.kernelRuns()),
                        List.of(y.ticks(), y.totalTicks(), y.outboxCount(), y.kernelRuns()), "counts " + level);
                assertEquals(x.commitment(), y.commitment(), "commitment " + level);
                assertEquals(x.messages().size(), y.messages().size(), "messages " + level);
                for (int i = 0; i < x.messages().size(); i++) {
                    assertArrayEquals(x.messages().get(i), y.messages().get(i), "message " + i + " of " + level);
                }
            }
            assertTrue(cb.get(rollup, to + 1).isEmpty());
        }
    }

    static void assertSameStates(NodeRuntime a, NodeRuntime b, int from, int to) {
        Http ha = new Http(a.rpcUrl());
        Http hb = new Http(b.rpcUrl());
        for (int level = from; level <= to; level++) {
            assertEquals(ha.json("/global/block/" + level).get("state_hash").asText(),
                    hb.json("/global/block/" + level).get("state_hash").asText(), "state hash at level " + level);
        }
    }

    @Test
    void compactSnapshotsInEveryCompressionRoundTrip() throws Exception {
        long full = Files.size(plain);
        for (Compression c : Compression.values()) {
            SnapshotExporter.Result r = SnapshotExporter.export(SnapshotExporter.Options.of(sourceDir,
                    tmp.resolve("compact-" + c.label())).withLevel(Integer.toString(plainHeader.headLevel()))
                    .withCompact(true).withCompression(c).withL1(l1));
            assertEquals(c, SnapshotImporter.info(SnapshotImporter.Source.file(r.file())).compression());
            assertEquals(plainHeader, r.header());
            assertTrue(r.metadata().compact());
            Path target = tmp.resolve("compact-import-" + c.label());
            SnapshotImporter.Result in = SnapshotImporter.importSnapshot(new SnapshotImporter.Options(
                    SnapshotImporter.Source.file(r.file()), target, l1, false, true));
            assertEquals(plainHeader.headLevel() - r.metadata().firstLevel(), in.replayedLevels());
            if (c == Compression.NONE) {
                assertTrue(Files.size(r.file()) < full, "compact " + Files.size(r.file()) + " vs full " + full);
                // format 2: one stored block; the others the import rebuilt are those of a full import
                assertEquals(SnapshotMetadata.COMPACT_FORMAT_VERSION, r.metadata().formatVersion());
                assertEquals(1, r.metadata().blocks());
                Path fullImport = tmp.resolve("full-import-for-compact");
                SnapshotImporter.importSnapshot(new SnapshotImporter.Options(SnapshotImporter.Source.file(plain),
                        fullImport, l1, false, true));
                assertSameBlocks(fullImport, target, r.metadata().firstLevel(), plainHeader.headLevel());
            }
        }
        // the full snapshot in gzip and zstd too (plain is the fixture)
        for (Compression c : List.of(Compression.GZIP, Compression.ZSTD)) {
            SnapshotExporter.Result r = SnapshotExporter.export(SnapshotExporter.Options.of(sourceDir,
                    tmp.resolve("full-" + c.label())).withLevel(Integer.toString(plainHeader.headLevel()))
                    .withCompression(c).withCheck(false));
            SnapshotImporter.importSnapshot(new SnapshotImporter.Options(SnapshotImporter.Source.file(r.file()),
                    tmp.resolve("full-import-" + c.label()), l1, false, true));
        }
    }

    // ------------------------------------------------------------------ tampering

    /** Imports {@code snapshot} into a fresh directory configured for the rollup; asserts the refusal and no change. */
    static void assertRefused(byte[] snapshot, ImportCheck expected, String name) throws Exception {
        Path parent = Files.createDirectories(tmp.resolve("tamper-" + name));
        Path target = parent.resolve("data");
        Files.createDirectories(target);
        Files.writeString(target.resolve("config.json"), "{\"smart-rollup-address\": \"" + rollup
                + "\", \"history-mode\": \"archive\"}");
        assertRefusedInto(snapshot, expected, target, false);
    }

    static void assertRefusedInto(byte[] snapshot, ImportCheck expected, Path target, boolean force) throws Exception {
        Map<String, String> before = tree(target.getParent());
        ImportCheckException e = assertThrows(ImportCheckException.class, () -> SnapshotImporter.importSnapshot(
                new SnapshotImporter.Options(SnapshotImporter.Source.stream(new ByteArrayInputStream(snapshot), "test"),
                        target, l1, force, true)));
        assertEquals(expected, e.check(), e.getMessage());
        assertTrue(e.getMessage().contains(expected.title()), e.getMessage());
        assertEquals(before, tree(target.getParent()), "the target directory changed");
    }

    /** Every file under {@code dir} with a digest of its content. */
    static Map<String, String> tree(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                String digest = "dir";
                if (Files.isRegularFile(p)) {
                    try {
                        digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
                    } catch (java.security.NoSuchAlgorithmException e) {
                        throw new AssertionError(e);
                    }
                }
                out.put(dir.relativize(p).toString(), digest);
            }
        }
        return out;
    }

    /** Rewrites a plain snapshot: the header, then each entry (null drops it). */
    static byte[] rewrite(UnaryOperator<byte[]> header, BiFunction<String, byte[], byte[]> entries) throws IOException {
        return rewrite(plain, header, entries);
    }

    static byte[] rewrite(Path snapshot, UnaryOperator<byte[]> header, BiFunction<String, byte[], byte[]> entries)
            throws IOException {
        byte[] bytes = Files.readAllBytes(snapshot);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(header.apply(Arrays.copyOf(bytes, SnapshotHeader.LENGTH)));
        Tar.Reader in = new Tar.Reader(new ByteArrayInputStream(bytes, SnapshotHeader.LENGTH, bytes.length));
        Tar.Writer w = new Tar.Writer(out);
        Tar.Entry e;
        while ((e = in.next()) != null) {
            byte[] data = entries.apply(e.name(), in.data().readAllBytes());
            if (data != null) {
                w.entry(e.name(), data);
            }
        }
        w.finish();
        return out.toByteArray();
    }

    static byte[] withHeader(UnaryOperator<byte[]> header) throws IOException {
        return rewrite(header, (n, d) -> d);
    }

    /** Rewrites the L2 blocks of the snapshot. */
    static byte[] withBlocks(UnaryOperator<L2Block> change) throws IOException {
        return rewrite(h -> h, (name, data) -> {
            if (!ArchiveLayout.streamOf(name).equals(ArchiveLayout.BLOCKS)) {
                return data;
            }
            try {
                ArchiveLayout.Records r = new ArchiveLayout.Records(new ByteArrayInputStream(data), name);
                ByteArrayOutputStream o = new ByteArrayOutputStream();
                DataOutputStream d = new DataOutputStream(o);
                while (r.more()) {
                    ArchiveLayout.writeBlock(d, change.apply(r.block()));
                }
                d.flush();
                return o.toByteArray();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    static List<L2Block> blocks() throws IOException {
        List<L2Block> out = new ArrayList<>();
        withBlocks(b -> {
            out.add(b);
            return b;
        });
        return out;
    }

    static L2Block with(L2Block b, Hash inbox, Hash state, Optional<Hash> commitment) {
        return new L2Block(b.level(), b.l1Hash(), inbox, b.messages(), state, b.ticks(), b.totalTicks(), b.outboxCount(),
                b.kernelRuns(), commitment);
    }

    static Hash junk(int seed) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) seed);
        return Hash.fromBytes(b);
    }

    /** The blocks with a commitment above L1's LCC (the other tests move it) and below the snapshot's last one. */
    static List<L2Block> committed() throws IOException {
        int lcc = l1.lastCementedCommitment(rollup).orElseThrow().inboxLevel();
        List<L2Block> all = blocks().stream().filter(b -> b.commitment().isPresent()).toList();
        List<L2Block> between = all.stream().filter(b -> b.level() > lcc && b.level() < all.get(all.size() - 1).level())
                .toList();
        assertFalse(between.isEmpty(), "no commitment between the LCC " + lcc + " and the last one");
        return between;
    }

    @Test
    void theUntamperedSnapshotIsAccepted() throws Exception {
        Path target = tmp.resolve("untampered");
        SnapshotImporter.importSnapshot(new SnapshotImporter.Options(SnapshotImporter.Source.stream(
                new ByteArrayInputStream(rewrite(h -> h, (n, d) -> d)), "rewritten"), target, l1, false, true));
        // importing it again over itself: the head is not newer
        assertRefusedInto(Files.readAllBytes(plain), ImportCheck.HEAD_NEWER, target, true);
        // and without --force a populated directory is refused before anything
        assertThrows(IllegalArgumentException.class, () -> SnapshotImporter.importSnapshot(new SnapshotImporter.Options(
                SnapshotImporter.Source.file(plain), target, l1, false, true)));
    }

    @Test
    void aWrongRollupAddressIsRefused() throws Exception {
        assertRefused(withHeader(h -> {
            h[5] ^= 1;
            return h;
        }), ImportCheck.ROLLUP_ADDRESS, "address");
    }

    @Test
    void aWrongHistoryModeIsRefused() throws Exception {
        assertRefused(withHeader(h -> {
            h[1] = 1;
            return h;
        }), ImportCheck.HISTORY_MODE, "mode");
    }

    @Test
    void anUnpublishedCommitmentIsRefused() throws Exception {
        assertRefused(withHeader(h -> {
            System.arraycopy(junk(7).bytes(), 0, h, 26, 32);
            return h;
        }), ImportCheck.COMMITMENT_PUBLISHED, "unpublished");
    }

    @Test
    void aHeaderCommitmentThatIsNotTheSnapshotsLastIsRefused() throws Exception {
        byte[] genesis = l1.rollup(rollup).orElseThrow().genesisCommitment();
        assertRefused(withHeader(h -> {
            System.arraycopy(genesis, 0, h, 26, 32);
            return h;
        }), ImportCheck.HEADER_COMMITMENT, "mismatch");
    }

    @Test
    void aSnapshotWithoutTheLccIsRefused() throws Exception {
        int lccLevel = l1.lastCementedCommitment(rollup).orElseThrow().inboxLevel();
        SnapshotExporter.Result old = SnapshotExporter.export(SnapshotExporter.Options.of(sourceDir, tmp.resolve("old"))
                .withLevel(Integer.toString(lccLevel - 1)).withCompression(Compression.NONE).withCheck(false));
        assertRefused(Files.readAllBytes(old.file()), ImportCheck.LCC_IN_SNAPSHOT, "lcc");
    }

    @Test
    void aBrokenCommitmentChainIsRefused() throws Exception {
        Hash beforeLast = committed().get(0).commitment().orElseThrow();
        byte[] tampered = rewrite(h -> h, (name, data) -> {
            if (!ArchiveLayout.streamOf(name).equals(ArchiveLayout.COMMITMENTS)) {
                return data;
            }
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            for (int i = 0; i < data.length; i += Commitment.SIZE) {
                byte[] c = Arrays.copyOfRange(data, i, i + Commitment.SIZE);
                if (!Commitment.decode(c).hash().equals(beforeLast)) {
                    o.writeBytes(c);
                }
            }
            return o.toByteArray();
        });
        assertRefused(tampered, ImportCheck.COMMITMENT_CHAIN, "chain");
    }

    @Test
    void aBlockWhoseStateLiesIsRefused() throws Exception {
        int level = blocks().get(2).level();
        assertRefused(withBlocks(b -> b.level() == level ? with(b, b.inboxHash(), junk(3), b.commitment()) : b),
                ImportCheck.BLOCKS, "state");
    }

    @Test
    void aBlockWhoseCommitmentLiesIsRefused() throws Exception {
        int level = committed().get(0).level();
        assertRefused(withBlocks(b -> b.level() == level ? with(b, b.inboxHash(), b.stateHash(), Optional.of(junk(4))) : b),
                ImportCheck.BLOCKS, "commitment");
    }

    @Test
    void aBlockWhoseInboxHashLiesIsRefused() throws Exception {
        int level = blocks().get(3).level();
        assertRefused(withBlocks(b -> b.level() == level ? with(b, junk(5), b.stateHash(), b.commitment()) : b),
                ImportCheck.BLOCKS, "inbox");
    }

    // ------------------------------------------------------------------ tampering with a compact snapshot

    /** A plain compact snapshot of the fixture's head. */
    static Path compactPlain() {
        Path dir = tmp.resolve("compact-plain");
        try (Stream<Path> s = Files.exists(dir) ? Files.list(dir) : Stream.empty()) {
            Optional<Path> done = s.findFirst();
            if (done.isPresent()) {
                return done.get();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return SnapshotExporter.export(SnapshotExporter.Options.of(sourceDir, tmp.resolve("compact-plain/c"))
                .withLevel(Integer.toString(plainHeader.headLevel())).withCompact(true)
                .withCompression(Compression.NONE).withCheck(false)).file();
    }

    /** Rewrites the level inputs of the compact snapshot. */
    static byte[] compactWithInputs(UnaryOperator<LevelInput> change) throws IOException {
        return rewrite(compactPlain(), h -> h, (name, data) -> {
            if (!ArchiveLayout.streamOf(name).equals(ArchiveLayout.INBOXES)) {
                return data;
            }
            try {
                ArchiveLayout.Records r = new ArchiveLayout.Records(new ByteArrayInputStream(data), name);
                ByteArrayOutputStream o = new ByteArrayOutputStream();
                DataOutputStream d = new DataOutputStream(o);
                while (r.more()) {
                    ArchiveLayout.writeInput(d, change.apply(r.input()));
                }
                d.flush();
                return o.toByteArray();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    static byte[] compactWithMetadata(UnaryOperator<String> change) throws IOException {
        return rewrite(compactPlain(), h -> h, (name, data) -> name.equals(ArchiveLayout.METADATA)
                ? change.apply(new String(data, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8) : data);
    }

    @Test
    void theUntamperedCompactSnapshotIsAccepted() throws Exception {
        SnapshotImporter.Result r = SnapshotImporter.importSnapshot(new SnapshotImporter.Options(
                SnapshotImporter.Source.stream(new ByteArrayInputStream(compactWithInputs(in -> in)), "rewritten"),
                tmp.resolve("compact-untampered"), l1, false, true));
        assertTrue(r.metadata().compact());
        assertTrue(r.replayedLevels() > 0);
    }

    @Test
    void aCompactSnapshotWhoseInboxLiesIsRefused() throws Exception {
        // a message changed in the middle: the replay leads to another state, its next commitment differs
        int middle = (SnapshotMetadata.fromJson(entry(compactPlain(), ArchiveLayout.METADATA)).firstLevel()
                + plainHeader.headLevel()) / 2;
        byte[] tampered = compactWithInputs(in -> {
            if (in.level() != middle) {
                return in;
            }
            List<byte[]> messages = new ArrayList<>(in.messages());
            assertFalse(messages.isEmpty(), "no message at level " + middle);
            byte[] m = messages.get(0).clone();
            m[m.length - 1] ^= 1;
            messages.set(0, m);
            return new LevelInput(in.level(), in.predecessorTimestamp(), in.predecessorHash(), in.protocolMigration(),
                    messages);
        });
        assertRefused(tampered, ImportCheck.BLOCKS, "compact-inbox");
        // a message after the last commitment: only the head state tells
        int head = plainHeader.headLevel();
        assertRefused(compactWithInputs(in -> in.level() != head ? in : new LevelInput(in.level(),
                in.predecessorTimestamp(), in.predecessorHash(), in.protocolMigration(),
                List.of("\u0001forged".getBytes(StandardCharsets.UTF_8)))), ImportCheck.BLOCKS, "compact-head-inbox");
    }

    @Test
    void aCompactSnapshotWhoseCommitmentLiesIsRefused() throws Exception {
        // a commitment below the LCC (outside the chain check's walk) with other ticks: the replay's differs
        int lcc = l1.lastCementedCommitment(rollup).orElseThrow().inboxLevel();
        int first = SnapshotMetadata.fromJson(entry(compactPlain(), ArchiveLayout.METADATA)).firstLevel();
        byte[] tampered = rewrite(compactPlain(), h -> h, (name, data) -> {
            if (!ArchiveLayout.streamOf(name).equals(ArchiveLayout.COMMITMENTS)) {
                return data;
            }
            boolean[] changed = {false};
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            for (int i = 0; i < data.length; i += Commitment.SIZE) {
                Commitment c = Commitment.decode(Arrays.copyOfRange(data, i, i + Commitment.SIZE));
                if (!changed[0] && c.inboxLevel() > first && c.inboxLevel() < lcc) {
                    c = new Commitment(c.state(), c.inboxLevel(), c.predecessor(), c.ticks() + 1);
                    changed[0] = true;
                }
                o.writeBytes(c.encode());
            }
            assertTrue(changed[0], "no commitment between " + first + " and the LCC " + lcc);
            return o.toByteArray();
        });
        assertRefused(tampered, ImportCheck.BLOCKS, "compact-commitment");
    }

    @Test
    void aCompactSnapshotWhoseHeadStateLiesIsRefused() throws Exception {
        SnapshotMetadata m = SnapshotMetadata.fromJson(entry(compactPlain(), ArchiveLayout.METADATA));
        assertRefused(compactWithMetadata(json -> json.replace(m.headState(), m.genesisState())), ImportCheck.BLOCKS,
                "compact-head");
    }

    @Test
    void aCompactSnapshotOfFormat1IsStillImported() throws Exception {
        // format 1 (before 2): every block stored, the context holding the first state only
        SnapshotMetadata full = SnapshotMetadata.fromJson(entry(plain, ArchiveLayout.METADATA));
        SnapshotMetadata compact = SnapshotMetadata.fromJson(entry(compactPlain(), ArchiveLayout.METADATA));
        Map<String, byte[]> compactEntries = entries(compactPlain());
        byte[] format1 = rewrite(plain, h -> h, (name, data) -> {
            String stream = ArchiveLayout.streamOf(name);
            if (name.equals(ArchiveLayout.METADATA)) {
                return new String(data, StandardCharsets.UTF_8).replaceFirst("\"compact\" : false",
                        "\"compact\" : true").replaceFirst("\"context_nodes\" : " + full.contextNodes(),
                        "\"context_nodes\" : " + compact.contextNodes()).getBytes(StandardCharsets.UTF_8);
            }
            if (stream.equals(ArchiveLayout.NODES)) {
                return name.endsWith(".000000") ? compactEntries.get(name) : null;
            }
            if (name.equals(ArchiveLayout.NODE_COUNT)) {
                return compactEntries.get(name);
            }
            return data;
        });
        SnapshotImporter.Result r = SnapshotImporter.importSnapshot(new SnapshotImporter.Options(
                SnapshotImporter.Source.stream(new ByteArrayInputStream(format1), "format 1"),
                tmp.resolve("compact-format1"), l1, false, true));
        assertEquals(SnapshotMetadata.FORMAT_VERSION, r.metadata().formatVersion());
        assertTrue(r.metadata().compact());
        assertEquals(plainHeader.headLevel() - r.metadata().firstLevel(), r.replayedLevels());
    }

    static Map<String, byte[]> entries(Path snapshot) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        rewrite(snapshot, h -> h, (name, data) -> {
            out.put(name, data);
            return data;
        });
        return out;
    }

    static byte[] entry(Path snapshot, String name) throws IOException {
        return Objects.requireNonNull(entries(snapshot).get(name), name);
    }

    @Test
    void truncatedAndCorruptedArchivesAreRefused() throws Exception {
        byte[] bytes = Files.readAllBytes(plain);
        assertRefused(Arrays.copyOf(bytes, bytes.length / 2), ImportCheck.ARCHIVE, "truncated-plain");
        SnapshotExporter.Result zstd = SnapshotExporter.export(SnapshotExporter.Options.of(sourceDir, tmp.resolve("zstd"))
                .withLevel(Integer.toString(plainHeader.headLevel())).withCheck(false));
        byte[] z = Files.readAllBytes(zstd.file());
        assertRefused(Arrays.copyOf(z, z.length * 2 / 3), ImportCheck.ARCHIVE, "truncated-zstd");
        assertRefused(Arrays.copyOf(bytes, SnapshotHeader.LENGTH - 3), ImportCheck.ARCHIVE, "truncated-header");
        // a flipped byte inside the tree nodes: a node no longer hashes to its key
        byte[] corrupted = rewrite(h -> h, (name, data) -> {
            if (ArchiveLayout.streamOf(name).equals(ArchiveLayout.NODES)) {
                data[data.length - 1] ^= 0x40;
            }
            return data;
        });
        assertRefused(corrupted, ImportCheck.ARCHIVE, "corrupted-node");
        // a flipped byte in a tar header
        byte[] header = bytes.clone();
        int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf(ArchiveLayout.BLOCKS + ".000000");
        assertTrue(at > SnapshotHeader.LENGTH);
        header[at + 3] ^= 0x11;
        assertRefused(header, ImportCheck.ARCHIVE, "corrupted-tar");
    }

    @Test
    void theCommandLine() throws Exception {
        try (io.flotilla.actors.l1.SandboxL1Server server = io.flotilla.actors.l1.SandboxL1Server.start(l1, 0)) {
            String endpoint = server.uri().toString();
            String level = Integer.toString(plainHeader.headLevel());
            CliTest.Result export = CliTest.cli("snapshot", "export", "--data-dir", sourceDir.toString(), "--dest",
                    tmp.resolve("cli").toString(), "--level", level, "--compress", "gzip", "-E", endpoint);
            assertEquals(0, export.code(), export.err());
            String name = SnapshotHeader.defaultFileName(plainHeader.rollup(), plainHeader.headLevel(),
                    plainHeader.historyMode());
            Path file = tmp.resolve("cli").resolve(name);
            assertTrue(export.out().contains("snapshot written: " + file), export.out());
            // progress goes to stderr: plain lines here (no terminal), one per phase at least
            assertTrue(export.err().contains("export write") && export.err().contains("export check"), export.err());

            CliTest.Result info = CliTest.cli("snapshot", "info", file.toString());
            assertEquals(0, info.code(), info.err());
            assertTrue(info.out().contains("head level: " + level), info.out());
            assertTrue(info.out().contains("rollup address: " + rollup), info.out());
            assertTrue(info.out().contains("history mode: archive"), info.out());
            assertTrue(info.out().contains("compression: gzip"), info.out());

            Path target = tmp.resolve("cli-import");
            CliTest.Result noL1 = CliTest.cli("snapshot", "import", file.toString(), "--data-dir", target.toString());
            assertEquals(2, noL1.code());
            assertTrue(noL1.err().contains("-E"), noL1.err());
            assertFalse(Files.exists(target));

            CliTest.Result ok = CliTest.cli("snapshot", "import", file.toString(), "-E", endpoint, "--data-dir",
                    target.toString());
            assertEquals(0, ok.code(), ok.err());
            assertTrue(ok.out().contains("compression: gzip"), ok.out());
            // flotilla run --data-dir then serves the imported rollup, observing, on the same L1
            NodeConfig config = NodeConfig.read(target.resolve(NodeConfig.FILE));
            assertEquals(rollup, config.rollup());
            assertEquals(RollupMode.OBSERVER, config.mode());
            assertEquals(Optional.of(endpoint), config.l1Endpoint());
            CliTest.Result populated = CliTest.cli("snapshot", "import", file.toString(), "-E", endpoint, "--data-dir",
                    target.toString());
            assertEquals(1, populated.code());
            assertTrue(populated.err().contains("--force"), populated.err());
            CliTest.Result stale = CliTest.cli("snapshot", "import", file.toString(), "-E", endpoint, "--data-dir",
                    target.toString(), "--force");
            assertEquals(1, stale.code());
            assertTrue(stale.err().contains(ImportCheck.HEAD_NEWER.title()) && stale.err().contains("unchanged"),
                    stale.err());

            CliTest.Result noCheck = CliTest.cli("snapshot", "import", "--no-check", file.toString(), "--data-dir",
                    tmp.resolve("cli-no-check").toString());
            assertEquals(0, noCheck.code(), noCheck.err());
            CliTest.Result missing = CliTest.cli("snapshot", "info", tmp.resolve("nope").toString());
            assertEquals(1, missing.code());
        }
    }
}
