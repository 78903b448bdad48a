package io.flotilla.actors.chain;

import io.flotilla.actors.l1.L1Block;
import io.flotilla.actors.l1.L1Codec;
import io.flotilla.persistence.chain.L1BlockStore;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An {@link L1BlockStore} seen as {@link L1Block}s (stored in {@link L1Codec#encodeBlock} form). Thread-safe.
 *
 * <p>Every rollup entity reads the same few blocks at each level (its head's and the next one): decoded blocks are
 * kept in a small cache keyed by block hash, so a level is decoded once per node instead of once per entity (the
 * origination block of a fleet, holding every kernel, was decoded a thousand times). A block's hash names its content,
 * so the cache is never stale: a read by level first asks the store which hash is at that level now (a reorg, even one
 * journaled by another node's chain actor on a shared store, changes that answer).
 */
public final class L1Blocks {
    /** Blocks kept decoded: the levels entities are at (a few, unless they lag far behind) and their predecessors. */
    static final int CACHED_BLOCKS = 64;

    private final L1BlockStore store;
    private final Map<ByteBuffer, L1Block> decoded = new LinkedHashMap<>(CACHED_BLOCKS * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, L1Block> eldest) {
            return size() > CACHED_BLOCKS;
        }
    };

    public L1Blocks(L1BlockStore store) {
        this.store = store;
    }

    public L1BlockStore store() {
        return store;
    }

    public void put(L1Block b) {
        store.put(b.level(), b.hash(), L1Codec.encodeBlock(b));
    }

    public Optional<L1Block> get(int level) {
        Optional<byte[]> hash = store.hashAt(level);
        if (hash.isEmpty()) {
            return Optional.empty();
        }
        L1Block cached = cached(hash.get());
        if (cached != null) {
            return Optional.of(cached);
        }
        // the store may have moved on since hashAt (a reorg): the block read is cached under its own hash
        return store.get(level).map(this::decode);
    }

    public Optional<byte[]> hashAt(int level) {
        return store.hashAt(level);
    }

    public Optional<L1Block> byHash(byte[] hash) {
        L1Block cached = cached(hash);
        return cached != null ? Optional.of(cached) : store.getByHash(hash).map(this::decode);
    }

    private L1Block cached(byte[] hash) {
        synchronized (decoded) {
            return decoded.get(ByteBuffer.wrap(hash));
        }
    }

    private L1Block decode(byte[] bytes) {
        L1Block b = L1Codec.decodeBlock(bytes);
        synchronized (decoded) {
            decoded.put(ByteBuffer.wrap(b.hash().clone()), b);
        }
        return b;
    }

    public void truncateAbove(int level) {
        store.truncateAbove(level);
    }

    public OptionalInt firstLevel() {
        return store.firstLevel();
    }

    public OptionalInt lastLevel() {
        return store.lastLevel();
    }
}
