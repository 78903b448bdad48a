package io.flotilla.actors.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@link EventJournalReader} of an H2 journal (pekko-persistence-jdbc's tables), the embedded journal of data
 * directories created before the RocksDB journal. When a node in another process holds the file's lock, the file is
 * copied and the copy read: H2's MVStore appends synced chunks and opens a file at its newest complete one, so the
 * copy shows the journal as of some instant during the copy.
 */
public final class H2JournalReader implements EventJournalReader {
    private final Connection connection;
    private final Path copy;
    private final Path dataDir;

    private H2JournalReader(Connection connection, Path copy, Path dataDir) {
        this.connection = connection;
        this.copy = copy;
        this.dataDir = dataDir;
    }

    /** A reader of {@code <dataDir>/journal/journal.mv.db} through {@code url(dir)} ({@code EmbeddedJournal.url}). */
    public static H2JournalReader open(Path dataDir, java.util.function.Function<Path, String> url) {
        try {
            return new H2JournalReader(DriverManager.getConnection(url.apply(dataDir) + ";IFEXISTS=TRUE", "root", ""),
                    null, dataDir);
        } catch (SQLException e) {
            if (!inUse(e)) {
                throw error(dataDir, e);
            }
        }
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("flotilla-journal-copy-");
            Files.createDirectories(tmp.resolve("journal"));
            Files.copy(dataDir.resolve("journal").resolve("journal.mv.db"), tmp.resolve("journal").resolve("journal.mv.db"));
            return new H2JournalReader(DriverManager.getConnection(url.apply(tmp) + ";IFEXISTS=TRUE", "root", ""),
                    tmp, dataDir);
        } catch (IOException | SQLException e) {
            deleteQuietly(tmp);
            throw new IllegalStateException("cannot copy the journal of the running node in " + dataDir + ": "
                    + e.getMessage(), e);
        }
    }

    private static boolean inUse(SQLException e) {
        // H2: "Database may be already in use" (90020), the file lock of a node running in another process
        return e.getErrorCode() == 90020 || String.valueOf(e.getMessage()).contains("already in use");
    }

    private static IllegalStateException error(Path dataDir, SQLException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        if (m.contains("already in use") || m.contains("locked")) {
            return new IllegalStateException("the journal in " + dataDir + " is in use by a running node: " + m, e);
        }
        return new IllegalStateException("cannot read the journal in " + dataDir + ": " + m, e);
    }

    @Override
    public List<String> persistenceIds() {
        List<String> out = new ArrayList<>();
        try (PreparedStatement st = connection.prepareStatement("SELECT DISTINCT \"persistence_id\" FROM "
                + "\"event_journal\" UNION SELECT DISTINCT \"persistence_id\" FROM \"snapshot\"");
             ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw error(dataDir, e);
        }
        return out;
    }

    @Override
    public Optional<Stored> latestSnapshot(String persistenceId) {
        try (PreparedStatement st = connection.prepareStatement("SELECT \"sequence_number\", \"snapshot_ser_id\", "
                + "\"snapshot_ser_manifest\", \"snapshot_payload\" FROM \"snapshot\" WHERE \"persistence_id\" = ? "
                + "ORDER BY \"sequence_number\" DESC LIMIT 1")) {
            st.setString(1, persistenceId);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next()
                        ? Optional.of(new Stored(rs.getLong(1), rs.getInt(2), rs.getString(3), rs.getBytes(4)))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw error(dataDir, e);
        }
    }

    @Override
    public List<Stored> eventsAfter(String persistenceId, long after) {
        List<Stored> out = new ArrayList<>();
        try (PreparedStatement st = connection.prepareStatement("SELECT \"sequence_number\", \"event_ser_id\", "
                + "\"event_ser_manifest\", \"event_payload\" FROM \"event_journal\" WHERE \"persistence_id\" = ? "
                + "AND \"sequence_number\" > ? AND NOT \"deleted\" ORDER BY \"sequence_number\"")) {
            st.setString(1, persistenceId);
            st.setLong(2, after);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(new Stored(rs.getLong(1), rs.getInt(2), rs.getString(3), rs.getBytes(4)));
                }
            }
        } catch (SQLException e) {
            throw error(dataDir, e);
        }
        return out;
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            // read-only use: nothing to lose
        }
        deleteQuietly(copy);
    }

    private static void deleteQuietly(Path p) {
        if (p == null || !Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        } catch (IOException e) {
            // a temporary copy: nothing to lose
        }
    }
}
