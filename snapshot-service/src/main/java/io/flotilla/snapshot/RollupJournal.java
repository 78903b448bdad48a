package io.flotilla.snapshot;

import io.flotilla.actors.node.EmbeddedJournal;
import io.flotilla.actors.rollup.RollupEntity;
import io.flotilla.persistence.events.RollupEvent;
import io.flotilla.persistence.serialization.KryoSerializer;
import io.flotilla.persistence.snapshots.RollupSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A data directory's rollup journal (the embedded H2 journal of pekko-persistence-jdbc) read and written without an
 * actor system: the rollup entity's state is its latest snapshot plus the events after it, folded with
 * {@link RollupEntity#replay}; an import writes the imported state as the entity's snapshot, so the entity recovers
 * from it and persists its next events after it. Payloads are {@code flotilla-kryo} ({@link KryoSerializer}).
 */
final class RollupJournal {
    private RollupJournal() {}

    static final String PERSISTENCE_PREFIX = RollupEntity.KEY.name() + "|";

    private static Connection connect(Path dataDir) throws SQLException {
        return DriverManager.getConnection(EmbeddedJournal.url(dataDir) + ";IFEXISTS=TRUE", "root", "");
    }

    static boolean exists(Path dataDir) {
        return Files.exists(dataDir.resolve("journal").resolve("journal.mv.db"));
    }

    /** The rollups with a journal in {@code dataDir}. */
    static List<String> rollups(Path dataDir) {
        if (!exists(dataDir)) {
            return new ArrayList<>();
        }
        try {
            return rollupsDirect(dataDir);
        } catch (IllegalStateException e) {
            if (!(e.getCause() instanceof SQLException s) || !inUse(s)) {
                throw e;
            }
        }
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("flotilla-journal-copy-");
            Files.createDirectories(tmp.resolve("journal"));
            Files.copy(dataDir.resolve("journal").resolve("journal.mv.db"), tmp.resolve("journal").resolve("journal.mv.db"));
            return rollupsDirect(tmp);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot copy the journal in " + dataDir + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    SnapshotExporter.deleteRecursively(tmp);
                } catch (java.io.IOException e) {
                    // a temporary copy: nothing to lose
                }
            }
        }
    }

    private static List<String> rollupsDirect(Path dataDir) {
        List<String> out = new ArrayList<>();
        try (Connection c = connect(dataDir);
             PreparedStatement st = c.prepareStatement("SELECT DISTINCT \"persistence_id\" FROM \"event_journal\" "
                     + "UNION SELECT DISTINCT \"persistence_id\" FROM \"snapshot\"")) {
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    if (id.startsWith(PERSISTENCE_PREFIX)) {
                        out.add(id.substring(PERSISTENCE_PREFIX.length()));
                    }
                }
            }
        } catch (SQLException e) {
            throw journalError(dataDir, e);
        }
        return out;
    }

    /** The rollup's state as recorded in the journal, with the sequence number it stands at; null if none. */
    record Recorded(RollupSnapshot state, long sequenceNr) {}

    static Recorded read(Path dataDir, String rollup) {
        if (!exists(dataDir)) {
            return null;
        }
        try {
            return readDirect(dataDir, rollup);
        } catch (IllegalStateException e) {
            if (!(e.getCause() instanceof SQLException s) || !inUse(s)) {
                throw e;
            }
            return readCopy(dataDir, rollup);
        }
    }

    private static boolean inUse(SQLException e) {
        // H2: "Database may be already in use" (90020), the file lock of a node running in another process
        return e.getErrorCode() == 90020 || String.valueOf(e.getMessage()).contains("already in use");
    }

    /**
     * A node in another process holds the journal's file lock: read a copy of the file. H2's MVStore appends
     * synced chunks and opens a file at its newest complete one, so the copy shows the journal as of some
     * instant during the copy (at worst a little older than the chain and context views opened after it,
     * which is all the export needs: it never goes above the journaled head).
     */
    private static Recorded readCopy(Path dataDir, String rollup) {
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("flotilla-journal-copy-");
            Files.createDirectories(tmp.resolve("journal"));
            Files.copy(dataDir.resolve("journal").resolve("journal.mv.db"), tmp.resolve("journal").resolve("journal.mv.db"));
            return readDirect(tmp, rollup);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot copy the journal of the running node in " + dataDir + ": "
                    + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    SnapshotExporter.deleteRecursively(tmp);
                } catch (java.io.IOException e) {
                    // a temporary copy: nothing to lose
                }
            }
        }
    }

    private static Recorded readDirect(Path dataDir, String rollup) {
        KryoSerializer kryo = new KryoSerializer();
        String pid = PERSISTENCE_PREFIX + rollup;
        try (Connection c = connect(dataDir)) {
            RollupSnapshot base = null;
            long from = 0;
            try (PreparedStatement st = c.prepareStatement("SELECT \"sequence_number\", \"snapshot_payload\" FROM "
                    + "\"snapshot\" WHERE \"persistence_id\" = ? ORDER BY \"sequence_number\" DESC LIMIT 1")) {
                st.setString(1, pid);
                try (ResultSet rs = st.executeQuery()) {
                    if (rs.next()) {
                        from = rs.getLong(1);
                        base = (RollupSnapshot) kryo.fromBinary(rs.getBytes(2));
                    }
                }
            }
            List<RollupEvent> events = new ArrayList<>();
            long seq = from;
            try (PreparedStatement st = c.prepareStatement("SELECT \"sequence_number\", \"event_payload\" FROM "
                    + "\"event_journal\" WHERE \"persistence_id\" = ? AND \"sequence_number\" > ? AND NOT \"deleted\" "
                    + "ORDER BY \"sequence_number\"")) {
                st.setString(1, pid);
                st.setLong(2, from);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        seq = rs.getLong(1);
                        events.add((RollupEvent) kryo.fromBinary(rs.getBytes(2)));
                    }
                }
            }
            if (base == null && events.isEmpty()) {
                return null;
            }
            return new Recorded(RollupEntity.replay(base, events), seq);
        } catch (SQLException e) {
            throw journalError(dataDir, e);
        }
    }

    /** Creates the journal in {@code dataDir} holding {@code state} as the rollup's snapshot at sequence number 1. */
    static void writeImported(Path dataDir, String rollup, RollupSnapshot state) {
        EmbeddedJournal.createSchema(dataDir);
        try (Connection c = connect(dataDir);
             PreparedStatement st = c.prepareStatement("INSERT INTO \"snapshot\" (\"persistence_id\", "
                     + "\"sequence_number\", \"created\", \"snapshot_ser_id\", \"snapshot_ser_manifest\", "
                     + "\"snapshot_payload\") VALUES (?, ?, ?, ?, ?, ?)")) {
            st.setString(1, PERSISTENCE_PREFIX + rollup);
            st.setLong(2, 1);
            st.setLong(3, System.currentTimeMillis());
            st.setInt(4, KryoSerializer.IDENTIFIER);
            st.setString(5, "");
            st.setBytes(6, new KryoSerializer().toBinary(state));
            st.executeUpdate();
        } catch (SQLException e) {
            throw journalError(dataDir, e);
        }
    }

    private static IllegalStateException journalError(Path dataDir, SQLException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        if (m.contains("already in use") || m.contains("locked")) {
            return new IllegalStateException("the journal in " + dataDir + " is in use by a running node: " + m, e);
        }
        return new IllegalStateException("cannot read the journal in " + dataDir + ": " + m, e);
    }
}
