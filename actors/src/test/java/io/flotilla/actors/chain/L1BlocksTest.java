package io.flotilla.actors.chain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.actors.l1.L1Block;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.persistence.chain.InMemoryL1BlockStore;
import io.flotilla.persistence.chain.L1BlockStore;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The decoded-block cache of {@link L1Blocks}: one read of the block bytes per block, and never a stale block. */
class L1BlocksTest {

    /** Counts the reads of block bytes (each one is a decode in {@link L1Blocks}). */
    static final class CountingStore implements L1BlockStore {
        final InMemoryL1BlockStore store = new InMemoryL1BlockStore();
        final AtomicInteger blockReads = new AtomicInteger();

        @Override
        public void put(int level, byte[] hash32, byte[] block) {
            store.put(level, hash32, block);
        }

        @Override
        public Optional<byte[]> get(int level) {
            blockReads.incrementAndGet();
            return store.get(level);
        }

        @Override
        public Optional<byte[]> hashAt(int level) {
            return store.hashAt(level);
        }

        @Override
        public Optional<byte[]> getByHash(byte[] hash32) {
            blockReads.incrementAndGet();
            return store.getByHash(hash32);
        }

        @Override
        public void truncateAbove(int level) {
            store.truncateAbove(level);
        }

        @Override
        public OptionalInt lastLevel() {
            return store.lastLevel();
        }

        @Override
        public OptionalInt firstLevel() {
            return store.firstLevel();
        }
    }

    private static byte[] hash(int level, int salt) {
        byte[] h = new byte[32];
        Arrays.fill(h, (byte) salt);
        h[0] = (byte) level;
        return h;
    }

    private static L1Block block(int level, int salt, byte[] predecessor) {
        List<L1Operation> ops = List.of(L1Operation.addMessages("tz1sender",
                List.of(("message " + level + "/" + salt).getBytes(StandardCharsets.UTF_8))));
        return new L1Block(level, hash(level, salt), predecessor, 1_700_000_000L + level, "sandbox", ops);
    }

    @Test
    void aBlockReadByManyEntitiesIsDecodedOnce() {
        CountingStore store = new CountingStore();
        L1Blocks blocks = new L1Blocks(store);
        L1Block b1 = block(1, 1, new byte[32]);
        blocks.put(b1);
        L1Block first = blocks.get(1).orElseThrow();
        for (int entity = 0; entity < 1000; entity++) {
            assertSame(first, blocks.get(1).orElseThrow());
            assertSame(first, blocks.byHash(b1.hash()).orElseThrow());
        }
        assertEquals(1, store.blockReads.get(), "the block bytes were read (and decoded) once");
        assertArrayEquals(b1.hash(), first.hash());
        assertEquals(b1.operations().size(), first.operations().size());
    }

    @Test
    void aReorgIsSeenAtOnceAndTheOldBlockStaysReadableByHash() {
        InMemoryL1BlockStore store = new InMemoryL1BlockStore();
        L1Blocks blocks = new L1Blocks(store);
        L1Block b1 = block(1, 1, new byte[32]);
        L1Block b2 = block(2, 1, b1.hash());
        blocks.put(b1);
        blocks.put(b2);
        assertArrayEquals(b2.hash(), blocks.get(2).orElseThrow().hash()); // cached now

        // another writer of a shared store (a chain actor on another node) replaces level 2
        store.truncateAbove(1);
        assertTrue(blocks.get(2).isEmpty(), "a level taken off the main chain is gone, cached or not");
        L1Block b2b = block(2, 7, b1.hash());
        store.put(2, b2b.hash(), io.flotilla.actors.l1.L1Codec.encodeBlock(b2b));
        assertArrayEquals(b2b.hash(), blocks.get(2).orElseThrow().hash(), "the new main-chain block, not the cached one");
        assertArrayEquals(b2.hash(), blocks.byHash(b2.hash()).orElseThrow().hash());
        assertTrue(blocks.get(3).isEmpty());
    }
}
