package io.flotilla.snapshot;

import io.flotilla.actors.l1.L1Block;
import io.flotilla.actors.l1.L1Codec;
import io.flotilla.persistence.chain.L2Block;
import io.flotilla.persistence.chain.L2BlockCodec;
import io.flotilla.pvm.tree.Hash;
import io.flotilla.pvm.tree.NodeStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * The RocksDB stores of a data directory ({@code context/}, {@code chain/}, {@code l1-blocks/}) opened read-only,
 * which RocksDB allows while a running node holds them open for writing: each is a point-in-time view of what was
 * durable when it was opened (writes are synced, so that is everything acknowledged). Opening all files at once
 * ({@code max_open_files = -1}) keeps the view readable even when the node compacts or deletes files meanwhile.
 * The key layouts are those documented by {@code EmbeddedContextStore}, {@code EmbeddedL2ChainStore} and
 * {@code EmbeddedL1BlockStore}.
 */
final class ReadOnlyStores implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    private final List<AutoCloseable> handles = new ArrayList<>();

    private RocksDB open(Path dir, String what) {
        if (!Files.exists(dir.resolve("CURRENT"))) {
            throw new IllegalArgumentException("no " + what + " in " + dir + " (not a Flotilla data directory?)");
        }
        // RocksDB's info log goes elsewhere: a read-only opener leaves the directory exactly as it found it
        Path logs = Path.of(System.getProperty("java.io.tmpdir"), "flotilla-readonly-rocksdb-logs");
        try {
            Files.createDirectories(logs);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Options o = new Options().setMaxOpenFiles(-1).setDbLogDir(logs.toString());
        handles.add(o);
        try {
            RocksDB db = RocksDB.openReadOnly(o, dir.toAbsolutePath().toString());
            handles.add(0, db);
            return db;
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot open the " + what + " in " + dir + " read-only: " + e.getMessage(), e);
        }
    }

    /** The L2 chain of one rollup, read-only. */
    final class Chain implements SnapshotSourceStores.Chain {
        private final RocksDB db;
        private final byte[] prefix;

        Chain(Path dir, String rollup) {
            this.db = open(dir, "L2 chain store");
            byte[] a = rollup.getBytes(StandardCharsets.US_ASCII);
            this.prefix = new byte[a.length + 1];
            System.arraycopy(a, 0, prefix, 0, a.length);
        }

        private byte[] key(int level) {
            return ByteBuffer.allocate(prefix.length + 4).put(prefix).putInt(level).array();
        }

        @Override
        public Optional<L2Block> get(int level) {
            try {
                byte[] v = db.get(key(level));
                return v == null ? Optional.empty() : Optional.of(L2BlockCodec.decode(v));
            } catch (RocksDBException e) {
                throw new IllegalStateException("cannot read L2 block " + level + ": " + e.getMessage(), e);
            }
        }

        @Override
        public OptionalInt firstLevel() {
            try (RocksIterator it = db.newIterator()) {
                it.seek(key(0));
                return levelOf(it);
            }
        }

        @Override
        public OptionalInt lastLevel() {
            try (RocksIterator it = db.newIterator()) {
                it.seekForPrev(key(Integer.MAX_VALUE));
                return levelOf(it);
            }
        }

        private OptionalInt levelOf(RocksIterator it) {
            if (!it.isValid()) {
                return OptionalInt.empty();
            }
            byte[] k = it.key();
            if (k.length != prefix.length + 4 || !java.util.Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length)) {
                return OptionalInt.empty();
            }
            return OptionalInt.of(ByteBuffer.wrap(k, prefix.length, 4).getInt());
        }
    }

    /** The context store as a {@link NodeStore} that refuses writes. */
    NodeStore context(Path dir) {
        RocksDB db = open(dir, "context store");
        return new NodeStore() {
            @Override
            public byte[] get(Hash h) {
                try {
                    return db.get(h.bytes());
                } catch (RocksDBException e) {
                    throw new IllegalStateException("cannot read tree node " + h + ": " + e.getMessage(), e);
                }
            }

            @Override
            public void put(Hash h, byte[] encoding) {
                throw new UnsupportedOperationException("the context store is open read-only");
            }
        };
    }

    Chain chain(Path dir, String rollup) {
        return new Chain(dir, rollup);
    }

    /** The journaled L1 blocks: main chain by level. */
    final class L1Blocks implements SnapshotSourceStores.L1Blocks {
        private final RocksDB db;

        L1Blocks(Path dir) {
            this.db = open(dir, "L1 block store");
        }

        @Override
        public Optional<L1Block> get(int level) {
            try {
                byte[] hash = db.get(ByteBuffer.allocate(5).put((byte) 'L').putInt(level).array());
                if (hash == null) {
                    return Optional.empty();
                }
                byte[] block = db.get(ByteBuffer.allocate(33).put((byte) 'H').put(hash).array());
                return block == null ? Optional.empty() : Optional.of(L1Codec.decodeBlock(block));
            } catch (RocksDBException e) {
                throw new IllegalStateException("cannot read L1 block " + level + ": " + e.getMessage(), e);
            }
        }

        @Override
        public OptionalInt lastLevel() {
            try (RocksIterator it = db.newIterator()) {
                it.seekForPrev(ByteBuffer.allocate(5).put((byte) 'L').putInt(Integer.MAX_VALUE).array());
                if (!it.isValid() || it.key().length != 5 || it.key()[0] != 'L') {
                    return OptionalInt.empty();
                }
                return OptionalInt.of(ByteBuffer.wrap(it.key(), 1, 4).getInt());
            }
        }
    }

    L1Blocks l1Blocks(Path dir) {
        return new L1Blocks(dir);
    }

    @Override
    public void close() {
        for (AutoCloseable h : handles) {
            try {
                h.close();
            } catch (Exception e) {
                // read-only handles: nothing to lose
            }
        }
        handles.clear();
    }
}
