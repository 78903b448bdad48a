package io.flotilla.persistence.chain;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * An {@link L1BlockStore} in RocksDB, one directory. Keys: {@code 'L' level(int32 BE)} to the main-chain hash at
 * that level, {@code 'H' hash32} to the block bytes. A {@link #put} is one fsynced batch of both.
 */
public final class EmbeddedL1BlockStore implements L1BlockStore, AutoCloseable {
    private static final byte LEVEL = 'L';
    private static final byte HASH = 'H';

    private final SyncedRocksDb store;
    private final RocksDB db;
    private final WriteOptions sync;
    private final Path dir;

    public EmbeddedL1BlockStore(Path dir) {
        this.dir = dir;
        this.store = new SyncedRocksDb(dir, "L1 block store");
        this.db = store.db;
        this.sync = store.sync;
    }

    private static byte[] levelKey(int level) {
        return ByteBuffer.allocate(5).put(LEVEL).putInt(level).array();
    }

    private static byte[] hashKey(byte[] hash32) {
        return ByteBuffer.allocate(33).put(HASH).put(hash32).array();
    }

    @Override
    public void put(int level, byte[] hash32, byte[] block) {
        if (hash32.length != 32 || level < 0) {
            throw new IllegalArgumentException("a 32-byte hash and a level >= 0 are needed");
        }
        try (WriteBatch batch = new WriteBatch()) {
            batch.put(hashKey(hash32), block);
            batch.put(levelKey(level), hash32);
            db.write(sync, batch);
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot store L1 block " + level + " in " + dir, e);
        }
    }

    @Override
    public Optional<byte[]> get(int level) {
        return hashAt(level).flatMap(this::getByHash);
    }

    @Override
    public Optional<byte[]> hashAt(int level) {
        if (level < 0) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(db.get(levelKey(level)));
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot read L1 level " + level + " in " + dir, e);
        }
    }

    @Override
    public Optional<byte[]> getByHash(byte[] hash32) {
        if (hash32 == null || hash32.length != 32) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(db.get(hashKey(hash32)));
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot read an L1 block in " + dir, e);
        }
    }

    @Override
    public void truncateAbove(int level) {
        try {
            // levels are non-negative int32: the range (level, MAX] covers everything above
            db.deleteRange(sync, levelKey(level + 1), levelKey(Integer.MAX_VALUE));
            db.delete(sync, levelKey(Integer.MAX_VALUE));
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot truncate the L1 chain in " + dir, e);
        }
    }

    @Override
    public OptionalInt lastLevel() {
        try (RocksIterator it = db.newIterator()) {
            it.seekForPrev(levelKey(Integer.MAX_VALUE));
            return levelOf(it);
        }
    }

    @Override
    public OptionalInt firstLevel() {
        try (RocksIterator it = db.newIterator()) {
            it.seek(levelKey(0));
            return levelOf(it);
        }
    }

    private static OptionalInt levelOf(RocksIterator it) {
        if (!it.isValid()) {
            return OptionalInt.empty();
        }
        byte[] k = it.key();
        return k.length == 5 && k[0] == LEVEL ? OptionalInt.of(ByteBuffer.wrap(k, 1, 4).getInt())
                : OptionalInt.empty();
    }

    @Override
    public void close() {
        store.close();
    }
}
