package io.flotilla.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.persistence.chain.EmbeddedL2ChainStore;
import io.flotilla.persistence.chain.L2Block;
import io.flotilla.persistence.chain.L2BlockCodec;
import io.flotilla.pvm.tree.Hash;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The import's bulk-written L2 chain is the store the node reads and keeps writing. */
class StagedChainTest {
    private static final String ROLLUP = "sr1MctfPLV2H3xuif8dr6wZYa5xHqAB4mNjr";
    private static final String OTHER = "sr1Ghq66tYK9y3r8CC1Tf8i8m5nxh8nTvZEf";

    private static L2Block block(int level) {
        byte[] l1 = Hash.of(("l1 " + level).getBytes(StandardCharsets.US_ASCII)).bytes();
        List<byte[]> messages = List.of(("message of level " + level).repeat(40).getBytes(StandardCharsets.US_ASCII),
                new byte[] {1, (byte) level});
        Optional<Hash> commitment = level % 20 == 0 ? Optional.of(Hash.of(new byte[] {(byte) level})) : Optional.empty();
        return new L2Block(level, l1, Hash.of(("inbox " + level).getBytes(StandardCharsets.US_ASCII)), messages,
                Hash.of(("state " + level).getBytes(StandardCharsets.US_ASCII)), 250L, 250L * level, 1, 4, commitment);
    }

    @Test
    void theNodeReadsEveryStagedBlockAndWritesAfterThem(@TempDir Path dir) {
        List<L2Block> blocks = new ArrayList<>();
        for (int l = 11; l <= 310; l++) {
            blocks.add(block(l));
        }
        Path chain = dir.resolve("chain");
        // batches of about 8 KiB: about 40 of them, so the batching is exercised too
        StagedChain.write(chain, ROLLUP, blocks, 8 << 10);
        try (EmbeddedL2ChainStore store = new EmbeddedL2ChainStore(chain)) {
            assertEquals(Optional.of(11), store.firstLevel(ROLLUP));
            assertEquals(Optional.of(310), store.lastLevel(ROLLUP));
            for (L2Block b : blocks) {
                assertArrayEquals(L2BlockCodec.encode(b), L2BlockCodec.encode(store.get(ROLLUP, b.level()).orElseThrow()),
                        "level " + b.level());
            }
            assertTrue(store.get(ROLLUP, 311).isEmpty());
            assertTrue(store.firstLevel(OTHER).isEmpty());
            // the node continues from the snapshot head
            store.put(ROLLUP, block(311));
        }
        try (EmbeddedL2ChainStore store = new EmbeddedL2ChainStore(chain)) {
            assertEquals(Optional.of(311), store.lastLevel(ROLLUP));
            assertArrayEquals(L2BlockCodec.encode(block(200)), L2BlockCodec.encode(store.get(ROLLUP, 200).orElseThrow()));
        }
    }

    @Test
    void anExistingStoreIsRefusedAndKept(@TempDir Path dir) {
        Path chain = dir.resolve("chain");
        StagedChain.write(chain, ROLLUP, List.of(block(11), block(12)));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> StagedChain.write(chain, ROLLUP, List.of(block(13))));
        assertTrue(e.getMessage().contains(chain.toString()), e.getMessage());
        try (EmbeddedL2ChainStore store = new EmbeddedL2ChainStore(chain)) {
            assertEquals(Optional.of(12), store.lastLevel(ROLLUP));
        }
    }
}
