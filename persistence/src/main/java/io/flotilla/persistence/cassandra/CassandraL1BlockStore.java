package io.flotilla.persistence.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.flotilla.persistence.chain.L1BlockStore;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The L1 blocks of a cluster in Cassandra: {@code l1_blocks} (hash -> block bytes, every block ever stored) and
 * the main chain by level in {@code l1_chain} ({@link LevelIndex}, one chain named {@code main}). A {@link #put}
 * writes the block before the level that points to it, so a level never names a missing block. Thread-safe.
 */
public final class CassandraL1BlockStore implements L1BlockStore {
    static final String BLOCKS = "l1_blocks";
    static final String CHAIN = "l1_chain";
    private static final String MAIN = "main";

    private final CqlSession session;
    private final String keyspace;
    private final LevelIndex chain;
    private final PreparedStatement insertBlock;
    private final PreparedStatement selectBlock;

    CassandraL1BlockStore(CqlSession session, String keyspace) {
        this.session = session;
        this.keyspace = keyspace;
        this.chain = new LevelIndex(session, keyspace, CHAIN, "the Cassandra L1 block store");
        insertBlock = session.prepare(SimpleStatement.newInstance("INSERT INTO " + keyspace + "." + BLOCKS
                + " (hash, block) VALUES (?, ?)").setIdempotent(true));
        selectBlock = session.prepare("SELECT block FROM " + keyspace + "." + BLOCKS + " WHERE hash = ?");
    }

    static List<String> schema(String keyspace) {
        List<String> ddl = new java.util.ArrayList<>(LevelIndex.schema(keyspace, CHAIN));
        ddl.add("CREATE TABLE IF NOT EXISTS " + keyspace + "." + BLOCKS + " (hash blob PRIMARY KEY, block blob)");
        return ddl;
    }

    @Override
    public void put(int level, byte[] hash32, byte[] block) {
        if (hash32.length != 32 || level < 0) {
            throw new IllegalArgumentException("a 32-byte hash and a level >= 0 are needed");
        }
        try {
            session.execute(insertBlock.bind(ByteBuffer.wrap(hash32.clone()), ByteBuffer.wrap(block.clone())));
        } catch (DriverException e) {
            throw new CassandraStoreException("cannot store L1 block " + level + " in " + keyspace + "." + BLOCKS
                    + ": " + e.getMessage(), e);
        }
        chain.put(MAIN, level, hash32);
    }

    @Override
    public Optional<byte[]> get(int level) {
        return hashAt(level).flatMap(this::getByHash);
    }

    @Override
    public Optional<byte[]> hashAt(int level) {
        return chain.get(MAIN, level);
    }

    @Override
    public Optional<byte[]> getByHash(byte[] hash32) {
        if (hash32 == null || hash32.length != 32) {
            return Optional.empty();
        }
        try {
            Row r = session.execute(selectBlock.bind(ByteBuffer.wrap(hash32))).one();
            if (r == null) {
                return Optional.empty();
            }
            ByteBuffer b = r.getByteBuffer(0);
            byte[] v = new byte[b == null ? 0 : b.remaining()];
            if (b != null) {
                b.get(v);
            }
            return Optional.of(v);
        } catch (DriverException e) {
            throw new CassandraStoreException("cannot read an L1 block from " + keyspace + "." + BLOCKS + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void truncateAbove(int level) {
        chain.truncateAbove(MAIN, level);
    }

    @Override
    public OptionalInt lastLevel() {
        return chain.last(MAIN);
    }

    @Override
    public OptionalInt firstLevel() {
        return chain.first(MAIN);
    }
}
