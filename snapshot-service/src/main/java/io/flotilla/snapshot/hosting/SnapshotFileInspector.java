package io.flotilla.snapshot.hosting;

import io.flotilla.snapshot.Compression;
import io.flotilla.snapshot.SnapshotFormatException;
import io.flotilla.snapshot.SnapshotHeader;
import io.flotilla.snapshot.SnapshotMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Reads a snapshot file's index facts from the file: the compression (magic bytes), the 58-byte header, and
 * {@code metadata.json} when it is the tar archive's first entry (LCC, creation time). Only the file's start
 * is decompressed, so a large snapshot is inspected quickly.
 */
public final class SnapshotFileInspector implements SnapshotInspector {

    private static final int TAR_BLOCK = 512;
    /** metadata.json is small; a larger first entry is not read. */
    private static final int MAX_METADATA = 1 << 20;

    @Override
    public Facts inspect(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file)) {
            Compression.Opened opened = Compression.open(raw);
            InputStream in = opened.stream();
            SnapshotHeader h;
            try {
                h = SnapshotHeader.readFrom(in);
            } catch (SnapshotFormatException e) {
                throw new IOException("not a snapshot: " + e.getMessage(), e);
            }
            SnapshotMetadata m = firstEntryMetadata(in);
            String lcc = m == null ? null : m.lcc();
            int lccLevel = m == null ? -1 : m.lccLevel();
            Instant created = null;
            if (m != null && m.created() != null) {
                try {
                    created = Instant.parse(m.created());
                } catch (DateTimeParseException e) {
                    created = null;
                }
            }
            return new Facts(h.rollup().toBase58(), h.headLevel(), h.historyMode().label(),
                    h.lastCommitment().toBase58(), lcc, lccLevel, opened.compression().label(), h.version(), created);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** The metadata of the archive's first entry when it is {@code metadata.json} and reads well, else null. */
    private static SnapshotMetadata firstEntryMetadata(InputStream tar) {
        try {
            byte[] header = tar.readNBytes(TAR_BLOCK);
            if (header.length < TAR_BLOCK) {
                return null;
            }
            String name = cString(header, 0, 100);
            if (!name.equals(SnapshotMetadata.ENTRY) && !name.equals("./" + SnapshotMetadata.ENTRY)) {
                return null;
            }
            long size = Long.parseLong(cString(header, 124, 12).trim(), 8);
            if (size < 0 || size > MAX_METADATA) {
                return null;
            }
            byte[] json = tar.readNBytes((int) size);
            return json.length == size ? SnapshotMetadata.fromJson(json) : null;
        } catch (IOException | RuntimeException e) {
            return null; // the header alone still describes the snapshot
        }
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.US_ASCII);
    }
}
