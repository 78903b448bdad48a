package io.flotilla.persistence.cassandra;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One keyspace of a Cassandra cluster holding a node's stores: the context store ({@link CassandraContextStore}),
 * the L2 chains ({@link CassandraL2ChainStore}) and the L1 blocks ({@link CassandraL1BlockStore}). Every node of a
 * Flotilla cluster opens the same keyspace, so a rollup entity finds its state and chain wherever it moves.
 *
 * <p>{@link #open} connects (one {@link CqlSession}, shared by the three stores), creates the keyspace and tables
 * when they do not exist, and prepares the statements. Reads and writes use {@code LOCAL_QUORUM}, so a write
 * acknowledged to one node is read by any other. Schema and strategy: persistence/CASSANDRA.md.
 */
public final class CassandraStorage implements AutoCloseable {
    private static final Pattern KEYSPACE = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,47}");

    /**
     * Where and how to connect.
     *
     * @param contactPoints     {@code host:port} of one or more Cassandra nodes
     * @param localDatacenter   the driver's local datacenter ({@code datacenter1} for a SimpleSnitch node)
     * @param keyspace          letters, digits and underscores, starting with a letter, at most 48 characters
     * @param replicationFactor SimpleStrategy replication factor used when the keyspace is created
     */
    public record Settings(List<InetSocketAddress> contactPoints, String localDatacenter, String keyspace,
                           int replicationFactor) {
        public Settings {
            contactPoints = List.copyOf(contactPoints);
            if (contactPoints.isEmpty()) {
                throw new IllegalArgumentException("no Cassandra contact point");
            }
            Objects.requireNonNull(localDatacenter, "localDatacenter");
            if (keyspace == null || !KEYSPACE.matcher(keyspace).matches()) {
                throw new IllegalArgumentException("invalid keyspace name '" + keyspace
                        + "' (letters, digits and _, starting with a letter, at most 48 characters)");
            }
            if (replicationFactor < 1) {
                throw new IllegalArgumentException("replication factor must be at least 1");
            }
        }

        /** {@code host:port[,host:port...]} (port 9042 when absent), datacenter1, replication factor 1. */
        public static Settings of(String contactPoints, String keyspace) {
            return new Settings(parseContactPoints(contactPoints), "datacenter1", keyspace, 1);
        }

        public Settings withReplicationFactor(int rf) {
            return new Settings(contactPoints, localDatacenter, keyspace, rf);
        }

        /** The contact points as {@code host:port,host:port}. */
        public String contactPointsText() {
            List<String> s = new ArrayList<>();
            for (InetSocketAddress a : contactPoints) {
                s.add(a.getHostString() + ":" + a.getPort());
            }
            return String.join(",", s);
        }
    }

    /** Parses {@code host[:port][,host[:port]...]}; throws IllegalArgumentException with the bad part. */
    public static List<InetSocketAddress> parseContactPoints(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("no Cassandra contact point given (host:port)");
        }
        List<InetSocketAddress> out = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.strip();
            int colon = p.lastIndexOf(':');
            String host = colon < 0 ? p : p.substring(0, colon);
            int port = 9042;
            if (colon >= 0) {
                try {
                    port = Integer.parseInt(p.substring(colon + 1));
                } catch (NumberFormatException e) {
                    port = -1;
                }
            }
            if (host.isEmpty() || port < 1 || port > 65535) {
                throw new IllegalArgumentException("invalid Cassandra contact point '" + p + "' (host:port)");
            }
            out.add(InetSocketAddress.createUnresolved(host, port));
        }
        return out;
    }

    private final Settings settings;
    private final CqlSession session;
    private final CassandraContextStore context;
    private final CassandraL2ChainStore chain;
    private final CassandraL1BlockStore l1Blocks;
    private volatile boolean closed;

    private CassandraStorage(Settings settings, CqlSession session) {
        this.settings = settings;
        this.session = session;
        createSchema();
        this.context = new CassandraContextStore(session, settings.keyspace());
        this.chain = new CassandraL2ChainStore(session, settings.keyspace());
        this.l1Blocks = new CassandraL1BlockStore(session, settings.keyspace());
    }

    /**
     * Connects, creating the keyspace and tables if needed.
     *
     * @throws CassandraStoreException when no contact point answers (the message names them)
     */
    public static CassandraStorage open(Settings settings) {
        CqlSession session = connect(settings);
        try {
            return new CassandraStorage(settings, session);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    /**
     * A driver session with the stores' settings that creates nothing: for tools that only read a keyspace, or
     * check it before writing to it. The caller closes it.
     *
     * @throws CassandraStoreException when no contact point answers (the message names them)
     */
    public static CqlSession connect(Settings settings) {
        try {
            return CqlSession.builder()
                    .addContactPoints(resolved(settings.contactPoints()))
                    .withLocalDatacenter(settings.localDatacenter())
                    .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                            // generous: a loaded 2-core test machine, and the DDL of a fresh keyspace
                            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(20))
                            .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
                            .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, Duration.ofSeconds(10))
                            .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(20))
                            .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT,
                                    Duration.ofSeconds(30))
                            .withString(DefaultDriverOption.REQUEST_CONSISTENCY, ConsistencyLevel.LOCAL_QUORUM.name())
                            .withBoolean(DefaultDriverOption.REQUEST_DEFAULT_IDEMPOTENCE, true)
                            .build())
                    .build();
        } catch (RuntimeException e) {
            throw new CassandraStoreException("cannot connect to Cassandra at " + settings.contactPointsText() + ": "
                    + e.getMessage(), e);
        }
    }

    private static List<InetSocketAddress> resolved(List<InetSocketAddress> points) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (InetSocketAddress a : points) {
            out.add(new InetSocketAddress(a.getHostString(), a.getPort()));
        }
        return out;
    }

    /** Creates what is missing; DDL is slow (each statement waits for schema agreement), so existing tables are skipped. */
    private void createSchema() {
        String ks = settings.keyspace();
        var keyspaceMeta = session.getMetadata().getKeyspace(ks);
        if (keyspaceMeta.isEmpty()) {
            session.execute("CREATE KEYSPACE IF NOT EXISTS " + ks + " WITH replication = {'class': 'SimpleStrategy', "
                    + "'replication_factor': " + settings.replicationFactor() + "}");
        }
        List<String> ddl = new ArrayList<>(CassandraContextStore.schema(ks));
        ddl.addAll(LevelIndex.schema(ks, CassandraL2ChainStore.TABLE));
        ddl.addAll(CassandraL1BlockStore.schema(ks));
        ddl.add("CREATE TABLE IF NOT EXISTS " + ks + ".deployment (key text PRIMARY KEY, value text)");
        for (String statement : ddl) {
            String table = statement.split("\\s+")[5].substring(ks.length() + 1);
            if (keyspaceMeta.flatMap(k -> k.getTable(table)).isEmpty()) {
                session.execute(statement);
            }
        }
    }

    public Settings settings() {
        return settings;
    }

    /** The driver session (shared; closed with this object). */
    public CqlSession session() {
        return session;
    }

    public CassandraContextStore contextStore() {
        return context;
    }

    public CassandraL2ChainStore l2ChainStore() {
        return chain;
    }

    public CassandraL1BlockStore l1BlockStore() {
        return l1Blocks;
    }

    /**
     * Ties the keyspace to one L1 chain (by its genesis block hash) on first use, and refuses another chain later:
     * the journal and L2 chains of a keyspace describe the rollups of one L1 only.
     *
     * @throws CassandraStoreException when the keyspace belongs to another L1 chain
     */
    public void bindToL1(String l1Genesis) {
        String ks = settings.keyspace();
        var row = session.execute(SimpleStatement.newInstance("INSERT INTO " + ks + ".deployment (key, value) "
                + "VALUES ('l1-genesis', ?) IF NOT EXISTS", l1Genesis)).one();
        if (row != null && !row.getBoolean("[applied]")) {
            String bound = row.getString("value");
            if (!l1Genesis.equals(bound)) {
                throw new CassandraStoreException("the Cassandra keyspace " + ks + " holds the rollups of another L1 "
                        + "chain (genesis " + bound + ", this node follows " + l1Genesis + "): use another keyspace, "
                        + "or drop this one");
            }
        }
    }

    /** Drops the whole keyspace (tests, and wiping a deployment): every store of it is gone. */
    public void dropKeyspace() {
        session.execute("DROP KEYSPACE IF EXISTS " + settings.keyspace());
    }

    /** Closes the stores and the session. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        context.close();
        session.close();
    }
}
