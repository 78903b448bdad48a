package io.flotilla.persistence.gc;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What {@link HistoryGc} remembers per rollup: one small properties file per rollup in a directory
 * ({@code <rollup>.properties}), each rewritten atomically (temporary file, fsync, atomic rename), or in memory
 * when no directory is given. One file per rollup keeps a change O(1): a node starting 1,000 rollups for the
 * first time records 2,000 changes (the profile in load-tests/RESULTS.md showed one shared file costing 16% of
 * the CPU of such a start).
 */
final class GcRecords {
    /** One rollup's record; -1 means "none". */
    record Rec(String mode, String genesis, int originationLevel, int startedTarget, int startedAt, int splitLevel,
               int successfulTarget) {
        static Rec empty() {
            return new Rec(null, null, -1, -1, -1, -1, -1);
        }

        Rec withMode(String m) {
            return new Rec(m, genesis, originationLevel, startedTarget, startedAt, splitLevel, successfulTarget);
        }

        Rec withGenesis(String g, int origination) {
            return new Rec(mode, g, origination, startedTarget, startedAt, splitLevel, successfulTarget);
        }

        Rec withStarted(int target, int at) {
            return new Rec(mode, genesis, originationLevel, target, at, splitLevel, successfulTarget);
        }

        Rec withSplit(int level) {
            return new Rec(mode, genesis, originationLevel, startedTarget, startedAt, level, successfulTarget);
        }

        Rec withSuccess(int target) {
            return new Rec(mode, genesis, originationLevel, startedTarget, startedAt, splitLevel, target);
        }

        /** A collection began and did not finish (crash, cancellation, pause): it must run again. */
        boolean interrupted() {
            return startedTarget > successfulTarget;
        }
    }

    private static final String SUFFIX = ".properties";

    private final Path dir;
    private final Map<String, Rec> recs = new TreeMap<>();

    /** @param dir where the records live; null: in memory only */
    GcRecords(Path dir) {
        this.dir = dir;
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        try (var files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.startsWith(".")) {
                    continue; // a temporary file of a write cut short
                }
                String rollup = name.substring(0, name.length() - SUFFIX.length());
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                    p.load(r);
                }
                try {
                    recs.put(rollup, new Rec(p.getProperty("mode"), p.getProperty("genesis"), num(p, "origination"),
                            num(p, "started_target"), num(p, "started_at"), num(p, "split"), num(p, "target")));
                } catch (NumberFormatException e) {
                    throw new IllegalStateException("the GC record " + f + " is damaged: " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the GC records in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static int num(Properties p, String field) {
        String v = p.getProperty(field);
        return v == null ? -1 : Integer.parseInt(v.strip());
    }

    synchronized Rec get(String rollup) {
        return recs.getOrDefault(rollup, Rec.empty());
    }

    synchronized java.util.Set<String> rollups() {
        return new java.util.TreeSet<>(recs.keySet());
    }

    /** Stores {@code rec} for {@code rollup}; durable on return when backed by a file. */
    synchronized void put(String rollup, Rec rec) {
        if (rec.equals(recs.get(rollup))) {
            return;
        }
        recs.put(rollup, rec);
        if (dir != null) {
            write(rollup, rec);
        }
    }

    private void write(String rollup, Rec x) {
        Properties p = new Properties();
        if (x.mode() != null) {
            p.setProperty("mode", x.mode());
        }
        if (x.genesis() != null) {
            p.setProperty("genesis", x.genesis());
        }
        put(p, "origination", x.originationLevel());
        put(p, "started_target", x.startedTarget());
        put(p, "started_at", x.startedAt());
        put(p, "split", x.splitLevel());
        put(p, "target", x.successfulTarget());
        Path file = dir.resolve(rollup + SUFFIX);
        Path tmp = dir.resolve("." + rollup + SUFFIX + ".tmp");
        try {
            Files.createDirectories(dir);
            try (OutputStream out = Files.newOutputStream(tmp);
                 Writer w = new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8)) {
                p.store(w, "Flotilla history-mode GC record of " + rollup + " (see persistence/GC.md)");
            }
            try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                c.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true); // the rename itself survives a power loss
            } catch (IOException ignored) {
                // some file systems cannot sync a directory; the rename is still atomic
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the GC record " + file + ": " + e.getMessage(), e);
        }
    }

    private static void put(Properties p, String field, int v) {
        if (v >= 0) {
            p.setProperty(field, Integer.toString(v));
        }
    }

    /** For tests: a copy of all records. */
    synchronized Map<String, Rec> snapshot() {
        return Optional.of(new TreeMap<>(recs)).get();
    }
}
