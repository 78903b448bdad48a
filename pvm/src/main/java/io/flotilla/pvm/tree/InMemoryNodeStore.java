package io.flotilla.pvm.tree;

import java.util.concurrent.ConcurrentHashMap;

/** A thread-safe in-memory {@link NodeStore}. */
public final class InMemoryNodeStore implements NodeStore {
    private final ConcurrentHashMap<Hash, byte[]> map = new ConcurrentHashMap<>();

    @Override
    public byte[] get(Hash h) {
        return map.get(h);
    }

    @Override
    public void put(Hash h, byte[] encoding) {
        map.putIfAbsent(h, encoding.clone());
    }

    @Override
    public boolean contains(Hash h) {
        return map.containsKey(h);
    }

    /** Number of stored encodings. */
    public int size() {
        return map.size();
    }

    /** Total bytes of stored encodings. */
    public long totalBytes() {
        long n = 0;
        for (byte[] b : map.values()) {
            n += b.length;
        }
        return n;
    }
}
