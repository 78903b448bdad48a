package io.flotilla.persistence.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.servererrors.QueryConsistencyException;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;
import com.datastax.oss.driver.api.core.connection.BusyConnectionException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import io.flotilla.persistence.store.ContextStore;
import io.flotilla.persistence.store.ContextStoreException;
import io.flotilla.pvm.tree.Hash;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.zip.CRC32C;

/**
 * The {@link ContextStore} of a cluster: tree nodes in the Cassandra table {@code context_nodes}, one partition per
 * hash ({@code hash blob PRIMARY KEY, node blob, crc int, size int}).
 *
 * <ul>
 *   <li>{@link #putAll} sends one prepared, idempotent {@code INSERT} per node, asynchronously, with at most
 *       {@link #MAX_IN_FLIGHT} writes in flight for the whole store (bounded concurrency: a big level cannot flood
 *       the driver's queues), and returns once every write is acknowledged at {@code LOCAL_QUORUM}. A write that
 *       times out or finds too few replicas is retried ({@link #RETRIES} times): the store is content-addressed, so
 *       writing a node twice is harmless.</li>
 *   <li>No logged batch: every node is its own partition, so a batch would cross partitions (the coordinator
 *       writes it to the batch log first, twice the writes, and {@code batch_size_fail_threshold} caps it while a
 *       node can be megabytes). A level is nevertheless safe: its {@code L2BlockProduced} event is journaled only
 *       after {@code putAll} returned, and nodes of a level cut short by a crash are unreachable garbage that the
 *       next attempt rewrites. Readers may see part of a level while it is being written (see CASSANDRA.md).</li>
 *   <li>Each row carries the CRC32C of its bytes, checked on every read: damage surfaces as a
 *       {@link ContextStoreException} saying "corrupt", never as wrong bytes.</li>
 *   <li>{@link #stats()} scans the table (O(nodes)); meant for benchmarks and tools, not for a hot path.</li>
 * </ul>
 */
public final class CassandraContextStore implements ContextStore {
    /** Writes in flight per store; enough to keep a local node busy, small against the driver's 1024 per connection. */
    public static final int MAX_IN_FLIGHT = 128;
    /** Extra attempts of a write that timed out or lacked replicas. */
    public static final int RETRIES = 3;
    static final String TABLE = "context_nodes";

    private final CqlSession session;
    private final String keyspace;
    private final PreparedStatement insert;
    private final PreparedStatement select;
    private final PreparedStatement exists;
    private final PreparedStatement delete;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final AutoCloseable owner;
    private volatile boolean closed;

    CassandraContextStore(CqlSession session, String keyspace) {
        this(session, keyspace, null);
    }

    private CassandraContextStore(CqlSession session, String keyspace, AutoCloseable owner) {
        this.session = session;
        this.keyspace = keyspace;
        this.owner = owner;
        String t = keyspace + "." + TABLE;
        insert = session.prepare(SimpleStatement.newInstance(
                "INSERT INTO " + t + " (hash, node, crc, size) VALUES (?, ?, ?, ?)").setIdempotent(true));
        select = session.prepare("SELECT node, crc FROM " + t + " WHERE hash = ?");
        exists = session.prepare("SELECT crc FROM " + t + " WHERE hash = ?");
        delete = session.prepare(SimpleStatement.newInstance("DELETE FROM " + t + " WHERE hash = ?")
                .setIdempotent(true));
    }

    /** A context store with a connection of its own (closed with the store); creates the schema if needed. */
    public static CassandraContextStore open(CassandraStorage.Settings settings) {
        CassandraStorage storage = CassandraStorage.open(settings);
        return new CassandraContextStore(storage.session(), settings.keyspace(), storage);
    }

    /**
     * The table. Deleted rows are single-partition tombstones that no query ever scans (reads are by hash), and a
     * node resurrected by a replica that missed a delete is only garbage again: content-addressed, write-once data
     * does not need the default 10 days of {@code gc_grace_seconds} before tombstones are purged.
     */
    static List<String> schema(String keyspace) {
        return List.of("CREATE TABLE IF NOT EXISTS " + keyspace + "." + TABLE
                + " (hash blob PRIMARY KEY, node blob, crc int, size int)"
                + " WITH gc_grace_seconds = 3600"
                // an sstable with more than 20% droppable tombstones is compacted alone, so GC gives disk back
                + " AND compaction = {'class': 'SizeTieredCompactionStrategy', 'tombstone_threshold': '0.2',"
                + " 'unchecked_tombstone_compaction': 'true'}");
    }

    @Override
    public void putAll(Map<Hash, byte[]> nodes) {
        checkOpen();
        if (nodes.isEmpty()) {
            return;
        }
        List<CompletableFuture<Void>> writes = new ArrayList<>(nodes.size());
        try {
            for (Map.Entry<Hash, byte[]> e : nodes.entrySet()) {
                byte[] v = e.getValue();
                BoundStatement st = insert.bind(ByteBuffer.wrap(e.getKey().bytes()), ByteBuffer.wrap(v.clone()),
                        crc(v), v.length);
                writes.add(write(st, e.getKey(), RETRIES));
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContextStoreException("interrupted while writing " + nodes.size() + " nodes to " + where(), e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause() instanceof CompletionException ce && ce.getCause() != null ? ce.getCause()
                    : e.getCause();
            throw new ContextStoreException("cannot write " + nodes.size() + " nodes to " + where() + ": " + c, c);
        }
    }

    /**
     * One write, retried on the failures that a retry can cure. A permit bounds the writes in flight; it is taken on
     * the caller's thread and kept across retries, so the driver's I/O threads never block on it.
     */
    private CompletableFuture<Void> write(BoundStatement st, Hash h, int retries) throws InterruptedException {
        inFlight.acquire();
        CompletableFuture<Void> done = new CompletableFuture<>();
        attempt(st, h, retries, done);
        return done.whenComplete((v, e) -> inFlight.release());
    }

    private void attempt(BoundStatement st, Hash h, int retriesLeft, CompletableFuture<Void> done) {
        session.executeAsync(st).whenComplete((AsyncResultSet rs, Throwable err) -> {
            if (err == null) {
                done.complete(null);
            } else if (retriesLeft > 0 && retryable(err)) {
                attempt(st, h, retriesLeft - 1, done);
            } else {
                done.completeExceptionally(new ContextStoreException("cannot write node " + h + ": " + err, err));
            }
        });
    }

    private static boolean retryable(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return c instanceof QueryConsistencyException || c instanceof UnavailableException
                || c instanceof DriverTimeoutException || c instanceof BusyConnectionException;
    }

    @Override
    public byte[] get(Hash h) {
        checkOpen();
        Row row;
        try {
            row = session.execute(select.bind(ByteBuffer.wrap(h.bytes()))).one();
        } catch (DriverException e) {
            throw new ContextStoreException("cannot read node " + h + " from " + where() + ": " + e.getMessage(), e);
        }
        if (row == null) {
            return null;
        }
        ByteBuffer b = row.getByteBuffer("node");
        byte[] v = new byte[b == null ? 0 : b.remaining()];
        if (b != null) {
            b.get(v);
        }
        if (row.isNull("crc") || row.getInt("crc") != crc(v)) {
            throw new ContextStoreException("corrupt node " + h + " in " + where() + ": its bytes do not match "
                    + "their stored checksum");
        }
        return v;
    }

    @Override
    public boolean contains(Hash h) {
        checkOpen();
        try {
            return session.execute(exists.bind(ByteBuffer.wrap(h.bytes()))).one() != null;
        } catch (DriverException e) {
            throw new ContextStoreException("cannot read node " + h + " from " + where() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes nodes (for GC: nodes no kept state reaches). One partition tombstone per node, never a range scan over
     * tombstones: see CASSANDRA.md for the cost. Deleting an absent node is a no-op.
     */
    public void deleteAll(Collection<Hash> hashes) {
        checkOpen();
        List<CompletableFuture<Void>> deletes = new ArrayList<>(hashes.size());
        try {
            for (Hash h : hashes) {
                deletes.add(write(delete.bind(ByteBuffer.wrap(h.bytes())), h, RETRIES));
            }
            CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContextStoreException("interrupted while deleting nodes from " + where(), e);
        } catch (ExecutionException e) {
            throw new ContextStoreException("cannot delete nodes from " + where() + ": " + e.getCause(), e.getCause());
        }
    }

    /** Counts every stored node and byte by scanning the table (O(nodes)); {@code diskBytes} is -1. */
    @Override
    public Stats stats() {
        checkOpen();
        long n = 0;
        long bytes = 0;
        try {
            ResultSet rs = session.execute(SimpleStatement.newInstance("SELECT size FROM " + keyspace + "." + TABLE)
                    .setPageSize(5000));
            for (Row r : rs) {
                n++;
                bytes += r.getInt(0);
            }
        } catch (DriverException e) {
            throw new ContextStoreException("cannot count the nodes of " + where() + ": " + e.getMessage(), e);
        }
        return new Stats(n, bytes, -1);
    }

    /** Where the nodes live, for messages. */
    public String where() {
        return "the Cassandra context store " + keyspace + "." + TABLE;
    }

    static int crc(byte[] v) {
        CRC32C c = new CRC32C();
        c.update(v);
        return (int) c.getValue();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(where() + " is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (owner != null) {
            try {
                owner.close();
            } catch (Exception e) {
                throw new ContextStoreException("closing " + where() + ": " + e.getMessage(), e);
            }
        }
    }
}
