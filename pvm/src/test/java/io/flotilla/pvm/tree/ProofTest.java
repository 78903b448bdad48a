package io.flotilla.pvm.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ProofTest {
    private static byte[] bytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private static Tree sample(Random rnd) {
        Tree t = Tree.empty();
        for (int i = 0; i < 30; i++) {
            t = t.set(List.of("dir" + (i % 4), "k" + i, "@"), Value.of(bytes(rnd, i)));
        }
        t = t.set(List.of("big", "@"), Value.of(bytes(rnd, 10_000)));
        t = t.set(List.of("huge", "@"), Value.of(bytes(rnd, 300_000)));
        t = t.set(List.of("edge", "@"), Value.of(bytes(rnd, 4096)));
        t = t.set(List.of("edge2", "@"), Value.of(bytes(rnd, 4097)));
        return t;
    }

    private static void assertRejected(MerkleProof p, Hash root, List<String> path) {
        assertThrows(ProofException.class, () -> MerkleProof.verify(p, root, path));
    }

    private static void assertTamperedRejected(byte[] proof, int pos, Hash root, List<String> path) {
        byte[] b = proof.clone();
        b[pos] ^= (byte) (1 << (pos % 8));
        try {
            MerkleProof.verify(MerkleProof.fromBytes(b), root, path);
            fail("tampered byte " + pos + " of " + proof.length + " accepted");
        } catch (ProofException expected) {
            // ok
        }
    }

    @Test
    void validProofsVerify() {
        Random rnd = new Random(20);
        Tree t = sample(rnd);
        InMemoryNodeStore store = NodeStore.inMemory();
        t.persist(store);
        Tree loaded = Tree.load(t.hash(), store);
        for (List<String> p : List.of(List.of("dir1", "k5", "@"), List.of("dir0", "k0", "@"), List.of("big", "@"),
                List.of("huge", "@"), List.of("edge", "@"), List.of("edge2", "@"))) {
            byte[] expected = t.value(p).orElseThrow().toBytes();
            for (Tree src : List.of(t, loaded)) {
                MerkleProof proof = src.prove(p);
                assertArrayEquals(expected, MerkleProof.verify(proof, t.hash(), p), p.toString());
                MerkleProof again = MerkleProof.fromBytes(proof.toBytes());
                assertArrayEquals(expected, MerkleProof.verify(again, t.hash(), p));
                assertArrayEquals(proof.toBytes(), again.toBytes());
            }
        }
        Tree leaf = Tree.ofValue(Value.of(new byte[] {1, 2, 3}));
        assertArrayEquals(new byte[] {1, 2, 3}, MerkleProof.verify(leaf.prove(List.of()), leaf.hash(), List.of()));
        // a sparse value: the proof carries every chunk (64 chunks, 2 index levels)
        Tree sparse = Tree.empty().set(List.of("s"), Value.zeros(64 * 4096).write(100_000, new byte[] {9}));
        MerkleProof sp = sparse.prove(List.of("s"));
        assertEquals(1 + 1 + 1 + 2 + 64, sp.size());
        assertEquals(9, MerkleProof.verify(sp, sparse.hash(), List.of("s"))[100_000]);
    }

    @Test
    void everyTamperedByteIsRejected() {
        Random rnd = new Random(21);
        Tree t = sample(rnd);
        List<String> small = List.of("dir2", "k6", "@");
        byte[] proof = t.prove(small).toBytes();
        for (int i = 0; i < proof.length; i++) {
            assertTamperedRejected(proof, i, t.hash(), small);
        }
        List<String> big = List.of("big", "@");
        byte[] bp = t.prove(big).toBytes();
        for (int i = 0; i < bp.length; i++) {
            assertTamperedRejected(bp, i, t.hash(), big);
        }
        // truncation and extension
        assertThrows(ProofException.class, () -> MerkleProof.fromBytes(java.util.Arrays.copyOf(proof, proof.length - 1)));
        assertThrows(ProofException.class, () -> MerkleProof.fromBytes(java.util.Arrays.copyOf(proof, proof.length + 1)));
        assertThrows(ProofException.class, () -> MerkleProof.fromBytes(new byte[0]));
    }

    @Test
    void wrongRootOrPathIsRejected() {
        Random rnd = new Random(22);
        Tree t = sample(rnd);
        List<String> p = List.of("dir3", "k7", "@");
        MerkleProof proof = t.prove(p);
        Tree other = t.set(List.of("dir0", "k0", "@"), Value.of(new byte[] {1}));
        assertRejected(proof, other.hash(), p);
        assertRejected(proof, Tree.empty().hash(), p);
        assertRejected(proof, t.hash(), List.of("dir3", "k11", "@")); // another existing leaf
        assertRejected(proof, t.hash(), List.of("dir3", "k7")); // a directory
        assertRejected(proof, t.hash(), List.of("dir3", "k7", "@", "x")); // below the leaf
        assertRejected(proof, t.hash(), List.of("dir3", "nope", "@"));
        assertRejected(proof, t.hash(), List.of("dir2", "k7", "@"));
        assertRejected(proof, t.hash(), List.of());
        assertRejected(proof, t.hash(), List.of("dir3", "", "@"));
        // a proof of one leaf does not prove a sibling's value
        MerkleProof bigProof = t.prove(List.of("big", "@"));
        assertRejected(bigProof, t.hash(), List.of("huge", "@"));
    }

    @Test
    void provingAbsentLeavesFails() {
        Tree t = sample(new Random(23));
        assertThrows(NoSuchElementException.class, () -> t.prove(List.of("dir1")));
        assertThrows(NoSuchElementException.class, () -> t.prove(List.of("nope")));
        assertThrows(NoSuchElementException.class, () -> t.prove(List.of("big", "@", "x")));
        assertThrows(NoSuchElementException.class, () -> t.prove(List.of()));
    }
}
