package io.flotilla.persistence.store;

import io.flotilla.pvm.tree.Hash;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link ContextStore} in a ConcurrentHashMap, for tests; batches are visible node by node, not atomically. */
public final class InMemoryContextStore implements ContextStore {
    private final ConcurrentHashMap<Hash, byte[]> map = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private volatile boolean closed;

    @Override
    public void putAll(Map<Hash, byte[]> nodes) {
        open();
        for (Map.Entry<Hash, byte[]> e : nodes.entrySet()) {
            byte[] v = e.getValue();
            if (map.putIfAbsent(e.getKey(), v.clone()) == null) {
                bytes.addAndGet(v.length);
            }
        }
    }

    @Override
    public byte[] get(Hash h) {
        open();
        return map.get(h);
    }

    @Override
    public boolean contains(Hash h) {
        open();
        return map.containsKey(h);
    }

    @Override
    public Stats stats() {
        return new Stats(map.size(), bytes.get(), -1);
    }

    @Override
    public void close() {
        closed = true;
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("context store is closed");
        }
    }
}
