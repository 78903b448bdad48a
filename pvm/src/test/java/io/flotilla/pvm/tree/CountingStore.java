package io.flotilla.pvm.tree;

import java.util.concurrent.atomic.AtomicInteger;

/** A NodeStore that counts reads and writes. */
final class CountingStore implements NodeStore {
    final InMemoryNodeStore inner;
    final AtomicInteger gets = new AtomicInteger();
    final AtomicInteger puts = new AtomicInteger();

    CountingStore() {
        this(NodeStore.inMemory());
    }

    CountingStore(InMemoryNodeStore inner) {
        this.inner = inner;
    }

    @Override
    public byte[] get(Hash h) {
        gets.incrementAndGet();
        return inner.get(h);
    }

    @Override
    public void put(Hash h, byte[] encoding) {
        puts.incrementAndGet();
        inner.put(h, encoding);
    }

    @Override
    public boolean contains(Hash h) {
        return inner.contains(h);
    }

    void reset() {
        gets.set(0);
        puts.set(0);
    }
}
