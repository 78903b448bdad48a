package io.flotilla.actors.chain;

import io.flotilla.actors.l1.L1Block;
import io.flotilla.actors.l1.L1Codec;
import io.flotilla.persistence.chain.L1BlockStore;
import java.util.Optional;
import java.util.OptionalInt;

/** An {@link L1BlockStore} seen as {@link L1Block}s (stored in {@link L1Codec#encodeBlock} form). Thread-safe. */
public final class L1Blocks {
    private final L1BlockStore store;

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
        return store.get(level).map(L1Codec::decodeBlock);
    }

    public Optional<byte[]> hashAt(int level) {
        return store.hashAt(level);
    }

    public Optional<L1Block> byHash(byte[] hash) {
        return store.getByHash(hash).map(L1Codec::decodeBlock);
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
