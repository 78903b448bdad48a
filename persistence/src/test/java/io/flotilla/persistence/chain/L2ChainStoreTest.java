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

    /** GC of history mode full: blocks below a level go, the others (and other rollups) stay. */
    static void deleteBelowContract(L2ChainStore s) {
        String a = "sr1Ghq66tYK9y3r8CC1Tf8i8m5nxh8nTvZEf";
        String b = "sr163Lv22CdE8QagCwf48PWDTquk6isQwv57";
        for (int l = 3; l <= 30; l++) {
            s.put(a, block(l, l % 5 == 0));
        }
        s.put(b, block(4, false));
        assertEquals(java.util.Set.of(a, b), s.rollups());
        s.deleteBelow(a, 20);
        s.deleteBelow(a, 20); // idempotent (a collection that runs again after a crash)
        assertEquals(Optional.of(20), s.firstLevel(a));
        assertEquals(Optional.of(30), s.lastLevel(a));
        assertTrue(s.get(a, 19).isEmpty());
        assertSame(block(20, true), s.get(a, 20).orElseThrow());
        assertSame(block(4, false), s.get(b, 4).orElseThrow());
        assertEquals(Optional.of(4), s.lastLevel(b));
        s.deleteBelow(a, 31);
        assertTrue(s.firstLevel(a).isEmpty());
        assertTrue(s.lastLevel(a).isEmpty());
        assertEquals(java.util.Set.of(b), s.rollups());
    }

    @Test
    void deleteBelowInBothBackends() {
        deleteBelowContract(new InMemoryL2ChainStore());
        try (EmbeddedL2ChainStore s = new EmbeddedL2ChainStore(dir)) {
            deleteBelowContract(s);
        }
        try (EmbeddedL2ChainStore s = new EmbeddedL2ChainStore(dir)) {
            assertTrue(s.get("sr1Ghq66tYK9y3r8CC1Tf8i8m5nxh8nTvZEf", 25).isEmpty());
            assertEquals(Optional.of(4), s.firstLevel("sr163Lv22CdE8QagCwf48PWDTquk6isQwv57"));
        }
    }

    @Test
    void embeddedStoreKeepsBlocksAcrossReopenAndTruncates() {
        String a = "sr1Ghq66tYK9y3r8CC1Tf8i8m5nxh8nTvZEf";
        String b = "sr163Lv22CdE8QagCwf48PWDTquk6isQwv57";
        try (EmbeddedL2ChainStore s = new EmbeddedL2ChainStore(dir)) {
            for (int l = 3; l <= 10; l++) {
                s.put(a, block(l, l % 5 == 0));
            }
            s.put(b, block(4, false));
            s.truncateAbove(a, 7);
        }
        try (EmbeddedL2ChainStore s = new EmbeddedL2ChainStore(dir)) {
            assertSame(block(5, true), s.get(a, 5).orElseThrow());
            assertTrue(s.get(a, 8).isEmpty());
            assertEquals(Optional.of(3), s.firstLevel(a));
            assertEquals(Optional.of(4), s.firstLevel(b));
            assertSame(block(4, false), s.get(b, 4).orElseThrow());
            assertTrue(s.firstLevel("sr1Nobody").isEmpty());
        }
        InMemoryL2ChainStore m = new InMemoryL2ChainStore();
        m.put(a, block(1, false));
        m.put(a, block(2, false));
        m.truncateAbove(a, 1);
        assertTrue(m.get(a, 2).isEmpty());
    }
}
