package io.flotilla.actors.l1;

import static io.flotilla.actors.l1.L1TestSupport.*;
import static io.flotilla.actors.l1.SandboxL1Test.waitFor;
import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.actors.l1.L1Source.SandboxConstants;
import io.flotilla.pvm.Commitment;
import io.flotilla.pvm.LevelResult;
import io.flotilla.pvm.Pvm;
import io.flotilla.pvm.PvmConfig;
import io.flotilla.pvm.PvmState;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.encoding.ContractHash;
import io.flotilla.pvm.encoding.Micheline;
import io.flotilla.pvm.encoding.OutboxMessage;
import io.flotilla.pvm.encoding.RollupAddress;
import io.flotilla.pvm.host.RollupMetadata;
import io.flotilla.pvm.reveal.PreimageSource;
import io.flotilla.pvm.tree.Hash;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SandboxL1#open}: the chain and the ledger survive a close, a crash's torn write, and a reorg. */
class DurableSandboxL1Test {
    private static final SandboxL1.Config MANUAL = SandboxL1.Config.manualMode();

    @TempDir
    Path dir;

    private Path log() {
        return dir.resolve(ChainLog.LOG_FILE);
    }

    // ------------------------------------------------------------------ a chain with every operation kind

    /** What {@link #buildChain} made and what a reopened sandbox must still know. */
    private record Built(String rollup, byte[] cemented, byte[] proof) {}

    /**
     * Originate the echo kernel (1), external messages including an outbox transaction (2), a transfer (3),
     * a commitment published by two stakers (22), cemented (62), its outbox message executed (63), a second
     * origination (64).
     */
    private static Built buildChain(SandboxL1 l1) {
        String rollup = originateEcho(l1);
        var info = l1.rollup(rollup).orElseThrow();
        ContractHash dest = ContractHash.fromBase58(KT1);
        byte[] tx = new OutboxMessage.AtomicTransactionBatch(List.of(
                new OutboxMessage.Transaction(Micheline.parse("Pair 42 \"hello\""), dest, "receive"))).encode();
        l1.inject(L1Operation.addMessages(B2, List.of(tx, "junk".getBytes(StandardCharsets.US_ASCII)))).orThrow();
        l1.produceBlock();
        l1.inject(new L1Operation.Transfer(B1, KT1, rollup, Micheline.parse("Pair 1 2").encode())).orThrow();
        l1.produceBlock();
        produceUntil(l1, 21);

        Pvm pvm = new Pvm(PvmConfig.defaults(), PreimageSource.none(),
                new RollupMetadata(RollupAddress.fromBase58(rollup).bytes(), info.originationLevel()));
        PvmState state = PvmState.originate(info.kernel(), PvmVersion.parse(info.pvmVersion()));
        for (int level = info.originationLevel() + 1; level <= 21; level++) {
            LevelResult r = pvm.runLevel(state, inbox(l1, rollup, level));
            state = r.state();
        }
        Commitment c = new Commitment(state.hash(), 21, Hash.fromBytes(info.genesisCommitment()), state.ticks());
        byte[] ch = c.hash().bytes();
        byte[] proof = state.proveOutboxMessage(2, 0).toBytes();
        l1.inject(L1Operation.publish(B1, rollup, c.encode())).orThrow();
        l1.inject(L1Operation.publish(B2, rollup, c.encode())).orThrow();
        l1.produceBlock(); // 22
        produceUntil(l1, 61);
        l1.inject(L1Operation.cement(B1, rollup, ch)).orThrow();
        l1.produceBlock(); // 62
        l1.inject(L1Operation.executeOutbox(B3, rollup, ch, proof)).orThrow();
        l1.produceBlock(); // 63
        l1.inject(L1Operation.originate(B2, echoKernel(), "(pair nat bytes)", "2.0.0-r5")).orThrow();
        l1.produceBlock(); // 64
        assertEquals(List.of(new ContractCall(KT1, "receive", "Pair 42 \"hello\"", 63)), l1.calls());
        return new Built(rollup, ch, proof);
    }

    /** Everything a client can ask, as comparable text. */
    private static List<String> snapshot(SandboxL1 l1) {
        List<String> out = new ArrayList<>();
        L1Block head = l1.head();
        for (int level = 0; level <= head.level(); level++) {
            out.add(L1Json.block(l1.block(level).orElseThrow()).toString());
        }
        out.add("head " + head.hashHex());
        out.add("rollups " + l1.rollups());
        for (String r : l1.rollups()) {
            out.add(L1Json.rollup(l1.rollup(r).orElseThrow()).toString());
            out.add(L1Json.lcc(l1.lastCementedCommitment(r).orElseThrow()).toString());
            l1.commitments(r).forEach(c -> out.add(L1Json.commitment(c).toString()));
        }
        l1.calls().forEach(c -> out.add(L1Json.call(c).toString()));
        out.add("constants " + l1.constants());
        return out;
    }

    @Test
    void everyOperationKindSurvivesARestart() throws Exception {
        List<String> before;
        Built built;
        try (SandboxL1 l1 = SandboxL1.open(dir, MANUAL)) {
            assertEquals(dir, l1.directory().orElseThrow());
            built = buildChain(l1);
            before = snapshot(l1);
            // pending operations are not kept
            l1.inject(L1Operation.addMessages(B1, List.of(new byte[] {1}))).orThrow();
        }
        assertTrue(Files.exists(dir.resolve(ChainLog.HEADER_FILE)));
        try (SandboxL1 l1 = SandboxL1.open(dir, MANUAL); SandboxL1 memory = SandboxL1.manual()) {
            assertEquals(before, snapshot(l1));
            assertTrue(l1.pendingOperations().isEmpty());
            assertEquals(2, l1.rollups().size());
            assertArrayEquals(built.cemented(), l1.lastCementedCommitment(built.rollup()).orElseThrow().hash());
            // the same chain as an in-memory sandbox fed the same operations
            buildChain(memory);
            assertEquals(snapshot(memory), snapshot(l1));
            // the rebuilt ledger still validates as the old one did
            assertRefused(l1.inject(L1Operation.executeOutbox(B1, built.rollup(), built.cemented(), built.proof())),
                    "already executed");
            String third = l1.inject(L1Operation.originate(B1, echoKernel(), "bytes", null)).orThrow().rollup()
                    .orElseThrow();
            String thirdInMemory = memory.inject(L1Operation.originate(B1, echoKernel(), "bytes", null)).orThrow()
                    .rollup().orElseThrow();
            assertEquals(thirdInMemory, third, "the origination counter was rebuilt");
            assertFalse(l1.rollups().contains(third));
            L1Block b = l1.produceBlock();
            assertSameBlock(memory.produceBlock(), b);
            before = snapshot(l1);
        }
        try (SandboxL1 l1 = SandboxL1.open(dir, MANUAL)) {
            assertEquals(before, snapshot(l1), "blocks made after a restart are kept too");
            assertEquals(65, l1.head().level());
        }
    }

    @Test
    void aReorgIsKeptAcrossRestarts() throws Exception {
        List<String> before;
        L1Block oldHead;
        try (SandboxL1 l1 = SandboxL1.open(dir, MANUAL)) {
            String rollup = originateEcho(l1);
            for (int i = 0; i < 4; i++) {
                l1.inject(L1Operation.addMessages(B1, List.of(new byte[] {(byte) i}))).orThrow();
                l1.produceBlock();
            }
            oldHead = l1.head();
            l1.inject(L1Operation.addMessages(B3, List.of(new byte[] {9}))).orThrow();
            SandboxL1.Reorg r = l1.reorg(3);
            assertEquals(4, r.added().size());
            assertEquals(1, l1.pendingOperations().size(), "still pending after the reorg");
            assertTrue(l1.rollup(rollup).isPresent());
            before = snapshot(l1);
        }
        try (SandboxL1 l1 = SandboxL1.open(dir, MANUAL)) {
            assertEquals(before, snapshot(l1));
            assertEquals(6, l1.head().level());
            assertSameBlock(oldHead, l1.blockByHash(oldHead.hash()).orElseThrow());
            assertFalse(Arrays.equals(oldHead.hash(), l1.block(5).orElseThrow().hash()));
            // a reorg after the restart still makes fresh hashes (the replaced blocks are known)
            l1.reorg(1);
            l1.produceBlock();
            l1.reorg(2);
            before = snapshot(l1);
        }
        try (SandboxL1 l1 = SandboxL1.open(dir, MANUAL)) {
            assertEquals(before, snapshot(l1));
        }
    }

    @Test
    void everyOperationKindDecodesToWhatWasEncoded() {
        byte[] h = filled(32, 1);
        List<L1Operation> ops = List.of(
                new L1Operation.Originate(B1, "sr1x", new byte[] {1, 2}, "bytes", "2.0.0", h),
                L1Operation.originate(B1, new byte[0], null, null),
                L1Operation.addMessages(B2, List.of(new byte[0], new byte[] {7}, filled(5000, 9))),
                new L1Operation.Transfer(B1, KT1, "sr1y", new byte[] {5}),
                L1Operation.publish(B1, "sr1z", filled(76, 3)),
                new L1Operation.Publish(B1, "sr1z", h, 40, filled(76, 3)),
                new L1Operation.Cement(B3, "sr1z", h, 20),
                L1Operation.executeOutbox(B1, "sr1z", h, filled(40, 4)));
        for (L1Operation op : ops) {
            L1Operation back = L1Codec.decode(L1Codec.encode(op));
            assertEquals(op.getClass(), back.getClass());
            assertTrue(L1Codec.sameContent(op, back), op::toString);
        }
        L1Block b = new L1Block(7, h, filled(32, 2), 1_700_000_007L, SandboxL1.DEFAULT_PROTOCOL, ops);
        assertTrue(L1Codec.sameContent(b, L1Codec.decodeBlock(L1Codec.encodeBlock(b))));
        byte[] enc = L1Codec.encodeBlock(b);
        assertThrows(IllegalArgumentException.class, () -> L1Codec.decodeBlock(Arrays.copyOf(enc, enc.length - 1)));
        assertThrows(IllegalArgumentException.class, () -> L1Codec.decodeBlock(Arrays.copyOf(enc, enc.length + 1)));
        assertThrows(IllegalArgumentException.class, () -> L1Codec.decode(new byte[] {9}));
    }

    // ------------------------------------------------------------------ damage

    @Test
    void aTornLastRecordIsDropped() throws Exception {
        List<String> atTwo;
        try (SandboxL1 l1 = SandboxL1.open(dir, MANUAL)) {
            originateEcho(l1);
            l1.produceBlock();
            atTwo = snapshot(l1);
            l1.inject(L1Operation.addMessages(B1, List.of(filled(100, 0x33)))).orThrow();
            l1.produceBlock();
        }
        List<Long> offsets = recordOffsets();
        assertEquals(3, offsets.size());
        long sizeAtTwo = offsets.get(2);
        long full = Files.size(log());
        // a crash in the middle of the last record's payload, then in its frame
        for (long cut : new long[] {full - 1, sizeAtTwo + ChainLog.FRAME + 3, sizeAtTwo + 5}) {
            Path saved = dir.resolve("saved.log");
            Files.copy(log(), saved);
            truncate(log(), cut);
            try (SandboxL1 l1 = SandboxL1.open(dir, MANUAL)) {
                assertEquals(atTwo, snapshot(l1));
                assertEquals(sizeAtTwo, Files.size(log()), "the torn record is cut off");
            }
            Files.move(saved, log(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        // the file grew but the last record's bytes never reached the disk (zeros), or were garbled
        for (int garble : new int[] {0, 1}) {
            Path saved = dir.resolve("saved.log");
            Files.copy(log(), saved);
            try (RandomAccessFile f = new RandomAccessFile(log().toFile(), "rw")) {
                f.seek(full - 40);
                f.write(garble == 0 ? new byte[40] : filled(40, 0x5a));
            }
            try (SandboxL1 l1 = SandboxL1.open(dir, MANUAL)) {
                assertEquals(atTwo, snapshot(l1));
                // the chain goes on after the cut
                l1.produceBlock();
                assertEquals(3, l1.head().level());
            }
            try (SandboxL1 l1 = SandboxL1.open(dir, MANUAL)) {
                assertEquals(3, l1.head().level());
                assertTrue(l1.block(3).orElseThrow().operations().isEmpty());
            }
            Files.move(saved, log(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        // trailing zeros after a complete record (the file was extended, nothing written)
        try (RandomAccessFile f = new RandomAccessFile(log().toFile(), "rw")) {
            f.setLength(full + 4096);
        }
        try (SandboxL1 l1 = SandboxL1.open(dir, MANUAL)) {
            assertEquals(3, l1.head().level());
            assertEquals(1, l1.head().operations().size());
            assertEquals(full, Files.size(log()));
        }
    }

    @Test
    void aTornReorgLeavesTheChainAsBeforeTheReorg() throws Exception {
        List<String> beforeReorg;
        try (SandboxL1 l1 = SandboxL1.open(dir, MANUAL)) {
            originateEcho(l1);
            produceUntil(l1, 5);
            beforeReorg = snapshot(l1);
            l1.reorg(3);
        }
        List<Long> offsets = recordOffsets();
        assertEquals(6, offsets.size(), "five blocks and one reorg record");
        truncate(log(), Files.size(log()) - 10);
        try (SandboxL1 l1 = SandboxL1.open(dir, MANUAL)) {
            assertEquals(beforeReorg, snapshot(l1));
        }
    }

    @Test
    void aCorruptedMiddleRecordIsRefusedNamingFileAndOffset() throws Exception {
        try (SandboxL1 l1 = SandboxL1.open(dir, MANUAL)) {
            originateEcho(l1);
            produceUntil(l1, 4);
        }
        byte[] good = Files.readAllBytes(log());
        List<Long> offsets = recordOffsets();
        long second = offsets.get(1);

        // a flipped bit in a payload
        flip(log(), second + ChainLog.FRAME + 6);
        SandboxStoreException e = assertThrows(SandboxStoreException.class, () -> SandboxL1.open(dir, MANUAL));
        assertEquals(log(), e.file());
        assertEquals(second, e.offset());
        assertTrue(e.getMessage().contains(log().toString()) && e.getMessage().contains("offset " + second),
                e.getMessage());
        assertTrue(e.getMessage().contains("checksum") && e.getMessage().contains("valid record follows"),
                e.getMessage());
        assertArrayEquals(withFlip(good, second + ChainLog.FRAME + 6), Files.readAllBytes(log()),
                "a refused log is left as it was");

        // a flipped bit in a frame (its length)
        Files.write(log(), good);
        flip(log(), second + 5);
        e = assertThrows(SandboxStoreException.class, () -> SandboxL1.open(dir, MANUAL));
        assertEquals(second, e.offset());
        assertTrue(e.getMessage().contains("damaged record frame"), e.getMessage());

        // well-formed records that do not make a chain: the first block is missing
        Files.write(log(), Arrays.copyOfRange(good, (int) second, good.length));
        e = assertThrows(SandboxStoreException.class, () -> SandboxL1.open(dir, MANUAL));
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().contains("does not follow the head"), e.getMessage());

        // a block that does not have the hash of its content (checksums recomputed)
        Files.write(log(), good);
        rewriteRecord(log(), second, payload -> {
            ByteBuffer.wrap(payload).putLong(1 + 4, 1_234L); // the timestamp of block 2
        });
        e = assertThrows(SandboxStoreException.class, () -> SandboxL1.open(dir, MANUAL));
        assertEquals(second, e.offset());
        assertTrue(e.getMessage().contains("hash of its content"), e.getMessage());

        Files.write(log(), good);
        try (SandboxL1 l1 = SandboxL1.open(dir, MANUAL)) {
            assertEquals(4, l1.head().level());
        }
    }

    // ------------------------------------------------------------------ configuration, locking, timed mode

    @Test
    void theStoredChainDecidesItsGenesisAndMustAgreeOnConstants() throws Exception {
        L1Block genesis;
        try (SandboxL1 l1 = SandboxL1.open(dir, MANUAL)) {
            genesis = l1.head();
            l1.produceBlock();
            SandboxStoreException e = assertThrows(SandboxStoreException.class, () -> SandboxL1.open(dir, MANUAL));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
        SandboxL1.Config other = new SandboxL1.Config(SandboxConstants.SANDBOX, true, 42L, SandboxL1.DEFAULT_PROTOCOL,
                "sandbox").withBlockTime(Duration.ofSeconds(3));
        try (SandboxL1 l1 = SandboxL1.open(dir, other)) {
            assertSameBlock(genesis, l1.block(0).orElseThrow());
            assertEquals(MANUAL.genesisTimestamp(), l1.config().genesisTimestamp());
            assertEquals(Duration.ofSeconds(3), l1.constants().blockTime(), "the block time may change");
            assertEquals(genesis.timestamp() + 1 + 3, l1.produceBlock().timestamp());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SandboxL1.open(dir,
                MANUAL.withConstants(SandboxConstants.MAINNET)));
        assertTrue(e.getMessage().contains("commitment period 20 (asked for 150)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SandboxL1.open(dir,
                new SandboxL1.Config(SandboxConstants.SANDBOX, true, 0, SandboxL1.DEFAULT_PROTOCOL, "another")));
        assertTrue(e.getMessage().contains("chain name 'sandbox'"), e.getMessage());

        Files.writeString(dir.resolve(ChainLog.HEADER_FILE), "{\"format\":\"something else\"}");
        SandboxStoreException bad = assertThrows(SandboxStoreException.class, () -> SandboxL1.open(dir, MANUAL));
        assertTrue(bad.getMessage().contains(ChainLog.HEADER_FILE), bad.getMessage());
        Files.delete(dir.resolve(ChainLog.HEADER_FILE));
        bad = assertThrows(SandboxStoreException.class, () -> SandboxL1.open(dir, MANUAL));
        assertTrue(bad.getMessage().contains("missing"), bad.getMessage());
    }

    @Test
    void timedModeContinuesFromTheStoredHead() throws Exception {
        SandboxL1.Config timed = SandboxL1.Config.timed().withBlockTime(Duration.ofMillis(50));
        List<L1Block> heads = new ArrayList<>();
        try (SandboxL1 l1 = SandboxL1.open(dir, timed)) {
            l1.inject(L1Operation.addMessages(B1, List.of(new byte[] {7}))).orThrow();
            waitFor(() -> l1.head().level() >= 3);
        }
        try (SandboxL1 l1 = SandboxL1.open(dir, SandboxL1.Config.manualMode().withBlockTime(Duration.ofMillis(50)))) {
            heads.add(l1.head()); // nothing is made in manual mode: the head at close
        }
        L1Block last = heads.get(0);
        Thread.sleep(1100); // a later Config.timed() has a later genesis time, which the stored chain overrides
        try (SandboxL1 l1 = SandboxL1.open(dir, SandboxL1.Config.timed().withBlockTime(Duration.ofMillis(50)))) {
            assertSameBlock(last, l1.block(last.level()).orElseThrow());
            waitFor(() -> l1.head().level() >= last.level() + 2);
            L1Block next = l1.block(last.level() + 1).orElseThrow();
            assertArrayEquals(last.hash(), next.predecessor());
            assertEquals(last.timestamp() + 1, next.timestamp(), "no gap is filled");
            assertEquals(1, l1.block(1).orElseThrow().operations().size());
        }
    }

    // ------------------------------------------------------------------ the server over a durable sandbox

    @Test
    void aServedDurableSandboxSurvivesARestartAndClientsReconnect() throws Exception {
        SandboxL1 l1 = SandboxL1.open(dir, MANUAL);
        SandboxL1Server server = SandboxL1Server.start(l1, 0);
        int port = server.port();
        try (RemoteSandboxL1 remote = new RemoteSandboxL1(server.uri())) {
            List<L1Block> seen = new CopyOnWriteArrayList<>();
            remote.subscribe(seen::add);
            String rollup = remote.inject(L1Operation.originate(B1, echoKernel(), "bytes", null)).orThrow().rollup()
                    .orElseThrow();
            remote.produceBlock();
            remote.inject(L1Operation.addMessages(B2, List.of("hi".getBytes(StandardCharsets.US_ASCII)))).orThrow();
            remote.produceBlock();
            waitFor(() -> !seen.isEmpty() && seen.get(seen.size() - 1).level() == 2);
            L1Block head = remote.head();
            List<String> before = snapshot(l1);

            server.close();
            l1.close();
            assertThrows(java.io.UncheckedIOException.class, remote::head);

            l1 = SandboxL1.open(dir, MANUAL);
            server = new SandboxL1Server(l1, new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(),
                    port));
            assertEquals(before, snapshot(l1));
            assertSameBlock(head, remote.head());
            for (int level = 0; level <= head.level(); level++) {
                assertSameBlock(l1.block(level).orElseThrow(), remote.block(level).orElseThrow());
            }
            assertArrayEquals(l1.rollup(rollup).orElseThrow().genesisCommitment(),
                    remote.rollup(rollup).orElseThrow().genesisCommitment());
            remote.inject(L1Operation.addMessages(B3, List.of(new byte[] {3}))).orThrow();
            remote.produceBlock();
            waitFor(() -> seen.get(seen.size() - 1).level() == 3);
            assertEquals(List.of(1, 2, 3), seen.stream().map(L1Block::level).toList(),
                    "the subscriber went on from where it was, seeing no block twice");
            assertArrayEquals(head.hash(), seen.get(2).predecessor());
            assertSameBlock(l1.head(), seen.get(2));
        } finally {
            server.close();
            l1.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    /** The offsets of the log's records, read from their frames. */
    private List<Long> recordOffsets() throws IOException {
        byte[] b = Files.readAllBytes(log());
        List<Long> out = new ArrayList<>();
        int off = 0;
        while (off < b.length) {
            out.add((long) off);
            off += ChainLog.FRAME + ByteBuffer.wrap(b).getInt(off + 4);
        }
        return out;
    }

    private static void truncate(Path p, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
        }
    }

    private static void flip(Path p, long at) throws IOException {
        Files.write(p, withFlip(Files.readAllBytes(p), at));
    }

    private static byte[] withFlip(byte[] b, long at) {
        byte[] c = b.clone();
        c[(int) at] ^= 0x10;
        return c;
    }

    /** Changes a record's payload and writes it back with valid checksums. */
    private static void rewriteRecord(Path p, long off, java.util.function.Consumer<byte[]> change) throws IOException {
        byte[] b = Files.readAllBytes(p);
        ByteBuffer buf = ByteBuffer.wrap(b);
        int len = buf.getInt((int) off + 4);
        byte[] payload = Arrays.copyOfRange(b, (int) off + ChainLog.FRAME, (int) off + ChainLog.FRAME + len);
        change.accept(payload);
        System.arraycopy(payload, 0, b, (int) off + ChainLog.FRAME, len);
        buf.putInt((int) off + 8, crc(payload, 0, len));
        buf.putInt((int) off + 12, crc(b, (int) off, 12));
        Files.write(p, b);
    }

    private static int crc(byte[] b, int off, int len) {
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }
}
