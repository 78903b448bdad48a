package io.flotilla.snapshot;

import io.flotilla.persistence.chain.L2Block;
import io.flotilla.persistence.chain.L2BlockCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Writes the L2 chain of an import's staging directory in bulk, in the layout of {@code EmbeddedL2ChainStore} (key =
 * rollup address, 0x00, level int32 big-endian; value = {@link L2BlockCodec}), which the node then opens as usual.
 *
 * <p>The node's store syncs every block on its own (a block must be durable before the journal event naming it);
 * a staged store has no such reader until the import switches it in, so the blocks go in large batches without the
 * write-ahead log and one flush at the end writes them to table files, durable before {@link #write} returns. A
 * failure leaves a staging directory the importer deletes. This was one fsync per block: most of an import's time.
 */
final class StagedChain {
    static {
        RocksDB.loadLibrary();
    }

    /** Bytes of encoded blocks per write batch: bounds the batch's native memory. */
    private static final int BATCH_BYTES = 16 << 20;

    private StagedChain() {}

    /** Creates the chain store in {@code dir} (absent or empty) holding {@code blocks} of {@code rollup}. */
    static void write(Path dir, String rollup, List<L2Block> blocks) {
        write(dir, rollup, blocks, BATCH_BYTES);
    }

    /** As {@link #write(Path, String, List)}, with batches of about {@code batchBytes} (tests use small ones). */
    static void write(Path dir, String rollup, List<L2Block> blocks, int batchBytes) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        byte[] address = rollup.getBytes(StandardCharsets.US_ASCII);
        // the options of the node's chain store (info logs bounded); nothing else differs on disk
        try (Options options = new Options().setCreateIfMissing(true).setErrorIfExists(true)
                     .setMaxLogFileSize(1 << 20).setKeepLogFileNum(3);
             WriteOptions noWal = new WriteOptions().setDisableWAL(true);
             FlushOptions flush = new FlushOptions().setWaitForFlush(true);
             RocksDB db = RocksDB.open(options, dir.toAbsolutePath().toString())) {
            WriteBatch batch = new WriteBatch();
            try {
                long bytes = 0;
                for (L2Block b : blocks) {
                    byte[] value = L2BlockCodec.encode(b);
                    batch.put(ByteBuffer.allocate(address.length + 5).put(address).put((byte) 0).putInt(b.level())
                            .array(), value);
                    bytes += value.length;
                    if (bytes >= batchBytes) {
                        db.write(noWal, batch);
                        batch.close();
                        batch = new WriteBatch();
                        bytes = 0;
                    }
                }
                db.write(noWal, batch);
            } finally {
                batch.close();
            }
            // without a write-ahead log only the table files hold the blocks: written and synced here
            db.flush(flush);
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot write the staged L2 chain in " + dir + ": " + e.getMessage(), e);
        }
    }
}
