package io.flotilla.snapshot.hosting;

import java.time.Instant;
import java.util.Objects;

/**
 * One snapshot file served by the hosting server, as the index lists it.
 *
 * @param file the file's name in the served directory (immutable once listed)
 * @param rollup the rollup's {@code sr1} address
 * @param level the snapshot's head level
 * @param historyMode {@code archive} or {@code full}
 * @param lastCommitment the last commitment's {@code src1} hash
 * @param lcc the last cemented commitment's {@code src1} hash, or null when the file does not say
 * @param lccLevel the last cemented commitment's inbox level, or -1 when unknown
 * @param compression {@code zstd}, {@code gzip} or {@code none}
 * @param formatVersion the header's version byte
 * @param created when the snapshot was made (its metadata, else the file's modification time)
 * @param size the file's length in bytes
 * @param sha256 the file's SHA-256, lower-case hex
 */
public record HostedSnapshot(String file, String rollup, int level, String historyMode, String lastCommitment,
                             String lcc, int lccLevel, String compression, int formatVersion, Instant created,
                             long size, String sha256) {

    public HostedSnapshot {
        Objects.requireNonNull(file);
        Objects.requireNonNull(rollup);
        Objects.requireNonNull(historyMode);
        Objects.requireNonNull(lastCommitment);
        Objects.requireNonNull(compression);
        Objects.requireNonNull(created);
        Objects.requireNonNull(sha256);
    }

    /** The strong ETag of the file: its SHA-256, quoted. */
    public String etag() {
        return '"' + sha256 + '"';
    }

    /** The content of the {@code .sha256} file beside it, in {@code sha256sum} format. */
    public String sha256Line() {
        return sha256 + "  " + file + "\n";
    }
}
