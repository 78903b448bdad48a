package io.flotilla.persistence.chain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/** A RocksDB database in one directory whose writes are synced (durable when they return). */
final class SyncedRocksDb implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    final RocksDB db;
    final WriteOptions sync;
    private final Options options;

    /** Opens (creating if needed) the database in {@code dir}; {@code what} names it in errors. */
    SyncedRocksDb(Path dir, String what) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        // info logs rotate at 1 MB, three kept: they must not grow with the number of GCs (compactions)
        this.options = new Options().setCreateIfMissing(true).setMaxLogFileSize(1 << 20).setKeepLogFileNum(3);
        this.sync = new WriteOptions().setSync(true);
        try {
            this.db = RocksDB.open(options, dir.toAbsolutePath().toString());
        } catch (RocksDBException e) {
            options.close();
            sync.close();
            throw new IllegalStateException("cannot open the " + what + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        db.close();
        sync.close();
        options.close();
    }
}
