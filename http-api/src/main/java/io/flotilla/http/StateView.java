package io.flotilla.http;

import java.util.List;
import java.util.Optional;

/**
 * Reads of one PVM state, found by its hash ({@link RollupQueries#stateByHash}). A state never changes under its
 * hash, so what these reads return never changes either: the HTTP layer keeps their answers by state hash.
 */
public interface StateView {

    /** The durable storage of the state. */
    DurableView durable();

    /** Outbox messages of {@code outboxLevel} in the state, by index (empty when there are none). */
    List<byte[]> outbox(int outboxLevel);

    /** Proof bytes of outbox message ({@code outboxLevel}, {@code index}) against the state's hash, if it exists. */
    Optional<byte[]> outboxProof(int outboxLevel, int index);
}
