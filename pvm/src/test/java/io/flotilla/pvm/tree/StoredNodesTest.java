package io.flotilla.pvm.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link StoredNodes#walk}: the raw walk snapshot export uses instead of {@link Tree#copyTo} must emit the same
 * records (hash, bytes) in the same order, each once, and fail clearly on a missing or malformed node.
 */
class StoredNodesTest {

    /** A store that records what is put into it, in order. */
    private static final class Recording implements NodeStore {
        final List<Hash> hashes = new ArrayList<>();
        final List<byte[]> encodings = new ArrayList<>();
        final Set<Hash> present = new HashSet<>();

        @Override
        public byte[] get(Hash h) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean contains(Hash h) {
            return present.contains(h);
        }

        @Override
        public void put(Hash h, byte[] encoding) {
            if (present.add(h)) {
                hashes.add(h);
                encodings.add(encoding.clone());
            }
        }
    }

    /** Three states sharing most nodes: small and paged directories, inline, chunked (two index levels) values. */
    private static List<Hash> states(InMemoryNodeStore store) {
        Tree t = Tree.empty();
        for (int i = 0; i < 700; i++) {
            // more than 256 children: a paged directory of several pages
            t = t.set(List.of("accounts", "acc" + i), Value.of(("balance " + i).getBytes(StandardCharsets.UTF_8)));
        }
        for (int i = 0; i < 40; i++) {
            t = t.set(List.of("small", "k" + i, "v"), Value.of(new byte[] {(byte) i}));
        }
        byte[] big = new byte[200_000]; // 49 chunks: an index of height 2
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 7 + i / 4096);
        }
        t = t.set(List.of("kernel", "boot.wasm"), Value.of(big));
        t = t.set(List.of("zeros"), Value.zeros(100_000)); // shared all-zero chunks
        t.persist(store);
        Tree second = Tree.load(t.hash(), store).set(List.of("accounts", "acc17"), Value.of(new byte[] {1}))
                .set(List.of("small", "k3", "w"), Value.of(new byte[5000]));
        second.persist(store);
        Tree third = Tree.load(second.hash(), store).remove(List.of("accounts", "acc400"))
                .set(List.of("copy"), Tree.load(t.hash(), store));
        third.persist(store);
        return List.of(t.hash(), second.hash(), third.hash());
    }

    @Test
    void emitsWhatCopyToWritesInTheSameOrder() throws Exception {
        InMemoryNodeStore store = NodeStore.inMemory();
        List<Hash> roots = states(store);

        Recording viaCopyTo = new Recording();
        long copied = 0;
        for (Hash root : roots) {
            copied += Tree.load(root, store).copyTo(viaCopyTo);
        }
        List<Hash> hashes = new ArrayList<>();
        List<byte[]> encodings = new ArrayList<>();
        Set<Hash> seen = new HashSet<>();
        long walked = 0;
        for (Hash root : roots) {
            walked += StoredNodes.walk(root, store, seen, (h, enc) -> {
                hashes.add(h);
                encodings.add(enc);
            });
        }
        assertEquals(copied, walked);
        assertEquals(viaCopyTo.hashes, hashes);
        for (int i = 0; i < hashes.size(); i++) {
            assertArrayEquals(viaCopyTo.encodings.get(i), encodings.get(i), "record " + i);
            assertEquals(hashes.get(i), Hash.of(encodings.get(i)), "record " + i + " is under its own hash");
        }
        assertTrue(walked > 50, "a real tree: " + walked);
        assertEquals(Set.copyOf(hashes), seen);
        // everything seen: a second walk reads nothing
        assertEquals(0, StoredNodes.walk(roots.get(2), new InMemoryNodeStore(), seen, (h, e) -> {
            throw new AssertionError("emitted " + h);
        }));
    }

    @Test
    void theEmittedNodesAloneHoldTheWholeState() throws Exception {
        InMemoryNodeStore store = NodeStore.inMemory();
        Hash root = states(store).get(0);
        InMemoryNodeStore copied = NodeStore.inMemory();
        StoredNodes.walk(root, store, new HashSet<>(), copied::put);
        Tree copy = Tree.load(root, copied);
        assertEquals(700, copy.childCount(List.of("accounts")));
        assertEquals("balance 699", new String(copy.value(List.of("accounts", "acc699")).orElseThrow().toBytes(),
                StandardCharsets.UTF_8));
        assertArrayEquals(Tree.load(root, store).value(List.of("kernel", "boot.wasm")).orElseThrow().toBytes(),
                copy.value(List.of("kernel", "boot.wasm")).orElseThrow().toBytes());
        assertEquals(100_000, copy.value(List.of("zeros")).orElseThrow().toBytes().length);
    }

    @Test
    void aMissingNodeIsNamed() {
        InMemoryNodeStore store = NodeStore.inMemory();
        Tree t = Tree.empty().set(List.of("a", "b"), Value.of(new byte[] {1})).set(List.of("c"), Value.of(new byte[] {2}));
        t.persist(store);
        InMemoryNodeStore partial = NodeStore.inMemory();
        partial.put(t.hash(), store.get(t.hash()));
        MissingNodeException e = assertThrows(MissingNodeException.class,
                () -> StoredNodes.walk(t.hash(), partial, new HashSet<>(), (h, enc) -> { }));
        assertTrue(store.contains(e.hash()) && !e.hash().equals(t.hash()));
    }

    @Test
    void aMalformedNodeIsACorruptNodeNotAnOutOfBoundsRead() {
        InMemoryNodeStore store = NodeStore.inMemory();
        // a directory declaring 3 children with bytes for none
        byte[] dir = {Codec.TAG_DIR, 0, 0, 0, 3, 0, 1, 'a'};
        Hash h = Hash.of(dir);
        store.put(h, dir);
        CorruptNodeException e = assertThrows(CorruptNodeException.class,
                () -> StoredNodes.walk(h, store, new HashSet<>(), (x, enc) -> { }));
        assertTrue(e.getMessage().contains(h.hex()), e.getMessage());
        // a value chunk where a directory or leaf belongs
        byte[] chunk = {Codec.TAG_CHUNK, 1, 2, 3};
        Hash c = Hash.of(chunk);
        store.put(c, chunk);
        e = assertThrows(CorruptNodeException.class, () -> StoredNodes.walk(c, store, new HashSet<>(), (x, enc) -> { }));
        assertTrue(e.getMessage().contains("tag 4"), e.getMessage());
    }

    @Test
    void theCheckedWalkAlsoRefusesWhatFramesButIsNotWellFormed() throws Exception {
        InMemoryNodeStore store = NodeStore.inMemory();
        byte[] leaf = {Codec.TAG_LEAF_INLINE, 0, 0, 0, 1, 7};
        Hash l = Hash.of(leaf);
        store.put(l, leaf);
        // two children in descending step order: framed correctly, but not a canonical directory
        java.io.ByteArrayOutputStream dir = new java.io.ByteArrayOutputStream();
        dir.write(new byte[] {Codec.TAG_DIR, 0, 0, 0, 2, 0, 1, 'b'});
        dir.write(l.bytes());
        dir.write(new byte[] {0, 1, 'a'});
        dir.write(l.bytes());
        byte[] d = dir.toByteArray();
        Hash h = Hash.of(d);
        store.put(h, d);
        assertEquals(2, StoredNodes.walk(h, store, new HashSet<>(), (x, e) -> { }));
        CorruptNodeException e = assertThrows(CorruptNodeException.class,
                () -> StoredNodes.walkChecked(h, store, new HashSet<>(), (x, enc) -> { }));
        assertTrue(e.getMessage().contains("ascending"), e.getMessage());
        // a well-formed state passes the checked walk with the same records
        InMemoryNodeStore good = NodeStore.inMemory();
        List<Hash> roots = states(good);
        Set<Hash> a = new HashSet<>();
        Set<Hash> b = new HashSet<>();
        for (Hash root : roots) {
            assertEquals(StoredNodes.walk(root, good, a, (x, enc) -> { }),
                    StoredNodes.walkChecked(root, good, b, (x, enc) -> { }));
        }
        assertEquals(a, b);
    }
}
