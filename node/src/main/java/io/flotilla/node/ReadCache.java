package io.flotilla.node;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A small bounded cache (least recently used out) for the HTTP API's reads, keyed only by content-addressed,
 * immutable keys: a PVM state hash, an L1 block hash. What such a key names never changes, so a hit is always
 * right, even across a reorg: a reverted L2 block is never looked up here, only the state hash its replacement
 * names (the level-to-block step always reads the chain store).
 */
final class ReadCache<K, V> {
    private final int capacity;
    private final Map<K, V> entries;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    ReadCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("cache capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(capacity * 2, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > ReadCache.this.capacity;
            }
        };
    }

    /**
     * The value under {@code key}, computed by {@code load} (outside the lock: two threads may both load it, and
     * one wins) when absent; an empty load is not cached (the thing may appear later).
     */
    Optional<V> get(K key, Function<K, Optional<V>> load) {
        synchronized (entries) {
            V v = entries.get(key);
            if (v != null) {
                hits.incrementAndGet();
                return Optional.of(v);
            }
        }
        misses.incrementAndGet();
        Optional<V> loaded = load.apply(key);
        loaded.ifPresent(v -> {
            synchronized (entries) {
                entries.putIfAbsent(key, v);
            }
        });
        return loaded;
    }

    int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    long hits() {
        return hits.get();
    }

    long misses() {
        return misses.get();
    }
}
