package io.flotilla.persistence.chain;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * The L2 chain on local disk (RocksDB, like the context store): key = rollup address, 0x00, level
 * (int32 big-endian, so a rollup's blocks are contiguous and ordered); value = {@link L2BlockCodec}.
 * Writes are synced: a block is on disk before the journal event that commits it.
 */
public final class EmbeddedL2ChainStore implements L2ChainStore, AutoCloseable {
    private final SyncedRocksDb store;
    private final RocksDB db;
    private final WriteOptions sync;
    private final Path dir;

    public EmbeddedL2ChainStore(Path dir) {
        this.dir = dir;
        this.store = new SyncedRocksDb(dir, "L2 chain store");
        this.db = store.db;
        this.sync = store.sync;
    }

    private static byte[] prefix(String rollup) {
        byte[] a = rollup.getBytes(StandardCharsets.US_ASCII);
        byte[] p = new byte[a.length + 1];
        System.arraycopy(a, 0, p, 0, a.length);
        return p;
    }

    private static byte[] key(String rollup, int level) {
        byte[] p = prefix(rollup);
        return ByteBuffer.allocate(p.length + 4).put(p).putInt(level).array();
    }

    @Override
    public void put(String rollup, L2Block block) {
        try {
            db.put(sync, key(rollup, block.level()), L2BlockCodec.encode(block));
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot store L2 block " + block.level() + " of " + rollup + " in " + dir, e);
        }
    }

    @Override
    public Optional<L2Block> get(String rollup, int level) {
        try {
            byte[] v = db.get(key(rollup, level));
            return v == null ? Optional.empty() : Optional.of(L2BlockCodec.decode(v));
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot read L2 block " + level + " of " + rollup + " in " + dir, e);
        }
    }

    @Override
    public void truncateAbove(String rollup, int level) {
        try {
            // levels are non-negative int32: the range (level, MAX] covers everything above
            db.deleteRange(sync, key(rollup, level + 1), key(rollup, Integer.MAX_VALUE));
            db.delete(sync, key(rollup, Integer.MAX_VALUE));
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot truncate the L2 chain of " + rollup + " in " + dir, e);
        }
    }

    @Override
    public Optional<Integer> firstLevel(String rollup) {
        byte[] p = prefix(rollup);
        try (RocksIterator it = db.newIterator()) {
            it.seek(key(rollup, 0));
            if (!it.isValid()) {
                return Optional.empty();
            }
            byte[] k = it.key();
            if (k.length != p.length + 4 || !java.util.Arrays.equals(k, 0, p.length, p, 0, p.length)) {
                return Optional.empty();
            }
            return Optional.of(ByteBuffer.wrap(k, p.length, 4).getInt());
        }
    }

    @Override
    public Optional<Integer> lastLevel(String rollup) {
        byte[] p = prefix(rollup);
        try (RocksIterator it = db.newIterator()) {
            it.seekForPrev(key(rollup, Integer.MAX_VALUE));
            if (!it.isValid()) {
                return Optional.empty();
            }
            byte[] k = it.key();
            if (k.length != p.length + 4 || !java.util.Arrays.equals(k, 0, p.length, p, 0, p.length)) {
                return Optional.empty();
            }
            return Optional.of(ByteBuffer.wrap(k, p.length, 4).getInt());
        }
    }

    @Override
    public void deleteBelow(String rollup, int level) {
        if (level <= 0) {
            return;
        }
        try {
            db.deleteRange(sync, key(rollup, 0), key(rollup, level));
            // range tombstones hide the blocks at once; compaction returns their space
            db.compactRange(key(rollup, 0), key(rollup, level));
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot delete the L2 chain of " + rollup + " below " + level + " in "
                    + dir, e);
        }
    }

    @Override
    public java.util.Set<String> rollups() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        try (RocksIterator it = db.newIterator()) {
            it.seekToFirst();
            while (it.isValid()) {
                byte[] k = it.key();
                int sep = k.length - 5;
                if (sep < 0 || k[sep] != 0) {
                    it.next();
                    continue;
                }
                String rollup = new String(k, 0, sep, StandardCharsets.US_ASCII);
                out.add(rollup);
                byte[] next = prefix(rollup);
                next[next.length - 1] = 1; // just past every key of this rollup
                it.seek(next);
            }
        }
        return out;
    }

    @Override
    public void close() {
        store.close();
    }
}
