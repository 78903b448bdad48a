package io.flotilla.pvm.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ValueTest {
    private static final int C = Value.CHUNK_SIZE;

    private static byte[] random(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    @Test
    void ofAndReadAcrossChunkBoundaries() {
        Random rnd = new Random(1);
        for (int n : new int[] {0, 1, 100, C - 1, C, C + 1, 3 * C + 5, 32 * C, 32 * C + 1, 40 * C + 7}) {
            byte[] b = random(rnd, n);
            Value v = Value.of(b);
            assertEquals(n, v.size());
            assertArrayEquals(b, v.toBytes());
            for (int k = 0; k < 50 && n > 0; k++) {
                int off = rnd.nextInt(n);
                int len = rnd.nextInt(Math.min(n - off, 3 * C) + 1);
                assertArrayEquals(Arrays.copyOfRange(b, off, off + len), v.read(off, len), "n=" + n + " off=" + off + " len=" + len);
            }
            // reads straddling every chunk boundary
            for (int bd = C; bd < n; bd += C) {
                int off = bd - 3;
                int len = Math.min(6, n - off);
                assertArrayEquals(Arrays.copyOfRange(b, off, off + len), v.read(off, len));
            }
        }
    }

    @Test
    void readOutOfBounds() {
        Value v = Value.of(new byte[10]);
        assertThrows(IndexOutOfBoundsException.class, () -> v.read(5, 6));
        assertThrows(IndexOutOfBoundsException.class, () -> v.read(-1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> v.read(11, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> v.read(0, -1));
        assertEquals(0, v.read(10, 0).length);
        assertThrows(IndexOutOfBoundsException.class, () -> v.write(11, new byte[1], 0, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> v.write(0, new byte[1], 0, 2));
        assertThrows(IllegalArgumentException.class, () -> Value.zeros(-1));
        assertThrows(IllegalArgumentException.class, () -> Value.zeros(Value.MAX_SIZE + 1));
        assertThrows(IllegalArgumentException.class, () -> Value.zeros(Value.MAX_SIZE).write(Value.MAX_SIZE, new byte[1]));
    }

    @Test
    void randomWritesMatchModelAndHashIsHistoryIndependent() {
        Random rnd = new Random(2);
        for (int round = 0; round < 20; round++) {
            byte[] model = new byte[0];
            Value v = rnd.nextBoolean() ? Value.EMPTY : Value.zeros(rnd.nextInt(5 * C));
            model = new byte[(int) v.size()];
            for (int op = 0; op < 60; op++) {
                int off = rnd.nextInt(model.length + 1);
                int len = rnd.nextInt(rnd.nextInt(4) == 0 ? 40 * C : 2 * C);
                byte[] src = random(rnd, len + 4);
                int srcOff = rnd.nextInt(5);
                len = Math.min(len, src.length - srcOff);
                v = v.write(off, src, srcOff, len);
                if (off + len > model.length) {
                    model = Arrays.copyOf(model, off + len);
                }
                System.arraycopy(src, srcOff, model, off, len);
                assertEquals(model.length, v.size());
                if (rnd.nextInt(8) == 0) {
                    int nsz = model.length + rnd.nextInt(3 * C);
                    v = v.extendTo(nsz);
                    model = Arrays.copyOf(model, nsz);
                }
            }
            assertArrayEquals(model, v.toBytes());
            assertEquals(Value.of(model).hash(), v.hash(), "same content, same hash whatever the history");
            assertEquals(Value.of(model), v);
        }
    }

    @Test
    void zerosEqualExplicitZeros() {
        for (long n : new long[] {0, 1, C - 1, C, C + 1, 32L * C, 32L * C + 1, 1025L * C + 3, 33L * 32 * C}) {
            Value z = Value.zeros(n);
            assertEquals(n, z.size());
            assertEquals(Value.of(new byte[(int) n]).hash(), z.hash(), "n=" + n);
            if (n > 0) {
                assertArrayEquals(new byte[(int) Math.min(n, 9000)], z.read(n - Math.min(n, 9000), (int) Math.min(n, 9000)));
            }
        }
    }

    @Test
    void extensionPadsWithZeros() {
        byte[] b = {1, 2, 3};
        Value v = Value.of(b).extendTo(5 * C + 1);
        byte[] expect = Arrays.copyOf(b, 5 * C + 1);
        assertArrayEquals(expect, v.toBytes());
        assertEquals(Value.of(expect).hash(), v.hash());
        // writing at the end extends
        Value w = Value.of(b).write(3, new byte[] {9, 9}, 0, 2);
        assertArrayEquals(new byte[] {1, 2, 3, 9, 9}, w.toBytes());
        // growing across several index heights at once
        Value big = Value.of(b).extendTo(40L * 32 * C).write(40L * 32 * C, new byte[] {7}, 0, 1);
        assertEquals(40L * 32 * C + 1, big.size());
        assertArrayEquals(new byte[] {1, 2, 3, 0}, big.read(0, 4));
        assertArrayEquals(new byte[] {0, 7}, big.read(40L * 32 * C - 1, 2));
        assertEquals(Value.zeros(40L * 32 * C + 1).write(0, b).write(40L * 32 * C, new byte[] {7}).hash(), big.hash());
    }

    @Test
    void maximalSparseValueIsCheap() {
        long t0 = System.nanoTime();
        Value z = Value.zeros(Value.MAX_SIZE);
        assertEquals(Value.MAX_SIZE, z.size());
        Random rnd = new Random(3);
        Value v = z;
        long[] offs = new long[40];
        byte[][] data = new byte[40][];
        for (int i = 0; i < offs.length; i++) {
            offs[i] = (long) (rnd.nextDouble() * (Value.MAX_SIZE - 3 * C));
            data[i] = random(rnd, 1 + rnd.nextInt(2 * C));
        }
        // disjoint writes in two different orders give the same hash
        Arrays.sort(offs);
        for (int i = 1; i < offs.length; i++) {
            offs[i] = Math.max(offs[i], offs[i - 1] + 2 * C + 1);
        }
        for (int i = 0; i < offs.length; i++) {
            v = v.write(offs[i], data[i]);
        }
        Value w = z;
        for (int i = offs.length - 1; i >= 0; i--) {
            w = w.write(offs[i], data[i]);
        }
        assertEquals(v.hash(), w.hash());
        assertNotEquals(z.hash(), v.hash());
        for (int i = 0; i < offs.length; i++) {
            assertArrayEquals(data[i], v.read(offs[i], data[i].length));
            assertArrayEquals(new byte[3], v.read(offs[i] + data[i].length, 3));
        }
        assertArrayEquals(new byte[100], v.read(Value.MAX_SIZE - 100, 100));
        InMemoryNodeStore store = NodeStore.inMemory();
        int written = Tree.ofValue(v).persist(store);
        assertTrue(written < 40 * 2 * 6 + 20, "shared zero subtrees: wrote " + written);
        Value reloaded = Tree.load(Tree.ofValue(v).hash(), store).value(List.of()).orElseThrow();
        assertArrayEquals(data[7], reloaded.read(offs[7], data[7].length));
        assertTrue(System.nanoTime() - t0 < 20_000_000_000L);
    }

    @Test
    void smallWriteIntoHugeValueTouchesOneChunkAndTheIndexPath() {
        long size = 100L * 1024 * 1024;
        Value v = Value.zeros(size).write(12345, new byte[] {1, 2, 3});
        Tree t = Tree.empty().set(List.of("big"), v);
        CountingStore store = new CountingStore();
        t.persist(store);
        Tree loaded = Tree.load(t.hash(), store);
        Value lv = loaded.value(List.of("big")).orElseThrow();
        byte[] two = new byte[2048];
        Arrays.fill(two, (byte) 5);
        store.reset();
        Value lv2 = lv.write(50L * 1024 * 1024, two);
        Tree t2 = loaded.set(List.of("big"), lv2);
        // 25600 chunks: height 3 -> one chunk + 3 index nodes are read ...
        assertEquals(4, store.gets.get(), "reads on the path of the write");
        // ... and written, plus the leaf and the root directory
        assertEquals(1 + 3 + 1 + 1, t2.persist(store));
        assertArrayEquals(two, Tree.load(t2.hash(), store).value(List.of("big")).orElseThrow().read(50L * 1024 * 1024, 2048));
        assertEquals(Value.zeros(size).write(50L * 1024 * 1024, two).write(12345, new byte[] {1, 2, 3}).hash(), lv2.hash());
    }

    @Test
    void equalityIsByContent() {
        assertEquals(Value.of(new byte[] {1, 2}), Value.EMPTY.write(0, new byte[] {1, 2}));
        assertNotEquals(Value.of(new byte[] {1, 2}), Value.of(new byte[] {1, 3}));
        assertNotEquals(Value.of(new byte[0]), Value.of(new byte[1]));
    }
}
