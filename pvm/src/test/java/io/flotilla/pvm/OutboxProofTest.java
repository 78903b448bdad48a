package io.flotilla.pvm;

import static io.flotilla.pvm.Harness.*;
import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.pvm.engine.ChicoryEngine;
import io.flotilla.pvm.tree.Hash;
import io.flotilla.pvm.tree.ProofException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/** Outbox messages are proven against a state hash alone. */
class OutboxProofTest {

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    final Pvm pvm = pvm(ChicoryEngine.COMPILER);
    final LevelResult r1 = pvm.runLevel(PvmState.originate(TestKernels.wasm("echo"), PvmVersion.V2_0_0_R5),
            LevelInput.ofExternal(1, List.of(b("m0"), b("m1"), b("x".repeat(3000)))));
    final PvmState s1 = r1.state();
    final PvmState s2 = pvm.runLevel(s1, LevelInput.ofExternal(2, List.of(b("n0")))).state();

    @Test
    void aProofVerifiesAgainstTheStateHashAndReturnsTheMessage() {
        assertArrayEquals(b("m1"), s1.proveOutboxMessage(1, 1).verify(s1.hash()));
        assertArrayEquals(b("m0"), s1.proveOutboxMessage(1, 0).verify(s1.hash()));
        assertArrayEquals(b("x".repeat(3000)), s1.proveOutboxMessage(1, 2).verify(s1.hash()));
        // later states still prove earlier levels' messages
        assertArrayEquals(b("m1"), s2.proveOutboxMessage(1, 1).verify(s2.hash()));
        assertArrayEquals(b("n0"), s2.proveOutboxMessage(2, 0).verify(s2.hash()));
    }

    @Test
    void proofsRoundTripThroughBytes() {
        OutboxProof p = s2.proveOutboxMessage(2, 0);
        OutboxProof q = OutboxProof.fromBytes(p.toBytes());
        assertEquals(2, q.level());
        assertEquals(0, q.index());
        assertArrayEquals(p.merkleProof(), q.merkleProof());
        assertArrayEquals(b("n0"), q.verify(s2.hash()));
        assertArrayEquals(p.toBytes(), q.toBytes());
        assertThrows(ProofException.class, () -> OutboxProof.fromBytes(new byte[7]));
    }

    @Test
    void aWrongStateHashFails() {
        OutboxProof p = s1.proveOutboxMessage(1, 1);
        assertThrows(ProofException.class, () -> p.verify(s2.hash()));
        assertThrows(ProofException.class, () -> p.verify(Hash.fromBytes(new byte[32])));
    }

    @Test
    void aTamperedProofFails() {
        OutboxProof p = s1.proveOutboxMessage(1, 1);
        byte[] bytes = p.toBytes();
        for (int i = 8; i < bytes.length; i++) {
            byte[] t = bytes.clone();
            t[i] ^= 0x01;
            int at = i;
            assertThrows(ProofException.class, () -> OutboxProof.fromBytes(t).verify(s1.hash()), () -> "byte " + at);
        }
        // the proof of message 1 does not prove message 0 or another level
        assertThrows(ProofException.class, () -> new OutboxProof(1, 0, p.merkleProof()).verify(s1.hash()));
        assertThrows(ProofException.class, () -> new OutboxProof(2, 1, p.merkleProof()).verify(s1.hash()));
        // truncated
        assertThrows(ProofException.class, () -> OutboxProof.fromBytes(java.util.Arrays.copyOf(bytes, bytes.length - 1))
                .verify(s1.hash()));
    }

    @Test
    void thereIsNoProofOfAMessageThatDoesNotExist() {
        assertThrows(NoSuchElementException.class, () -> s1.proveOutboxMessage(1, 3));
        assertThrows(NoSuchElementException.class, () -> s1.proveOutboxMessage(2, 0));
    }
}
