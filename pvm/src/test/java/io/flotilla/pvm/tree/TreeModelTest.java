package io.flotilla.pvm.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Randomized operations checked against a TreeMap of full leaf paths. */
class TreeModelTest {
    /** Includes U+E000 and U+1F600: ordered by UTF-8 bytes the first is smaller, by UTF-16 units the second. */
    private static final String[] STEPS = {"a", "b", "@", "ab", "\u00e9", "\ue000", "\ud83d\ude00", "z", "A"};

    static final Comparator<String> UTF8 = (x, y) ->
            Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8));
    static final Comparator<List<String>> PATHS = (x, y) -> {
        for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
            int c = UTF8.compare(x.get(i), y.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.size(), y.size());
    };

    /** Leaf path -> value bytes. */
    static final class Model {
        final TreeMap<List<String>, byte[]> leaves = new TreeMap<>(PATHS);

        static boolean startsWith(List<String> k, List<String> prefix) {
            return k.size() >= prefix.size() && k.subList(0, prefix.size()).equals(prefix);
        }

        void removeUnder(List<String> p) {
            leaves.keySet().removeIf(k -> startsWith(k, p));
        }

        void clearWay(List<String> p) {
            for (int i = 0; i < p.size(); i++) {
                leaves.remove(p.subList(0, i));
            }
            removeUnder(p);
        }

        void set(List<String> p, byte[] v) {
            clearWay(p);
            leaves.put(List.copyOf(p), v);
        }

        void remove(List<String> p) {
            removeUnder(p);
        }

        /** Entries under p, relative to p. */
        Map<List<String>, byte[]> sub(List<String> p) {
            Map<List<String>, byte[]> m = new TreeMap<>(PATHS);
            leaves.forEach((k, v) -> {
                if (startsWith(k, p)) {
                    m.put(List.copyOf(k.subList(p.size(), k.size())), v);
                }
            });
            return m;
        }

        void graft(List<String> p, Map<List<String>, byte[]> sub) {
            if (sub.isEmpty()) {
                remove(p);
                return;
            }
            clearWay(p);
            sub.forEach((rel, v) -> {
                List<String> k = new ArrayList<>(p);
                k.addAll(rel);
                leaves.put(List.copyOf(k), v);
            });
        }

        boolean exists(List<String> p) {
            return p.isEmpty() || leaves.keySet().stream().anyMatch(k -> startsWith(k, p));
        }

        List<String> children(List<String> p) {
            TreeSet<String> s = new TreeSet<>(UTF8);
            for (List<String> k : leaves.keySet()) {
                if (k.size() > p.size() && startsWith(k, p)) {
                    s.add(k.get(p.size()));
                }
            }
            return new ArrayList<>(s);
        }
    }

    private static List<String> randomPath(Random rnd, int min, int max) {
        int n = min + rnd.nextInt(max - min + 1);
        List<String> p = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            p.add(STEPS[rnd.nextInt(rnd.nextInt(3) == 0 ? STEPS.length : 4)]);
        }
        return p;
    }

    private static byte[] randomValue(Random rnd) {
        int n = rnd.nextInt(20) == 0 ? 4097 + rnd.nextInt(3 * 4096) : rnd.nextInt(12);
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    static Tree build(Map<List<String>, byte[]> leaves, Random rnd) {
        List<Map.Entry<List<String>, byte[]>> es = new ArrayList<>(leaves.entrySet());
        Collections.shuffle(es, rnd);
        Tree t = Tree.empty();
        for (Map.Entry<List<String>, byte[]> e : es) {
            byte[] v = e.getValue();
            // vary the construction history of the values too
            Value val = rnd.nextBoolean() ? Value.of(v) : Value.zeros(v.length / 2).write(0, v);
            t = t.set(e.getKey(), val);
        }
        return t;
    }

    private static void check(Tree t, Model m, Random rnd) {
        // every leaf of the model
        for (Map.Entry<List<String>, byte[]> e : m.leaves.entrySet()) {
            Optional<Value> v = t.value(e.getKey());
            assertTrue(v.isPresent(), "leaf " + e.getKey());
            assertArrayEquals(e.getValue(), v.get().toBytes(), "leaf " + e.getKey());
            assertEquals(0, t.childCount(e.getKey()));
        }
        // random queries
        for (int q = 0; q < 25; q++) {
            List<String> p = randomPath(rnd, 0, 4);
            assertEquals(m.leaves.containsKey(p), t.value(p).isPresent(), "value " + p);
            assertEquals(m.exists(p), t.exists(p), "exists " + p);
            List<String> ch = m.leaves.containsKey(p) ? List.of() : m.children(p);
            assertEquals(ch.size(), t.childCount(p), "childCount " + p);
            assertEquals(ch, t.children(p), "children " + p);
            for (int i = -1; i <= ch.size(); i++) {
                Optional<String> name = t.childName(p, i);
                if (i >= 0 && i < ch.size()) {
                    assertEquals(Optional.of(ch.get(i)), name, "childName " + p + " " + i);
                } else {
                    assertFalse(name.isPresent());
                }
            }
            assertEquals(m.exists(p), t.subtree(p).isPresent());
        }
        assertEquals(m.leaves.isEmpty(), t.isEmpty());
    }

    @Test
    void randomOperationsAgainstModel() {
        for (long seed = 0; seed < 12; seed++) {
            Random rnd = new Random(seed);
            Model m = new Model();
            Tree t = Tree.empty();
            InMemoryNodeStore store = NodeStore.inMemory();
            for (int op = 0; op < 300; op++) {
                int kind = rnd.nextInt(10);
                if (kind < 5) {
                    List<String> p = randomPath(rnd, 1, 4);
                    byte[] v = randomValue(rnd);
                    t = t.set(p, Value.of(v));
                    m.set(p, v);
                } else if (kind < 8) {
                    List<String> p = randomPath(rnd, 0, 4);
                    if (p.isEmpty() && rnd.nextInt(4) != 0) {
                        p = randomPath(rnd, 1, 3);
                    }
                    t = t.remove(p);
                    m.remove(p);
                } else if (kind < 9) {
                    List<String> src = randomPath(rnd, 0, 3);
                    List<String> dst = randomPath(rnd, 1, 4);
                    Map<List<String>, byte[]> sub = m.sub(src);
                    Tree st = t.subtree(src).orElse(Tree.empty());
                    t = t.set(dst, st);
                    m.graft(dst, sub);
                } else {
                    t.persist(store);
                    t = Tree.load(t.hash(), store);
                }
                check(t, m, rnd);
            }
            // history independence: rebuilding the same content in another order gives the same hash
            assertEquals(build(m.leaves, rnd).hash(), t.hash(), "seed " + seed);
            assertEquals(build(m.leaves, rnd).hash(), t.hash(), "seed " + seed);
        }
    }

    @Test
    void pruningRemovesEmptyAncestors() {
        Tree t = Tree.empty().set(List.of("a", "b", "c", "@"), Value.of(new byte[] {1}))
                .set(List.of("a", "x", "@"), Value.of(new byte[] {2}));
        Tree r = t.remove(List.of("a", "b", "c", "@"));
        assertFalse(r.exists(List.of("a", "b")));
        assertEquals(1, r.childCount(List.of("a")));
        assertEquals(Tree.empty().set(List.of("a", "x", "@"), Value.of(new byte[] {2})).hash(), r.hash());
        Tree e = r.remove(List.of("a", "x", "@"));
        assertTrue(e.isEmpty());
        assertEquals(Tree.empty().hash(), e.hash());
        assertSame(t, t.remove(List.of("a", "nope")), "removing an absent path changes nothing");
        assertSame(t, t.remove(List.of("a", "x", "@", "deeper")), "a leaf on the way: nothing to remove");
    }

    @Test
    void setReplacesLeavesOnTheWayAndWhateverIsAtThePath() {
        Tree t = Tree.empty().set(List.of("a"), Value.of(new byte[] {1}));
        t = t.set(List.of("a", "b"), Value.of(new byte[] {2}));
        assertFalse(t.value(List.of("a")).isPresent());
        assertEquals(1, t.childCount(List.of("a")));
        t = t.set(List.of("a"), Value.of(new byte[] {3}));
        assertEquals(0, t.childCount(List.of("a")));
        assertArrayEquals(new byte[] {3}, t.value(List.of("a")).orElseThrow().toBytes());
        // root as a leaf
        Tree leaf = Tree.ofValue(Value.of(new byte[] {4}));
        assertTrue(leaf.isLeaf());
        assertTrue(leaf.exists(List.of()));
        assertFalse(leaf.exists(List.of("a")));
        Tree d = leaf.set(List.of("k"), Value.of(new byte[] {5}));
        assertFalse(d.isLeaf());
        assertEquals(List.of("k"), d.children(List.of()));
        assertEquals(leaf.hash(), d.set(List.of(), leaf).hash());
        assertTrue(d.remove(List.of()).isEmpty());
        assertTrue(Tree.empty().exists(List.of()));
    }

    @Test
    void graftSharesStructureAndEmptyGraftRemoves() {
        Tree t = Tree.empty();
        for (int i = 0; i < 50; i++) {
            t = t.set(List.of("src", "k" + i, "@"), Value.of(new byte[] {(byte) i}));
        }
        Tree sub = t.subtree(List.of("src")).orElseThrow();
        Tree moved = t.set(List.of("dst", "deep"), sub).remove(List.of("src"));
        assertEquals(sub.hash(), moved.subtree(List.of("dst", "deep")).orElseThrow().hash());
        assertSame(sub.root, moved.subtree(List.of("dst", "deep")).orElseThrow().root, "grafted, not copied");
        assertEquals(List.of("dst"), moved.children(List.of()));
        assertTrue(moved.set(List.of("dst", "deep"), Tree.empty()).isEmpty());
    }

    @Test
    void childOrderIsUtf8ByteOrder() {
        Tree t = Tree.empty();
        for (String s : new String[] {"\ud83d\ude00", "\ue000", "b", "a", "\u00e9", "aa"}) {
            t = t.set(List.of(s), Value.EMPTY);
        }
        assertEquals(List.of("a", "aa", "b", "\u00e9", "\ue000", "\ud83d\ude00"), t.children(List.of()));
        assertEquals(Optional.of("\ue000"), t.childName(List.of(), 4));
    }

    @Test
    void invalidStepsAreRejected() {
        Tree t = Tree.empty();
        assertThrows(IllegalArgumentException.class, () -> t.set(List.of(""), Value.EMPTY));
        assertThrows(IllegalArgumentException.class, () -> t.set(List.of("a", "\ud800"), Value.EMPTY));
        assertThrows(IllegalArgumentException.class, () -> t.set(List.of("\udc00x"), Value.EMPTY));
        assertThrows(IllegalArgumentException.class, () -> t.value(List.of("")));
        assertThrows(IllegalArgumentException.class, () -> t.set(List.of("x".repeat(65536)), Value.EMPTY));
        t.set(List.of("x".repeat(65535)), Value.EMPTY);
    }
}
