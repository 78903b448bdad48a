package io.flotilla.actors.l1;

import java.util.List;

/** The L1 operations that smart rollup nodes follow. Addresses are base58 ({@code sr1...}, {@code KT1...}, {@code tz1...}). */
public sealed interface L1Operation {

    /** Who signed the operation (an implicit account). */
    String source();

    /** Originates a rollup: the kernel is the boot sector; the address is derived by L1. */
    record Originate(String source, String rollup, byte[] kernel, String parametersType, String pvmVersion,
                     byte[] genesisCommitment) implements L1Operation {}

    /** External messages, shared by every rollup's inbox. */
    record AddMessages(String source, List<byte[]> messages) implements L1Operation {
        public AddMessages {
            messages = List.copyOf(messages);
        }
    }

    /** A contract call to a rollup: an internal message for that rollup only. */
    record Transfer(String source, String sender, String rollup, byte[] parametersMicheline) implements L1Operation {}

    /** A staker publishes a commitment (76 bytes, see Commitment). */
    record Publish(String source, String rollup, byte[] commitmentHash, int inboxLevel, byte[] commitment)
            implements L1Operation {}

    /** Cements a commitment once its challenge window has passed. */
    record Cement(String source, String rollup, byte[] commitmentHash, int inboxLevel) implements L1Operation {}

    /** Executes an outbox message proven against a cemented commitment's state. */
    record ExecuteOutbox(String source, String rollup, byte[] cementedCommitment, int outboxLevel, int index,
                         byte[] outboxMessage) implements L1Operation {}
}
