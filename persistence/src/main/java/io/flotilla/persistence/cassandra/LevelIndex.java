package io.flotilla.persistence.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Values by level for several chains (an L2 chain per rollup, the L1 main chain), in two tables:
 *
 * <pre>
 * {table}         ((chain text, bucket int), level int) -> value blob     bucket = level / BUCKET_LEVELS
 * {table}_buckets (chain text, bucket int)                                 the buckets a chain has rows in
 * </pre>
 *
 * A bucket bounds a partition to {@link #BUCKET_LEVELS} levels (a few MB: Cassandra wants partitions well under
 * 100 MB), and the small {@code _buckets} partition lets the first and last levels be found without scanning.
 * Removing levels never leaves one tombstone per row: above a level it is one range tombstone in that level's
 * bucket plus one partition tombstone per higher bucket; below a level (GC) the same, mirrored. Reads that pass
 * over them see a handful of markers, not a tombstone per removed level.
 */
final class LevelIndex {
    /** Levels per partition: 65,536 L1 levels are 4.5 days of 6 s blocks. */
    static final int BUCKET_LEVELS = 1 << 16;

    private final CqlSession session;
    private final String what;
    private final PreparedStatement insertBucket;
    private final PreparedStatement insert;
    private final PreparedStatement select;
    private final PreparedStatement bucketsAsc;
    private final PreparedStatement bucketsDesc;
    private final PreparedStatement bucketsAbove;
    private final PreparedStatement bucketsBelow;
    private final PreparedStatement firstInBucket;
    private final PreparedStatement lastInBucket;
    private final PreparedStatement deleteAbove;
    private final PreparedStatement deleteBelow;
    private final PreparedStatement deleteBucket;
    private final PreparedStatement deleteBucketsAbove;
    private final PreparedStatement deleteBucketsBelow;

    LevelIndex(CqlSession session, String keyspace, String table, String what) {
        this.session = session;
        this.what = what + " (" + keyspace + "." + table + ")";
        String t = keyspace + "." + table;
        String b = t + "_buckets";
        insertBucket = prepare("INSERT INTO " + b + " (chain, bucket) VALUES (?, ?)");
        insert = prepare("INSERT INTO " + t + " (chain, bucket, level, value) VALUES (?, ?, ?, ?)");
        select = prepare("SELECT value FROM " + t + " WHERE chain = ? AND bucket = ? AND level = ?");
        bucketsAsc = prepare("SELECT bucket FROM " + b + " WHERE chain = ? ORDER BY bucket ASC");
        bucketsDesc = prepare("SELECT bucket FROM " + b + " WHERE chain = ? ORDER BY bucket DESC");
        bucketsAbove = prepare("SELECT bucket FROM " + b + " WHERE chain = ? AND bucket > ?");
        bucketsBelow = prepare("SELECT bucket FROM " + b + " WHERE chain = ? AND bucket < ?");
        firstInBucket = prepare("SELECT level FROM " + t + " WHERE chain = ? AND bucket = ? ORDER BY level ASC LIMIT 1");
        lastInBucket = prepare("SELECT level FROM " + t + " WHERE chain = ? AND bucket = ? ORDER BY level DESC LIMIT 1");
        deleteAbove = prepare("DELETE FROM " + t + " WHERE chain = ? AND bucket = ? AND level > ?");
        deleteBelow = prepare("DELETE FROM " + t + " WHERE chain = ? AND bucket = ? AND level < ?");
        deleteBucket = prepare("DELETE FROM " + t + " WHERE chain = ? AND bucket = ?");
        deleteBucketsAbove = prepare("DELETE FROM " + b + " WHERE chain = ? AND bucket > ?");
        deleteBucketsBelow = prepare("DELETE FROM " + b + " WHERE chain = ? AND bucket < ?");
    }

    private PreparedStatement prepare(String cql) {
        return session.prepare(SimpleStatement.newInstance(cql).setIdempotent(true));
    }

    static List<String> schema(String keyspace, String table) {
        String t = keyspace + "." + table;
        return List.of(
                "CREATE TABLE IF NOT EXISTS " + t + " (chain text, bucket int, level int, value blob, "
                        + "PRIMARY KEY ((chain, bucket), level)) WITH CLUSTERING ORDER BY (level ASC)",
                "CREATE TABLE IF NOT EXISTS " + t + "_buckets (chain text, bucket int, PRIMARY KEY (chain, bucket))");
    }

    static int bucket(int level) {
        return level / BUCKET_LEVELS;
    }

    /** Stores {@code value} at {@code level}: the bucket is registered first, so a stored level is always found. */
    void put(String chain, int level, byte[] value) {
        if (level < 0) {
            throw new IllegalArgumentException("negative level " + level);
        }
        try {
            session.execute(insertBucket.bind(chain, bucket(level)));
            session.execute(insert.bind(chain, bucket(level), level, ByteBuffer.wrap(value.clone())));
        } catch (DriverException e) {
            throw error("cannot store level " + level + " of " + chain, e);
        }
    }

    Optional<byte[]> get(String chain, int level) {
        if (level < 0) {
            return Optional.empty();
        }
        try {
            Row r = session.execute(select.bind(chain, bucket(level), level)).one();
            return r == null ? Optional.empty() : Optional.of(bytes(r.getByteBuffer(0)));
        } catch (DriverException e) {
            throw error("cannot read level " + level + " of " + chain, e);
        }
    }

    /** Removes the levels above {@code level}: one range tombstone, plus a partition tombstone per higher bucket. */
    void truncateAbove(String chain, int level) {
        int b = bucket(Math.max(level, 0));
        try {
            for (Row r : session.execute(bucketsAbove.bind(chain, b))) {
                session.execute(deleteBucket.bind(chain, r.getInt(0)));
            }
            session.execute(deleteBucketsAbove.bind(chain, b));
            session.execute(deleteAbove.bind(chain, b, level));
        } catch (DriverException e) {
            throw error("cannot remove the levels above " + level + " of " + chain, e);
        }
    }

    /** Removes the levels below {@code level} (GC): the mirror of {@link #truncateAbove}. */
    void deleteBelow(String chain, int level) {
        if (level <= 0) {
            return;
        }
        int b = bucket(level);
        try {
            for (Row r : session.execute(bucketsBelow.bind(chain, b))) {
                session.execute(deleteBucket.bind(chain, r.getInt(0)));
            }
            session.execute(deleteBucketsBelow.bind(chain, b));
            session.execute(deleteBelow.bind(chain, b, level));
        } catch (DriverException e) {
            throw error("cannot remove the levels below " + level + " of " + chain, e);
        }
    }

    OptionalInt first(String chain) {
        return edge(chain, bucketsAsc, firstInBucket, "first");
    }

    OptionalInt last(String chain) {
        return edge(chain, bucketsDesc, lastInBucket, "last");
    }

    /** The first or last level: buckets in order, skipping any left empty by removals inside them. */
    private OptionalInt edge(String chain, PreparedStatement buckets, PreparedStatement inBucket, String which) {
        try {
            List<Integer> bs = new ArrayList<>();
            for (Row r : session.execute(buckets.bind(chain))) {
                bs.add(r.getInt(0));
            }
            for (int b : bs) {
                Row r = session.execute(inBucket.bind(chain, b)).one();
                if (r != null) {
                    return OptionalInt.of(r.getInt(0));
                }
            }
            return OptionalInt.empty();
        } catch (DriverException e) {
            throw error("cannot find the " + which + " level of " + chain, e);
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] v = new byte[b == null ? 0 : b.remaining()];
        if (b != null) {
            b.get(v);
        }
        return v;
    }

    private CassandraStoreException error(String msg, DriverException e) {
        return new CassandraStoreException(msg + " in " + what + ": " + e.getMessage(), e);
    }
}
