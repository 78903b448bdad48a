package io.flotilla.pvm.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.pvm.util.Hex;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class CorruptStoreTest {
    /** A store that accepts anything under any key. */
    static final class RawStore implements NodeStore {
        final ConcurrentHashMap<Hash, byte[]> map = new ConcurrentHashMap<>();

        @Override
        public byte[] get(Hash h) {
            return map.get(h);
        }

        @Override
        public void put(Hash h, byte[] encoding) {
            map.put(h, encoding);
        }

        Hash add(byte[] enc) {
            Hash h = Hash.of(enc);
            map.put(h, enc);
            return h;
        }

        Hash add(String hex) {
            return add(Hex.decode(hex));
        }
    }

    private static byte[] cat(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            out.writeBytes(p instanceof String s ? Hex.decode(s) : p instanceof Hash h ? h.bytes() : (byte[]) p);
        }
        return out.toByteArray();
    }

    private static void assertCorrupt(Executable e, String fragment) {
        CorruptNodeException ex = assertThrows(CorruptNodeException.class, e);
        assertTrue(ex.getMessage().contains(fragment), "message '" + ex.getMessage() + "' should mention '" + fragment + "'");
    }

    /** A root directory with the single child "a" -> child. */
    private static Tree rootWith(RawStore s, Hash child) {
        return Tree.load(s.add(cat("0300000001", "000161", child)), s);
    }

    @Test
    void missingNode() {
        RawStore s = new RawStore();
        Hash absent = Hash.of(new byte[] {1});
        Tree t = Tree.load(absent, s);
        assertEquals(absent, t.hash(), "hash needs no read");
        MissingNodeException ex = assertThrows(MissingNodeException.class, () -> t.value(List.of("a")));
        assertEquals(absent, ex.hash());
        Tree r = rootWith(s, absent);
        assertTrue(r.exists(List.of("a")), "existence is known from the parent");
        assertThrows(MissingNodeException.class, () -> r.value(List.of("a")));
    }

    @Test
    void bytesNotMatchingTheirHash() {
        RawStore s = new RawStore();
        Hash h = Tree.empty().set(List.of("a"), Value.EMPTY).hash();
        s.put(h, Hex.decode("0300000000"));
        assertCorrupt(() -> Tree.load(h, s).children(List.of()), "hash to");
    }

    @Test
    void malformedTreeNodes() {
        RawStore s = new RawStore();
        Hash leaf = s.add("0100000000");
        String a = "000161";
        String b = "000162";
        // root-level malformations
        assertCorrupt(() -> Tree.load(s.add(""), s).isLeaf(), "truncated");
        assertCorrupt(() -> Tree.load(s.add("07"), s).isLeaf(), "tag 7");
        assertCorrupt(() -> Tree.load(s.add("04aa"), s).isLeaf(), "tag 4");
        assertCorrupt(() -> Tree.load(s.add(cat("0300000001", a, leaf, "00")), s).isLeaf(), "trailing");
        assertCorrupt(() -> Tree.load(s.add(cat("0300000002", a, leaf)), s).isLeaf(), "children");
        assertCorrupt(() -> Tree.load(s.add(cat("0300000002", a, leaf, "0030", new byte[35])), s).isLeaf(), "truncated");
        assertCorrupt(() -> Tree.load(s.add(cat("0300000002", b, leaf, a, leaf)), s).isLeaf(), "ascending");
        assertCorrupt(() -> Tree.load(s.add(cat("0300000002", a, leaf, a, leaf)), s).isLeaf(), "ascending");
        assertCorrupt(() -> Tree.load(s.add(cat("0300000001", "0000", leaf, "000000")), s).isLeaf(), "empty step");
        assertCorrupt(() -> Tree.load(s.add(cat("0300000001", "0001ff", leaf)), s).isLeaf(), "UTF-8");
        assertCorrupt(() -> Tree.load(s.add(cat("0300000001", "0003eda080", leaf)), s).isLeaf(), "UTF-8"); // encoded surrogate
        assertCorrupt(() -> Tree.load(s.add("010000000278"), s).isLeaf(), "declares 2");
        assertCorrupt(() -> Tree.load(s.add("0100000001"), s).isLeaf(), "declares 1");
        assertCorrupt(() -> Tree.load(s.add(cat("0100001388", new byte[5000])), s).isLeaf(), "inline leaf of 5000");
        assertCorrupt(() -> Tree.load(s.add(cat("0200000010", leaf)), s).isLeaf(), "chunked leaf of 16");
        assertCorrupt(() -> Tree.load(s.add(cat("0280000000", leaf)), s).isLeaf(), "chunked leaf of 2147483648");
        assertCorrupt(() -> Tree.load(s.add(cat("0200002710", leaf, "00")), s).isLeaf(), "trailing");
        // an empty directory is only valid as the root
        Hash empty = s.add("0300000000");
        assertTrue(Tree.load(empty, s).isEmpty());
        assertCorrupt(() -> rootWith(s, empty).childCount(List.of("a")), "empty directory");
        // a value node where a tree node is expected
        assertCorrupt(() -> rootWith(s, s.add("05010001" + "00".repeat(32))).value(List.of("a")), "tag 5");
    }

    @Test
    void malformedValueNodes() {
        RawStore s = new RawStore();
        byte[] full = new byte[4096];
        Hash c4096 = s.add(cat("04", full));
        Hash c1808 = s.add(cat("04", new byte[1808]));
        Hash c100 = s.add(cat("04", new byte[100]));
        // a 10000-byte value needs one index node of height 1 with chunks 4096, 4096, 1808
        Hash good = s.add(cat("05010003", c4096, c4096, c1808));
        Tree ok = rootWith(s, s.add(cat("0200002710", good)));
        assertEquals(10000, ok.value(List.of("a")).orElseThrow().toBytes().length);

        Hash shortChunk = s.add(cat("05010003", c4096, c4096, c100));
        assertCorrupt(() -> rootWith(s, s.add(cat("0200002710", shortChunk))).value(List.of("a")).orElseThrow().toBytes(),
                "expected a chunk of 1808 bytes");
        Hash fewChildren = s.add(cat("05010002", c4096, c4096));
        assertCorrupt(() -> rootWith(s, s.add(cat("0200002710", fewChildren))).value(List.of("a")).orElseThrow().read(0, 1),
                "with 3 children");
        Hash wrongHeight = s.add(cat("05020003", c4096, c4096, c1808));
        assertCorrupt(() -> rootWith(s, s.add(cat("0200002710", wrongHeight))).value(List.of("a")).orElseThrow().read(0, 1),
                "height 1");
        assertCorrupt(() -> rootWith(s, s.add(cat("0200002710", c4096))).value(List.of("a")).orElseThrow().read(0, 1),
                "index node");
        Hash dirAsValue = s.add("0300000000");
        assertCorrupt(() -> rootWith(s, s.add(cat("0200002710", dirAsValue))).value(List.of("a")).orElseThrow().read(0, 1),
                "tag 3");
        Hash trailing = s.add(cat("05010003", c4096, c4096, c1808, "00"));
        assertCorrupt(() -> rootWith(s, s.add(cat("0200002710", trailing))).value(List.of("a")).orElseThrow().read(0, 1),
                "trailing");
        Hash zeroHeight = s.add(cat("05000001", c4096));
        assertCorrupt(() -> rootWith(s, s.add(cat("0200002710", zeroHeight))).value(List.of("a")).orElseThrow().read(0, 1),
                "height 0");
        Hash tooWide = s.add(cat("05010021", cat(java.util.Collections.nCopies(33, c4096).toArray())));
        assertCorrupt(() -> rootWith(s, s.add(cat("0200002710", tooWide))).value(List.of("a")).orElseThrow().read(0, 1),
                "33 children");
        // persisting a tree with a corrupt value reports it too
        assertThrows(CorruptNodeException.class,
                () -> rootWith(s, s.add(cat("0200002710", shortChunk))).persist(NodeStore.inMemory()));
    }

    @Test
    void hashParsing() {
        assertThrows(IllegalArgumentException.class, () -> Hash.fromBytes(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> Hash.fromHex("zz"));
        Hash h = Hash.of(new byte[] {1, 2});
        assertEquals(h, Hash.fromHex(h.hex()));
        assertEquals(h, Hash.fromBytes(h.bytes()));
        assertEquals(h.hex(), h.toString());
        assertTrue(Hash.fromHex("00".repeat(32)).compareTo(Hash.fromHex("ff" + "00".repeat(31))) < 0);
    }

    // ---- paged directories

    private static byte[] stepBytes(String st) {
        byte[] b = st.getBytes(StandardCharsets.UTF_8);
        return cat(new byte[] {(byte) (b.length >> 8), (byte) b.length}, b);
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    /** Encoding of a leaf page (tag "08") or a top page of height 0 (tag "0600") over steps, all bound to leaf. */
    private static byte[] leaves(String tag, List<String> steps, Hash leaf) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(cat(tag, u32(steps.size())));
        for (String st : steps) {
            out.writeBytes(cat(stepBytes(st), leaf));
        }
        return out.toByteArray();
    }

    private static byte[] entry(long count, String last, Hash page) {
        return cat(u64(count), stepBytes(last), page);
    }

    @Test
    void malformedDirectoryPages() {
        RawStore s = new RawStore();
        Hash leaf = s.add("0100000000");
        // steps that end no page (rank 0) and one that ends every page up to height 0 (rank >= 1)
        List<String> plain = new ArrayList<>();
        String boundary = null;
        for (int i = 0; plain.size() < 300 || boundary == null; i++) {
            String st = "s" + (10000 + i);
            if (Page.rank(st) == 0) {
                if (plain.size() < 300) {
                    plain.add(st);
                }
            } else if (boundary == null && Page.rank(st) == 1) {
                boundary = st;
            }
        }
        List<String> a = plain.subList(0, 150);
        List<String> b = plain.subList(150, 300);
        Hash pa = s.add(leaves("08", a, leaf));
        Hash pb = s.add(leaves("08", b, leaf));
        String lastA = a.get(149);
        String lastB = b.get(149);

        // a well-formed two-page directory reads fine
        Tree ok = Tree.load(s.add(cat("0601", u32(2), entry(150, lastA, pa), entry(150, lastB, pb))), s);
        assertEquals(300, ok.childCount(List.of()));
        assertEquals(plain, ok.children(List.of()));
        assertEquals(b.get(7), ok.childName(List.of(), 157).orElseThrow());
        assertTrue(ok.value(List.of(b.get(3))).isPresent());

        // links from an index entry to its page
        assertCorrupt(() -> Tree.load(s.add(cat("0601", u32(2), entry(151, lastA, pa), entry(150, lastB, pb))), s)
                .value(List.of(a.get(0))), "parent says 151");
        assertCorrupt(() -> Tree.load(s.add(cat("0601", u32(2), entry(150, a.get(148), pa), entry(150, lastB, pb))), s)
                .value(List.of(a.get(0))), "does not end with");
        Hash overlapping = s.add(leaves("08", plain.subList(140, 300), leaf));
        assertCorrupt(() -> Tree.load(s.add(cat("0601", u32(2), entry(150, lastA, pa), entry(160, lastB, overlapping))), s)
                .value(List.of(lastB)), "overlaps");
        assertCorrupt(() -> Tree.load(s.add(cat("0602", u32(2), entry(150, lastA, pa), entry(150, lastB, pb))), s)
                .value(List.of(a.get(0))), "has height 0, expected 1");
        Hash topAsPage = s.add(cat("0600", leaves("", a, leaf)));
        assertCorrupt(() -> Tree.load(s.add(cat("0601", u32(2), entry(150, lastA, topAsPage), entry(150, lastB, pb))), s)
                .value(List.of(a.get(0))), "found tag 6");
        assertCorrupt(() -> Tree.load(s.add(cat("0601", u32(2), entry(150, lastA, leaf), entry(150, lastB, pb))), s)
                .value(List.of(a.get(0))), "found tag 1");
        assertCorrupt(() -> Tree.load(s.add(cat("0601", u32(2), entry(150, lastA, Hash.of(new byte[] {3})), entry(150, lastB, pb))), s)
                .value(List.of(a.get(0))), "missing");

        // pages are not directories, and the top page follows the canonical rules it can check alone
        assertCorrupt(() -> Tree.load(pa, s).isLeaf(), "tag 8");
        assertCorrupt(() -> Tree.load(s.add(cat("0702", u32(1), entry(150, lastA, pa))), s).isLeaf(), "tag 7");
        assertCorrupt(() -> Tree.load(s.add(cat("0601", u32(1), entry(300, lastB, pa))), s).isLeaf(), "single entry");
        assertCorrupt(() -> Tree.load(s.add(leaves("0600", a, leaf)), s).isLeaf(), "paged directory of 150 children");
        assertCorrupt(() -> Tree.load(s.add(leaves("03", plain.subList(0, 257), leaf)), s).isLeaf(), "small form");
        assertCorrupt(() -> Tree.load(s.add(cat("0601", u32(2), entry(0, lastA, pa), entry(300, lastB, pb))), s).isLeaf(), "counts 0");
        assertCorrupt(() -> Tree.load(s.add(cat("0601", u32(2), entry(150, lastB, pb), entry(150, lastA, pa))), s).isLeaf(), "ascending");
        assertCorrupt(() -> Tree.load(s.add(cat("0628", u32(2), entry(150, lastA, pa), entry(150, lastB, pb))), s).isLeaf(), "height 40");
        assertCorrupt(() -> Tree.load(s.add(cat("0601", u32(3), entry(150, lastA, pa), entry(150, lastB, pb))), s).isLeaf(), "declares 3");
        assertCorrupt(() -> Tree.load(s.add(cat("0601", u32(2), entry(150, lastA, pa), entry(150, lastB, pb), "00")), s).isLeaf(), "trailing");
        List<String> withBoundary = new ArrayList<>(plain);
        withBoundary.add(boundary);
        withBoundary.sort(null); // ASCII steps: String order is UTF-8 order
        assertTrue(Steps.compare(boundary, plain.get(299)) < 0, "the boundary step sorts inside the page");
        assertCorrupt(() -> Tree.load(s.add(leaves("0600", withBoundary, leaf)), s).isLeaf(), "is not the page's last");

        // malformed pages below a well-formed top
        Hash empty = s.add(cat("08", u32(0)));
        assertCorrupt(() -> Tree.load(s.add(cat("0601", u32(2), entry(150, lastA, empty), entry(150, lastB, pb))), s)
                .value(List.of(a.get(0))), "0 entries");
        Hash unsorted = s.add(leaves("08", List.of(a.get(1), a.get(0)), leaf));
        assertCorrupt(() -> Tree.load(s.add(cat("0601", u32(2), entry(2, a.get(0), unsorted), entry(299, lastB, pb))), s)
                .value(List.of(a.get(0))), "ascending");
        Hash zeroHeight = s.add(cat("0700", u32(1), entry(150, lastA, pa)));
        assertCorrupt(() -> Tree.load(s.add(cat("0602", u32(2), entry(150, lastA, zeroHeight), entry(150, lastB, pb))), s)
                .value(List.of(a.get(0))), "index page of height 0");

        // stored bytes that do not match their hash, and persisting a tree that reaches them
        Tree built = Tree.empty();
        for (int i = 0; i < 2000; i++) {
            built = built.set(List.of("d", "p" + i), Value.of(new byte[] {(byte) i}));
        }
        Tree big = built;
        RawStore t = new RawStore();
        big.persist(t);
        BigDir top = (BigDir) big.subtree(List.of("d")).orElseThrow().root.node();
        assertTrue(top.top.height >= 1);
        Hash firstPage = top.top.refs[0].hash();
        t.put(firstPage, t.get(top.top.refs[1].hash()));
        Tree loaded = Tree.load(big.hash(), t);
        assertEquals(2000, loaded.childCount(List.of("d")));
        assertTrue(loaded.value(List.of("d", top.top.last())).isPresent(), "other pages still read");
        assertCorrupt(() -> loaded.value(List.of("d", top.top.steps[0])), "hash to");
        assertCorrupt(() -> loaded.childName(List.of("d"), 0), "hash to");
        assertThrows(CorruptNodeException.class, () -> Tree.load(big.hash(), t).persist(NodeStore.inMemory()));
    }
}
