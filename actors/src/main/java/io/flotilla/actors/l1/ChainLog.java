package io.flotilla.actors.l1;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of a durable {@link SandboxL1}: a small header written once ({@value #HEADER_FILE}) and an
 * append-only log of records ({@value #LOG_FILE}). Each record is a 16-byte frame header followed by its
 * payload:
 * <pre>
 *   u32 magic "FLB1" | u32 payload length | u32 CRC32C(payload) | u32 CRC32C(the 12 bytes before)
 *   payload: u8 type, then
 *     1 BLOCK  a block ({@link L1Codec#encodeBlock})                      appended to the main chain
 *     2 REORG  u32 fork level, u32 n, n x (u32 length, block)            the main chain is cut after the
 *                                                                        fork level, then the n blocks follow
 * </pre>
 * Big-endian. A record is appended and fsync'd before the sandbox shows its blocks to anyone. When the log is
 * opened, a damaged record with no well-framed record after it is a write torn by a crash: it is cut off (with
 * a warning) and the log continues from there. Any other damage is a {@link SandboxStoreException}.
 * The log file is locked while open, so two sandboxes cannot write the same chain. Not thread-safe.
 */
final class ChainLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChainLog.class);

    static final String HEADER_FILE = "sandbox.json";
    static final String LOG_FILE = "chain.log";
    static final int MAGIC = 0x464c4231; // "FLB1"
    static final int FRAME = 16;
    static final int BLOCK = 1;
    static final int REORG = 2;
    /** Largest payload accepted when reading (the sandbox server takes operations up to 64 MiB). */
    static final int MAX_PAYLOAD = 1 << 30;
    /** How much of a damaged tail is searched for a later record before calling it corruption. */
    private static final long MAX_SCAN = 1L << 30;

    /** What the records say, in order; called while the log is read. */
    interface Reader {
        void block(L1Block b) throws Exception;

        void reorg(int forkLevel, List<L1Block> blocks) throws Exception;
    }

    private final Path file;
    private final RandomAccessFile raf;
    private final FileLock lock;
    private long size;
    private IOException failed;

    private ChainLog(Path file, RandomAccessFile raf, FileLock lock, long size) {
        this.file = file;
        this.raf = raf;
        this.lock = lock;
        this.size = size;
    }

    Path file() {
        return file;
    }

    /** The log's length: where the next record goes. */
    long size() {
        return size;
    }

    // ------------------------------------------------------------------ header

    /** The header's bytes, or null when the directory has none yet. */
    static byte[] readHeader(Path dir) throws IOException {
        Path h = dir.resolve(HEADER_FILE);
        return Files.exists(h) ? Files.readAllBytes(h) : null;
    }

    /** Writes the header atomically (temporary file, fsync, rename, fsync of the directory). */
    static void writeHeader(Path dir, byte[] content) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(HEADER_FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(HEADER_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(dir);
    }

    // ------------------------------------------------------------------ open

    /**
     * Opens (creating if needed) and locks the log in {@code dir}, gives every record to {@code reader}, cuts
     * a torn last record off, and leaves the log ready for appends.
     */
    static ChainLog open(Path dir, Reader reader) throws IOException {
        Path file = dir.resolve(LOG_FILE);
        boolean created = !Files.exists(file);
        RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw");
        ChainLog log = null;
        try {
            FileLock lock;
            try {
                lock = raf.getChannel().tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new SandboxStoreException(file, -1, "in use by another sandbox L1 (the file is locked)");
            }
            if (created) {
                syncDirectory(dir);
            }
            long end = replay(file, raf.length(), reader);
            if (end < raf.length()) {
                raf.setLength(end);
                raf.getFD().sync();
            }
            log = new ChainLog(file, raf, lock, end);
            return log;
        } finally {
            if (log == null) {
                raf.close();
            }
        }
    }

    /** Reads the records up to the first damaged one; returns where the valid records end. */
    private static long replay(Path file, long length, Reader reader) throws IOException {
        long off = 0;
        try (InputStream fin = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(fin, 1 << 16))) {
            while (off < length) {
                String damage = null;
                byte[] payload = null;
                if (length - off < FRAME) {
                    damage = "a partial record frame (" + (length - off) + " of " + FRAME + " bytes)";
                } else {
                    int magic = in.readInt();
                    int len = in.readInt();
                    int crc = in.readInt();
                    int frameCrc = in.readInt();
                    if (magic != MAGIC || frameCrc != crc32c(frame(magic, len, crc), 0, 12)) {
                        damage = "a damaged record frame";
                    } else if (len < 1 || len > MAX_PAYLOAD) {
                        damage = "a record length of " + len;
                    } else if (length - off - FRAME < len) {
                        damage = "a partial record (" + (length - off - FRAME) + " of " + len + " bytes)";
                    } else {
                        payload = new byte[len];
                        in.readFully(payload);
                        if (crc32c(payload, 0, len) != crc) {
                            damage = "a record whose checksum does not match its content";
                        }
                    }
                }
                if (damage != null) {
                    long next = nextFrame(file, off + 1, length);
                    if (next >= 0) {
                        throw new SandboxStoreException(file, off, damage + "; "
                                + (next == Long.MAX_VALUE ? "more than " + MAX_SCAN + " bytes follow"
                                        : "a valid record follows at offset " + next)
                                + ", so this is not a write torn by a crash but a corrupted log. Restore it from a "
                                + "backup or start the sandbox in an empty directory");
                    }
                    LOG.warn("sandbox L1: {}: dropping {} at offset {} (the last record, torn by a crash); {} bytes "
                            + "cut off, the chain continues from the previous record", file, damage, off,
                            length - off);
                    return off;
                }
                try {
                    decode(payload, reader);
                } catch (SandboxStoreException e) {
                    throw e;
                } catch (Exception e) {
                    throw new SandboxStoreException(file, off, "bad record: " + e.getMessage(), e);
                }
                off += FRAME + payload.length;
            }
        } catch (EOFException e) {
            throw new SandboxStoreException(file, off, "the log shrank while being read", e);
        }
        return off;
    }

    private static void decode(byte[] payload, Reader reader) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(payload);
        int type = b.get() & 0xff;
        if (type == BLOCK) {
            reader.block(L1Codec.decodeBlock(slice(b, b.remaining())));
        } else if (type == REORG) {
            int fork = b.getInt();
            int n = b.getInt();
            if (n < 1 || n > b.remaining()) {
                throw new IllegalArgumentException("a reorg of " + n + " blocks");
            }
            List<L1Block> blocks = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int len = b.getInt();
                if (len < 0 || len > b.remaining()) {
                    throw new IllegalArgumentException("reorg block " + i + " has a bad length " + len);
                }
                blocks.add(L1Codec.decodeBlock(slice(b, len)));
            }
            if (b.hasRemaining()) {
                throw new IllegalArgumentException(b.remaining() + " trailing bytes after a reorg");
            }
            reader.reorg(fork, blocks);
        } else {
            throw new IllegalArgumentException("unknown record type " + type);
        }
    }

    private static byte[] slice(ByteBuffer b, int n) {
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    /**
     * The offset of the first well-framed record header at or after {@code from}, -1 if there is none, or
     * {@code Long.MAX_VALUE} if the rest of the log is too long to search.
     */
    private static long nextFrame(Path file, long from, long length) throws IOException {
        if (length - from < FRAME) {
            return -1;
        }
        if (length - from > MAX_SCAN) {
            return Long.MAX_VALUE; // too much to search: do not cut that much off as if it were one torn record
        }
        byte[] tail = new byte[(int) (length - from)];
        try (RandomAccessFile r = new RandomAccessFile(file.toFile(), "r")) {
            r.seek(from);
            r.readFully(tail);
        }
        ByteBuffer b = ByteBuffer.wrap(tail);
        for (int i = 0; i + FRAME <= tail.length; i++) {
            if (b.getInt(i) == MAGIC && b.getInt(i + 12) == crc32c(tail, i, 12)) {
                return from + i;
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------ append

    void appendBlock(L1Block b) throws IOException {
        byte[] block = L1Codec.encodeBlock(b);
        ByteBuffer p = ByteBuffer.allocate(1 + block.length);
        p.put((byte) BLOCK).put(block);
        append(p.array());
    }

    void appendReorg(int forkLevel, List<L1Block> blocks) throws IOException {
        List<byte[]> encoded = new ArrayList<>();
        int len = 1 + 8;
        for (L1Block b : blocks) {
            byte[] e = L1Codec.encodeBlock(b);
            encoded.add(e);
            len += 4 + e.length;
        }
        ByteBuffer p = ByteBuffer.allocate(len);
        p.put((byte) REORG).putInt(forkLevel).putInt(blocks.size());
        for (byte[] e : encoded) {
            p.putInt(e.length).put(e);
        }
        append(p.array());
    }

    /**
     * Appends one record and fsyncs it. On failure the log is cut back to its previous length; if even that
     * fails, every later append fails too (the tail is unknown until the log is opened again).
     */
    private void append(byte[] payload) throws IOException {
        if (failed != null) {
            throw new IOException(file + ": an earlier write failed and could not be undone; reopen the sandbox",
                    failed);
        }
        int crc = crc32c(payload, 0, payload.length);
        byte[] frame = frame(MAGIC, payload.length, crc);
        ByteBuffer rec = ByteBuffer.allocate(FRAME + payload.length);
        rec.put(frame).putInt(crc32c(frame, 0, 12)).put(payload);
        try {
            raf.seek(size);
            raf.write(rec.array());
            raf.getFD().sync();
            size += rec.capacity();
        } catch (IOException e) {
            try {
                raf.setLength(size);
                raf.getFD().sync();
            } catch (IOException again) {
                e.addSuppressed(again);
                failed = e;
            }
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } catch (IOException e) {
            LOG.debug("sandbox L1: releasing the lock of {} failed: {}", file, e.toString());
        }
        try {
            raf.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static byte[] frame(int magic, int len, int crc) {
        return ByteBuffer.allocate(12).putInt(magic).putInt(len).putInt(crc).array();
    }

    private static int crc32c(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }

    static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some platforms cannot open or sync a directory; the file's own fsync is what we can do there
            LOG.debug("sandbox L1: cannot fsync directory {}: {}", dir, e.toString());
        }
    }
}
