package io.flotilla.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import io.flotilla.actors.rollup.RollupMode;
import io.flotilla.persistence.cassandra.CassandraStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A node's part of a Flotilla cluster, read from the HOCON file of {@code flotilla run --cluster-config FILE} (over
 * {@code flotilla-cluster.conf}): the Pekko settings (remoting port, seed nodes, split-brain resolver, sharding),
 * the rollups the cluster serves and the Cassandra every node shares (journal, context store, L2 chains, L1 blocks,
 * all in one keyspace: {@link NodeStores#cassandra}).
 *
 * @param config the file over the defaults, resolved
 */
public record ClusterSetup(Config config) {

    /** Reads and checks {@code file}; a clear {@link IllegalArgumentException} on a missing file or a bad value. */
    public static ClusterSetup read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("cluster configuration " + file + " does not exist");
        }
        Config c;
        try {
            c = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false))
                    .withFallback(ConfigFactory.parseResources("flotilla-cluster.conf"))
                    .resolve();
        } catch (ConfigException e) {
            throw new IllegalArgumentException("cluster configuration " + file + ": " + e.getMessage(), e);
        }
        ClusterSetup s = new ClusterSetup(c);
        try {
            s.rollups();
            s.cassandra();
            c.getStringList("pekko.cluster.seed-nodes");
        } catch (ConfigException e) {
            throw new IllegalArgumentException("cluster configuration " + file + ": " + e.getMessage(), e);
        }
        return s;
    }

    /** {@code flotilla.rollups}: the rollups every node of the cluster serves. */
    public List<NodeRuntime.ServedRollup> rollups() {
        List<NodeRuntime.ServedRollup> out = new ArrayList<>();
        for (Config r : config.getConfigList("flotilla.rollups")) {
            String address = r.getString("address");
            try {
                io.flotilla.pvm.encoding.RollupAddress.fromBase58(address);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("flotilla.rollups: '" + address + "' is not an sr1 address");
            }
            RollupMode mode = RollupMode.parse(r.hasPath("mode") ? r.getString("mode") : "observer");
            List<String> keys = r.hasPath("operators") ? r.getStringList("operators") : List.of();
            Map<String, String> ops = NodeConfig.operators(mode, keys);
            NodeConfig nc = NodeConfig.defaults(address, mode, ops);
            out.add(new NodeRuntime.ServedRollup(address, mode, nc.operator()));
        }
        return out;
    }

    /** The shared Cassandra, when {@code flotilla.cassandra.contact-points} names one. */
    public Optional<CassandraStorage.Settings> cassandra() {
        String points = config.getString("flotilla.cassandra.contact-points");
        if (points.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new CassandraStorage.Settings(CassandraStorage.parseContactPoints(points),
                config.getString("flotilla.cassandra.local-datacenter"), config.getString("flotilla.cassandra.keyspace"),
                config.getInt("flotilla.cassandra.replication-factor")));
    }

}
