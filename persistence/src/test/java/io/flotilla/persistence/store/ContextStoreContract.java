package io.flotilla.persistence.store;

import io.flotilla.pvm.tree.Hash;
import io.flotilla.pvm.tree.NodeStore;
import io.flotilla.pvm.tree.Tree;
import io.flotilla.pvm.tree.Value;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviour every {@link ContextStore} backend must have. A backend's test extends this class and implements
 * {@link #open()}; a persistent backend keeps its data between a {@code close()} and the next {@link #open()} of the
 * same test, and may implement {@link #corruptStoredData()} to show that damage on disk is detected.
 */
public abstract class ContextStoreContract {
    private final List<ContextStore> opened = new ArrayList<>();

    /** Opens the store under test; within one test, every call after a close sees the same data. */
    protected abstract ContextStore createOrOpen() throws Exception;

    /** Whether data survives close and reopen (false for memory-only backends). */
    protected boolean persistent() {
        return true;
    }

    /**
     * Damages the data of the (closed) store so that at least some stored nodes cannot be read back intact.
     * Backends that cannot simulate it leave the default, which skips the test.
     */
    protected void corruptStoredData() throws Exception {
        Assumptions.abort("this backend cannot simulate corrupt data");
    }

    /**
     * Whether a reader never sees part of a {@code putAll} batch. Backends that write a batch as several
     * independent writes (Cassandra: one partition per node) return false and skip that test; they still return
     * from {@code putAll} only once every node is durable and readable.
     */
    protected boolean batchesBecomeVisibleAtOnce() {
        return true;
    }

    protected final ContextStore open() throws Exception {
        ContextStore s = createOrOpen();
        opened.add(s);
        return s;
    }

    @AfterEach
    void closeAll() {
        for (ContextStore s : opened) {
            try {
                s.close();
            } catch (RuntimeException ignored) {
                // already closed or broken on purpose
            }
        }
    }

    // ---- helpers

    protected static Map<Hash, byte[]> nodes(long seed, int n, int minSize, int maxSize) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<Hash, byte[]> m = new LinkedHashMap<>();
        while (m.size() < n) {
            byte[] v = new byte[r.nextInt(minSize, maxSize + 1)];
            r.nextBytes(v);
            m.put(Hash.of(v), v);
        }
        return m;
    }

    private static void assertAllPresent(ContextStore s, Map<Hash, byte[]> m) {
        for (Map.Entry<Hash, byte[]> e : m.entrySet()) {
            assertArrayEquals(e.getValue(), s.get(e.getKey()), () -> "node " + e.getKey());
            assertTrue(s.contains(e.getKey()));
        }
    }

    private static long bytes(Map<Hash, byte[]> m) {
        return m.values().stream().mapToLong(v -> v.length).sum();
    }

    // ---- tests

    @Test
    void putAllThenGetReturnsTheSameBytes() throws Exception {
        ContextStore s = open();
        Map<Hash, byte[]> m = nodes(1, 500, 1, 4000);
        s.putAll(m);
        assertAllPresent(s, m);
        ContextStore.Stats st = s.stats();
        assertEquals(500, st.nodes());
        assertEquals(bytes(m), st.bytes());
    }

    @Test
    void singlePutAndEmptyValue() throws Exception {
        ContextStore s = open();
        byte[] empty = new byte[0];
        s.put(Hash.of(empty), empty);
        byte[] one = {42};
        s.put(Hash.of(one), one);
        assertArrayEquals(empty, s.get(Hash.of(empty)));
        assertArrayEquals(one, s.get(Hash.of(one)));
        assertEquals(2, s.stats().nodes());
        assertEquals(1, s.stats().bytes());
    }

    @Test
    void missingKeysReadAsNull() throws Exception {
        ContextStore s = open();
        Hash absent = Hash.of(new byte[] {1, 2, 3});
        assertNull(s.get(absent));
        assertFalse(s.contains(absent));
        s.putAll(nodes(2, 100, 10, 100));
        assertNull(s.get(absent));
        assertFalse(s.contains(absent));
        s.putAll(Map.of());
        assertEquals(100, s.stats().nodes());
    }

    @Test
    void rePutsOfTheSameHashAreNoOps() throws Exception {
        ContextStore s = open();
        Map<Hash, byte[]> m = nodes(3, 200, 10, 1000);
        s.putAll(m);
        ContextStore.Stats before = s.stats();
        s.putAll(m);
        Map.Entry<Hash, byte[]> first = m.entrySet().iterator().next();
        s.put(first.getKey(), first.getValue());
        Map<Hash, byte[]> mixed = new LinkedHashMap<>(nodes(4, 50, 10, 1000));
        mixed.putAll(m);
        s.putAll(mixed);
        assertEquals(before.nodes() + 50, s.stats().nodes());
        assertEquals(before.bytes() + bytes(mixed) - bytes(m), s.stats().bytes());
        assertAllPresent(s, mixed);
    }

    @Test
    void storeKeepsItsOwnCopyOfTheBytes() throws Exception {
        ContextStore s = open();
        byte[] v = {1, 2, 3, 4};
        Hash h = Hash.of(v);
        s.put(h, v);
        v[0] = 9;
        assertArrayEquals(new byte[] {1, 2, 3, 4}, s.get(h));
    }

    @Test
    void batchesSurviveCloseAndReopen() throws Exception {
        Assumptions.assumeTrue(persistent(), "memory-only backend");
        ContextStore s = open();
        List<Map<Hash, byte[]>> batches = new ArrayList<>();
        for (int b = 0; b < 5; b++) {
            Map<Hash, byte[]> m = nodes(100 + b, 300, 1, 4000);
            s.putAll(m);
            batches.add(m);
        }
        ContextStore.Stats st = s.stats();
        s.close();
        s.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> s.get(batches.get(0).keySet().iterator().next()));
        ContextStore r = open();
        for (Map<Hash, byte[]> m : batches) {
            assertAllPresent(r, m);
        }
        assertEquals(st.nodes(), r.stats().nodes());
        assertEquals(st.bytes(), r.stats().bytes());
        r.putAll(nodes(200, 10, 1, 10));
        assertEquals(st.nodes() + 10, r.stats().nodes());
    }

    @Test
    void aBatchBecomesVisibleAllAtOnce() throws Exception {
        Assumptions.assumeTrue(batchesBecomeVisibleAtOnce(), "this backend makes a batch visible node by node");
        ContextStore s = open();
        List<Map<Hash, byte[]>> batches = new ArrayList<>();
        for (int b = 0; b < 40; b++) {
            batches.add(nodes(300 + b, 200, 1, 300));
        }
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            while (!done.get() && failure.get() == null) {
                for (Map<Hash, byte[]> m : batches) {
                    List<Hash> keys = new ArrayList<>(m.keySet());
                    // the last node of a batch present implies all of its nodes present
                    if (s.contains(keys.get(keys.size() - 1))) {
                        for (Hash h : keys) {
                            if (s.get(h) == null) {
                                failure.set("partial batch visible: " + h);
                                return;
                            }
                        }
                    }
                }
            }
        });
        reader.start();
        for (Map<Hash, byte[]> m : batches) {
            s.putAll(m);
        }
        done.set(true);
        reader.join();
        assertNull(failure.get());
    }

    @Test
    void concurrentReadersAndWriters() throws Exception {
        ContextStore s = open();
        int writers = 4;
        int readers = 4;
        int batchesPerWriter = 25;
        Map<Hash, byte[]> shared = nodes(999, 50, 10, 500); // every writer also writes these: concurrent re-puts
        List<Map.Entry<Hash, byte[]>> acknowledged = new CopyOnWriteArrayList<>();
        Map<Hash, byte[]> all = new ConcurrentHashMap<>(shared);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        AtomicInteger writersLeft = new AtomicInteger(writers);
        for (int w = 0; w < writers; w++) {
            int ww = w;
            threads.add(new Thread(() -> {
                try {
                    start.await();
                    for (int b = 0; b < batchesPerWriter; b++) {
                        Map<Hash, byte[]> m = new LinkedHashMap<>(nodes(1000L * ww + b, 40, 1, 2000));
                        if (b % 5 == 0) {
                            m.putAll(shared);
                        }
                        s.putAll(m);
                        all.putAll(m);
                        acknowledged.addAll(m.entrySet());
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    if (writersLeft.decrementAndGet() == 0) {
                        writing.set(false);
                    }
                }
            }));
        }
        for (int r = 0; r < readers; r++) {
            int rr = r;
            threads.add(new Thread(() -> {
                SplittableRandom rnd = new SplittableRandom(rr);
                try {
                    start.await();
                    while (writing.get() && failure.get() == null) {
                        int n = acknowledged.size();
                        if (n == 0) {
                            Thread.onSpinWait();
                            continue;
                        }
                        Map.Entry<Hash, byte[]> e = acknowledged.get(rnd.nextInt(n));
                        byte[] got = s.get(e.getKey());
                        if (!Arrays.equals(e.getValue(), got)) {
                            throw new AssertionError("acknowledged node " + e.getKey() + " read as "
                                    + (got == null ? "null" : got.length + " other bytes"));
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread t : threads) {
            t.join(TimeUnit.MINUTES.toMillis(2));
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(writers * batchesPerWriter * 40 + shared.size(), all.size());
        assertEquals(all.size(), s.stats().nodes());
        assertEquals(bytes(all), s.stats().bytes());
        assertAllPresent(s, all);
    }

    @Test
    void valuesOfSeveralMegabytes() throws Exception {
        ContextStore s = open();
        Map<Hash, byte[]> m = new LinkedHashMap<>();
        SplittableRandom r = new SplittableRandom(5);
        for (int size : new int[] {1 << 20, 3 << 20, (4 << 20) + 17}) {
            byte[] v = new byte[size];
            r.nextBytes(v);
            m.put(Hash.of(v), v);
        }
        s.putAll(m);
        assertAllPresent(s, m);
        if (persistent()) {
            s.close();
            assertAllPresent(open(), m);
        }
    }

    @Test
    void treeOfTenThousandKeysPersistsAndReloadsLazily() throws Exception {
        ContextStore s = open();
        Tree t = Tree.empty();
        SplittableRandom r = new SplittableRandom(6);
        Map<List<String>, byte[]> expected = new LinkedHashMap<>();
        for (int i = 0; i < 10_000; i++) {
            List<String> path = List.of("accounts", "a" + (i % 97), "k" + i);
            byte[] v = new byte[i % 50 == 0 ? 5000 + r.nextInt(20000) : 1 + r.nextInt(200)];
            r.nextBytes(v);
            t = t.set(path, Value.of(v));
            expected.put(path, v);
        }
        Hash root = t.hash();
        LevelWriter w = s.writer();
        int written = t.persist(w);
        assertEquals(written, w.staged());
        assertEquals(0, s.stats().nodes(), "nothing reaches the store before commit");
        assertEquals(written, w.commit());
        assertEquals(0, w.staged());
        assertEquals(written, s.stats().nodes());

        // a second level changing one key writes only the nodes on its path
        Tree t2 = t.set(List.of("accounts", "a5", "k5"), Value.of(new byte[] {7}));
        int written2 = t2.persist(w);
        w.commit();
        assertTrue(written2 > 0 && written2 < 10, "written on the second level: " + written2);
        assertEquals(written + written2, s.stats().nodes());

        if (persistent()) {
            s.close();
            s = open();
            // after a restart, a tree loaded through the entity's writer is persisted incrementally too
            LevelWriter w2 = s.writer();
            Tree t3 = Tree.load(t2.hash(), w2).set(List.of("accounts", "a6", "k6"), Value.of(new byte[] {8}));
            int written3 = t3.persist(w2);
            w2.commit();
            assertTrue(written3 > 0 && written3 < 10, "written on the third level: " + written3);
        }
        CountingStore counting = new CountingStore(s);
        Tree loaded = Tree.load(root, counting);
        assertEquals(0, counting.gets.get(), "load reads nothing");
        List<String> somePath = List.of("accounts", "a3", "k3");
        assertArrayEquals(expected.get(somePath), loaded.value(somePath).orElseThrow().toBytes());
        assertTrue(counting.gets.get() < 20, "one lookup read " + counting.gets.get() + " nodes");
        assertEquals(root, loaded.hash());
        List<List<String>> paths = new ArrayList<>(expected.keySet());
        Collections.shuffle(paths, new java.util.Random(1));
        for (List<String> p : paths) {
            assertArrayEquals(expected.get(p), loaded.value(p).orElseThrow().toBytes(), p::toString);
        }
        Tree loaded2 = Tree.load(t2.hash(), s);
        assertArrayEquals(new byte[] {7}, loaded2.value(List.of("accounts", "a5", "k5")).orElseThrow().toBytes());
        assertArrayEquals(expected.get(List.of("accounts", "a5", "k102")),
                loaded2.value(List.of("accounts", "a5", "k102")).orElseThrow().toBytes());
    }

    @Test
    void corruptDataOnDiskIsDetected() throws Exception {
        ContextStore s = open();
        Map<Hash, byte[]> m = nodes(7, 3000, 100, 4000);
        s.putAll(m);
        s.close();
        corruptStoredData();
        ContextStoreException e = assertThrows(ContextStoreException.class, () -> {
            ContextStore r = open();
            for (Map.Entry<Hash, byte[]> x : m.entrySet()) {
                byte[] got = r.get(x.getKey());
                if (!Arrays.equals(x.getValue(), got)) {
                    throw new AssertionError("corruption went undetected: wrong bytes for " + x.getKey());
                }
            }
        });
        assertNotNull(e.getMessage());
        assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
    }

    /** Counts reads, to show that loading is lazy. */
    static final class CountingStore implements NodeStore {
        final NodeStore inner;
        final AtomicInteger gets = new AtomicInteger();

        CountingStore(NodeStore inner) {
            this.inner = inner;
        }

        @Override
        public byte[] get(Hash h) {
            gets.incrementAndGet();
            return inner.get(h);
        }

        @Override
        public void put(Hash h, byte[] encoding) {
            inner.put(h, encoding);
        }

        @Override
        public boolean contains(Hash h) {
            return inner.contains(h);
        }
    }
}
