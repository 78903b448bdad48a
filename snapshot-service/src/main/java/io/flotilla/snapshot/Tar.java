package io.flotilla.snapshot;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The small subset of POSIX ustar that snapshots use: regular files only, names of at most 100 ASCII characters,
 * sizes below 8 GiB, mode 0644, mtime 0 (so the same data always gives the same archive). {@code tar -tf} lists
 * such an archive. The reader checks every header checksum and refuses an archive that ends early.
 */
public final class Tar {
    private Tar() {}

    static final int BLOCK = 512;
    /** Padding and the end-of-archive blocks, shared rather than allocated per entry. */
    private static final byte[] ZEROS = new byte[2 * BLOCK];

    /** Writes entries one after the other; {@link #finish()} writes the two zero blocks that end the archive. */
    public static final class Writer {
        private final OutputStream out;
        private OutputStream open;
        private long remaining;
        private long written;

        public Writer(OutputStream out) {
            this.out = out;
        }

        /** Starts an entry of exactly {@code size} bytes; write them to the returned stream, then close it. */
        public OutputStream entry(String name, long size) throws IOException {
            if (open != null) {
                throw new IllegalStateException("the previous entry is still open");
            }
            out.write(header(name, size));
            written += BLOCK;
            remaining = size;
            final long total = size;
            open = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (len > remaining) {
                        throw new IOException("entry " + name + " declared " + total + " bytes; more were written");
                    }
                    out.write(b, off, len);
                    remaining -= len;
                    written += len;
                }

                @Override
                public void close() throws IOException {
                    if (remaining != 0) {
                        throw new IOException("entry " + name + " declared " + total + " bytes; " + remaining
                                + " are missing");
                    }
                    pad(total);
                    open = null;
                }
            };
            return open;
        }

        /** A whole entry at once. */
        public void entry(String name, byte[] data) throws IOException {
            try (OutputStream o = entry(name, data.length)) {
                o.write(data);
            }
        }

        private void pad(long size) throws IOException {
            int rest = (int) (size % BLOCK);
            if (rest != 0) {
                out.write(ZEROS, 0, BLOCK - rest);
                written += BLOCK - rest;
            }
        }

        public void finish() throws IOException {
            if (open != null) {
                throw new IllegalStateException("an entry is still open");
            }
            out.write(ZEROS, 0, 2 * BLOCK);
            written += 2 * BLOCK;
            out.flush();
        }

        /** Bytes written so far (the archive's size once finished). */
        public long written() {
            return written;
        }
    }

    static byte[] header(String name, long size) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        if (n.length == 0 || n.length > 100) {
            throw new IllegalArgumentException("tar entry names have 1 to 100 characters: " + name);
        }
        if (size < 0 || size >= (1L << 33)) {
            throw new IllegalArgumentException("tar entry " + name + " too large: " + size);
        }
        byte[] h = new byte[BLOCK];
        System.arraycopy(n, 0, h, 0, n.length);
        octal(h, 100, 8, 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 0);
        Arrays.fill(h, 148, 156, (byte) ' ');
        h[156] = '0';
        System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 8);
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        h[155] = ' ';
        return h;
    }

    private static void octal(byte[] h, int off, int len, long v) {
        String s = Long.toOctalString(v);
        if (s.length() > len - 1) {
            throw new IllegalArgumentException("value " + v + " does not fit a tar field of " + len);
        }
        s = "0".repeat(len - 1 - s.length()) + s;
        System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, off, len - 1);
        h[off + len - 1] = 0;
    }

    /** One entry being read: its name and size; read its bytes from {@link Reader#data()}. */
    public record Entry(String name, long size) {}

    /** Reads entries in order; any damage is a {@link SnapshotFormatException} naming the archive's problem. */
    public static final class Reader {
        private final InputStream in;
        private long remaining;
        private long padding;
        private boolean ended;

        public Reader(InputStream in) {
            this.in = in;
        }

        /** The next entry, or null at the end of the archive. Unread bytes of the previous entry are skipped. */
        public Entry next() throws IOException {
            if (ended) {
                return null;
            }
            skipFully(remaining + padding);
            remaining = 0;
            padding = 0;
            byte[] h = new byte[BLOCK];
            readFully(h, "an entry header");
            if (isZero(h)) {
                byte[] second = new byte[BLOCK];
                readFully(second, "the end-of-archive blocks");
                ended = true;
                return null;
            }
            long declared = parseOctal(h, 148, 8, "header checksum");
            long sum = 0;
            for (int i = 0; i < BLOCK; i++) {
                sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
            }
            if (sum != declared) {
                throw new SnapshotFormatException("corrupted archive: a tar header checksum does not match");
            }
            if (h[156] != '0' && h[156] != 0) {
                throw new SnapshotFormatException("corrupted archive: unexpected tar entry type '" + (char) h[156] + "'");
            }
            int end = 0;
            while (end < 100 && h[end] != 0) {
                end++;
            }
            String name = new String(h, 0, end, StandardCharsets.US_ASCII);
            long size = parseOctal(h, 124, 12, "entry size");
            remaining = size;
            padding = (BLOCK - size % BLOCK) % BLOCK;
            return new Entry(name, size);
        }

        /** The current entry's bytes; reading past the entry's end returns -1. A short archive fails. */
        public InputStream data() {
            return new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] b = new byte[1];
                    return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (remaining == 0) {
                        return -1;
                    }
                    int n = in.read(b, off, (int) Math.min(len, remaining));
                    if (n < 0) {
                        throw new SnapshotFormatException("truncated archive: an entry ends early",
                                new EOFException());
                    }
                    remaining -= n;
                    return n;
                }
            };
        }

        private void readFully(byte[] b, String what) throws IOException {
            int n = in.readNBytes(b, 0, b.length);
            if (n < b.length) {
                throw new SnapshotFormatException("truncated archive: " + what + " is missing", new EOFException());
            }
        }

        private void skipFully(long n) throws IOException {
            byte[] buf = new byte[8192];
            while (n > 0) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, n));
                if (r < 0) {
                    throw new SnapshotFormatException("truncated archive: an entry ends early", new EOFException());
                }
                n -= r;
            }
        }

        private static boolean isZero(byte[] b) {
            for (byte x : b) {
                if (x != 0) {
                    return false;
                }
            }
            return true;
        }

        private static long parseOctal(byte[] h, int off, int len, String field) {
            long v = 0;
            boolean any = false;
            for (int i = off; i < off + len; i++) {
                byte c = h[i];
                if (c == 0 || c == ' ') {
                    if (any) {
                        break;
                    }
                    continue;
                }
                if (c < '0' || c > '7') {
                    throw new SnapshotFormatException("corrupted archive: bad tar " + field);
                }
                v = v * 8 + (c - '0');
                any = true;
            }
            return v;
        }
    }
}
