package io.flotilla.actors.l1;

import static io.flotilla.actors.l1.L1TestSupport.B1;
import static io.flotilla.actors.l1.L1TestSupport.B2;
import static io.flotilla.actors.l1.L1TestSupport.KT1;
import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.pvm.encoding.Micheline;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** {@link OctezRpcL1} against a {@link FakeOctezNode} serving a copy of a sandbox chain. */
class OctezRpcL1Test {

    static String originateEcho(SandboxL1 sandbox) {
        return sandbox.inject(L1Operation.originate(B1, L1TestSupport.echoKernel(), "bytes", "2.0.0-r5")).orThrow()
                .rollup().orElseThrow();
    }

    static void messages(SandboxL1 sandbox, String... texts) {
        List<byte[]> m = java.util.Arrays.stream(texts).map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
        sandbox.inject(L1Operation.addMessages(B2, m)).orThrow();
    }

    static void transfer(SandboxL1 sandbox, String rollup, String payloadHex) {
        sandbox.inject(new L1Operation.Transfer(B2, KT1, rollup,
                new Micheline.Bytes(io.flotilla.pvm.util.Hex.decode(payloadHex)).encode())).orThrow();
    }

    static void await(String what, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void readsTheChainRollupsAndConstantsAsTheSandboxHasThem() throws Exception {
        try (SandboxL1 sandbox = SandboxL1.manual(); FakeOctezNode node = new FakeOctezNode()) {
            String sr1 = originateEcho(sandbox);
            sandbox.produceBlock();
            messages(sandbox, "hello", "world");
            transfer(sandbox, sr1, "cafe");
            sandbox.produceBlock();
            messages(sandbox, "again");
            sandbox.produceBlock();
            node.mirror(sandbox);
            try (OctezRpcL1 octez = new OctezRpcL1(node.uri())) {
                assertTrue(OctezRpcL1.isOctez(node.uri()));
                assertEquals(sandbox.head().hashHex(), octez.head().hashHex());
                for (int l = 0; l <= sandbox.head().level(); l++) {
                    L1Block ours = octez.block(l).orElseThrow();
                    assertTrue(L1Codec.sameContent(sandbox.block(l).orElseThrow(), ours), "level " + l + ": " + ours);
                }
                assertTrue(octez.block(sandbox.head().level() + 1).isEmpty(), "no block above the head");
                assertEquals(2, octez.block(2).orElseThrow().operations().size(), "add_messages and the transfer");

                L1Source.RollupInfo want = sandbox.rollup(sr1).orElseThrow();
                L1Source.RollupInfo got = octez.rollup(sr1).orElseThrow();
                assertEquals(want.originationLevel(), got.originationLevel());
                assertArrayEquals(want.kernel(), got.kernel(), "the kernel is the origination's boot sector");
                assertEquals(want.pvmVersion(), got.pvmVersion());
                assertEquals(want.parametersType(), got.parametersType());
                assertArrayEquals(want.genesisCommitment(), got.genesisCommitment());
                assertTrue(octez.rollup("sr1HPiHTHddKddvVXxuwN5B1sKvt8oyceKgp").isEmpty(), "not originated");

                L1Source.CementedCommitment lcc = octez.lastCementedCommitment(sr1).orElseThrow();
                L1Source.CementedCommitment sandboxLcc = sandbox.lastCementedCommitment(sr1).orElseThrow();
                assertArrayEquals(sandboxLcc.hash(), lcc.hash());
                assertEquals(sandboxLcc.inboxLevel(), lcc.inboxLevel());
                assertEquals(sandbox.constants(), octez.constants());

                L1Source.OperationResult r = octez.inject(L1Operation.addMessages(B2, List.of(new byte[] {1})));
                assertFalse(r.ok());
                assertTrue(r.error().contains("observer mode only"), r.error());
                assertThrows(L1OperationException.class, r::orThrow);
            }
        }
    }

    @Test
    void readsOctezConstants() throws Exception {
        try (FakeOctezNode node = new FakeOctezNode(); OctezRpcL1 octez = new OctezRpcL1(node.uri())) {
            // before any mirror the node serves its recorded (mainnet-like) constants
            L1Source.SandboxConstants c = octez.constants();
            assertEquals(112, c.commitmentPeriod());
            assertEquals(151_200, c.challengeWindow());
            assertEquals(8, c.blockTime().toSeconds());
        }
    }

    @Test
    void followsHeadsThroughGapsOutagesAndReorgs() throws Exception {
        try (SandboxL1 sandbox = SandboxL1.manual(); FakeOctezNode node = new FakeOctezNode()) {
            sandbox.produceBlock();
            node.mirror(sandbox);
            try (OctezRpcL1 octez = new OctezRpcL1(node.uri())) {
                List<L1Block> heard = new CopyOnWriteArrayList<>();
                AutoCloseable sub = octez.subscribe(heard::add);
                await("the current head", () -> heard.size() == 1);
                assertEquals(1, heard.get(0).level());

                sandbox.produceBlock();
                node.mirror(sandbox);
                await("level 2", () -> heard.size() == 2);

                // three blocks, one announcement: the levels in between are delivered too, in order
                for (int i = 0; i < 3; i++) {
                    sandbox.produceBlock();
                }
                node.mirror(sandbox);
                await("levels 3-5", () -> heard.size() == 5);
                assertEquals(List.of(1, 2, 3, 4, 5), heard.stream().map(L1Block::level).toList());

                // the node goes away; the chain goes on; once back, nothing is skipped
                node.stop();
                assertThrows(java.io.UncheckedIOException.class, octez::head);
                sandbox.produceBlock();
                sandbox.produceBlock();
                node.mirror(sandbox);
                node.start();
                await("levels 6-7 after the outage", () -> heard.size() == 7);
                assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), heard.stream().map(L1Block::level).toList());

                // a reorganisation: the new head is delivered; the old branch is still known by hash
                L1Block old = sandbox.head();
                sandbox.reorg(2);
                node.mirror(sandbox);
                await("the new branch's head", () -> heard.size() == 8);
                L1Block newHead = heard.get(7);
                assertEquals(8, newHead.level());
                assertEquals(sandbox.head().hashHex(), newHead.hashHex());
                assertEquals(sandbox.block(6).orElseThrow().hashHex(), octez.block(6).orElseThrow().hashHex());
                assertEquals(old.hashHex(), octez.blockByHash(old.hash()).orElseThrow().hashHex());
                sub.close();
            }
        }
    }
}
