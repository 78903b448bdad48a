package io.flotilla.actors.l1;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The L1 operations that smart rollup nodes follow. Addresses are base58 ({@code sr1...}, {@code KT1...},
 * {@code tz1...}); hashes are raw 32-byte values.
 *
 * <p>Some fields are computed by L1: when injecting, pass {@code null} for them (or use the static
 * factories); the operation recorded in the block has them filled in.
 */
public sealed interface L1Operation {

    /** Who signed the operation (an implicit account). */
    String source();

    /**
     * Originates a rollup: the kernel is the boot sector. {@code rollup} (the address) and
     * {@code genesisCommitment} (its hash) are derived by L1.
     */
    record Originate(String source, String rollup, byte[] kernel, String parametersType, String pvmVersion,
                     byte[] genesisCommitment) implements L1Operation {}

    /** External messages, shared by every rollup's inbox. */
    record AddMessages(String source, List<byte[]> messages) implements L1Operation {
        public AddMessages {
            messages = List.copyOf(messages);
        }
    }

    /**
     * A contract call to a rollup: an internal message for that rollup only. {@code sender} is the calling
     * {@code KT1} contract, {@code source} the implicit account that signed the operation.
     */
    record Transfer(String source, String sender, String rollup, byte[] parametersMicheline) implements L1Operation {}

    /**
     * A staker publishes a commitment (76 bytes, see Commitment). {@code commitmentHash} and {@code inboxLevel}
     * repeat what the commitment says; either may be left out ({@code null}, negative level) when injecting.
     */
    record Publish(String source, String rollup, byte[] commitmentHash, int inboxLevel, byte[] commitment)
            implements L1Operation {}

    /** Cements a commitment once its challenge window has passed ({@code inboxLevel} is filled in by L1). */
    record Cement(String source, String rollup, byte[] commitmentHash, int inboxLevel) implements L1Operation {}

    /**
     * Executes an outbox message proven against a cemented commitment's state. {@code outputProof} is an
     * {@code io.flotilla.pvm.OutboxProof} in its byte form, which names the outbox level and index.
     */
    record ExecuteOutbox(String source, String rollup, byte[] cementedCommitment, byte[] outputProof)
            implements L1Operation {

        /** The outbox level named by the proof. */
        public int outboxLevel() {
            return ByteBuffer.wrap(outputProof).getInt(0);
        }

        /** The message index named by the proof. */
        public int index() {
            return ByteBuffer.wrap(outputProof).getInt(4);
        }
    }

    // ------------------------------------------------------------------ factories for injection

    static Originate originate(String source, byte[] kernel, String parametersType, String pvmVersion) {
        return new Originate(source, null, kernel, parametersType, pvmVersion, null);
    }

    static AddMessages addMessages(String source, List<byte[]> messages) {
        return new AddMessages(source, messages);
    }

    static Publish publish(String source, String rollup, byte[] commitment) {
        return new Publish(source, rollup, null, -1, commitment);
    }

    static Cement cement(String source, String rollup, byte[] commitmentHash) {
        return new Cement(source, rollup, commitmentHash, -1);
    }

    static ExecuteOutbox executeOutbox(String source, String rollup, byte[] cementedCommitment, byte[] outputProof) {
        return new ExecuteOutbox(source, rollup, cementedCommitment, outputProof);
    }

    /** The operation's kind as used in JSON and error messages, e.g. {@code "add_messages"}. */
    static String kind(L1Operation op) {
        if (op instanceof Originate) {
            return "originate";
        } else if (op instanceof AddMessages) {
            return "add_messages";
        } else if (op instanceof Transfer) {
            return "transfer";
        } else if (op instanceof Publish) {
            return "publish";
        } else if (op instanceof Cement) {
            return "cement";
        } else {
            return "execute_outbox";
        }
    }
}
