package io.flotilla.node;

import io.flotilla.persistence.cassandra.CassandraStorage;
import io.flotilla.persistence.chain.L2Block;
import io.flotilla.persistence.events.L2BlockProduced;
import io.flotilla.persistence.serialization.FlotillaKryo;
import com.datastax.oss.driver.api.core.cql.Row;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link CrashRecoveryTest} with {@code --storage cassandra}: journal, snapshots, context store, L2 chain and L1
 * blocks in a keyspace of this class (dropped after) on the Cassandra given by {@code FLOTILLA_CASSANDRA} or
 * {@code -Dflotilla.cassandra} (skipped without one, except in CI where it fails).
 */
class CassandraCrashRecoveryTest extends CrashRecoveryTest {
    private static String endpoint;
    private static String keyspace;
    private static CassandraStorage storage;

    @BeforeAll
    static void cassandra() {
        endpoint = System.getProperty("flotilla.cassandra", System.getenv("FLOTILLA_CASSANDRA"));
        if (endpoint == null || endpoint.isBlank()) {
            String how = "start one with `cluster-config/cassandra/flotilla-cassandra start` and set "
                    + "FLOTILLA_CASSANDRA=127.0.0.1:9042";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail("CI=true but no Cassandra is configured for the tests: " + how);
            }
            Assumptions.abort("no Cassandra configured: " + how);
        }
        keyspace = ("crash_test_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE))
                .toLowerCase(Locale.ROOT);
        storage = CassandraStorage.open(CassandraStorage.Settings.of(endpoint, keyspace));
    }

    @AfterAll
    static void drop() {
        if (storage != null) {
            storage.dropKeyspace();
            storage.close();
        }
    }

    @Override
    protected List<String> storageOptions() {
        return List.of("--storage", "cassandra", "--cassandra", endpoint, "--keyspace", keyspace);
    }

    @Override
    protected L2Block storedBlock(String rollup, int level) {
        return storage.l2ChainStore().get(rollup, level)
                .orElseThrow(() -> new AssertionError("lost L2 block " + level));
    }

    @Override
    protected List<Integer> journaledLevels(String rollup) {
        // pekko-persistence-cassandra's messages table: one partition per 500,000 events of an entity
        List<Integer> levels = new ArrayList<>();
        for (Row r : storage.session().execute("SELECT event FROM " + keyspace + ".messages WHERE persistence_id = ? "
                + "AND partition_nr = 0 ORDER BY sequence_nr", "Rollup|" + rollup)) {
            ByteBuffer b = r.getByteBuffer(0);
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            if (FlotillaKryo.fromBytes(bytes) instanceof L2BlockProduced p) {
                levels.add(p.level());
            }
        }
        return levels;
    }
}
