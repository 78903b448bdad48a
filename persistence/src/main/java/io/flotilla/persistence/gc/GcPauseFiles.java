package io.flotilla.persistence.gc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

/**
 * Pausing the GC of a data directory from any process: a snapshot export usually runs in another JVM than the node
 * whose GC it must hold off.
 *
 * <p>Two kinds of files in the data directory, each holding the PID of the process that wrote it (a file whose
 * process is gone is stale and ignored, so a {@code kill -9} never leaves the GC paused forever):
 * <ul>
 * <li>{@code gc-pauses/<pid>-<uuid>}: one per open pause; its content says why;</li>
 * <li>{@code gc.running}: written by the GC before it deletes anything, removed when it stops.</li>
 * </ul>
 * The handshake is ordered so that one side always sees the other: the GC writes {@code gc.running} <em>then</em>
 * looks for pauses (and looks again between deletion batches); a pause writes its file <em>then</em> waits until
 * {@code gc.running} is gone. Either the GC sees the pause and stops, or the pause sees the GC and waits for it.
 */
public final class GcPauseFiles {

    static final String PAUSES = "gc-pauses";
    static final String RUNNING = "gc.running";

    private GcPauseFiles() {}

    /**
     * Pauses the GC of {@code dataDir} until the handle is closed; returns once no collection of any process is
     * deleting from it (a running one stops at its next batch).
     *
     * @throws IllegalStateException when a collection still runs after {@code timeout}
     */
    public static GcPause hold(Path dataDir, String reason, Duration timeout) {
        Path dir = dataDir.resolve(PAUSES);
        Path file = dir.resolve(ProcessHandle.current().pid() + "-" + UUID.randomUUID());
        try {
            Files.createDirectories(dir);
            Files.writeString(file, reason, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pause the GC of " + dataDir + ": " + e.getMessage(), e);
        }
        GcPause pause = new GcPause() {
            @Override
            public String reason() {
                return reason;
            }

            @Override
            public void close() {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot end the GC pause " + file + ": " + e.getMessage(), e);
                }
            }
        };
        long deadline = System.nanoTime() + timeout.toNanos();
        while (running(dataDir)) {
            if (System.nanoTime() > deadline) {
                pause.close();
                throw new IllegalStateException("the GC of " + dataDir + " did not stop within " + timeout.toSeconds()
                        + " s (" + dataDir.resolve(RUNNING) + ")");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                pause.close();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while pausing the GC of " + dataDir, e);
            }
        }
        return pause;
    }

    /** Whether a live process holds a pause on {@code dataDir}; stale pause files are removed on the way. */
    public static boolean paused(Path dataDir) {
        Path dir = dataDir.resolve(PAUSES);
        if (!Files.isDirectory(dir)) {
            return false;
        }
        boolean paused = false;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                int dash = name.indexOf('-');
                if (dash > 0 && alive(name.substring(0, dash))) {
                    paused = true;
                } else {
                    Files.deleteIfExists(f); // its process is gone
                }
            }
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            return true; // unreadable: better not delete anything
        }
        return paused;
    }

    /** Marks a collection of this process as running on {@code dataDir} (before it deletes anything). */
    static void markRunning(Path dataDir) {
        try {
            Files.writeString(dataDir.resolve(RUNNING), Long.toString(ProcessHandle.current().pid()),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dataDir.resolve(RUNNING) + ": " + e.getMessage(), e);
        }
    }

    static void clearRunning(Path dataDir) {
        try {
            Files.deleteIfExists(dataDir.resolve(RUNNING));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dataDir.resolve(RUNNING) + ": " + e.getMessage(), e);
        }
    }

    /** Whether a live process marked a collection as running on {@code dataDir}. */
    static boolean running(Path dataDir) {
        try {
            return alive(Files.readString(dataDir.resolve(RUNNING), StandardCharsets.UTF_8).trim());
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static boolean alive(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
