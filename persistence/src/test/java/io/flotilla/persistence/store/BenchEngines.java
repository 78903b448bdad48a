package io.flotilla.persistence.store;

import io.flotilla.pvm.tree.Hash;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.lmdbjava.ByteBufferProxy;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.PutFlags;
import org.lmdbjava.Txn;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Candidate engines measured by {@link ContextStoreBench} that were not chosen (see persistence/CONTEXT-STORE.md).
 * Minimal: enough for the benchmark, not production code.
 */
final class BenchEngines {
    private BenchEngines() {
    }

    static ContextStore open(String engine, Path dir) {
        return switch (engine) {
            case "rocksdb" -> EmbeddedContextStore.open(dir);
            case "mvstore" -> new MvStoreEngine(dir);
            case "lmdb" -> new LmdbEngine(dir);
            default -> throw new IllegalArgumentException("unknown engine " + engine);
        };
    }

    /** H2's MVStore, one file, commit + fsync per batch. */
    static final class MvStoreEngine implements ContextStore {
        private final MVStore store;
        private final MVMap<byte[], byte[]> map;

        MvStoreEngine(Path dir) {
            try {
                Files.createDirectories(dir);
            } catch (java.io.IOException e) {
                throw new ContextStoreException("cannot create " + dir, e);
            }
            store = new MVStore.Builder().fileName(dir.resolve("context.mv").toString()).autoCommitDisabled().open();
            map = store.openMap("nodes", new MVMap.Builder<byte[], byte[]>()
                    .valueType(ByteArrayDataType.INSTANCE));
        }

        @Override
        public synchronized void putAll(Map<Hash, byte[]> nodes) {
            for (Map.Entry<Hash, byte[]> e : nodes.entrySet()) {
                map.putIfAbsent(e.getKey().bytes(), e.getValue());
            }
            store.commit();
            store.sync();
        }

        @Override
        public byte[] get(Hash h) {
            return map.get(h.bytes());
        }

        @Override
        public Stats stats() {
            return new Stats(map.sizeAsLong(), -1, -1);
        }

        @Override
        public void close() {
            store.close();
        }
    }

    /** LMDB through lmdbjava: one write transaction per batch, synced on commit (LMDB's default). */
    static final class LmdbEngine implements ContextStore {
        private final Env<ByteBuffer> env;
        private final Dbi<ByteBuffer> dbi;

        LmdbEngine(Path dir) {
            try {
                Files.createDirectories(dir);
            } catch (java.io.IOException e) {
                throw new ContextStoreException("cannot create " + dir, e);
            }
            File f = dir.toFile();
            env = Env.create(ByteBufferProxy.PROXY_SAFE).setMapSize(64L << 30).setMaxDbs(1).setMaxReaders(126)
                    .open(f, EnvFlags.MDB_NOTLS);
            dbi = env.openDbi("nodes", DbiFlags.MDB_CREATE);
        }

        @Override
        public synchronized void putAll(Map<Hash, byte[]> nodes) {
            ByteBuffer k = ByteBuffer.allocateDirect(32);
            try (Txn<ByteBuffer> txn = env.txnWrite()) {
                for (Map.Entry<Hash, byte[]> e : nodes.entrySet()) {
                    k.clear();
                    k.put(e.getKey().bytes()).flip();
                    byte[] v = e.getValue();
                    ByteBuffer vb = ByteBuffer.allocateDirect(v.length);
                    vb.put(v).flip();
                    dbi.put(txn, k, vb, PutFlags.MDB_NOOVERWRITE);
                }
                txn.commit();
            }
        }

        private final ThreadLocal<ByteBuffer> keys = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(32));

        @Override
        public byte[] get(Hash h) {
            ByteBuffer k = keys.get();
            k.clear();
            k.put(h.bytes()).flip();
            try (Txn<ByteBuffer> txn = env.txnRead()) {
                ByteBuffer v = dbi.get(txn, k);
                if (v == null) {
                    return null;
                }
                byte[] out = new byte[v.remaining()];
                v.get(out);
                return out;
            }
        }

        @Override
        public Stats stats() {
            return new Stats(-1, -1, -1);
        }

        @Override
        public void close() {
            env.close();
        }
    }
}
