package io.flotilla.snapshot;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * How the whole {@code header + tar} stream of a snapshot is compressed. Detected by magic bytes:
 * gzip {@code 1f 8b}, zstd {@code 28 b5 2f fd}; anything else is read as plain (its header is then checked).
 */
public enum Compression {
    NONE,
    GZIP,
    ZSTD;

    /** zstd level for exports: level 3 (zstd's default) keeps export near the speed of {@code tar | zstd}. */
    public static final int ZSTD_LEVEL = 3;

    public String label() {
        return this == NONE ? "none" : name().toLowerCase(Locale.ROOT);
    }

    public static Compression fromLabel(String label) {
        return switch (label.toLowerCase(Locale.ROOT)) {
            case "none", "plain" -> NONE;
            case "gzip", "gz" -> GZIP;
            case "zstd", "zst" -> ZSTD;
            default -> throw new IllegalArgumentException("unknown compression '" + label + "' (zstd, gzip or none)");
        };
    }

    /** Detects the compression from the first bytes of a file (at least 4 when available). */
    public static Compression detect(byte[] start, int length) {
        if (length >= 2 && (start[0] & 0xff) == 0x1f && (start[1] & 0xff) == 0x8b) {
            return GZIP;
        }
        if (length >= 4 && (start[0] & 0xff) == 0x28 && (start[1] & 0xff) == 0xb5 && (start[2] & 0xff) == 0x2f
                && (start[3] & 0xff) == 0xfd) {
            return ZSTD;
        }
        return NONE;
    }

    /** Detects the compression of a stream that supports mark/reset, leaving it at its start. */
    public static Compression detect(BufferedInputStream in) throws IOException {
        in.mark(4);
        byte[] start = new byte[4];
        int n = in.readNBytes(start, 0, 4);
        in.reset();
        return detect(start, n);
    }

    /** Wraps a raw snapshot stream: the result yields the decompressed {@code header + tar}. */
    public InputStream decompress(InputStream raw) throws IOException {
        return switch (this) {
            case NONE -> raw;
            case GZIP -> new GZIPInputStream(raw, 1 << 16);
            case ZSTD -> new ZstdInputStream(raw);
        };
    }

    /** Wraps the output of a snapshot file: what is written to the result is compressed. */
    public OutputStream compress(OutputStream raw) throws IOException {
        return switch (this) {
            case NONE -> raw;
            case GZIP -> new GZIPOutputStream(raw, 1 << 16);
            case ZSTD -> new ZstdOutputStream(raw, ZSTD_LEVEL);
        };
    }

    /** A decompressed view of any snapshot stream, with its detected compression. */
    public record Opened(Compression compression, InputStream stream) {}

    /** Detects the compression of {@code raw} and returns the decompressed stream. */
    public static Opened open(InputStream raw) throws IOException {
        BufferedInputStream buffered = raw instanceof BufferedInputStream b ? b : new BufferedInputStream(raw, 1 << 16);
        Compression c = detect(buffered);
        return new Opened(c, c.decompress(buffered));
    }
}
