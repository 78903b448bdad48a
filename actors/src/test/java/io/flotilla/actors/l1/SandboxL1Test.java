package io.flotilla.actors.l1;

import static io.flotilla.actors.l1.L1TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.actors.l1.L1Source.PublishedCommitment;
import io.flotilla.actors.l1.L1Source.SandboxConstants;
import io.flotilla.pvm.Commitment;
import io.flotilla.pvm.KernelFiles;
import io.flotilla.pvm.PvmState;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.encoding.Micheline;
import io.flotilla.pvm.tree.Hash;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SandboxL1Test {
    private final SandboxL1 l1 = SandboxL1.manual();

    @AfterEach
    void close() {
        l1.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ blocks

    @Test
    void genesisThenManualBlocksWithOperationsInInjectionOrder() {
        L1Block genesis = l1.head();
        assertEquals(0, genesis.level());
        assertArrayEquals(new byte[32], genesis.predecessor());
        assertEquals(SandboxL1.DEFAULT_PROTOCOL, genesis.protocol());
        assertTrue(genesis.operations().isEmpty());

        assertOk(l1.inject(L1Operation.addMessages(B1, List.of(bytes("a")))));
        assertOk(l1.inject(L1Operation.addMessages(B2, List.of(bytes("b"), bytes("c")))));
        assertEquals(0, l1.head().level(), "nothing is baked before produceBlock in manual mode");
        assertEquals(2, l1.pendingOperations().size());

        L1Block b1 = l1.produceBlock();
        assertEquals(1, b1.level());
        assertArrayEquals(genesis.hash(), b1.predecessor());
        assertEquals(genesis.timestamp() + 1, b1.timestamp());
        assertEquals(2, b1.operations().size());
        assertEquals(B1, b1.operations().get(0).source());
        assertEquals(B2, b1.operations().get(1).source());
        assertArrayEquals(L1Codec.blockHash(1, genesis.hash(), b1.timestamp(), b1.protocol(), b1.operations()),
                b1.hash());
        assertTrue(l1.pendingOperations().isEmpty());

        L1Block b2 = l1.produceBlock();
        assertEquals(2, b2.level());
        assertArrayEquals(b1.hash(), b2.predecessor());
        assertTrue(b2.operations().isEmpty());
        assertSameBlock(b1, l1.block(1).orElseThrow());
        assertSameBlock(b2, l1.blockByHash(b2.hash()).orElseThrow());
        assertTrue(l1.block(3).isEmpty());
        assertTrue(l1.block(-1).isEmpty());
        assertTrue(l1.blockByHash(new byte[32]).isEmpty());
    }

    @Test
    void sameInjectionsGiveTheSameChain() {
        try (SandboxL1 other = SandboxL1.manual()) {
            for (SandboxL1 s : List.of(l1, other)) {
                s.inject(L1Operation.addMessages(B1, List.of(bytes("x")))).orThrow();
                s.produceBlock();
                s.produceBlock();
            }
            for (int level = 0; level <= 2; level++) {
                assertSameBlock(l1.block(level).orElseThrow(), other.block(level).orElseThrow());
            }
        }
        try (SandboxL1 named = new SandboxL1(new SandboxL1.Config(SandboxConstants.SANDBOX, true, 1_700_000_000L,
                SandboxL1.DEFAULT_PROTOCOL, "another"))) {
            assertFalse(Arrays.equals(l1.block(0).orElseThrow().hash(), named.head().hash()),
                    "the chain name is part of the genesis hash");
        }
    }

    @Test
    void subscribersSeeEveryNewHeadInOrder() throws Exception {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        AutoCloseable sub = l1.subscribe(b -> seen.add(b.level()));
        for (int i = 0; i < 5; i++) {
            l1.produceBlock();
        }
        waitFor(() -> seen.size() == 5);
        assertEquals(List.of(1, 2, 3, 4, 5), seen);
        sub.close();
        l1.produceBlock();
        Thread.sleep(100);
        assertEquals(5, seen.size(), "no delivery after close");
    }

    @Test
    void timedModeBakesOnItsOwn() throws Exception {
        SandboxL1.Config c = SandboxL1.Config.timed().withBlockTime(Duration.ofMillis(50));
        try (SandboxL1 timed = new SandboxL1(c)) {
            List<L1Block> seen = new CopyOnWriteArrayList<>();
            timed.subscribe(seen::add);
            timed.inject(L1Operation.addMessages(B1, List.of(bytes("tick")))).orThrow();
            waitFor(() -> seen.size() >= 3);
            assertTrue(timed.head().level() >= 3);
            assertEquals(1, seen.get(0).operations().size());
            for (int i = 1; i < seen.size(); i++) {
                assertArrayEquals(seen.get(i - 1).hash(), seen.get(i).predecessor());
                assertTrue(seen.get(i).timestamp() > seen.get(i - 1).timestamp());
            }
        }
    }

    // ------------------------------------------------------------------ originate

    @Test
    void originationDerivesAddressAndGenesisCommitment() {
        byte[] kernel = echoKernel();
        var r = l1.inject(L1Operation.originate(B1, kernel, "(pair nat bytes)", "2.0.0-r5")).orThrow();
        assertEquals(1, r.level());
        assertEquals(0, r.index());
        String address = r.rollup().orElseThrow();
        assertTrue(address.startsWith("sr1"), address);
        Hash state = PvmState.originate(kernel, PvmVersion.V2_0_0_R5).hash();
        byte[] genesis = Commitment.genesis(state, 1).hash().bytes();
        assertArrayEquals(genesis, r.genesisCommitment().orElseThrow());
        assertTrue(l1.rollup(address).isEmpty(), "not originated before the block is baked");

        L1Block b = l1.produceBlock();
        var op = (L1Operation.Originate) b.operations().get(0);
        assertEquals(address, op.rollup());
        assertArrayEquals(genesis, op.genesisCommitment());
        assertEquals("2.0.0-r5", op.pvmVersion());

        var info = l1.rollup(address).orElseThrow();
        assertEquals(1, info.originationLevel());
        assertArrayEquals(kernel, info.kernel());
        assertEquals("2.0.0-r5", info.pvmVersion());
        assertEquals("(pair nat bytes)", info.parametersType());
        assertArrayEquals(genesis, info.genesisCommitment());
        var lcc = l1.lastCementedCommitment(address).orElseThrow();
        assertArrayEquals(genesis, lcc.hash());
        assertEquals(1, lcc.inboxLevel());
        assertArrayEquals(state.bytes(), lcc.stateHash());
        assertTrue(l1.commitments(address).isEmpty());
        assertEquals(List.of(address), l1.rollups());

        // the same kernel again: another address; default version and type
        var again = l1.inject(L1Operation.originate(B1, kernel, null, null)).orThrow();
        assertNotEquals(address, again.rollup().orElseThrow());
        assertEquals(PvmVersion.DEFAULT.label(), ((L1Operation.Originate) again.operation()).pvmVersion());
        assertEquals("bytes", ((L1Operation.Originate) again.operation()).parametersType());
    }

    @Test
    void originationValidationErrors() {
        assertRefused(l1.inject(L1Operation.originate(B1, new byte[] {1, 2, 3}, "bytes", null)), "kernel refused");
        byte[] floats = KernelFiles.fromText("(module (memory (export \"memory\") 1)"
                + " (func (export \"kernel_run\") (drop (f32.const 1))))", "float.wat");
        assertRefused(l1.inject(L1Operation.originate(B1, floats, "bytes", null)), "kernel refused", "floating-point");
        byte[] noRun = KernelFiles.fromText("(module (memory (export \"memory\") 1))", "norun.wat");
        assertRefused(l1.inject(L1Operation.originate(B1, noRun, "bytes", null)), "kernel_run");
        byte[] reveal = KernelFiles.fromText("(module (import \"smart_rollup_core\" \"reveal\" (func (param i32 i32 i32 i32) (result i32)))"
                + " (memory (export \"memory\") 1) (func (export \"kernel_run\")))", "reveal.wat");
        assertRefused(l1.inject(L1Operation.originate(B1, reveal, "bytes", "2.0.0")), "not provided by PVM 2.0.0");
        assertOk(l1.inject(L1Operation.originate(B1, reveal, "bytes", "2.0.0-r3")));
        assertRefused(l1.inject(L1Operation.originate(B1, echoKernel(), "bytes", "3.0")), "unknown PVM version");
        assertRefused(l1.inject(L1Operation.originate(B1, echoKernel(), "(pair nat", null)), "parameters type");
        assertRefused(l1.inject(L1Operation.originate(B1, new byte[0], "bytes", null)), "no kernel");
        assertRefused(l1.inject(L1Operation.originate("tz1notanaccount", echoKernel(), "bytes", null)),
                "not a sandbox account");
        assertEquals(1, l1.pendingOperations().size(), "only the valid operation is pending");
    }

    // ------------------------------------------------------------------ messages and transfers

    @Test
    void addMessagesLimits() {
        assertOk(l1.inject(L1Operation.addMessages(B1, List.of(new byte[4095], new byte[0]))));
        assertRefused(l1.inject(L1Operation.addMessages(B1, List.of(new byte[1], new byte[4096]))),
                "message 1 has 4096 bytes", "4095");
        assertRefused(l1.inject(L1Operation.addMessages(B1, Collections.nCopies(1001, new byte[1]))),
                "1001 messages", "at most 1000");
        assertOk(l1.inject(L1Operation.addMessages(B1, Collections.nCopies(1000, new byte[1]))));
        assertRefused(l1.inject(L1Operation.addMessages(B1, List.of())), "no messages");
        assertRefused(l1.inject(L1Operation.addMessages(null, List.of(new byte[1]))), "not a sandbox account");
    }

    @Test
    void transferValidation() {
        String rollup = originateEcho(l1);
        byte[] params = Micheline.parse("Pair 1 \"x\"").encode();
        assertOk(l1.inject(new L1Operation.Transfer(B1, KT1, rollup, params)));
        assertRefused(l1.inject(new L1Operation.Transfer(B1, KT1, "sr1nope", params)), "transfer");
        String unknown = new io.flotilla.pvm.encoding.RollupAddress(filled(20, 9)).toBase58();
        assertRefused(l1.inject(new L1Operation.Transfer(B1, KT1, unknown, params)), "does not exist");
        assertRefused(l1.inject(new L1Operation.Transfer(B1, B2, rollup, params)), "sender must be a KT1");
        assertRefused(l1.inject(new L1Operation.Transfer(B1, KT1, rollup, new byte[] {(byte) 0xff})),
                "not one Micheline expression");
        assertRefused(l1.inject(new L1Operation.Transfer(B1, KT1, rollup,
                Micheline.parse("0x" + "00".repeat(4100)).encode())), "exceeds");
        L1Block b = l1.produceBlock();
        assertEquals(1, b.operations().size());
        assertEquals(1, inbox(l1, rollup, b.level()).messages().size());
    }

    // ------------------------------------------------------------------ commitments

    @Test
    void publishThenCementAfterTheChallengeWindow() {
        String rollup = originateEcho(l1); // originated at level 1
        byte[] genesis = l1.rollup(rollup).orElseThrow().genesisCommitment();
        Commitment c1 = commitment(hash(1), 21, genesis, 1000);
        produceUntil(l1, 20);
        assertRefused(l1.inject(L1Operation.publish(B1, rollup, c1.encode())), "not final yet",
                "from level 22");
        produceUntil(l1, 21);
        assertRefused(l1.inject(L1Operation.publish(B1, rollup, commitment(hash(1), 20, genesis, 1).encode())),
                "must be the predecessor's level 1 + the commitment period 20 = 21");
        assertRefused(l1.inject(L1Operation.publish(B1, rollup, commitment(hash(1), 21, hash(5).bytes(), 1).encode())),
                "neither the last cemented commitment");
        assertRefused(l1.inject(L1Operation.publish(B1, rollup, commitment(hash(1), 21, genesis, 0).encode())),
                "positive number of ticks");
        assertRefused(l1.inject(L1Operation.publish(B1, rollup, Arrays.copyOf(c1.encode(), 75))), "76 bytes");
        assertRefused(l1.inject(L1Operation.publish("tz1foo", rollup, c1.encode())), "not a sandbox account");
        assertRefused(l1.inject(new L1Operation.Publish(B1, rollup, hash(3).bytes(), 21, c1.encode())),
                "hashes to");
        var pub = l1.inject(L1Operation.publish(B1, rollup, c1.encode())).orThrow();
        assertArrayEquals(c1.hash().bytes(), ((L1Operation.Publish) pub.operation()).commitmentHash());
        assertEquals(21, ((L1Operation.Publish) pub.operation()).inboxLevel());
        assertRefused(l1.inject(L1Operation.publish(B1, rollup, c1.encode())), "already published");
        L1Block published = l1.produceBlock(); // level 22
        assertEquals(22, published.level());

        List<PublishedCommitment> cs = l1.commitments(rollup);
        assertEquals(1, cs.size());
        assertArrayEquals(c1.hash().bytes(), cs.get(0).hash());
        assertEquals(22, cs.get(0).publishedLevel());
        assertEquals(List.of(B1), cs.get(0).stakers());
        assertFalse(cs.get(0).conflicted());
        assertFalse(cs.get(0).cemented());

        // another staker agrees
        assertOk(l1.inject(L1Operation.publish(B2, rollup, c1.encode())));
        // the next commitment can be published on top of the uncemented one
        Commitment c2 = commitment(hash(2), 41, c1.hash().bytes(), 1000);
        produceUntil(l1, 41);
        assertOk(l1.inject(L1Operation.publish(B1, rollup, c2.encode())));
        l1.produceBlock(); // 42

        assertRefused(l1.inject(L1Operation.cement(B1, rollup, c2.hash().bytes())), "not the last cemented", "cement it first");
        produceUntil(l1, 60);
        assertRefused(l1.inject(L1Operation.cement(B1, rollup, c1.hash().bytes())), "challenge window",
                "published at level 22", "from level 62");
        assertRefused(l1.inject(L1Operation.cement(B1, rollup, hash(4).bytes())), "not a published commitment");
        l1.produceBlock(); // 61
        var cemented = l1.inject(L1Operation.cement(B3, rollup, c1.hash().bytes())).orThrow();
        assertEquals(21, ((L1Operation.Cement) cemented.operation()).inboxLevel());
        assertArrayEquals(genesis, l1.lastCementedCommitment(rollup).orElseThrow().hash(), "LCC moves with the block");
        l1.produceBlock(); // 62
        var lcc = l1.lastCementedCommitment(rollup).orElseThrow();
        assertArrayEquals(c1.hash().bytes(), lcc.hash());
        assertEquals(21, lcc.inboxLevel());
        assertArrayEquals(hash(1).bytes(), lcc.stateHash());
        assertTrue(l1.commitments(rollup).get(0).cemented());
        assertEquals(List.of(B1, B2), l1.commitments(rollup).get(0).stakers());
        assertRefused(l1.inject(L1Operation.cement(B1, rollup, c1.hash().bytes())), "already cemented");
        assertRefused(l1.inject(L1Operation.publish(B3, rollup, commitment(hash(9), 21, genesis, 5).encode())),
                "not after the last cemented");

        produceUntil(l1, 81);
        assertOk(l1.inject(L1Operation.cement(B1, rollup, c2.hash().bytes())));
        l1.produceBlock();
        assertArrayEquals(c2.hash().bytes(), l1.lastCementedCommitment(rollup).orElseThrow().hash());
    }

    @Test
    void conflictingCommitmentsCannotBeCemented() {
        String rollup = originateEcho(l1);
        byte[] genesis = l1.rollup(rollup).orElseThrow().genesisCommitment();
        Commitment a = commitment(hash(1), 21, genesis, 1000);
        Commitment b = commitment(hash(2), 21, genesis, 1000);
        produceUntil(l1, 21);
        assertOk(l1.inject(L1Operation.publish(B1, rollup, a.encode())));
        l1.produceBlock();
        assertFalse(l1.commitments(rollup).get(0).conflicted());
        assertRefused(l1.inject(L1Operation.publish(B1, rollup, b.encode())), "already staked");
        assertOk(l1.inject(L1Operation.publish(B2, rollup, b.encode())));
        assertOk(l1.inject(L1Operation.publish(B3, rollup, a.encode())));
        l1.produceBlock();
        List<PublishedCommitment> cs = l1.commitments(rollup);
        assertEquals(2, cs.size());
        assertTrue(cs.stream().allMatch(PublishedCommitment::conflicted));
        produceUntil(l1, 100);
        assertRefused(l1.inject(L1Operation.cement(B1, rollup, a.hash().bytes())), "in conflict", "refutation");
        assertRefused(l1.inject(L1Operation.cement(B2, rollup, b.hash().bytes())), "in conflict");
        assertArrayEquals(genesis, l1.lastCementedCommitment(rollup).orElseThrow().hash());
    }

    // ------------------------------------------------------------------ reorg

    @Test
    void reorgReplacesBlocksAndReincludesTheirOperations() throws Exception {
        List<L1Block> heads = new CopyOnWriteArrayList<>();
        l1.subscribe(heads::add);
        for (int level = 1; level <= 5; level++) {
            l1.inject(L1Operation.addMessages(B1, List.of(bytes("m" + level)))).orThrow();
            l1.produceBlock();
        }
        waitFor(() -> heads.size() == 5);
        List<L1Block> before = new ArrayList<>();
        for (int level = 0; level <= 5; level++) {
            before.add(l1.block(level).orElseThrow());
        }
        SandboxL1.Reorg r = l1.reorg(2);
        assertEquals(2, r.removed().size());
        assertEquals(3, r.added().size());
        assertTrue(r.refused().isEmpty());
        assertEquals(6, l1.head().level());
        for (int level = 0; level <= 3; level++) {
            assertSameBlock(before.get(level), l1.block(level).orElseThrow());
        }
        L1Block n4 = l1.block(4).orElseThrow();
        assertArrayEquals(before.get(3).hash(), n4.predecessor());
        assertFalse(Arrays.equals(before.get(4).hash(), n4.hash()));
        assertFalse(Arrays.equals(before.get(5).hash(), l1.block(5).orElseThrow().hash()));
        for (int level = 5; level <= 6; level++) {
            L1Block b = l1.block(level).orElseThrow();
            assertArrayEquals(l1.block(level - 1).orElseThrow().hash(), b.predecessor());
            assertTrue(b.operations().isEmpty());
            assertTrue(b.timestamp() > l1.block(level - 1).orElseThrow().timestamp());
        }
        List<L1Operation> dropped = new ArrayList<>(before.get(4).operations());
        dropped.addAll(before.get(5).operations());
        assertEquals(dropped.size(), n4.operations().size());
        for (int i = 0; i < dropped.size(); i++) {
            assertTrue(L1Codec.sameContent(dropped.get(i), n4.operations().get(i)));
        }
        // the old blocks can still be found by hash
        assertSameBlock(before.get(5), l1.blockByHash(before.get(5).hash()).orElseThrow());
        waitFor(() -> heads.size() == 6);
        assertSameBlock(l1.head(), heads.get(5));

        // a reorg of depth 1 with the same content still makes a new hash (a later timestamp)
        L1Block oldHead = l1.head();
        l1.reorg(1);
        L1Block replaced = l1.block(6).orElseThrow();
        assertFalse(Arrays.equals(oldHead.hash(), replaced.hash()));
        assertTrue(replaced.timestamp() > oldHead.timestamp());
        assertEquals(7, l1.head().level());
        assertThrows(IllegalArgumentException.class, () -> l1.reorg(8));
        assertThrows(IllegalArgumentException.class, () -> l1.reorg(0));
    }

    @Test
    void reorgMovesAnOriginationKeepingItsAddress() {
        l1.produceBlock();
        l1.produceBlock(); // level 2
        var r = l1.inject(L1Operation.originate(B1, echoKernel(), "bytes", null)).orThrow();
        l1.produceBlock(); // level 3
        String rollup = r.rollup().orElseThrow();
        l1.inject(new L1Operation.Transfer(B1, KT1, rollup, Micheline.parse("7").encode())).orThrow();
        l1.produceBlock(); // level 4
        l1.reorg(3); // levels 2..4 replaced, everything moves to level 2
        var info = l1.rollup(rollup).orElseThrow();
        assertEquals(2, info.originationLevel());
        Hash state = PvmState.originate(echoKernel(), PvmVersion.DEFAULT).hash();
        assertArrayEquals(Commitment.genesis(state, 2).hash().bytes(), info.genesisCommitment());
        L1Block b2 = l1.block(2).orElseThrow();
        assertEquals(2, b2.operations().size());
        assertEquals(rollup, ((L1Operation.Originate) b2.operations().get(0)).rollup());
        assertEquals(1, inbox(l1, rollup, 2).messages().size());
    }

    @Test
    void reorgLeavesOutOperationsNoLongerValid() {
        String rollup = originateEcho(l1);
        byte[] genesis = l1.rollup(rollup).orElseThrow().genesisCommitment();
        Commitment c1 = commitment(hash(1), 21, genesis, 1000);
        produceUntil(l1, 21);
        l1.inject(L1Operation.publish(B1, rollup, c1.encode())).orThrow();
        produceUntil(l1, 61);
        l1.inject(L1Operation.cement(B1, rollup, c1.hash().bytes())).orThrow();
        l1.produceBlock(); // 62
        l1.inject(L1Operation.addMessages(B1, List.of(bytes("kept")))).orThrow();
        l1.produceBlock(); // 63
        SandboxL1.Reorg r = l1.reorg(3); // the cement moves to level 61, inside the window
        assertEquals(1, r.refused().size());
        assertTrue(r.refused().get(0).contains("challenge window"), r.refused().get(0));
        assertEquals(1, l1.block(61).orElseThrow().operations().size());
        assertArrayEquals(genesis, l1.lastCementedCommitment(rollup).orElseThrow().hash());
    }

    static void waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("condition not met within 10 s");
            }
            Thread.sleep(10);
        }
    }
}
