package io.flotilla.pvm.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.pvm.util.Hex;
import java.io.ByteArrayOutputStream;
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
}
