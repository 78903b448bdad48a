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
 * What {@link HistoryGc} remembers per rollup, in one small properties file rewritten atomically (temporary file,
 * fsync, atomic rename), or in memory when no file is given. Keys are {@code <rollup>.<field>}.
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

    private final Path file;
    private final Map<String, Rec> recs = new TreeMap<>();

    GcRecords(Path file) {
        this.file = file;
        if (file != null && Files.exists(file)) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the GC records " + file + ": " + e.getMessage(), e);
            }
            for (String k : p.stringPropertyNames()) {
                int dot = k.lastIndexOf('.');
                if (dot > 0) {
                    recs.putIfAbsent(k.substring(0, dot), Rec.empty());
                }
            }
            for (String rollup : recs.keySet()) {
                try {
                    recs.put(rollup, new Rec(p.getProperty(rollup + ".mode"), p.getProperty(rollup + ".genesis"),
                            num(p, rollup, "origination"), num(p, rollup, "started_target"),
                            num(p, rollup, "started_at"), num(p, rollup, "split"), num(p, rollup, "target")));
                } catch (NumberFormatException e) {
                    throw new IllegalStateException("the GC records " + file + " are damaged (" + rollup + "): "
                            + e.getMessage(), e);
                }
            }
        }
    }

    private static int num(Properties p, String rollup, String field) {
        String v = p.getProperty(rollup + "." + field);
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
        if (file != null) {
            write();
        }
    }

    private void write() {
        Properties p = new Properties();
        recs.forEach((r, x) -> {
            if (x.mode() != null) {
                p.setProperty(r + ".mode", x.mode());
            }
            if (x.genesis() != null) {
                p.setProperty(r + ".genesis", x.genesis());
            }
            put(p, r, "origination", x.originationLevel());
            put(p, r, "started_target", x.startedTarget());
            put(p, r, "started_at", x.startedAt());
            put(p, r, "split", x.splitLevel());
            put(p, r, "target", x.successfulTarget());
        });
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (OutputStream out = Files.newOutputStream(tmp);
                 Writer w = new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8)) {
                p.store(w, "Flotilla history-mode GC records (see persistence/GC.md)");
            }
            try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                c.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel d = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
                d.force(true); // the rename itself survives a power loss
            } catch (IOException ignored) {
                // some file systems cannot sync a directory; the rename is still atomic
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the GC records " + file + ": " + e.getMessage(), e);
        }
    }

    private static void put(Properties p, String r, String field, int v) {
        if (v >= 0) {
            p.setProperty(r + "." + field, Integer.toString(v));
        }
    }

    /** For tests: a copy of all records. */
    synchronized Map<String, Rec> snapshot() {
        return Optional.of(new TreeMap<>(recs)).get();
    }
}
