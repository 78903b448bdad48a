package io.flotilla.actors.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.List;

/**
 * The journal and snapshot store of a cluster: pekko-persistence-cassandra ({@code flotilla-journal-cassandra.conf})
 * with its tables in the keyspace of the node's Cassandra stores, so one keyspace holds a deployment.
 */
public final class CassandraJournal {
    private CassandraJournal() {}

    /**
     * Pekko configuration selecting the Cassandra journal and snapshot store.
     *
     * @param contactPoints {@code host:port} of Cassandra nodes
     * @param keyspace      the deployment's keyspace (the plugin creates its tables there)
     * @param replicationFactor used if the plugin creates the keyspace
     */
    public static Config config(List<String> contactPoints, String keyspace, int replicationFactor) {
        return ConfigFactory.empty()
                .withValue("datastax-java-driver.basic.contact-points", ConfigValueFactory.fromIterable(contactPoints))
                .withValue("pekko.persistence.cassandra.journal.keyspace", ConfigValueFactory.fromAnyRef(keyspace))
                .withValue("pekko.persistence.cassandra.snapshot.keyspace", ConfigValueFactory.fromAnyRef(keyspace))
                .withValue("pekko.persistence.cassandra.journal.replication-factor",
                        ConfigValueFactory.fromAnyRef(replicationFactor))
                .withValue("pekko.persistence.cassandra.snapshot.replication-factor",
                        ConfigValueFactory.fromAnyRef(replicationFactor))
                .withFallback(ConfigFactory.parseResources("flotilla-journal-cassandra.conf"));
    }
}
