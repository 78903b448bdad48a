package io.flotilla.snapshot;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.schema.KeyspaceMetadata;
import com.typesafe.config.ConfigFactory;
import io.flotilla.actors.rollup.RollupEntity;
import io.flotilla.persistence.events.RollupEvent;
import io.flotilla.persistence.serialization.KryoSerializer;
import io.flotilla.persistence.snapshots.RollupSnapshot;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rollup journal of a Cassandra keyspace, read directly: pekko-persistence-cassandra's {@code snapshots} table
 * (latest snapshot of a persistence id first) and {@code messages} table (partitioned by persistence id and
 * {@code partition_nr = (sequence_nr - 1) / target-partition-size}), payloads deserialized with
 * {@link KryoSerializer} ({@code flotilla-kryo}, the only serializer Flotilla binds for events and snapshots). The
 * state is folded with {@link RollupEntity#replay}, as the entity's own recovery does.
 */
final class CassandraJournalTables {
    private CassandraJournalTables() {}

    /** The plugin's events per partition (its reference.conf default; Flotilla does not change it). */
    static final long PARTITION_SIZE = ConfigFactory.parseResources("flotilla-journal-cassandra.conf")
            .withFallback(ConfigFactory.defaultReference())
            .getLong("pekko.persistence.cassandra.journal.target-partition-size");

    static String persistenceId(String rollup) {
        return RollupJournal.PERSISTENCE_PREFIX + rollup;
    }

    static boolean hasTable(CqlSession session, String keyspace, String table) {
        Optional<KeyspaceMetadata> ks = session.getMetadata().getKeyspace(keyspace);
        return ks.isPresent() && ks.get().getTable(table).isPresent();
    }

    /** The rollup's journaled state with its sequence number; null when the keyspace has no journal for it. */
    static RollupJournal.Recorded read(CqlSession session, String keyspace, String rollup) {
        String pid = persistenceId(rollup);
        RollupSnapshot base = null;
        long from = 0;
        if (hasTable(session, keyspace, "snapshots")) {
            // clustering order is sequence_nr DESC: the first row is the latest snapshot
            Row r = session.execute(SimpleStatement.newInstance("SELECT sequence_nr, ser_id, snapshot, snapshot_data "
                    + "FROM " + keyspace + ".snapshots WHERE persistence_id = ? LIMIT 1", pid)).one();
            if (r != null) {
                from = r.getLong(0);
                ByteBuffer b = r.isNull(2) ? r.getByteBuffer(3) : r.getByteBuffer(2);
                base = (RollupSnapshot) deserialize(r.getInt(1), b, "snapshot " + from + " of " + pid);
            }
        }
        List<RollupEvent> events = new ArrayList<>();
        long seq = from;
        if (hasTable(session, keyspace, "messages")) {
            // from the partition of the first event after the snapshot, until a partition without events
            for (long partition = from / PARTITION_SIZE; ; partition++) {
                boolean any = false;
                for (Row r : session.execute(SimpleStatement.newInstance("SELECT sequence_nr, ser_id, event FROM "
                        + keyspace + ".messages WHERE persistence_id = ? AND partition_nr = ? AND sequence_nr > ?",
                        pid, partition, seq).setPageSize(1000))) {
                    any = true;
                    seq = r.getLong(0);
                    events.add((RollupEvent) deserialize(r.getInt(1), r.getByteBuffer(2), "event " + seq + " of " + pid));
                }
                if (!any) {
                    break;
                }
            }
        }
        if (base == null && events.isEmpty()) {
            return null;
        }
        return new RollupJournal.Recorded(RollupEntity.replay(base, events), seq);
    }

    /** True when the keyspace's journal holds anything of the rollup (a snapshot or an event). */
    static boolean holds(CqlSession session, String keyspace, String rollup) {
        String pid = persistenceId(rollup);
        if (hasTable(session, keyspace, "snapshots") && session.execute(SimpleStatement.newInstance(
                "SELECT sequence_nr FROM " + keyspace + ".snapshots WHERE persistence_id = ? LIMIT 1", pid)).one() != null) {
            return true;
        }
        return hasTable(session, keyspace, "messages") && session.execute(SimpleStatement.newInstance(
                "SELECT sequence_nr FROM " + keyspace + ".messages WHERE persistence_id = ? AND partition_nr = 0 LIMIT 1",
                pid)).one() != null;
    }

    private static Object deserialize(int serializerId, ByteBuffer bytes, String what) {
        if (serializerId != KryoSerializer.IDENTIFIER) {
            throw new IllegalStateException(what + " was written with serializer " + serializerId + ", not flotilla-kryo ("
                    + KryoSerializer.IDENTIFIER + ")");
        }
        byte[] b = new byte[bytes == null ? 0 : bytes.remaining()];
        if (bytes != null) {
            bytes.get(b);
        }
        return new KryoSerializer().fromBinary(b);
    }
}
