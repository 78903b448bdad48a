package io.flotilla.pvm.tree;

/**
 * A content-addressed, write-once store of node encodings, keyed by the Blake2b-256 of the encoding.
 * Implementations must be thread-safe.
 */
public interface NodeStore {
    /** The encoding stored under {@code h}, or null when absent. Callers must not modify the array. */
    byte[] get(Hash h);

    /** Stores {@code encoding} under {@code h} (which must be its hash); a second put of the same hash is a no-op. */
    void put(Hash h, byte[] encoding);

    /** Whether an encoding is stored under {@code h}. Implementations may override with something cheaper than get. */
    default boolean contains(Hash h) {
        return get(h) != null;
    }

    /** A ConcurrentHashMap-backed store. */
    static InMemoryNodeStore inMemory() {
        return new InMemoryNodeStore();
    }
}
