package io.flotilla.snapshot;

import java.nio.file.Path;

/**
 * Holds garbage collection off a data directory while a snapshot is exported (Octez: "a snapshot export pauses
 * GC"). The GC of history mode full (branch wip-gc) provides the real handle; until it is merged, {@link #NONE}
 * is used and nothing is collected anyway.
 */
@FunctionalInterface
public interface GcPause {
    /** Pauses GC for {@code dataDir} until the returned handle is closed. */
    AutoCloseable pause(Path dataDir);

    GcPause NONE = dataDir -> () -> { };
}
