package io.flotilla.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.cql.Row;
import io.flotilla.persistence.store.ContextStore;
import io.flotilla.persistence.store.ContextStoreContract;
import io.flotilla.pvm.tree.Hash;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The context store contract on a real Cassandra, in a keyspace of this class (dropped after). */
class CassandraContextStoreTest extends ContextStoreContract {
    private static CassandraStorage admin;
    private static String keyspace;

    @BeforeAll
    static void keyspace() {
        keyspace = CassandraTestSupport.freshKeyspace("ctx_test");
        admin = CassandraStorage.open(CassandraTestSupport.settings(keyspace));
    }

    @AfterAll
    static void drop() {
        if (admin != null) {
            admin.dropKeyspace();
            admin.close();
        }
    }

    @BeforeEach
    void emptyTable() {
        // every contract test starts from an empty store
        admin.session().execute("TRUNCATE " + keyspace + "." + CassandraContextStore.TABLE);
    }

    @Override
    protected ContextStore createOrOpen() {
        return CassandraContextStore.open(CassandraTestSupport.settings(keyspace));
    }

    @Override
    protected boolean batchesBecomeVisibleAtOnce() {
        // one partition per node: readers may see a level being written; the journal, written after putAll
        // returns, is what makes a level reachable (persistence/CASSANDRA.md)
        return false;
    }

    @Override
    protected void corruptStoredData() {
        // flip bytes of stored nodes behind the store's back, as a damaged replica would serve them
        List<Row> rows = new ArrayList<>();
        admin.session().execute("SELECT hash, node FROM " + keyspace + "." + CassandraContextStore.TABLE
                + " LIMIT 50").forEach(rows::add);
        assertFalse(rows.isEmpty(), "nothing stored to corrupt");
        for (Row r : rows) {
            ByteBuffer node = r.getByteBuffer("node");
            byte[] v = new byte[node.remaining()];
            node.get(v);
            if (v.length == 0) {
                continue;
            }
            v[v.length / 2] ^= 0x5a;
            admin.session().execute("UPDATE " + keyspace + "." + CassandraContextStore.TABLE
                    + " SET node = ? WHERE hash = ?", ByteBuffer.wrap(v), r.getByteBuffer("hash"));
        }
    }

    @Test
    void aSecondStoreOnTheSameKeyspaceSeesEveryAcknowledgedNode() throws Exception {
        // two nodes of a cluster: what one wrote, the other reads (LOCAL_QUORUM both ways)
        ContextStore a = open();
        ContextStore b = open();
        Map<Hash, byte[]> m = nodes(41, 300, 1, 3000);
        a.putAll(m);
        for (Map.Entry<Hash, byte[]> e : m.entrySet()) {
            assertArrayEquals(e.getValue(), b.get(e.getKey()));
        }
    }

    @Test
    void deletedNodesReadAsAbsentAndMayBeWrittenAgain() throws Exception {
        CassandraContextStore s = (CassandraContextStore) open();
        Map<Hash, byte[]> m = nodes(42, 100, 1, 500);
        s.putAll(m);
        List<Hash> gone = new ArrayList<>(m.keySet()).subList(0, 60);
        s.deleteAll(gone);
        for (Hash h : gone) {
            assertNull(s.get(h));
            assertFalse(s.contains(h));
        }
        assertEquals(40, s.stats().nodes());
        s.putAll(m); // a later level may produce the same node again: content-addressed, it comes back
        assertEquals(100, s.stats().nodes());
        assertTrue(s.contains(gone.get(0)));
    }

    @Test
    void badSettingsGetAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CassandraStorage.Settings.of("127.0.0.1:9042", "bad-name"));
        assertTrue(e.getMessage().contains("invalid keyspace name"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CassandraStorage.Settings.of("127.0.0.1:x", "k"));
        assertTrue(e.getMessage().contains("invalid Cassandra contact point"), e.getMessage());
        CassandraStoreException c = assertThrows(CassandraStoreException.class,
                () -> CassandraStorage.open(CassandraStorage.Settings.of("127.0.0.1:1", "k")));
        assertTrue(c.getMessage().contains("cannot connect to Cassandra at 127.0.0.1:1"), c.getMessage());
    }
}
