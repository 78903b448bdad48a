package io.flotilla.pvm.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Directories above the threshold: the paged form, its canonicity, costs and laziness. */
class BigDirectoryTest {
    private static final String[] ODD = {"\u00e9", "\ue000", "\ud83d\ude00", "@", "Z", "~"};

    static String randomStep(Random rnd) {
        StringBuilder b = new StringBuilder();
        int kind = rnd.nextInt(10);
        if (kind == 0) {
            b.append(ODD[rnd.nextInt(ODD.length)]);
        }
        b.append(kind < 5 ? "acct" : "k");
        b.append(Long.toHexString(rnd.nextLong() >>> rnd.nextInt(60)));
        if (kind == 1) {
            b.append(ODD[rnd.nextInt(ODD.length)]);
        }
        return b.toString();
    }

    static byte[] valueFor(String step, int version) {
        return (step + "#" + version).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The canonical directory of {@code m} built at once (not through updates). */
    static Tree bulk(SortedMap<String, byte[]> m) {
        String[] steps = m.keySet().toArray(new String[0]);
        Ref[] refs = new Ref[steps.length];
        for (int i = 0; i < steps.length; i++) {
            refs[i] = new Ref(new LeafNode(Value.of(m.get(steps[i]))));
        }
        return new Tree(new Ref(Directory.of(steps, refs)));
    }

    /** A directory of {@code steps} (sorted) all bound to the same child. */
    static Tree bulkShared(String[] steps, Tree child) {
        Ref[] refs = new Ref[steps.length];
        java.util.Arrays.fill(refs, child.root);
        return new Tree(new Ref(Directory.of(steps, refs)));
    }

    /** n fixed-width steps in ascending order. */
    static String[] sortedSteps(int n, String prefix) {
        String[] s = new String[n];
        char[] digits = new char[7];
        for (int i = 0; i < n; i++) {
            int v = i;
            for (int d = 6; d >= 0; d--) {
                digits[d] = (char) ('0' + v % 10);
                v /= 10;
            }
            s[i] = prefix + new String(digits);
        }
        return s;
    }

    static Node dirNode(Tree t, List<String> path) {
        return t.subtree(path).orElseThrow().root.node();
    }

    static int height(Tree t, List<String> path) {
        return ((BigDir) dirNode(t, path)).top.height;
    }

    private static void checkAgainst(Tree t, List<String> dir, TreeMap<String, byte[]> m, Random rnd) {
        List<String> sorted = new ArrayList<>(m.keySet());
        assertEquals(sorted.size(), t.childCount(dir));
        assertEquals(sorted, t.children(dir));
        for (int q = 0; q < 200; q++) {
            int i = rnd.nextInt(sorted.size());
            assertEquals(Optional.of(sorted.get(i)), t.childName(dir, i), "childName " + i);
        }
        assertFalse(t.childName(dir, sorted.size()).isPresent());
        assertFalse(t.childName(dir, -1).isPresent());
        for (int q = 0; q < 200; q++) {
            String k = sorted.get(rnd.nextInt(sorted.size()));
            List<String> p = new ArrayList<>(dir);
            p.add(k);
            assertArrayEquals(m.get(k), t.value(p).orElseThrow().toBytes(), k);
        }
        assertEquals(bulk(m).hash(), t.subtree(dir).orElseThrow().hash(), "same hash as the canonical bulk build");
        Node n = dirNode(t, dir);
        assertEquals(m.size() > Directory.THRESHOLD, n instanceof BigDir, "form for " + m.size() + " children");
    }

    @Test
    void randomOperationsOnBigDirectoriesAgainstModel() {
        Random rnd = new Random(5);
        List<String> big = List.of("accounts");
        List<String> osc = List.of("osc");
        TreeMap<String, byte[]> mb = new TreeMap<>(TreeModelTest.UTF8);
        TreeMap<String, byte[]> mo = new TreeMap<>(TreeModelTest.UTF8);
        List<String> keys = new ArrayList<>();
        Tree t = Tree.empty().set(List.of("other", "@"), Value.of(new byte[] {1}));
        for (int i = 0; i < 20_000; i++) {
            String k = randomStep(rnd);
            if (mb.put(k, valueFor(k, 0)) == null) {
                keys.add(k);
            }
            t = t.set(List.of("accounts", k), Value.of(valueFor(k, 0)));
        }
        checkAgainst(t, big, mb, rnd);
        InMemoryNodeStore store = NodeStore.inMemory();
        for (int op = 1; op <= 3000; op++) {
            int kind = rnd.nextInt(100);
            if (kind < 35) {
                String k = randomStep(rnd);
                if (mb.put(k, valueFor(k, op)) == null) {
                    keys.add(k);
                }
                t = t.set(List.of("accounts", k), Value.of(valueFor(k, op)));
            } else if (kind < 55) {
                String k = keys.get(rnd.nextInt(keys.size()));
                mb.put(k, valueFor(k, op));
                t = t.set(List.of("accounts", k), Value.of(valueFor(k, op)));
            } else if (kind < 85) {
                int i = rnd.nextInt(keys.size());
                String k = keys.get(i);
                keys.set(i, keys.get(keys.size() - 1));
                keys.remove(keys.size() - 1);
                mb.remove(k);
                Tree before = t;
                t = t.remove(List.of("accounts", k));
                assertNotEquals(before.hash(), t.hash());
            } else if (kind < 88) {
                Tree before = t;
                t = t.remove(List.of("accounts", randomStep(rnd) + "-absent"));
                assertSame(before, t, "removing an absent child changes nothing");
            } else if (kind < 98) {
                // a directory oscillating around the threshold
                boolean grow = mo.size() < 200 || (mo.size() < 320 && rnd.nextInt(10) < 6);
                int burst = 1 + rnd.nextInt(30);
                for (int b = 0; b < burst; b++) {
                    if (grow || mo.isEmpty()) {
                        String k = randomStep(rnd);
                        mo.put(k, valueFor(k, op));
                        t = t.set(List.of("osc", k), Value.of(valueFor(k, op)));
                    } else {
                        String k = new ArrayList<>(mo.keySet()).get(rnd.nextInt(mo.size()));
                        mo.remove(k);
                        t = t.remove(List.of("osc", k));
                    }
                }
                if (!mo.isEmpty()) {
                    assertEquals(bulk(mo).hash(), t.subtree(osc).orElseThrow().hash(), "osc " + mo.size());
                    assertEquals(mo.size() > Directory.THRESHOLD, dirNode(t, osc) instanceof BigDir);
                }
            } else {
                t.persist(store);
                t = Tree.load(t.hash(), store);
            }
            if (op % 1500 == 0) {
                checkAgainst(t, big, mb, rnd);
                if (!mo.isEmpty()) {
                    checkAgainst(t, osc, mo, rnd);
                }
            }
        }
        t.persist(store);
        Tree loaded = Tree.load(t.hash(), store);
        checkAgainst(loaded, big, mb, rnd);
        assertEquals(List.of("accounts", "osc", "other"), loaded.children(List.of()));
    }

    @Test
    void sameContentSameHashWhateverTheHistory() {
        Random rnd = new Random(6);
        TreeMap<String, byte[]> m = new TreeMap<>(TreeModelTest.UTF8);
        while (m.size() < 3000) {
            String k = randomStep(rnd);
            m.put(k, valueFor(k, 0));
        }
        Hash expected = Tree.empty().set(List.of("d"), bulk(m)).hash();
        List<String> ks = new ArrayList<>(m.keySet());

        Tree asc = Tree.empty();
        for (String k : ks) {
            asc = asc.set(List.of("d", k), Value.of(m.get(k)));
        }
        assertEquals(expected, asc.hash(), "ascending inserts");

        Tree desc = Tree.empty();
        for (int i = ks.size() - 1; i >= 0; i--) {
            desc = desc.set(List.of("d", ks.get(i)), Value.of(m.get(ks.get(i))));
        }
        assertEquals(expected, desc.hash(), "descending inserts");

        // random order, with extra children inserted and removed, values overwritten, persist/reload in between
        InMemoryNodeStore store = NodeStore.inMemory();
        List<String> extra = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            extra.add(randomStep(rnd) + "x");
        }
        List<String> order = new ArrayList<>(ks);
        order.addAll(extra);
        Collections.shuffle(order, rnd);
        Tree mixed = Tree.empty();
        for (int i = 0; i < order.size(); i++) {
            mixed = mixed.set(List.of("d", order.get(i)), Value.of(new byte[] {(byte) i}));
            if (i % 1500 == 0) {
                mixed.persist(store);
                mixed = Tree.load(mixed.hash(), store);
            }
        }
        Collections.shuffle(extra, rnd);
        for (String k : extra) {
            mixed = mixed.remove(List.of("d", k));
        }
        Collections.shuffle(ks, rnd);
        for (String k : ks) {
            mixed = mixed.set(List.of("d", k), Value.of(m.get(k)));
        }
        assertEquals(expected, mixed.hash(), "shuffled with removals");

        // small -> big -> small -> big
        Tree sb = Tree.empty();
        List<String> sorted = new ArrayList<>(m.keySet());
        for (int i = 0; i < 200; i++) {
            sb = sb.set(List.of("d", sorted.get(i)), Value.of(m.get(sorted.get(i))));
        }
        assertInstanceOf(DirNode.class, dirNode(sb, List.of("d")));
        for (int i = 200; i < 600; i++) {
            sb = sb.set(List.of("d", sorted.get(i)), Value.of(m.get(sorted.get(i))));
        }
        assertInstanceOf(BigDir.class, dirNode(sb, List.of("d")));
        for (int i = 599; i >= 100; i--) {
            sb = sb.remove(List.of("d", sorted.get(i)));
        }
        assertInstanceOf(DirNode.class, dirNode(sb, List.of("d")));
        TreeMap<String, byte[]> first100 = new TreeMap<>(TreeModelTest.UTF8);
        for (int i = 0; i < 100; i++) {
            first100.put(sorted.get(i), m.get(sorted.get(i)));
        }
        assertEquals(bulk(first100).hash(), sb.subtree(List.of("d")).orElseThrow().hash(), "back to the small form");
        for (int i = sorted.size() - 1; i >= 100; i--) {
            sb = sb.set(List.of("d", sorted.get(i)), Value.of(m.get(sorted.get(i))));
        }
        assertEquals(expected, sb.hash(), "through small -> big -> small -> big");
    }

    @Test
    void thresholdIsExact() {
        String[] steps = sortedSteps(300, "s");
        for (int n : new int[] {255, 256, 257, 258}) {
            Tree up = Tree.empty();
            for (int i = 0; i < n; i++) {
                up = up.set(List.of(steps[i]), Value.of(new byte[] {(byte) i}));
            }
            Tree down = up;
            for (int i = n; i < 300; i++) {
                down = down.set(List.of(steps[i]), Value.EMPTY);
            }
            for (int i = 299; i >= n; i--) {
                down = down.remove(List.of(steps[i]));
            }
            assertEquals(up.hash(), down.hash(), "n = " + n);
            assertEquals(n > 256, up.root.node() instanceof BigDir, "n = " + n);
            assertEquals(n, down.childCount(List.of()));
        }
    }

    @Test
    void readingOneChildOfAMillionChildDirectoryReadsOnePath() {
        int n = 1_000_000;
        String[] steps = sortedSteps(n, "acct");
        Tree shared = Tree.ofValue(Value.of(new byte[] {7}));
        Tree t = Tree.empty().set(List.of("accounts"), bulkShared(steps, shared));
        t = t.set(List.of("accounts", steps[123_456]), Value.of(new byte[] {1, 2, 3}));
        CountingStore store = new CountingStore();
        int written = t.persist(store);
        int h = height(t, List.of("accounts"));
        assertTrue(h >= 2 && h <= 5, "height " + h);
        assertTrue(written < n / 20, "pages, not children: wrote " + written);

        store.reset();
        Tree loaded = Tree.load(t.hash(), store);
        assertArrayEquals(new byte[] {1, 2, 3}, loaded.value(List.of("accounts", steps[123_456])).orElseThrow().toBytes());
        // root, top page, h pages below it, leaf
        assertEquals(2 + h + 1, store.gets.get(), "reads for one lookup");
        store.reset();
        assertEquals(n, loaded.childCount(List.of("accounts")));
        assertEquals(0, store.gets.get(), "the count is in the (cached) top page");
        assertEquals(Optional.of(steps[777_777]), loaded.childName(List.of("accounts"), 777_777));
        assertTrue(store.gets.get() <= h, "childName reads one path: " + store.gets.get());
        store.reset();
        assertTrue(loaded.exists(List.of("accounts", steps[999_999])));
        assertFalse(loaded.exists(List.of("accounts", "acct9999999x")));
        assertFalse(loaded.exists(List.of("accounts", "zzz")));
        assertTrue(store.gets.get() <= 2 * h, "two more paths: " + store.gets.get());
        System.out.printf("1M-child directory: height %d, %d nodes written, lookup reads %d nodes%n", h, written, 2 + h + 1);
    }

    @Test
    void oneUpdateInA200kDirectoryWritesOnePath() {
        int n = 200_000;
        String[] steps = sortedSteps(n, "k");
        Tree t = Tree.empty().set(List.of("d"), bulkShared(steps, Tree.ofValue(Value.of(new byte[] {9}))));
        CountingStore store = new CountingStore();
        t.persist(store);
        int h = height(t, List.of("d"));
        Random rnd = new Random(7);
        Tree cur = Tree.load(t.hash(), store);
        long reads = 0;
        long writes = 0;
        int maxWrites = 0;
        int updates = 300;
        for (int u = 0; u < updates; u++) {
            store.reset();
            Tree fresh = Tree.load(cur.hash(), store);
            int kind = u % 3;
            String k = kind == 1 ? "k" + rnd.nextInt(10_000_000) + "n" : steps[rnd.nextInt(n)];
            Tree next = kind == 2 ? fresh.remove(List.of("d", k)) : fresh.set(List.of("d", k), Value.of(new byte[] {(byte) u}));
            reads += store.gets.get();
            int w = next.persist(store);
            writes += w;
            maxWrites = Math.max(maxWrites, w);
            // root + top page + h pages (+ the new leaf), plus a neighbour now and then when a boundary moved
            assertTrue(w <= 2 * (h + 3), "update " + u + " wrote " + w);
            cur = next;
        }
        double avgW = (double) writes / updates;
        double avgR = (double) reads / updates;
        assertTrue(avgW <= h + 4, "average writes " + avgW);
        assertTrue(avgR <= h + 4, "average reads " + avgR);
        System.out.printf("200k-child directory: height %d; per update from a cold load: %.2f reads, %.2f writes (max %d)%n",
                h, avgR, avgW, maxWrites);
    }

    @Test
    void proofsThroughBigDirectories() {
        Random rnd = new Random(8);
        Tree built = Tree.empty();
        List<String> ks = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            String k = randomStep(rnd);
            ks.add(k);
            built = built.set(List.of("accounts", k, "@"), Value.of(valueFor(k, i)));
        }
        String withCode = ks.get(3);
        Tree t = built.set(List.of("accounts", withCode, "code"), Value.of(new byte[9000]));
        InMemoryNodeStore store = NodeStore.inMemory();
        t.persist(store);
        Tree loaded = Tree.load(t.hash(), store);
        int h = height(t, List.of("accounts"));
        Collections.sort(ks, TreeModelTest.UTF8);
        List<List<String>> paths = new ArrayList<>();
        for (int i : new int[] {0, 1, 2500, 4998, 4999}) {
            paths.add(List.of("accounts", ks.get(i), "@"));
        }
        for (List<String> p : paths) {
            byte[] expected = t.value(p).orElseThrow().toBytes();
            for (Tree src : List.of(t, loaded)) {
                MerkleProof proof = src.prove(p);
                assertEquals(1 + 1 + h + 1 + 1, proof.size(), "root, top page, h pages, subdirectory, leaf");
                assertArrayEquals(expected, MerkleProof.verify(proof, t.hash(), p));
                assertArrayEquals(expected, MerkleProof.verify(MerkleProof.fromBytes(proof.toBytes()), t.hash(), p));
            }
        }
        List<String> code = List.of("accounts", withCode, "code");
        assertEquals(9000, MerkleProof.verify(t.prove(code), t.hash(), code).length);

        MerkleProof proof = t.prove(paths.get(2));
        assertTrue(proof.toBytes().length < 40_000, "a proof holds pages, not the directory: " + proof.toBytes().length);
        assertThrows(ProofException.class, () -> MerkleProof.verify(proof, t.hash(), paths.get(1)));
        assertThrows(ProofException.class, () -> MerkleProof.verify(proof, t.hash(), List.of("accounts", ks.get(2500) + "0", "@")));
        assertThrows(ProofException.class, () -> MerkleProof.verify(proof, t.hash(), List.of("accounts", "\uffff", "@")));
        assertThrows(ProofException.class, () -> MerkleProof.verify(proof, t.hash(), List.of("accounts", ks.get(2500))));
        Tree other = t.set(List.of("accounts", ks.get(4000), "@"), Value.EMPTY);
        assertThrows(ProofException.class, () -> MerkleProof.verify(proof, other.hash(), paths.get(2)));
        assertThrows(java.util.NoSuchElementException.class, () -> t.prove(List.of("accounts", "absent", "@")));
        assertThrows(java.util.NoSuchElementException.class, () -> t.prove(List.of("accounts", "\uffff", "@")));

        // every byte of a proof through a big directory is protected (every header byte, then a stride of the rest)
        byte[] bytes = proof.toBytes();
        for (int i = 0; i < bytes.length; i += i < 64 ? 1 : 1 + rnd.nextInt(8)) {
            byte[] b = bytes.clone();
            b[i] ^= (byte) (1 << (i % 8));
            int at = i;
            assertThrows(ProofException.class, () -> MerkleProof.verify(MerkleProof.fromBytes(b), t.hash(), paths.get(2)),
                    "tampered byte " + at);
        }
        // dropping or duplicating a page breaks the chain
        assertThrows(ProofException.class, () -> MerkleProof.verify(withoutEncoding(bytes, 2), t.hash(), paths.get(2)));
    }

    /** The proof with its i-th encoding removed. */
    private static MerkleProof withoutEncoding(byte[] proof, int drop) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(proof);
        in.get();
        int n = in.getInt();
        out.write(1);
        out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(n - 1).array());
        for (int i = 0; i < n; i++) {
            int len = in.getInt();
            byte[] e = new byte[len];
            in.get(e);
            if (i != drop) {
                out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(len).array());
                out.writeBytes(e);
            }
        }
        return MerkleProof.fromBytes(out.toByteArray());
    }

    @Test
    void persistWritesOnlyNewPagesAndReloadsLazily() {
        Random rnd = new Random(9);
        TreeMap<String, byte[]> m = new TreeMap<>(TreeModelTest.UTF8);
        while (m.size() < 10_000) {
            String k = randomStep(rnd);
            m.put(k, valueFor(k, 0));
        }
        Tree t = Tree.empty().set(List.of("d"), bulk(m));
        CountingStore store = new CountingStore();
        int written = t.persist(store);
        assertEquals(0, t.persist(store), "nothing left to write");
        assertEquals(written, Tree.load(t.hash(), store).persist(new CountingStore()), "a copy writes everything");
        store.reset();
        Tree loaded = Tree.load(t.hash(), store);
        for (Map.Entry<String, byte[]> e : m.entrySet()) {
            if (rnd.nextInt(50) == 0) {
                assertArrayEquals(e.getValue(), loaded.value(List.of("d", e.getKey())).orElseThrow().toBytes());
            }
        }
        assertTrue(store.gets.get() < written / 2, "only visited pages are read: " + store.gets.get() + " of " + written);
        // a dropped cache is reloaded from the store
        BigDir b = (BigDir) dirNode(loaded, List.of("d"));
        for (Ref r : b.top.refs) {
            r.dropCache();
        }
        assertEquals(new ArrayList<>(m.keySet()), loaded.children(List.of("d")));
    }
}
