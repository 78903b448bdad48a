package io.flotilla.actors.l1;

import static io.flotilla.actors.l1.L1TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.pvm.Commitment;
import io.flotilla.pvm.LevelResult;
import io.flotilla.pvm.OutboxProof;
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
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The echo kernel writes an outbox transaction; its commitment is published and cemented; L1 executes it. */
class OutboxExecutionTest {

    @Test
    void executesAProvenOutboxMessageOfACementedCommitmentOnce() {
        try (SandboxL1 l1 = SandboxL1.manual()) {
            String rollup = originateEcho(l1); // level 1
            var info = l1.rollup(rollup).orElseThrow();
            ContractHash dest = ContractHash.fromBase58(KT1);
            byte[] tx = new OutboxMessage.AtomicTransactionBatch(List.of(
                    new OutboxMessage.Transaction(Micheline.parse("Pair 42 \"hello\""), dest, "receive"),
                    new OutboxMessage.Transaction(Micheline.parse("Unit"), dest, "default"))).encode();
            byte[] junk = "not an outbox message".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            l1.inject(L1Operation.addMessages(B2, List.of(tx, junk))).orThrow();
            l1.produceBlock(); // level 2 holds the message
            produceUntil(l1, 21);

            Pvm pvm = new Pvm(PvmConfig.defaults(), PreimageSource.none(),
                    new RollupMetadata(RollupAddress.fromBase58(rollup).bytes(), info.originationLevel()));
            PvmState state = PvmState.originate(info.kernel(), PvmVersion.parse(info.pvmVersion()));
            assertArrayEquals(l1.lastCementedCommitment(rollup).orElseThrow().stateHash(), state.hash().bytes());
            for (int level = info.originationLevel() + 1; level <= 21; level++) {
                LevelResult r = pvm.runLevel(state, inbox(l1, rollup, level));
                assertFalse(r.stuck());
                state = r.state();
            }
            assertEquals(2, state.outbox(2).size());
            assertArrayEquals(tx, state.outbox(2).get(0));

            byte[] genesis = info.genesisCommitment();
            Commitment c = new Commitment(state.hash(), 21, io.flotilla.pvm.tree.Hash.fromBytes(genesis), state.ticks());
            byte[] proof = state.proveOutboxMessage(2, 0).toBytes();
            byte[] ch = c.hash().bytes();

            l1.inject(L1Operation.publish(B1, rollup, c.encode())).orThrow();
            l1.produceBlock(); // 22
            assertRefused(l1.inject(L1Operation.executeOutbox(B1, rollup, ch, proof)), "is not a cemented commitment");
            produceUntil(l1, 61);
            l1.inject(L1Operation.cement(B1, rollup, ch)).orThrow();
            l1.produceBlock(); // 62
            assertArrayEquals(ch, l1.lastCementedCommitment(rollup).orElseThrow().hash());

            // proofs that do not hold
            assertRefused(l1.inject(L1Operation.executeOutbox(B1, rollup, genesis, proof)), "invalid output proof");
            byte[] tampered = proof.clone();
            tampered[tampered.length - 1] ^= 1;
            assertRefused(l1.inject(L1Operation.executeOutbox(B1, rollup, ch, tampered)), "invalid output proof");
            assertRefused(l1.inject(L1Operation.executeOutbox(B1, rollup, ch, new byte[3])), "invalid output proof");
            byte[] wrongIndex = new OutboxProof(2, 1, state.proveOutboxMessage(2, 0).merkleProof()).toBytes();
            assertRefused(l1.inject(L1Operation.executeOutbox(B1, rollup, ch, wrongIndex)), "invalid output proof");

            // a proof against a later, uncemented state
            LevelResult later = pvm.runLevel(state, inbox(l1, rollup, 22));
            byte[] laterProof = later.state().proveOutboxMessage(2, 0).toBytes();
            assertFalse(Arrays.equals(later.state().hash().bytes(), state.hash().bytes()));
            assertRefused(l1.inject(L1Operation.executeOutbox(B1, rollup, ch, laterProof)), "invalid output proof");
            Commitment uncemented = new Commitment(later.state().hash(), 41, c.hash(), 1);
            assertRefused(l1.inject(L1Operation.executeOutbox(B1, rollup, uncemented.hash().bytes(), laterProof)),
                    "is not a cemented commitment");

            var ok = l1.inject(L1Operation.executeOutbox(B3, rollup, ch, proof)).orThrow();
            assertEquals(2, ((L1Operation.ExecuteOutbox) ok.operation()).outboxLevel());
            assertEquals(0, ((L1Operation.ExecuteOutbox) ok.operation()).index());
            assertRefused(l1.inject(L1Operation.executeOutbox(B1, rollup, ch, proof)), "already executed");
            assertTrue(l1.calls().isEmpty(), "calls appear with the block");
            L1Block b = l1.produceBlock(); // 63
            assertEquals(List.of(
                    new ContractCall(KT1, "receive", "Pair 42 \"hello\"", b.level()),
                    new ContractCall(KT1, "default", "Unit", b.level())), l1.calls());
            assertRefused(l1.inject(L1Operation.executeOutbox(B1, rollup, ch, proof)), "already executed");

            // a proven message that is not a well-formed outbox message is refused
            assertRefused(l1.inject(L1Operation.executeOutbox(B1, rollup, ch,
                    state.proveOutboxMessage(2, 1).toBytes())), "malformed outbox message");
        }
    }
}
