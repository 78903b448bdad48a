package io.flotilla.node;

import io.flotilla.persistence.cassandra.CassandraStorage;
import picocli.CommandLine.Option;

/**
 * {@code --storage embedded|cassandra [--cassandra HOST:PORT[,...]] [--keyspace K] [--replication-factor N]}: where a
 * node's journal, snapshots, context store, L2 chains and L1 blocks live. One set of options for {@code flotilla run}
 * and {@code flotilla snapshot export|import}, so the same words name the same stores.
 */
final class StorageOptions {
    @Option(names = "--storage", paramLabel = "embedded|cassandra", defaultValue = "embedded",
            description = "where the journal, snapshots, context store, L2 chains and L1 blocks live: embedded "
                    + "(under the data directory, the default) or cassandra (one keyspace, shared by a cluster)")
    String storage;

    @Option(names = "--cassandra", paramLabel = "HOST:PORT[,...]", defaultValue = "127.0.0.1:9042",
            description = "Cassandra contact points with --storage cassandra (default: ${DEFAULT-VALUE})")
    String cassandra;

    @Option(names = "--keyspace", paramLabel = "NAME", defaultValue = "flotilla",
            description = "Cassandra keyspace with --storage cassandra (default: ${DEFAULT-VALUE})")
    String keyspace;

    @Option(names = "--replication-factor", paramLabel = "N", defaultValue = "1",
            description = "replication factor of a keyspace created by a node or an import (default: ${DEFAULT-VALUE})")
    int replicationFactor;

    /** The Cassandra settings, or null for embedded storage; an unknown storage is an IllegalArgumentException. */
    CassandraStorage.Settings cassandra() {
        return switch (storage) {
            case "embedded" -> null;
            case "cassandra" -> CassandraStorage.Settings.of(cassandra, keyspace).withReplicationFactor(replicationFactor);
            default -> throw new IllegalArgumentException("unknown storage '" + storage + "' (embedded or cassandra)");
        };
    }
}
