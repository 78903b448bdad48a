package io.flotilla.persistence.cassandra;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the Cassandra the tests run against: {@code -Dflotilla.cassandra=host:port} or {@code FLOTILLA_CASSANDRA}
 * (.ci/run starts one and sets it). Without one, tests are skipped with the reason, except in CI ({@code CI=true})
 * where they fail: CI must not pass by running nothing.
 */
public final class CassandraTestSupport {
    private CassandraTestSupport() {}

    public static final String HOW = "start one with `cluster-config/cassandra/flotilla-cassandra start` and set "
            + "FLOTILLA_CASSANDRA=127.0.0.1:9042 (or -Dflotilla.cassandra=...)";

    /** {@code host:port} of the test Cassandra; aborts (skips) the test outside CI when none is configured. */
    public static String endpoint() {
        String e = System.getProperty("flotilla.cassandra");
        if (e == null || e.isBlank()) {
            e = System.getenv("FLOTILLA_CASSANDRA");
        }
        if (e == null || e.isBlank()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail("CI=true but no Cassandra is configured for the tests: " + HOW);
            }
            Assumptions.abort("no Cassandra configured: " + HOW);
        }
        return e.strip();
    }

    /** A keyspace name of its own for one test class: {@code prefix_<random>}. */
    public static String freshKeyspace(String prefix) {
        return (prefix + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE))
                .toLowerCase(Locale.ROOT);
    }

    /** Settings for {@link #endpoint()} and {@code keyspace}. */
    public static CassandraStorage.Settings settings(String keyspace) {
        return CassandraStorage.Settings.of(endpoint(), keyspace);
    }
}
