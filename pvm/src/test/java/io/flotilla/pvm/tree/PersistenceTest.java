package io.flotilla.pvm.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class PersistenceTest {
    private static Map<List<String>, byte[]> randomContent(Random rnd, int n) {
        Map<List<String>, byte[]> m = new TreeMap<>(TreeModelTest.PATHS);
        for (int i = 0; i < n; i++) {
            List<String> p = List.of("d" + rnd.nextInt(5), "e" + rnd.nextInt(20), "k" + i, "@");
            byte[] v = new byte[rnd.nextInt(10) == 0 ? 5000 + rnd.nextInt(300_000) : rnd.nextInt(64)];
            rnd.nextBytes(v);
            m.put(p, v);
        }
        return m;
    }

    private static void assertContent(Map<List<String>, byte[]> m, Tree t) {
        for (Map.Entry<List<String>, byte[]> e : m.entrySet()) {
            assertArrayEquals(e.getValue(), t.value(e.getKey()).orElseThrow().toBytes(), e.getKey().toString());
        }
    }

    @Test
    void roundTrip() {
        Random rnd = new Random(10);
        Map<List<String>, byte[]> m = randomContent(rnd, 300);
        Tree t = TreeModelTest.build(m, rnd);
        Hash h = t.hash();
        InMemoryNodeStore store = NodeStore.inMemory();
        int written = t.persist(store);
        assertEquals(store.size(), written);
        assertEquals(0, t.persist(store), "nothing left to write");
        assertEquals(h, t.hash());
        assertContent(m, t); // the persisted tree still reads (from its soft caches or the store)

        Tree loaded = Tree.load(h, store);
        assertEquals(h, loaded.hash());
        assertContent(m, loaded);
        assertEquals(0, loaded.persist(store));

        // an update of a loaded tree writes only the new path
        Tree u = loaded.set(List.of("d1", "new", "@"), Value.of(new byte[] {1}));
        assertEquals(4, u.persist(store)); // leaf, "new" directory, "d1", root
        assertArrayEquals(new byte[] {1}, Tree.load(u.hash(), store).value(List.of("d1", "new", "@")).orElseThrow().toBytes());

        // persisting a loaded tree into another store copies everything it needs
        InMemoryNodeStore other = NodeStore.inMemory();
        assertEquals(written, loaded.persist(other));
        assertContent(m, Tree.load(h, other));
        assertEquals(written, Tree.load(h, other).persist(NodeStore.inMemory()));
    }

    @Test
    void emptyAndLeafRootsRoundTrip() {
        InMemoryNodeStore store = NodeStore.inMemory();
        Tree e = Tree.empty();
        assertEquals(1, e.persist(store));
        Tree le = Tree.load(e.hash(), store);
        assertTrue(le.isEmpty());
        assertEquals(0, le.childCount(List.of()));
        Tree leaf = Tree.ofValue(Value.zeros(70_000));
        leaf.persist(store);
        Tree ll = Tree.load(leaf.hash(), store);
        assertTrue(ll.isLeaf());
        assertEquals(70_000, ll.value(List.of()).orElseThrow().size());
    }

    @Test
    void droppedCachesAreReloadedFromTheStore() {
        Tree t = Tree.empty().set(List.of("a", "@"), Value.of(new byte[] {7}));
        CountingStore store = new CountingStore();
        t.persist(store);
        t.root.dropCache();
        assertNull(t.root.loadedNode(), "a persisted node is only softly reachable");
        store.reset();
        assertArrayEquals(new byte[] {7}, t.value(List.of("a", "@")).orElseThrow().toBytes());
        assertEquals(3, store.gets.get(), "the reloaded root has fresh lazy references: root, directory, leaf");
    }

    @Test
    void lazyLoadingReadsOnlyThePath() {
        Tree t = Tree.empty();
        for (int i = 0; i < 100; i++) {
            for (int j = 0; j < 100; j++) {
                for (int k = 0; k < 10; k++) {
                    t = t.set(List.of("a" + i, "b" + j, "c" + k, "@"), Value.of(new byte[] {(byte) i, (byte) j, (byte) k}));
                }
            }
        }
        CountingStore store = new CountingStore();
        int written = t.persist(store);
        assertTrue(written > 100_000, "wrote " + written);
        store.reset();

        Tree loaded = Tree.load(t.hash(), store);
        assertEquals(t.hash(), loaded.hash());
        assertEquals(0, store.gets.get(), "hash needs no read");
        assertArrayEquals(new byte[] {42, 17, 3}, loaded.value(List.of("a42", "b17", "c3", "@")).orElseThrow().toBytes());
        assertEquals(5, store.gets.get(), "root, three directories, leaf");
        assertArrayEquals(new byte[] {42, 17, 4}, loaded.value(List.of("a42", "b17", "c4", "@")).orElseThrow().toBytes());
        assertEquals(7, store.gets.get(), "the path's directories stay cached: only c4 and its leaf are read");
        assertEquals(100, loaded.childCount(List.of()));
        assertTrue(loaded.exists(List.of("a99", "b99", "c9")));
        assertEquals(9, store.gets.get(), "a99 and b99; c9 itself need not be read");

        store.reset();
        Tree u = loaded.set(List.of("a1", "b2", "c3", "@"), Value.EMPTY);
        assertEquals(3, store.gets.get(), "an update loads the directories on its path");
        assertEquals(5, u.persist(store));
    }

    @Test
    void concurrentReadersOfALoadedTree() throws Exception {
        Random rnd = new Random(11);
        Map<List<String>, byte[]> m = randomContent(rnd, 400);
        Tree t = TreeModelTest.build(m, rnd);
        InMemoryNodeStore store = NodeStore.inMemory();
        t.persist(store);
        Tree loaded = Tree.load(t.hash(), store);
        List<Map.Entry<List<String>, byte[]>> es = new ArrayList<>(m.entrySet());
        ExecutorService ex = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int th = 0; th < 4; th++) {
                int seed = th;
                fs.add(ex.submit(() -> {
                    Random r = new Random(seed);
                    for (int i = 0; i < 2000; i++) {
                        Map.Entry<List<String>, byte[]> e = es.get(r.nextInt(es.size()));
                        assertArrayEquals(e.getValue(), loaded.value(e.getKey()).orElseThrow().toBytes());
                    }
                }));
            }
            // persisting a derived tree concurrently with the readers
            Tree u = t.set(List.of("x", "@"), Value.of(new byte[] {1}));
            u.persist(NodeStore.inMemory());
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            ex.shutdownNow();
        }
    }
}
