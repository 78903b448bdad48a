package io.flotilla.http;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.stream.javadsl.Source;

/**
 * What the HTTP API reads from (and asks of) the node's rollup entities. Implemented by the node
 * over the sharded {@code Rollup} entities and their stores; tests use an in-memory implementation.
 *
 * <p>Hashes travel as lower-case hex of their raw bytes (32 bytes for state, inbox, commitment and
 * L1 block hashes); the HTTP layer turns them into base58 ({@code srs1}, {@code srib1},
 * {@code src1}, {@code B}). Rollup addresses travel as their {@code sr1...} text.
 *
 * <p>Synchronous methods may block on storage: the HTTP layer calls them on its read dispatcher,
 * never on the dispatcher. They should throw {@link IllegalArgumentException} for arguments they
 * refuse (mapped to 400) and return empty for what does not exist (mapped to 404).
 */
public interface RollupQueries {

    /** The sr1 addresses served by this node. */
    List<String> rollups();

    /** Whether this node serves {@code rollup} (asked on every request that names one). */
    default boolean serves(String rollup) {
        return rollups().contains(rollup);
    }

    /** Head, commitments, LCC, status, mode and L1 view of a rollup; empty when the node does not serve it. */
    CompletionStage<Optional<RollupSummary>> summary(String rollup);

    /**
     * The last L2 block's level read from the stores, without asking the rollup's entity (the {@code head} and
     * {@code finalized} block ids of read routes use it); empty when the rollup has no L2 block yet or is not served,
     * and the HTTP layer then asks {@link #summary} for the reason. May block on storage.
     */
    Optional<ChainHead> chainHead(String rollup);

    /** The L2 block produced for the L1 level {@code level}; empty when unknown or garbage-collected. */
    Optional<L2BlockView> block(String rollup, int level);

    /**
     * The state hash (hex) of the L2 block at {@code level}: all that reads of its state (outbox, durable storage) need
     * of the block. The default reads the whole block; a backend may read less.
     */
    default Optional<String> stateHashAt(String rollup, int level) {
        return block(rollup, level).map(L2BlockView::stateHashHex);
    }

    /** The level of the L2 block made from the L1 block with this hash (hex), if known. */
    Optional<Integer> levelOfL1Hash(String rollup, String l1HashHex);

    /** Reads of the durable storage in the PVM state after block {@code level}. */
    Optional<DurableView> durable(String rollup, int level);

    /**
     * The PVM state with this hash (hex), for reads addressed by content: the HTTP layer keeps their answers (outbox
     * messages, durable values, proofs) by state hash, since a state never changes under its hash. Empty when the state
     * is not stored, or when the backend reads states only by level (this default): reads then go through
     * {@link #durable}, {@link #outbox} and {@link #outboxProof} and nothing is kept. May block on storage.
     */
    default Optional<StateView> stateByHash(String rollup, String stateHashHex) {
        return Optional.empty();
    }

    /** Outbox messages of {@code outboxLevel} in the state of block {@code level}, by index. */
    List<byte[]> outbox(String rollup, int level, int outboxLevel);

    /** Proof bytes of outbox message ({@code outboxLevel}, {@code index}) against block {@code level}'s state hash. */
    Optional<byte[]> outboxProof(String rollup, int level, int outboxLevel, int index);

    /** A commitment computed (or published) by this node, by hash (hex). */
    Optional<CommitmentView> commitment(String rollup, String hashHex);

    /** Outbox messages not executed yet. */
    List<OutboxPending> pendingOutbox(String rollup);

    /**
     * Hands messages to the batcher; completes with their ids (hex of Blake2b-256 of each message),
     * or fails with {@link IllegalStateException} when the rollup's mode does not batch.
     */
    CompletionStage<List<String>> inject(String rollup, List<byte[]> messages);

    /** Ids (hex) of the messages waiting in the batcher's queue, in order. */
    List<String> batcherQueue(String rollup);

    GcInfo gcInfo(String rollup);

    /** Cancels a running GC; true when one was running. */
    boolean cancelGc(String rollup);

    /** New L2 heads as they are produced (a live stream: it does not replay the past). */
    Source<BlockEvent, ?> monitorBlocks(String rollup);

    /** New finalized L2 blocks as they become final. */
    Source<BlockEvent, ?> monitorFinalizedBlocks(String rollup);

    /** Prometheus text of the node's metrics (the HTTP layer appends its own). */
    String metricsText();
}
