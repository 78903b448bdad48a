package io.flotilla.persistence.store;

import io.flotilla.pvm.tree.Hash;
import io.flotilla.pvm.tree.NodeStore;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link NodeStore} view of a {@link ContextStore} that stages puts in memory until {@link #commit()}, which
 * writes them in one atomic, durable {@link ContextStore#putAll} batch. Reads see staged nodes, then the store.
 *
 * <p>Use one writer per rollup entity for its whole life, for loading as well as persisting: {@code Tree.persist}
 * skips subtrees already stored <em>through the same NodeStore object</em>, so trees must be loaded with
 * {@code Tree.load(root, writer)} and persisted with {@code tree.persist(writer)}; a fresh writer per level (or
 * loading through the bare store) would make every persist walk and rewrite the whole tree.
 *
 * <pre>{@code
 * LevelWriter w = store.writer();
 * Tree state = Tree.load(root, w);
 * for (each level) {
 *     state = runLevel(state);
 *     state.persist(w);
 *     w.commit();                   // durable from here: now journal L2BlockProduced
 * }
 * }</pre>
 *
 * One thread writes ({@code put}, {@code commit}); any thread may read.
 */
public final class LevelWriter implements NodeStore {
    private final ContextStore store;
    private final ConcurrentHashMap<Hash, byte[]> staged = new ConcurrentHashMap<>();

    LevelWriter(ContextStore store) {
        this.store = store;
    }

    /** The store this writer commits to. */
    public ContextStore store() {
        return store;
    }

    @Override
    public byte[] get(Hash h) {
        byte[] b = staged.get(h);
        return b != null ? b : store.get(h);
    }

    @Override
    public void put(Hash h, byte[] encoding) {
        staged.computeIfAbsent(h, k -> encoding.clone());
    }

    @Override
    public boolean contains(Hash h) {
        return staged.containsKey(h) || store.contains(h);
    }

    /** Number of staged nodes. */
    public int staged() {
        return staged.size();
    }

    /** Writes the staged nodes in one durable batch (nothing when none are staged) and returns how many. */
    public int commit() {
        int n = staged.size();
        if (n > 0) {
            store.putAll(staged);
            staged.clear();
        }
        return n;
    }

    /** Drops the staged nodes (a level abandoned before commit). Trees persisted through this writer since the last
     * commit must be dropped too: their references point to nodes that will never be stored. */
    public void discard() {
        staged.clear();
    }
}
