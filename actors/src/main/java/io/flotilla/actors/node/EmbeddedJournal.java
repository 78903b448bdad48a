package io.flotilla.actors.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import io.flotilla.actors.journal.EventJournalReader;
import io.flotilla.actors.journal.H2JournalReader;
import io.flotilla.actors.journal.RocksJournal;
import io.flotilla.actors.journal.RocksJournalReader;
import io.flotilla.actors.journal.RocksJournalStore;

/**
 * The embedded journal of a data directory, and which one it is. New data directories journal to RocksDB
 * ({@code <dataDir>/journal-rocks}, {@link RocksJournal}: group commit, one fsync per batch); a data directory that
 * already has an H2 journal ({@code journal/journal.mv.db}, pekko-persistence-jdbc, the default before) keeps it, so
 * older nodes and snapshot fixtures go on working. {@code -Dflotilla.journal=h2} makes new data directories use H2.
 * {@link #openReader} and {@link #writeSnapshot} read and write either without an actor system.
 *
 * <p>H2 delays commits by 500 ms by default; WRITE_DELAY=0 makes an acknowledged event survive kill -9.
 */
public final class EmbeddedJournal {
    private EmbeddedJournal() {}

    /** Which embedded journal a data directory uses. */
    public enum Kind { H2, ROCKSDB }

    /** Directory of the RocksDB journal in a data directory. */
    public static final String ROCKS_DIR = "journal-rocks";
    /** Directory of the H2 journal in a data directory. */
    public static final String H2_DIR = "journal";
    /** Every directory an embedded journal may occupy in a data directory (moved aside, imported, replaced). */
    public static final List<String> DIRECTORIES = List.of(H2_DIR, ROCKS_DIR);
    /** System property choosing the journal of new data directories: {@code rocksdb} (default) or {@code h2}. */
    public static final String DEFAULT_PROPERTY = "flotilla.journal";

    /**
     * The journal {@code dataDir} uses: H2 if it has an H2 journal file, RocksDB if it has a RocksDB journal,
     * otherwise the default for new data directories.
     */
    public static Kind kind(Path dataDir) {
        if (Files.exists(dataDir.resolve(H2_DIR).resolve("journal.mv.db"))) {
            return Kind.H2;
        }
        if (Files.isDirectory(dataDir.resolve(ROCKS_DIR))) {
            return Kind.ROCKSDB;
        }
        String d = System.getProperty(DEFAULT_PROPERTY, "rocksdb").strip().toLowerCase(java.util.Locale.ROOT);
        return switch (d) {
            case "h2" -> Kind.H2;
            case "rocksdb", "rocks", "" -> Kind.ROCKSDB;
            default -> throw new IllegalArgumentException("-D" + DEFAULT_PROPERTY + "=" + d
                    + ": the embedded journal is rocksdb or h2");
        };
    }

    /** Creates the journal {@code dataDir} uses (schema or directory) if missing; returns which one it is. */
    public static Kind prepare(Path dataDir) {
        Kind k = kind(dataDir);
        if (k == Kind.H2) {
            createSchema(dataDir);
        } else {
            try {
                Files.createDirectories(dataDir.toAbsolutePath().resolve(ROCKS_DIR));
            } catch (IOException e) {
                throw new IllegalStateException("cannot create " + dataDir.resolve(ROCKS_DIR) + ": " + e.getMessage(), e);
            }
        }
        return k;
    }

    /** Pekko configuration of the journal and snapshot plugins of the journal {@code dataDir} uses. */
    public static Config config(Path dataDir) {
        return kind(dataDir) == Kind.H2 ? h2Config(dataDir) : rocksConfig(dataDir);
    }

    /** Pekko configuration selecting the RocksDB journal and snapshot store under {@code dataDir}. */
    public static Config rocksConfig(Path dataDir) {
        String dir = dataDir.toAbsolutePath().resolve(ROCKS_DIR).toString();
        return ConfigFactory.parseMap(Map.of("flotilla.rocks-journal.dir", dir, "flotilla.rocks-snapshot-store.dir", dir))
                .withFallback(ConfigFactory.parseResources("flotilla-journal-rocks.conf"));
    }

    /**
     * A reader of {@code dataDir}'s journal (null when it has none), showing one consistent point of it. Safe on
     * the data directory of a running node: RocksDB is opened read-only (no lock, no copy); an H2 file locked by
     * another process is copied first.
     */
    public static EventJournalReader openReader(Path dataDir) {
        if (Files.exists(dataDir.resolve(H2_DIR).resolve("journal.mv.db"))) {
            return H2JournalReader.open(dataDir, EmbeddedJournal::url);
        }
        return RocksJournalReader.open(dataDir.toAbsolutePath().resolve(ROCKS_DIR));
    }

    /**
     * Writes a snapshot of {@code persistenceId} at {@code sequenceNr} into {@code dataDir}'s journal (created if
     * missing), durably, without an actor system (snapshot import). Refused while a node runs on it.
     */
    public static void writeSnapshot(Path dataDir, String persistenceId, long sequenceNr, int serializerId,
                                     String manifest, byte[] bytes) {
        if (prepare(dataDir) == Kind.H2) {
            writeH2Snapshot(dataDir, persistenceId, sequenceNr, serializerId, manifest, bytes);
            return;
        }
        RocksJournalStore store = RocksJournalStore.acquire(dataDir.toAbsolutePath().resolve(ROCKS_DIR));
        try {
            store.putSnapshot(persistenceId, sequenceNr, System.currentTimeMillis(),
                    new RocksJournalStore.Payload(serializerId, manifest, bytes)).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw new IllegalStateException("cannot write the journal in " + dataDir + ": " + e.getCause().getMessage(),
                    e.getCause());
        } finally {
            store.release();
        }
    }

    private static void writeH2Snapshot(Path dataDir, String persistenceId, long sequenceNr, int serializerId,
                                        String manifest, byte[] bytes) {
        try (Connection c = DriverManager.getConnection(url(dataDir), "root", "");
             PreparedStatement st = c.prepareStatement("INSERT INTO \"snapshot\" (\"persistence_id\", "
                     + "\"sequence_number\", \"created\", \"snapshot_ser_id\", \"snapshot_ser_manifest\", "
                     + "\"snapshot_payload\") VALUES (?, ?, ?, ?, ?, ?)")) {
            st.setString(1, persistenceId);
            st.setLong(2, sequenceNr);
            st.setLong(3, System.currentTimeMillis());
            st.setInt(4, serializerId);
            st.setString(5, manifest);
            st.setBytes(6, bytes);
            st.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write the journal in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /** The JDBC URL of the journal under {@code dataDir} (absolute: H2 retries relative URLs forever). */
    public static String url(Path dataDir) {
        Path db = dataDir.toAbsolutePath().resolve("journal").resolve("journal");
        return "jdbc:h2:file:" + db + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
    }

    /** Pekko configuration selecting the H2 journal and snapshot store on that file. */
    public static Config h2Config(Path dataDir) {
        return ConfigFactory.parseMap(Map.of(
                        "pekko-persistence-jdbc.shared-databases.slick.db.url", url(dataDir)))
                .withFallback(ConfigFactory.parseResources("flotilla-journal-h2.conf"));
    }

    /** Creates the journal tables if they do not exist yet. */
    public static void createSchema(Path dataDir) {
        try {
            Files.createDirectories(dataDir.toAbsolutePath().resolve("journal"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + dataDir.resolve("journal") + ": " + e.getMessage(), e);
        }
        String script;
        try (InputStream in = EmbeddedJournal.class.getClassLoader().getResourceAsStream("schema/h2/h2-create-schema.sql")) {
            if (in == null) {
                throw new IllegalStateException("the H2 schema of pekko-persistence-jdbc is not on the classpath");
            }
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        try (Connection c = DriverManager.getConnection(url(dataDir), "root", "");
             Statement st = c.createStatement()) {
            for (String sql : script.split(";")) {
                String s = sql.strip();
                if (s.isEmpty()) {
                    continue;
                }
                // the script's unique index has no IF NOT EXISTS
                st.execute(s.replace("CREATE UNIQUE INDEX \"", "CREATE UNIQUE INDEX IF NOT EXISTS \""));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the journal schema in " + url(dataDir) + ": " + e.getMessage(), e);
        }
    }
}
