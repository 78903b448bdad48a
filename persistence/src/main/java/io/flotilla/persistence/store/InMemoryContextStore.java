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
    /** Hashes protected from the current sweep, null outside a collection; guarded by {@code this}. */
    private java.util.Set<Hash> protectedHashes;

    @Override
    public synchronized void putAll(Map<Hash, byte[]> nodes) {
        open();
        if (protectedHashes != null) {
            protectedHashes.addAll(nodes.keySet());
        }
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
        if (protectedHashes == null) {
            return map.containsKey(h);
        }
        synchronized (this) {
            boolean p = map.containsKey(h);
            if (p && protectedHashes != null) {
                protectedHashes.add(h);
            }
            return p;
        }
    }

    @Override
    public synchronized void beginCollection() {
        open();
        if (protectedHashes != null) {
            throw new IllegalStateException("a collection is already in progress");
        }
        protectedHashes = new java.util.HashSet<>();
    }

    @Override
    public synchronized void endCollection() {
        protectedHashes = null;
    }

    @Override
    public SweepResult sweep(java.util.function.Predicate<Hash> live, java.util.function.BooleanSupplier cancelled) {
        open();
        long visited = 0;
        long deleted = 0;
        long deletedBytes = 0;
        for (Hash h : new java.util.ArrayList<>(map.keySet())) {
            if (cancelled.getAsBoolean()) {
                return new SweepResult(visited, deleted, deletedBytes, true);
            }
            visited++;
            if (live.test(h)) {
                continue;
            }
            synchronized (this) {
                if (protectedHashes == null) {
                    throw new IllegalStateException("sweep outside a collection (call beginCollection first)");
                }
                if (protectedHashes.contains(h)) {
                    continue;
                }
                byte[] v = map.remove(h);
                if (v != null) {
                    bytes.addAndGet(-v.length);
                    deleted++;
                    deletedBytes += v.length;
                }
            }
        }
        return new SweepResult(visited, deleted, deletedBytes, false);
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
