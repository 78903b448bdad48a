package io.flotilla.persistence.chain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.persistence.cassandra.CassandraL2ChainStore;
import io.flotilla.persistence.cassandra.CassandraStorage;
import io.flotilla.persistence.cassandra.CassandraStoreException;
import io.flotilla.persistence.cassandra.CassandraTestSupport;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The L2 chain and L1 block store contracts on a real Cassandra (a keyspace of this class, dropped after). */
class CassandraChainStoresTest {
    private static CassandraStorage.Settings settings;
    private CassandraStorage storage;

    @BeforeAll
    static void keyspace() {
        settings = CassandraTestSupport.settings(CassandraTestSupport.freshKeyspace("chain_test"));
        try (CassandraStorage s = CassandraStorage.open(settings)) {
            // creates the tables once: DDL is the slow part of a test against Cassandra
        }
    }

    @AfterAll
    static void drop() {
        if (settings != null) {
            try (CassandraStorage s = CassandraStorage.open(settings)) {
                s.dropKeyspace();
            }
        }
    }

    @BeforeEach
    void open() {
        storage = CassandraStorage.open(settings);
        for (String t : new String[] {"l2_blocks", "l2_blocks_buckets", "l1_chain", "l1_chain_buckets", "l1_blocks", "deployment"}) {
            storage.session().execute("TRUNCATE " + settings.keyspace() + "." + t);
        }
    }

    @AfterEach
    void close() {
        if (storage != null) {
            storage.close();
        }
    }

    private CassandraStorage reopen() {
        storage.close();
        storage = CassandraStorage.open(storage.settings());
        return storage;
    }

    @Test
    void l2ChainContractAndReopen() {
        L2ChainStoreTest.contract(storage.l2ChainStore());
        L2ChainStoreTest.afterReopen(reopen().l2ChainStore());
    }

    @Test
    void l1BlockContractAndReopen() {
        L1BlockStoreTest.contract(storage.l1BlockStore());
        L1BlockStore s = reopen().l1BlockStore();
        assertEquals(OptionalInt.of(6), s.lastLevel());
        assertEquals(OptionalInt.of(3), s.firstLevel());
        assertArrayEquals(new byte[] {106}, s.get(6).orElseThrow());
    }

    @Test
    void aKeyspaceServesOneL1Chain() {
        storage.bindToL1("aa01");
        storage.bindToL1("aa01");
        reopen().bindToL1("aa01");
        CassandraStoreException e = assertThrows(CassandraStoreException.class, () -> storage.bindToL1("bb02"));
        assertTrue(e.getMessage().contains("holds the rollups of another L1 chain (genesis aa01"), e.getMessage());
    }

    @Test
    void levelsAcrossPartitionBucketsTruncateAndCollect() {
        // 65,536 levels per partition: these levels span four buckets
        String r = L2ChainStoreTest.A;
        CassandraL2ChainStore s = storage.l2ChainStore();
        int[] levels = {65_534, 65_535, 65_536, 65_537, 131_071, 131_072, 200_000};
        for (int l : levels) {
            s.put(r, L2ChainStoreTest.block(l, false));
        }
        assertEquals(Optional.of(65_534), s.firstLevel(r));
        assertEquals(OptionalInt.of(200_000), s.lastLevel(r));
        s.truncateAbove(r, 65_536);
        assertEquals(OptionalInt.of(65_536), s.lastLevel(r));
        assertTrue(s.get(r, 131_072).isEmpty());
        assertTrue(s.get(r, 65_537).isEmpty());
        // GC: everything below a level goes, whole buckets at once
        s.deleteBelow(r, 65_536);
        assertEquals(Optional.of(65_536), s.firstLevel(r));
        assertTrue(s.get(r, 65_535).isEmpty());
        s.put(r, L2ChainStoreTest.block(140_000, false));
        assertEquals(OptionalInt.of(140_000), s.lastLevel(r));
        s.truncateAbove(r, 70_000);
        s.deleteBelow(r, 70_000);
        assertTrue(s.firstLevel(r).isEmpty(), "nothing left");

        L1BlockStore l1 = storage.l1BlockStore();
        for (int l : levels) {
            byte[] h = new byte[32];
            h[0] = (byte) l;
            h[1] = (byte) (l >> 8);
            h[2] = (byte) (l >> 16);
            l1.put(l, h, new byte[] {(byte) l});
        }
        assertEquals(OptionalInt.of(65_534), l1.firstLevel());
        assertEquals(OptionalInt.of(200_000), l1.lastLevel());
        l1.truncateAbove(131_071);
        assertEquals(OptionalInt.of(131_071), l1.lastLevel());
        l1.truncateAbove(65_535);
        assertEquals(OptionalInt.of(65_535), l1.lastLevel(), "the last level is found below an emptied bucket");
    }
}
