package io.flotilla.snapshot;

import io.flotilla.persistence.gc.GcPauseFiles;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Holds garbage collection off a data directory while a snapshot is exported (Octez: "a snapshot export pauses
 * GC"), so that the GC of history mode full does not delete blocks or tree nodes the export still reads.
 */
@FunctionalInterface
public interface GcPause {
    /** Pauses GC for {@code dataDir} until the returned handle is closed. */
    AutoCloseable pause(Path dataDir);

    /**
     * The default: a pause file in the data directory, honoured by the node's GC whatever process it runs in
     * ({@link GcPauseFiles}); returns once no collection deletes anything.
     */
    GcPause FILES = dataDir -> GcPauseFiles.hold(dataDir, "snapshot export", Duration.ofMinutes(2));
}
