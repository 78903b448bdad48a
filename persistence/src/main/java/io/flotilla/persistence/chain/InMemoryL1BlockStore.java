package io.flotilla.persistence.chain;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/** An {@link L1BlockStore} in memory (tests, nodes without a data directory). */
public final class InMemoryL1BlockStore implements L1BlockStore {
    private final TreeMap<Integer, byte[]> mainChain = new TreeMap<>();
    private final Map<ByteBuffer, byte[]> byHash = new HashMap<>();

    @Override
    public synchronized void put(int level, byte[] hash32, byte[] block) {
        if (hash32.length != 32 || level < 0) {
            throw new IllegalArgumentException("a 32-byte hash and a level >= 0 are needed");
        }
        byHash.put(ByteBuffer.wrap(hash32.clone()), block.clone());
        mainChain.put(level, hash32.clone());
    }

    @Override
    public synchronized Optional<byte[]> get(int level) {
        byte[] h = mainChain.get(level);
        return h == null ? Optional.empty() : Optional.of(byHash.get(ByteBuffer.wrap(h)).clone());
    }

    @Override
    public synchronized Optional<byte[]> hashAt(int level) {
        byte[] h = mainChain.get(level);
        return h == null ? Optional.empty() : Optional.of(h.clone());
    }

    @Override
    public synchronized Optional<byte[]> getByHash(byte[] hash32) {
        byte[] b = hash32 == null ? null : byHash.get(ByteBuffer.wrap(hash32));
        return b == null ? Optional.empty() : Optional.of(b.clone());
    }

    @Override
    public synchronized void truncateAbove(int level) {
        mainChain.tailMap(level, false).clear();
    }

    @Override
    public synchronized OptionalInt lastLevel() {
        return mainChain.isEmpty() ? OptionalInt.empty() : OptionalInt.of(mainChain.lastKey());
    }

    @Override
    public synchronized OptionalInt firstLevel() {
        return mainChain.isEmpty() ? OptionalInt.empty() : OptionalInt.of(mainChain.firstKey());
    }
}
