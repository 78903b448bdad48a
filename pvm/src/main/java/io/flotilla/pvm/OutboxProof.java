package io.flotilla.pvm;

import io.flotilla.pvm.tree.Hash;
import io.flotilla.pvm.tree.MerkleProof;
import io.flotilla.pvm.tree.ProofException;
import java.nio.ByteBuffer;

/**
 * Proof that an outbox message belongs to the outbox of a PVM state. Verifying needs only the
 * state hash (for example the one of a cemented commitment), never the state itself.
 */
public record OutboxProof(int level, int index, byte[] merkleProof) {

    /**
     * Checks the proof against a state hash and returns the proven message bytes.
     * Throws {@link ProofException} with the reason when the proof does not hold.
     */
    public byte[] verify(Hash stateHash) {
        MerkleProof p = MerkleProof.fromBytes(merkleProof);
        return MerkleProof.verify(p, stateHash, PvmState.outboxPath(level, index));
    }

    /** level (int32 BE) + index (int32 BE) + Merkle proof bytes. */
    public byte[] toBytes() {
        return ByteBuffer.allocate(8 + merkleProof.length).putInt(level).putInt(index).put(merkleProof).array();
    }

    public static OutboxProof fromBytes(byte[] bytes) {
        if (bytes.length < 8) {
            throw new ProofException("outbox proof too short: " + bytes.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int level = b.getInt();
        int index = b.getInt();
        byte[] rest = new byte[bytes.length - 8];
        b.get(rest);
        return new OutboxProof(level, index, rest);
    }
}
