package io.flotilla.persistence.store;

import io.flotilla.pvm.tree.Hash;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;

/**
 * The embedded (one machine) {@link ContextStore}: a RocksDB database in one directory. Chosen by measurement over
 * H2 MVStore and LMDB; see persistence/CONTEXT-STORE.md.
 *
 * <ul>
 *   <li>Keys are the 32 hash bytes; values the node encodings, LZ4-compressed in blocks with a Bloom filter per
 *       table (a lookup of an absent hash rarely touches disk).</li>
 *   <li>{@link #putAll} is one RocksDB {@code WriteBatch} written with {@code sync=true} (WAL fsync): atomic, and
 *       durable on return. Writers are serialized; readers never block on writers.</li>
 *   <li>Exact node and byte counts live in the same database under two non-32-byte keys and are updated in the
 *       batch itself, so they stay exact across crashes. Hashes already present are skipped (write-once).</li>
 *   <li>RocksDB checksums every block and WAL record; a checksum mismatch on open or on read surfaces as a
 *       {@link ContextStoreException} naming the directory.</li>
 *   <li>The directory is locked (RocksDB's {@code LOCK} file, an fcntl lock) for as long as the store is open; a
 *       second opener, in this process or another, gets a {@link ContextStoreException} saying so.</li>
 * </ul>
 */
public final class EmbeddedContextStore implements ContextStore {
    /** Format marker of the directory layout, stored under {@link #META_FORMAT}. */
    static final int FORMAT = 1;
    private static final byte[] META_FORMAT = "flotilla.context.format".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] META_NODES = "flotilla.context.nodes".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] META_BYTES = "flotilla.context.bytes".getBytes(StandardCharsets.US_ASCII);

    /** Table block size: the unit RocksDB reads, checksums and decompresses for one lookup (tuning knob). */
    static final int BLOCK_SIZE = Integer.getInteger("flotilla.context.blockSize", 16 * 1024);

    static {
        RocksDB.loadLibrary();
    }

    private final Path dir;
    private final Options options;
    private final LRUCache cache;
    private final BloomFilter bloom;
    private final WriteOptions syncWrite;
    private final ReadOptions read;
    private final RocksDB db;
    /** Guards the native handles: reads share it, close takes it exclusively (no use after free). */
    private final ReentrantReadWriteLock life = new ReentrantReadWriteLock();
    private final ReentrantLock writer = new ReentrantLock();
    private volatile boolean closed;
    /** Hashes protected from the current sweep (null when no collection runs); guarded by {@link #writer}. */
    private java.util.Set<Hash> protectedHashes;
    private long nodes;
    private long bytes;

    /**
     * Opens the context store in {@code dir}, creating it when the directory is absent or empty.
     *
     * @throws ContextStoreException when the directory is locked by another open store (in this or another
     *                               process), holds something else, has an unknown format, or is corrupt
     */
    public EmbeddedContextStore(Path dir) {
        this.dir = dir.toAbsolutePath();
        try {
            Files.createDirectories(this.dir);
        } catch (IOException e) {
            throw new ContextStoreException("cannot create context store directory " + this.dir + ": " + e, e);
        }
        boolean fresh = !Files.exists(this.dir.resolve("CURRENT"));
        if (fresh && !isEmpty(this.dir)) {
            throw new ContextStoreException("not a context store (no RocksDB CURRENT file, directory not empty): "
                    + this.dir);
        }
        cache = new LRUCache(64L << 20);
        bloom = new BloomFilter(10);
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setFilterPolicy(bloom)
                .setBlockSize(BLOCK_SIZE)
                .setCacheIndexAndFilterBlocks(false);
        options = new Options()
                .setCreateIfMissing(fresh)
                .setParanoidChecks(true)
                // a torn last record (process killed mid-write, never acknowledged) is dropped; any other damage to
                // the write-ahead log is an error instead of a silent truncation (RocksDB's default)
                .setWalRecoveryMode(WALRecoveryMode.TolerateCorruptedTailRecords)
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setTableFormatConfig(table)
                .setMaxBackgroundJobs(2)
                .setKeepLogFileNum(3)
                .setMaxOpenFiles(512);
        syncWrite = new WriteOptions().setSync(true);
        read = new ReadOptions().setVerifyChecksums(true);
        RocksDB opened;
        try {
            opened = RocksDB.open(options, this.dir.toString());
        } catch (RocksDBException e) {
            freeOptions();
            throw openError(e);
        }
        db = opened;
        try {
            byte[] fmt = db.get(read, META_FORMAT);
            if (fmt == null) {
                if (!fresh) {
                    throw new ContextStoreException("not a Flotilla context store (no format marker): " + this.dir);
                }
                try (WriteBatch b = new WriteBatch()) {
                    b.put(META_FORMAT, longBytes(FORMAT));
                    b.put(META_NODES, longBytes(0));
                    b.put(META_BYTES, longBytes(0));
                    db.write(syncWrite, b);
                }
            } else if (readLong(fmt) != FORMAT) {
                throw new ContextStoreException("context store " + this.dir + " has format " + readLong(fmt)
                        + ", this version reads format " + FORMAT);
            }
            nodes = readLong(db.get(read, META_NODES));
            bytes = readLong(db.get(read, META_BYTES));
        } catch (RocksDBException e) {
            db.close();
            freeOptions();
            throw dataError("open", e);
        } catch (RuntimeException e) {
            db.close();
            freeOptions();
            throw e;
        }
    }

    /** Same as {@link #EmbeddedContextStore(Path)}. */
    public static EmbeddedContextStore open(Path dir) {
        return new EmbeddedContextStore(dir);
    }

    /** The directory of this store. */
    public Path directory() {
        return dir;
    }

    @Override
    public void putAll(Map<Hash, byte[]> batch) {
        if (batch.isEmpty()) {
            return;
        }
        life.readLock().lock();
        writer.lock();
        try {
            checkOpen();
            long addNodes = 0;
            long addBytes = 0;
            if (protectedHashes != null) {
                protectedHashes.addAll(batch.keySet());
            }
            try (WriteBatch wb = new WriteBatch()) {
                for (Map.Entry<Hash, byte[]> e : batch.entrySet()) {
                    byte[] k = e.getKey().bytes();
                    if (present(k)) {
                        continue;
                    }
                    byte[] v = e.getValue();
                    wb.put(k, v);
                    addNodes++;
                    addBytes += v.length;
                }
                if (addNodes == 0) {
                    return;
                }
                wb.put(META_NODES, longBytes(nodes + addNodes));
                wb.put(META_BYTES, longBytes(bytes + addBytes));
                db.write(syncWrite, wb);
            }
            nodes += addNodes;
            bytes += addBytes;
        } catch (RocksDBException e) {
            throw dataError("write", e);
        } finally {
            writer.unlock();
            life.readLock().unlock();
        }
    }

    private boolean present(byte[] k) throws RocksDBException {
        return db.keyMayExist(k, null) && db.get(read, k) != null;
    }

    @Override
    public byte[] get(Hash h) {
        life.readLock().lock();
        try {
            checkOpen();
            return db.get(read, h.bytes());
        } catch (RocksDBException e) {
            throw dataError("read " + h, e);
        } finally {
            life.readLock().unlock();
        }
    }

    @Override
    public boolean contains(Hash h) {
        life.readLock().lock();
        try {
            checkOpen();
            if (protectedHashes == null) {
                return present(h.bytes());
            }
            // during a collection, "present" must stay true for the caller, who will not write the node again
            writer.lock();
            try {
                boolean p = present(h.bytes());
                if (p && protectedHashes != null) {
                    protectedHashes.add(h);
                }
                return p;
            } finally {
                writer.unlock();
            }
        } catch (RocksDBException e) {
            throw dataError("read " + h, e);
        } finally {
            life.readLock().unlock();
        }
    }

    @Override
    public Stats stats() {
        long n;
        long b;
        writer.lock();
        try {
            n = nodes;
            b = bytes;
        } finally {
            writer.unlock();
        }
        return new Stats(n, b, diskUsage(dir));
    }

    @Override
    public void beginCollection() {
        writer.lock();
        try {
            checkOpen();
            if (protectedHashes != null) {
                throw new IllegalStateException("a collection is already in progress on " + dir);
            }
            protectedHashes = new java.util.HashSet<>();
        } finally {
            writer.unlock();
        }
    }

    @Override
    public void endCollection() {
        writer.lock();
        try {
            protectedHashes = null;
        } finally {
            writer.unlock();
        }
    }

    /** Dead nodes deleted per write batch: the longest a writer waits for the sweep. */
    static final int SWEEP_BATCH = 1000;

    @Override
    public SweepResult sweep(java.util.function.Predicate<Hash> live, java.util.function.BooleanSupplier cancelled) {
        life.readLock().lock();
        try {
            checkOpen();
            if (protectedHashes == null) {
                throw new IllegalStateException("sweep outside a collection (call beginCollection first)");
            }
            long visited = 0;
            long deleted = 0;
            long deletedBytes = 0;
            boolean stopped = false;
            java.util.List<byte[]> dead = new java.util.ArrayList<>();
            java.util.List<Integer> sizes = new java.util.ArrayList<>();
            // the iterator reads an implicit snapshot: nodes written meanwhile are not visited (and are protected)
            try (org.rocksdb.RocksIterator it = db.newIterator(read)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    byte[] k = it.key();
                    if (k.length != Hash.SIZE) {
                        continue; // metadata
                    }
                    visited++;
                    if (!live.test(Hash.fromBytes(k))) {
                        dead.add(k);
                        sizes.add(it.value().length);
                    }
                    if (dead.size() >= SWEEP_BATCH) {
                        if (cancelled.getAsBoolean()) {
                            stopped = true;
                            break;
                        }
                        long[] d = deleteDead(dead, sizes);
                        deleted += d[0];
                        deletedBytes += d[1];
                        dead.clear();
                        sizes.clear();
                    }
                }
                it.status();
            }
            if (!stopped && !dead.isEmpty()) {
                if (cancelled.getAsBoolean()) {
                    stopped = true;
                } else {
                    long[] d = deleteDead(dead, sizes);
                    deleted += d[0];
                    deletedBytes += d[1];
                }
            }
            if (deleted > 0) {
                // deletes are tombstones until compacted: reclaim the space now (runs beside writers)
                db.compactRange();
            }
            return new SweepResult(visited, deleted, deletedBytes, stopped);
        } catch (RocksDBException e) {
            throw dataError("sweep", e);
        } finally {
            life.readLock().unlock();
        }
    }

    /** Deletes the unprotected ones of {@code dead} in one durable batch with the counters; returns {nodes, bytes}. */
    private long[] deleteDead(java.util.List<byte[]> dead, java.util.List<Integer> sizes) throws RocksDBException {
        writer.lock();
        try (WriteBatch wb = new WriteBatch()) {
            long n = 0;
            long b = 0;
            for (int i = 0; i < dead.size(); i++) {
                byte[] k = dead.get(i);
                if (protectedHashes != null && protectedHashes.contains(Hash.fromBytes(k))) {
                    continue;
                }
                wb.delete(k);
                n++;
                b += sizes.get(i);
            }
            if (n > 0) {
                wb.put(META_NODES, longBytes(nodes - n));
                wb.put(META_BYTES, longBytes(bytes - b));
                db.write(syncWrite, wb);
                nodes -= n;
                bytes -= b;
            }
            return new long[] {n, b};
        } finally {
            writer.unlock();
        }
    }

    /** Writes buffered writes (already durable in the write-ahead log) to table files. */
    public void flush() {
        life.readLock().lock();
        try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            checkOpen();
            db.flush(fo);
        } catch (RocksDBException e) {
            throw dataError("flush", e);
        } finally {
            life.readLock().unlock();
        }
    }

    /** Checks every table file's block checksums; throws {@link ContextStoreException} on a mismatch. */
    public void verifyChecksums() {
        life.readLock().lock();
        try {
            checkOpen();
            db.verifyChecksum();
        } catch (RocksDBException e) {
            throw dataError("verify", e);
        } finally {
            life.readLock().unlock();
        }
    }

    @Override
    public void close() {
        life.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try {
                db.syncWal();
            } catch (RocksDBException ignored) {
                // every acknowledged batch was already synced
            }
            db.close();
            freeOptions();
        } finally {
            life.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "EmbeddedContextStore[" + dir + "]";
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("context store is closed: " + dir);
        }
    }

    private void freeOptions() {
        read.close();
        syncWrite.close();
        options.close();
        bloom.close();
        cache.close();
    }

    private ContextStoreException openError(RocksDBException e) {
        String msg = String.valueOf(e.getMessage());
        Status.Code code = e.getStatus() == null ? null : e.getStatus().getCode();
        if (msg.contains("LOCK") || msg.toLowerCase().contains("lock hold")) {
            return new ContextStoreException("context store directory " + dir
                    + " is locked: another process (or another store in this process) has it open (" + msg + ")", e);
        }
        if (code == Status.Code.Corruption) {
            return new ContextStoreException("context store " + dir + " is corrupt: " + msg, e);
        }
        return new ContextStoreException("cannot open context store " + dir + ": " + msg, e);
    }

    private ContextStoreException dataError(String what, RocksDBException e) {
        Status.Code code = e.getStatus() == null ? null : e.getStatus().getCode();
        String kind = code == Status.Code.Corruption ? "is corrupt" : "failed";
        return new ContextStoreException("context store " + dir + " " + kind + " (" + what + "): " + e.getMessage(), e);
    }

    private static boolean isEmpty(Path d) {
        try (Stream<Path> s = Files.list(d)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long diskUsage(Path d) {
        try (Stream<Path> s = Files.walk(d)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0; // deleted by a compaction meanwhile
                }
            }).sum();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    private static byte[] longBytes(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    private static long readLong(byte[] b) {
        if (b == null || b.length != 8) {
            throw new ContextStoreException("context store metadata is corrupt: " + Arrays.toString(b));
        }
        return ByteBuffer.wrap(b).getLong();
    }
}
