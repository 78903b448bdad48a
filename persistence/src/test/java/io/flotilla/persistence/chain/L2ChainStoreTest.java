package io.flotilla.persistence.chain;

import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.pvm.tree.Hash;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class L2ChainStoreTest {

    @TempDir
    Path dir;

    static L2Block block(int level, boolean commitment) {
        byte[] l1 = new byte[32];
        l1[0] = (byte) level;
        return new L2Block(level, l1, Hash.of(new byte[] {1, (byte) level}), List.of(new byte[] {1, 2, 3}, new byte[0]),
                Hash.of(new byte[] {2, (byte) level}), 250_000_000_000_000L, level * 250_000_000_000_000L, 1, 4,
                commitment ? Optional.of(Hash.of(new byte[] {3, (byte) level})) : Optional.empty());
    }

    static void assertSame(L2Block a, L2Block b) {
        assertArrayEquals(L2BlockCodec.encode(a), L2BlockCodec.encode(b));
    }

    @Test
    void codecRoundTripAndCorruption() {
        L2Block b = block(7, true);
        assertSame(b, L2BlockCodec.decode(L2BlockCodec.encode(b)));
        byte[] enc = L2BlockCodec.encode(block(8, false));
        assertThrows(IllegalArgumentException.class, () -> L2BlockCodec.decode(java.util.Arrays.copyOf(enc, enc.length - 3)));
        enc[0] = 9;
        assertThrows(IllegalArgumentException.class, () -> L2BlockCodec.decode(enc));
    }

    static final String A = "sr1Ghq66tYK9y3r8CC1Tf8i8m5nxh8nTvZEf";
    static final String B = "sr163Lv22CdE8QagCwf48PWDTquk6isQwv57";

    /** What every L2 chain store does, from empty; {@link #afterReopen} checks what a persistent one kept. */
    static void contract(L2ChainStore s) {
        assertTrue(s.firstLevel(A).isEmpty());
        assertTrue(s.get(A, 3).isEmpty());
        for (int l = 3; l <= 10; l++) {
            s.put(A, block(l, l % 5 == 0));
        }
        s.put(B, block(4, false));
        assertSame(block(5, true), s.get(A, 5).orElseThrow());
        assertEquals(Optional.of(3), s.firstLevel(A));
        s.truncateAbove(A, 7);
        assertTrue(s.get(A, 8).isEmpty());
        assertTrue(s.get(A, 10).isEmpty());
        assertSame(block(7, false), s.get(A, 7).orElseThrow());
        assertSame(block(4, false), s.get(B, 4).orElseThrow()); // another rollup's chain is untouched
        // a level re-processed (after a crash, or a reorg) overwrites the block
        L2Block other = new L2Block(6, new byte[32], Hash.of(new byte[] {9}), List.of(), Hash.of(new byte[] {8}), 1, 2,
                0, 1, Optional.empty());
        s.put(A, other);
        assertSame(other, s.get(A, 6).orElseThrow());
        s.put(A, block(6, false));
        assertEquals(Optional.of(3), s.firstLevel(A));
        assertEquals(Optional.of(4), s.firstLevel(B));
        assertTrue(s.firstLevel("sr1Nobody").isEmpty());
        s.truncateAbove(B, 3);
        assertTrue(s.firstLevel(B).isEmpty(), "everything of B reverted");
    }

    static void afterReopen(L2ChainStore s) {
        assertSame(block(5, true), s.get(A, 5).orElseThrow());
        assertTrue(s.get(A, 8).isEmpty());
        assertEquals(Optional.of(3), s.firstLevel(A));
        assertTrue(s.firstLevel(B).isEmpty());
    }

    @Test
    void embeddedStoreKeepsBlocksAcrossReopenAndTruncates() {
        try (EmbeddedL2ChainStore s = new EmbeddedL2ChainStore(dir)) {
            contract(s);
        }
        try (EmbeddedL2ChainStore s = new EmbeddedL2ChainStore(dir)) {
            afterReopen(s);
        }
    }

    @Test
    void inMemory() {
        contract(new InMemoryL2ChainStore());
    }
}
