package io.flotilla.persistence.store;

import io.flotilla.pvm.tree.Hash;
import io.flotilla.pvm.tree.NodeStore;

import java.util.Map;

/**
 * The context store: Merkle tree node encodings keyed by their Blake2b-256 hash, written once and never changed.
 *
 * <p>Writes come in batches, one per L2 level: {@link #putAll} stores every node of the map atomically (all or
 * none are visible after a crash) and durably (an acknowledged batch survives {@code kill -9} of the process and,
 * for on-disk backends, a power loss). A rollup entity persists a level's new nodes through a {@link #writer()} and
 * journals its {@code L2BlockProduced} event only after {@link LevelWriter#commit()} returned, so a journaled block always
 * points to stored state.
 *
 * <p>Re-putting a hash that is present is a no-op (the store is content-addressed: same hash, same bytes); the store
 * does not recompute hashes on writes, the caller ({@link io.flotilla.pvm.tree.Tree#persist}) does. Readers get
 * {@code null} for absent hashes and a {@link ContextStoreException} when the data on disk cannot be read back
 * intact. Implementations are thread-safe.
 */
public interface ContextStore extends NodeStore, AutoCloseable {

    /** Stores all {@code nodes} in one atomic, durable batch; returns once the batch is durable. */
    void putAll(Map<Hash, byte[]> nodes);

    /** A single-node batch. Prefer {@link #putAll} or {@link #writer()}: each call is a durable write. */
    @Override
    default void put(Hash h, byte[] encoding) {
        putAll(Map.of(h, encoding));
    }

    /** Counts kept by the store; {@link Stats#diskBytes()} is -1 for memory-only backends. */
    Stats stats();

    /** A new staging view over this store, to keep for the life of one writer (one rollup entity): see {@link LevelWriter}. */
    default LevelWriter writer() {
        return new LevelWriter(this);
    }

    // ---- garbage collection (history mode full; see persistence/GC.md)

    /**
     * Starts a collection: from now until {@link #endCollection()}, every hash given to {@link #putAll} (written or
     * already present) and every hash for which {@link #contains} answered true is <em>protected</em>: {@link #sweep}
     * keeps it whatever its liveness. A writer that found a node present, and therefore did not write it, thus never
     * loses it to a sweep running at the same time. One collection at a time: a second begin fails.
     */
    default void beginCollection() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not collect garbage");
    }

    /**
     * Deletes every stored node that is neither {@code live} nor protected since {@link #beginCollection()}, in
     * small atomic, durable batches (writers wait for one batch at most), checking {@code cancelled} between batches.
     * A crash or a cancellation leaves a store where some dead nodes remain: the next collection deletes them.
     *
     * @throws IllegalStateException when no collection is in progress
     */
    default SweepResult sweep(java.util.function.Predicate<Hash> live, java.util.function.BooleanSupplier cancelled) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not collect garbage");
    }

    /** Ends the collection begun by {@link #beginCollection()} (forgets the protected hashes). Idempotent. */
    default void endCollection() {
    }

    /**
     * What a sweep did.
     *
     * @param visited   stored nodes looked at
     * @param deleted   nodes deleted
     * @param bytes     payload bytes deleted
     * @param cancelled whether it stopped early because it was cancelled
     */
    record SweepResult(long visited, long deleted, long bytes, boolean cancelled) {
    }

    /** Releases files and locks. Further calls fail with IllegalStateException. Idempotent. */
    @Override
    void close();

    /**
     * @param nodes      number of distinct stored encodings
     * @param bytes      sum of their lengths (payload, before any compression)
     * @param diskBytes  bytes used by the backend's files, -1 when not on disk
     */
    record Stats(long nodes, long bytes, long diskBytes) {
    }
}
