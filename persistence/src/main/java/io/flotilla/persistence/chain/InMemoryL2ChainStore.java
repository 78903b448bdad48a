package io.flotilla.persistence.chain;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/** The L2 chain in memory (tests, the debugger). */
public final class InMemoryL2ChainStore implements L2ChainStore {
    private final Map<String, ConcurrentNavigableMap<Integer, L2Block>> chains = new ConcurrentHashMap<>();

    private ConcurrentNavigableMap<Integer, L2Block> chain(String rollup) {
        return chains.computeIfAbsent(rollup, r -> new ConcurrentSkipListMap<>());
    }

    @Override
    public void put(String rollup, L2Block block) {
        chain(rollup).put(block.level(), block);
    }

    @Override
    public Optional<L2Block> get(String rollup, int level) {
        return Optional.ofNullable(chain(rollup).get(level));
    }

    @Override
    public void truncateAbove(String rollup, int level) {
        chain(rollup).tailMap(level, false).clear();
    }

    @Override
    public Optional<Integer> firstLevel(String rollup) {
        var c = chain(rollup);
        return c.isEmpty() ? Optional.empty() : Optional.of(c.firstKey());
    }

    @Override
    public Optional<Integer> lastLevel(String rollup) {
        var c = chain(rollup);
        return c.isEmpty() ? Optional.empty() : Optional.of(c.lastKey());
    }

    @Override
    public void deleteBelow(String rollup, int level) {
        chain(rollup).headMap(level, false).clear();
    }

    @Override
    public java.util.Set<String> rollups() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        chains.forEach((r, c) -> {
            if (!c.isEmpty()) {
                out.add(r);
            }
        });
        return out;
    }
}
