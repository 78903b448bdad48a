package io.flotilla.snapshot;

import io.flotilla.snapshot.hosting.ResumableHttpInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Where a snapshot to import comes from: a file, standard input ({@code -}) or an http(s) URL. A URL is read
 * through a {@link ResumableHttpInputStream}, so a dropped connection resumes where it broke instead of
 * starting the import again. The stream is the snapshot's bytes as stored (still compressed).
 */
public final class SnapshotSource {

    private SnapshotSource() {
    }

    /** Opens a file, {@code -} (standard input) or an http(s) URL, without progress reports. */
    public static InputStream open(String fileOrUrlOrDash) throws IOException {
        return open(fileOrUrlOrDash, null);
    }

    /**
     * Opens a file, {@code -} (standard input) or an http(s) URL.
     *
     * @param progress if not null, a phase {@code download} (URL) or {@code read} (file, stdin) is started and
     *     counts the bytes read, with the total when it is known
     * @throws NoSuchFileException if a file does not exist
     * @throws IOException if a URL answers with an error status or cannot be reached
     */
    public static InputStream open(String fileOrUrlOrDash, Progress progress) throws IOException {
        return open(fileOrUrlOrDash, progress, ResumableHttpInputStream.Options.defaults());
    }

    /** As {@link #open(String, Progress)}, with the download's retry policy. */
    public static InputStream open(String fileOrUrlOrDash, Progress progress, ResumableHttpInputStream.Options options)
            throws IOException {
        if (fileOrUrlOrDash == null || fileOrUrlOrDash.isEmpty()) {
            throw new IllegalArgumentException("no snapshot given (a file, an http(s) URL, or - for standard input)");
        }
        if (fileOrUrlOrDash.equals("-")) {
            if (progress != null) {
                progress.phase("read", -1);
                return progress.wrap(nonClosing(System.in));
            }
            return nonClosing(System.in);
        }
        if (isUrl(fileOrUrlOrDash)) {
            URI uri;
            try {
                uri = new URI(fileOrUrlOrDash);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("not a valid URL: " + fileOrUrlOrDash + " (" + e.getReason() + ")");
            }
            if (progress != null) {
                progress.phase("download", -1);
            }
            // the stream reports its own bytes, so that a resumed download does not count twice
            return ResumableHttpInputStream.open(uri, options, progress);
        }
        Path file = Path.of(fileOrUrlOrDash);
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "no snapshot file");
        }
        if (Files.isDirectory(file)) {
            throw new IOException(file + " is a directory, not a snapshot file");
        }
        InputStream in = Files.newInputStream(file);
        if (progress != null) {
            progress.phase("read", Files.size(file));
            return progress.wrap(in);
        }
        return in;
    }

    /**
     * A source for {@link SnapshotImporter}: a file, {@code -} or an http(s) URL, opened when the import starts.
     *
     * @param progress counts the bytes read (download or file), may be null
     */
    public static SnapshotImporter.Source importerSource(String location, Progress progress) {
        return new SnapshotImporter.Source() {
            @Override
            public InputStream open() throws IOException {
                return SnapshotSource.open(location, progress);
            }

            @Override
            public String describe() {
                return location.equals("-") ? "standard input" : location;
            }
        };
    }

    /** True for {@code http://} and {@code https://} locations. */
    public static boolean isUrl(String location) {
        String l = location.toLowerCase(java.util.Locale.ROOT);
        return l.startsWith("http://") || l.startsWith("https://");
    }

    private static InputStream nonClosing(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public void close() {
                // standard input belongs to the process
            }
        };
    }
}
