package io.flotilla.snapshot.hosting;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The snapshot files of a served directory. A file is listed when it is a regular file directly in the
 * directory, its name does not start with {@code .} (temporary files being written do) nor end with
 * {@code .sha256}, and the {@link SnapshotInspector} reads it. Its SHA-256 comes from the {@code NAME.sha256}
 * file beside it; a missing one is computed once and written (atomically). Scans are cached by name, size
 * and modification time, so each request rescans only the directory listing.
 */
public final class SnapshotCatalog {

    /** Suffix of the checksum file beside each snapshot. */
    public static final String SHA256_SUFFIX = ".sha256";

    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    private record Key(long size, FileTime modified) {
    }

    private final Path dir;
    private final SnapshotInspector inspector;
    private final PrintStream log;
    private final Map<String, HostedSnapshot> known = new HashMap<>();
    private final Map<String, Key> knownKeys = new HashMap<>();
    private final Map<String, Key> rejected = new HashMap<>();

    /**
     * @param dir the served directory
     * @param inspector reads a file's header and metadata
     * @param log where unreadable files are reported (once each)
     */
    public SnapshotCatalog(Path dir, SnapshotInspector inspector, PrintStream log) {
        this.dir = Objects.requireNonNull(dir);
        this.inspector = Objects.requireNonNull(inspector);
        this.log = Objects.requireNonNull(log);
    }

    /** The served directory. */
    public Path directory() {
        return dir;
    }

    /** Every servable snapshot, by rollup, then history mode, then newest level first. */
    public synchronized List<HostedSnapshot> list() throws IOException {
        List<HostedSnapshot> out = new ArrayList<>();
        Map<String, Boolean> seen = new HashMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") || name.endsWith(SHA256_SUFFIX) || !Files.isRegularFile(p)) {
                    continue;
                }
                Key key;
                try {
                    key = new Key(Files.size(p), Files.getLastModifiedTime(p));
                } catch (IOException e) {
                    continue; // removed while listing (pruned)
                }
                seen.put(name, true);
                HostedSnapshot s = known.get(name);
                if (s == null || !key.equals(knownKeys.get(name))) {
                    if (key.equals(rejected.get(name))) {
                        continue;
                    }
                    try {
                        s = describe(p, key);
                    } catch (IOException | RuntimeException e) {
                        rejected.put(name, key);
                        log.println("snapshot-server: not serving " + name + ": " + e.getMessage());
                        continue;
                    }
                    known.put(name, s);
                    knownKeys.put(name, key);
                }
                out.add(s);
            }
        }
        known.keySet().removeIf(n -> !seen.containsKey(n));
        knownKeys.keySet().removeIf(n -> !seen.containsKey(n));
        rejected.keySet().removeIf(n -> !seen.containsKey(n));
        out.sort(NEWEST_FIRST);
        return out;
    }

    /** Orders by rollup, history mode, then level and creation time, newest first. */
    public static final Comparator<HostedSnapshot> NEWEST_FIRST = Comparator.comparing(HostedSnapshot::rollup)
            .thenComparing(HostedSnapshot::historyMode)
            .thenComparing(Comparator.comparingInt(HostedSnapshot::level).reversed())
            .thenComparing(Comparator.comparing(HostedSnapshot::created).reversed())
            .thenComparing(HostedSnapshot::file);

    /** The servable snapshot of that file name. */
    public Optional<HostedSnapshot> find(String name) throws IOException {
        return list().stream().filter(s -> s.file().equals(name)).findFirst();
    }

    /** The newest snapshot of a rollup in a history mode. */
    public Optional<HostedSnapshot> latest(String rollup, String historyMode) throws IOException {
        return list().stream()
                .filter(s -> s.rollup().equals(rollup) && s.historyMode().equals(historyMode))
                .findFirst();
    }

    private HostedSnapshot describe(Path p, Key key) throws IOException {
        SnapshotInspector.Facts f = inspector.inspect(p);
        String name = p.getFileName().toString();
        String sha = readSidecar(p);
        if (sha == null) {
            sha = sha256(p);
            writeSidecar(p, sha);
        }
        return new HostedSnapshot(name, f.rollup(), f.level(), f.historyMode(), f.lastCommitment(), f.lcc(),
                f.lccLevel(), f.compression(), f.formatVersion(),
                f.created() != null ? f.created() : key.modified().toInstant(), key.size(), sha);
    }

    /** The hash in {@code file.sha256} when it is well formed and not older than the file, else null. */
    static String readSidecar(Path file) {
        Path side = sidecar(file);
        try {
            if (!Files.isRegularFile(side)
                    || Files.getLastModifiedTime(side).compareTo(Files.getLastModifiedTime(file)) < 0) {
                return null;
            }
            String text = Files.readString(side, StandardCharsets.UTF_8).strip();
            String hex = text.split("\\s+", 2)[0].toLowerCase(java.util.Locale.ROOT);
            return HEX64.matcher(hex).matches() ? hex : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Writes {@code file.sha256} in {@code sha256sum} format, atomically; a read-only directory is tolerated. */
    static void writeSidecar(Path file, String sha) {
        String name = file.getFileName().toString();
        try {
            writeAtomically(sidecar(file), (sha + "  " + name + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // served from memory all the same
        }
    }

    /** {@code NAME.sha256} beside {@code NAME}. */
    public static Path sidecar(Path file) {
        return file.resolveSibling(file.getFileName() + SHA256_SUFFIX);
    }

    /** The SHA-256 of a file, lower-case hex. */
    public static String sha256(Path file) throws IOException {
        MessageDigest md = sha256Digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /**
     * Writes bytes to {@code target} so that no reader ever sees a partial file: a hidden temporary file in the
     * same directory, fsync, rename, fsync of the directory.
     */
    public static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".partial");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes));
            ch.force(true);
        }
        publish(tmp, target);
    }

    /** Renames a complete, synced temporary file to its final name and syncs the directory. */
    public static void publish(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /** Makes a rename durable (best effort: not every platform can open a directory). */
    static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not supported here; the rename is still atomic
        }
    }

    /** An output stream to a hidden temporary file that becomes {@code target} only on {@link #commit}. */
    public static final class AtomicFile implements AutoCloseable {
        private final Path target;
        private final Path tmp;
        private final FileChannel channel;
        private final OutputStream out;
        private boolean committed;

        /** Opens {@code .NAME.partial} beside {@code target}. */
        public AtomicFile(Path target) throws IOException {
            this.target = target;
            this.tmp = target.resolveSibling("." + target.getFileName() + ".partial");
            this.channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            this.out = java.nio.channels.Channels.newOutputStream(channel);
        }

        /** Where to write the content. */
        public OutputStream stream() {
            return out;
        }

        /** The temporary file being written. */
        public Path temporary() {
            return tmp;
        }

        /** fsync, close, rename to the target. */
        public void commit() throws IOException {
            out.flush();
            channel.force(true);
            channel.close();
            publish(tmp, target);
            committed = true;
        }

        /** Without a commit, deletes the temporary file. */
        @Override
        public void close() throws IOException {
            if (!committed) {
                channel.close();
                Files.deleteIfExists(tmp);
            }
        }
    }
}
