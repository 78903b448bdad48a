package io.flotilla.snapshot.hosting;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

/** Reads what the index says about a snapshot file from the file itself (its header and metadata). */
@FunctionalInterface
public interface SnapshotInspector {

    /**
     * What a snapshot file says about itself.
     *
     * @param lcc the last cemented commitment's hash, or null when unknown
     * @param lccLevel its inbox level, or -1 when unknown
     * @param created when it was made, or null (the file's modification time is used)
     */
    record Facts(String rollup, int level, String historyMode, String lastCommitment, String lcc, int lccLevel,
                 String compression, int formatVersion, Instant created) {
    }

    /** @throws IOException if the file is not a readable snapshot (it is then not served) */
    Facts inspect(Path file) throws IOException;
}
