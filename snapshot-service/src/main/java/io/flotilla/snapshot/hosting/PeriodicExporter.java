package io.flotilla.snapshot.hosting;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Exports snapshots of a node into a served directory every N levels and keeps only the K newest per rollup
 * and history mode. An export is written into a hidden working directory ({@code DIR/.exporting}), synced,
 * then renamed into DIR with its {@code .sha256} beside it: the server never lists a partial file. A file
 * pruned while being downloaded stays readable for that download (the open file outlives its name); a resume
 * of it then gets a 404.
 */
public final class PeriodicExporter implements AutoCloseable {

    /** Writes one snapshot of the node at (or near) a level into a directory and returns the file written. */
    @FunctionalInterface
    public interface Export {
        Path into(Path workDir, int level) throws Exception;
    }

    /** The level the node could export now (its finalized level), or -1 when it has none yet. */
    @FunctionalInterface
    public interface LevelProbe {
        int level() throws Exception;
    }

    /** Name of the working directory inside the served one (hidden: the catalog skips it). */
    public static final String WORK_DIR = ".exporting";

    private final SnapshotCatalog catalog;
    private final int every;
    private final int keep;
    private final LevelProbe probe;
    private final Export export;
    private final PrintStream log;
    private ScheduledExecutorService timer;
    private int lastLevel = Integer.MIN_VALUE;

    /**
     * @param catalog the served directory
     * @param every export when the node's level is at least this many levels past the newest snapshot here
     * @param keep how many snapshots to keep per rollup and history mode
     */
    public PeriodicExporter(SnapshotCatalog catalog, int every, int keep, LevelProbe probe, Export export,
                            PrintStream log) {
        if (every < 1) {
            throw new IllegalArgumentException("--every must be at least 1 level, not " + every);
        }
        if (keep < 1) {
            throw new IllegalArgumentException("--keep must be at least 1, not " + keep);
        }
        this.catalog = Objects.requireNonNull(catalog);
        this.every = every;
        this.keep = keep;
        this.probe = Objects.requireNonNull(probe);
        this.export = Objects.requireNonNull(export);
        this.log = Objects.requireNonNull(log);
    }

    /** Checks the node every {@code interval} on a thread of its own; failures are logged and retried. */
    public synchronized void start(Duration interval) {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "snapshot-periodic-export");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                tick();
            } catch (Exception e) {
                log.println("snapshot-server: periodic export failed (will retry): " + e.getMessage());
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * One check: exports when the node is {@code every} levels past the newest snapshot here (or none is
     * here), then prunes.
     *
     * @return the published snapshot, or null when it was not time to export
     */
    public synchronized Path tick() throws Exception {
        int level = probe.level();
        int newest = Math.max(lastLevel, newestHere());
        if (level < 0 || (newest != Integer.MIN_VALUE && level < newest + every)) {
            return null;
        }
        Path work = catalog.directory().resolve(WORK_DIR);
        Files.createDirectories(work);
        clean(work);
        Path written;
        try {
            written = export.into(work, level);
        } catch (Exception e) {
            clean(work);
            throw e;
        }
        Path target = catalog.directory().resolve(written.getFileName().toString());
        if (Files.exists(target)) {
            // the same level again (the node did not advance as probed): the file here is already complete
            clean(work);
            lastLevel = level;
            return null;
        }
        try (FileChannel ch = FileChannel.open(written, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        String sha = SnapshotCatalog.sha256(written);
        SnapshotCatalog.publish(written, target);
        SnapshotCatalog.writeSidecar(target, sha);
        lastLevel = level;
        log.println("snapshot-server: exported " + target.getFileName() + " (node at level " + level + ")");
        prune();
        return target;
    }

    /** Deletes all but the {@code keep} newest snapshots of each rollup and history mode, with their checksums. */
    public synchronized List<Path> prune() throws IOException {
        Map<String, Integer> kept = new HashMap<>();
        List<Path> removed = new ArrayList<>();
        for (HostedSnapshot s : catalog.list()) { // newest first within each rollup and mode
            String key = s.rollup() + "/" + s.historyMode();
            int n = kept.merge(key, 1, Integer::sum);
            if (n > keep) {
                Path file = catalog.directory().resolve(s.file());
                Files.deleteIfExists(SnapshotCatalog.sidecar(file));
                Files.deleteIfExists(file);
                removed.add(file);
                log.println("snapshot-server: pruned " + s.file() + " (keeping the " + keep + " newest of " + key + ")");
            }
        }
        return removed;
    }

    private int newestHere() throws IOException {
        int newest = Integer.MIN_VALUE;
        for (HostedSnapshot s : catalog.list()) {
            newest = Math.max(newest, s.level());
        }
        return newest;
    }

    private static void clean(Path work) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(work)) {
            for (Path p : entries) {
                if (Files.isDirectory(p)) {
                    try (var walk = Files.walk(p)) {
                        for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                            Files.deleteIfExists(q);
                        }
                    }
                } else {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            try {
                timer.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            timer = null;
        }
    }
}
