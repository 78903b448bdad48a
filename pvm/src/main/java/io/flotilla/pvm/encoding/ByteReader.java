package io.flotilla.pvm.encoding;

import java.util.Arrays;

/** Cursor over a byte array for the decoders; every error names the offset and what was being read. */
final class ByteReader {
    /** Largest length data_encoding accepts for a dynamically sized field (uint30). */
    static final long MAX_UINT30 = (1L << 30) - 1;

    private final byte[] data;
    private int pos;
    private final int end;

    ByteReader(byte[] data) {
        this(data, 0, data.length);
    }

    ByteReader(byte[] data, int offset, int end) {
        if (offset < 0 || end > data.length || offset > end) {
            throw new IllegalArgumentException("bad range " + offset + ".." + end + " of " + data.length + " bytes");
        }
        this.data = data;
        this.pos = offset;
        this.end = end;
    }

    int position() {
        return pos;
    }

    int remaining() {
        return end - pos;
    }

    boolean atEnd() {
        return pos == end;
    }

    byte[] data() {
        return data;
    }

    IllegalArgumentException error(String message) {
        return new IllegalArgumentException(message + " (at byte offset " + pos + ")");
    }

    private void need(int n, String what) {
        if (n > end - pos) {
            throw error("truncated input: " + what + " needs " + n + " byte" + (n == 1 ? "" : "s") + ", only "
                    + (end - pos) + " left");
        }
    }

    int u8(String what) {
        need(1, what);
        return data[pos++] & 0xff;
    }

    long u32(String what) {
        need(4, what);
        long v = ((long) (data[pos] & 0xff) << 24) | ((data[pos + 1] & 0xff) << 16) | ((data[pos + 2] & 0xff) << 8)
                | (data[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    long i64(String what) {
        need(8, what);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (data[pos + i] & 0xff);
        }
        pos += 8;
        return v;
    }

    /** A uint30 length prefix (4 bytes, big-endian) that must fit in the remaining input. */
    int length(String what) {
        int at = pos;
        long n = u32(what + " length");
        if (n > MAX_UINT30) {
            pos = at;
            throw error(what + " length " + n + " exceeds the uint30 limit");
        }
        if (n > end - pos) {
            pos = at;
            throw error("truncated input: " + what + " announces " + n + " bytes, only " + (end - pos - 4) + " left");
        }
        return (int) n;
    }

    byte[] bytes(int n, String what) {
        need(n, what);
        byte[] out = Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return out;
    }

    /** Reads the rest of the input. */
    byte[] rest() {
        return bytes(end - pos, "rest");
    }

    /** A reader over the next {@code n} bytes; this reader skips them. */
    ByteReader slice(int n, String what) {
        need(n, what);
        ByteReader r = new ByteReader(data, pos, pos + n);
        pos += n;
        return r;
    }

    void expectEnd(String what) {
        if (pos != end) {
            throw error(what + ": " + (end - pos) + " unexpected trailing byte" + (end - pos == 1 ? "" : "s"));
        }
    }
}
