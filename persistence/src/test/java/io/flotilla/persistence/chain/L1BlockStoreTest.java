package io.flotilla.persistence.chain;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class L1BlockStoreTest {
    @TempDir
    Path dir;

    private static byte[] h(int seed) {
        byte[] b = new byte[32];
        b[0] = (byte) seed;
        b[31] = (byte) (seed >> 8);
        return b;
    }

    static void contract(L1BlockStore s) {
        assertEquals(OptionalInt.empty(), s.lastLevel());
        assertEquals(OptionalInt.empty(), s.firstLevel());
        for (int l = 3; l <= 7; l++) {
            s.put(l, h(l), new byte[] {(byte) l});
        }
        assertEquals(OptionalInt.of(3), s.firstLevel());
        assertEquals(OptionalInt.of(7), s.lastLevel());
        assertArrayEquals(new byte[] {5}, s.get(5).orElseThrow());
        assertArrayEquals(h(5), s.hashAt(5).orElseThrow());
        assertTrue(s.get(8).isEmpty());
        assertTrue(s.get(2).isEmpty());
        s.truncateAbove(5);
        assertEquals(OptionalInt.of(5), s.lastLevel());
        assertTrue(s.get(6).isEmpty());
        assertArrayEquals(new byte[] {6}, s.getByHash(h(6)).orElseThrow(), "still readable by hash");
        s.put(6, h(106), new byte[] {106});
        assertArrayEquals(new byte[] {106}, s.get(6).orElseThrow());
        assertArrayEquals(new byte[] {6}, s.getByHash(h(6)).orElseThrow());
        assertTrue(s.getByHash(h(99)).isEmpty());
    }

    @Test
    void inMemory() {
        contract(new InMemoryL1BlockStore());
    }

    @Test
    void embeddedAndReopened() {
        try (EmbeddedL1BlockStore s = new EmbeddedL1BlockStore(dir.resolve("l1"))) {
            contract(s);
        }
        try (EmbeddedL1BlockStore s = new EmbeddedL1BlockStore(dir.resolve("l1"))) {
            assertEquals(OptionalInt.of(6), s.lastLevel());
            assertArrayEquals(new byte[] {106}, s.get(6).orElseThrow());
        }
    }
}
