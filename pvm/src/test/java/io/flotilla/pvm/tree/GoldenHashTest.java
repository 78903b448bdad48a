package io.flotilla.pvm.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flotilla.pvm.crypto.Blake2b;
import io.flotilla.pvm.util.Hex;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Fixed hashes, so the encoding cannot drift silently; encodings are also spelled out byte by byte. */
class GoldenHashTest {
    private static byte[] cat(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof String s) {
                out.writeBytes(Hex.decode(s));
            } else {
                out.writeBytes((byte[]) p);
            }
        }
        return out.toByteArray();
    }

    private static byte[] h(byte[] enc) {
        return Blake2b.hash256(enc);
    }

    private static byte[] step(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return cat(new byte[] {(byte) (b.length >> 8), (byte) b.length}, b);
    }

    @Test
    void emptyTree() {
        byte[] enc = Hex.decode("0300000000");
        assertEquals(Hex.encode(h(enc)), Tree.empty().hash().hex());
        assertEquals("b269fc2d4b81f3f268df797e4603611b4a98f49c910b6d69372dcf64ea84d00d", Tree.empty().hash().hex());
    }

    @Test
    void singleLeafAndSmallDirectory() {
        byte[] leafX = Hex.decode("010000000178"); // inline leaf "x"
        byte[] leafEmpty = Hex.decode("0100000000");
        assertEquals(Hex.encode(h(leafX)), Tree.ofValue(Value.of("x".getBytes(StandardCharsets.UTF_8))).hash().hex());

        // {"a": "x", "b": {"@": ""}, "é": "x"}
        byte[] dirB = cat("0300000001", step("@"), h(leafEmpty));
        byte[] root = cat("0300000003", step("a"), h(leafX), step("b"), h(dirB), step("\u00e9"), h(leafX));
        Tree t = Tree.empty()
                .set(List.of("\u00e9"), Value.of(new byte[] {'x'}))
                .set(List.of("b", "@"), Value.EMPTY)
                .set(List.of("a"), Value.of(new byte[] {'x'}));
        assertEquals(Hex.encode(h(root)), t.hash().hex());
        assertEquals("d022462a57f8c6098617a8b68e9e71ddd85c066c42416938c9b2ce122060fb46", t.hash().hex());
    }

    @Test
    void chunkedValue() {
        // 10000 bytes i % 251: chunks of 4096, 4096, 1808 under one index node of height 1
        byte[] v = new byte[10000];
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) (i % 251);
        }
        byte[] c0 = cat("04", java.util.Arrays.copyOfRange(v, 0, 4096));
        byte[] c1 = cat("04", java.util.Arrays.copyOfRange(v, 4096, 8192));
        byte[] c2 = cat("04", java.util.Arrays.copyOfRange(v, 8192, 10000));
        byte[] index = cat("05010003", h(c0), h(c1), h(c2));
        byte[] leaf = cat("0200002710", h(index));
        assertEquals(Hex.encode(h(index)), Value.of(v).hash().hex());
        Tree t = Tree.empty().set(List.of("k", "@"), Value.of(v));
        byte[] dirK = cat("0300000001", step("@"), h(leaf));
        byte[] root = cat("0300000001", step("k"), h(dirK));
        assertEquals(Hex.encode(h(root)), t.hash().hex());
        assertEquals("33796ceafc3dc8374154ed1e925d53c23a8d489b407d9e816567bb85bfc62705", t.hash().hex());
    }

    @Test
    void zerosValue() {
        // 2^31-1 zero bytes: height 4; hash fixed
        assertEquals("0206cebaa38744c9f275101a10a49715a3f29dd847b4a0e39af716f11c0a0b40", Value.zeros(Value.MAX_SIZE).hash().hex());
        assertEquals("c7b29a22bf33e7dd2dc684a1f64cf7cb9b35bca6c3a8cceb5dff78f039b872f7", Tree.ofValue(Value.zeros(5000)).hash().hex());
    }

    // ---- paged directories, computed here straight from the rules in Codec's comment

    private record Entry(byte[] step, byte[] hash, long count) {}

    private static int rank(byte[] step) {
        return Long.numberOfLeadingZeros(ByteBuffer.wrap(h(step)).getLong()) / 6;
    }

    private static byte[] pageEncoding(String tag, int height, boolean withHeight, List<Entry> es) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Hex.decode(tag));
        if (withHeight) {
            out.write(height);
        }
        out.writeBytes(ByteBuffer.allocate(4).putInt(es.size()).array());
        for (Entry e : es) {
            if (height > 0) {
                out.writeBytes(ByteBuffer.allocate(8).putLong(e.count).array());
            }
            out.writeBytes(cat(new byte[] {(byte) (e.step.length >> 8), (byte) e.step.length}, e.step, e.hash));
        }
        return out.toByteArray();
    }

    /** The encoding of the top page of the paged directory of (step, child hash) {@code leaves}, in step order. */
    private static byte[] pagedDirectory(List<Entry> leaves) {
        List<Entry> items = leaves;
        for (int level = 0; ; level++) {
            List<List<Entry>> pages = new ArrayList<>();
            List<Entry> cur = new ArrayList<>();
            for (Entry e : items) {
                cur.add(e);
                if (rank(e.step) > level || cur.size() == 1024) {
                    pages.add(cur);
                    cur = new ArrayList<>();
                }
            }
            if (!cur.isEmpty()) {
                pages.add(cur);
            }
            if (pages.size() == 1) {
                return pageEncoding("06", level, true, pages.get(0));
            }
            List<Entry> next = new ArrayList<>();
            for (List<Entry> pg : pages) {
                byte[] enc = level == 0 ? pageEncoding("08", 0, false, pg) : pageEncoding("07", level, true, pg);
                next.add(new Entry(pg.get(pg.size() - 1).step, h(enc), pg.stream().mapToLong(Entry::count).sum()));
            }
            items = next;
        }
    }

    private static Tree items(int n, Random rnd) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, rnd);
        Tree t = Tree.empty().set(List.of("small"), Value.of(new byte[] {'x'}));
        for (int i : order) {
            t = t.set(List.of("big", "item" + i), Value.of(new byte[] {(byte) (i >> 8), (byte) i}));
        }
        return t;
    }

    private static byte[] itemsRoot(int n) {
        List<String> steps = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            steps.add("item" + i);
        }
        Collections.sort(steps); // ASCII: String order is UTF-8 byte order
        List<Entry> leaves = new ArrayList<>();
        for (String st : steps) {
            int i = Integer.parseInt(st.substring(4));
            leaves.add(new Entry(st.getBytes(StandardCharsets.UTF_8), h(cat("0100000002", new byte[] {(byte) (i >> 8), (byte) i})), 1));
        }
        byte[] big = n <= 256 ? null : pagedDirectory(leaves);
        if (big == null) {
            ByteArrayOutputStream d = new ByteArrayOutputStream();
            d.writeBytes(ByteBuffer.allocate(5).put((byte) 3).putInt(n).array());
            for (Entry e : leaves) {
                d.writeBytes(cat(step(new String(e.step, StandardCharsets.UTF_8)), e.hash));
            }
            big = d.toByteArray();
        }
        return cat("0300000002", step("big"), h(big), step("small"), h(Hex.decode("010000000178")));
    }

    @Test
    void pagedDirectory() {
        Random rnd = new Random(1);
        // 256 children: still the small form; 257 and 5000: paged
        for (int n : new int[] {256, 257, 5000}) {
            assertEquals(Hex.encode(h(itemsRoot(n))), items(n, rnd).hash().hex(), n + " children");
        }
        assertEquals("0300000100", Hex.encode(java.util.Arrays.copyOf(items(256, rnd).subtree(List.of("big")).orElseThrow().root.node().encode(), 5)));
        assertEquals("06", Hex.encode(java.util.Arrays.copyOf(items(257, rnd).subtree(List.of("big")).orElseThrow().root.node().encode(), 1)));
        // fixed: {"big": {"item0".."item256": 2-byte index}, "small": "x"} and the same with 5000 items
        assertEquals("bad095c0ef427086e227098d3c8c3cf9b771ce41b82e0a0154f5f91b3e72f3a8", items(257, rnd).hash().hex());
        assertEquals("770c293196fa11ae79486079484406dbe85428725457f30a1124aaa3b369ecd2", items(5000, rnd).hash().hex());
    }
}
