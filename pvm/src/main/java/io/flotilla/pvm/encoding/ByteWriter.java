package io.flotilla.pvm.encoding;

import java.util.Arrays;

/** Growable byte buffer for the encoders, with back-patched length prefixes. */
final class ByteWriter {
    private byte[] buf = new byte[64];
    private int size;

    private void ensure(int extra) {
        if (size + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
        }
    }

    int size() {
        return size;
    }

    ByteWriter u8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
        return this;
    }

    ByteWriter u32(long v) {
        ensure(4);
        putU32(size, v);
        size += 4;
        return this;
    }

    ByteWriter i64(long v) {
        ensure(8);
        for (int i = 7; i >= 0; i--) {
            buf[size++] = (byte) (v >>> (8 * i));
        }
        return this;
    }

    ByteWriter bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
        return this;
    }

    /** Writes a uint32 length followed by the bytes. */
    ByteWriter sized(byte[] b) {
        return u32(b.length).bytes(b);
    }

    /** Reserves a 4-byte length prefix; pass the result to {@link #endLength(int)} once the body is written. */
    int beginLength() {
        int at = size;
        u32(0);
        return at;
    }

    void endLength(int at) {
        putU32(at, size - at - 4);
    }

    private void putU32(int at, long v) {
        buf[at] = (byte) (v >>> 24);
        buf[at + 1] = (byte) (v >>> 16);
        buf[at + 2] = (byte) (v >>> 8);
        buf[at + 3] = (byte) v;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }
}
