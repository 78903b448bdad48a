package io.flotilla.snapshot;

import io.flotilla.pvm.encoding.CommitmentHash;
import io.flotilla.pvm.encoding.RollupAddress;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The 58-byte header that starts every snapshot (before the tar archive, inside the compression):
 * version (1 byte, 0), history mode (1 byte: 0 archive, 1 full), rollup address (20 bytes), head level
 * (int32 big-endian), last commitment hash (32 bytes). The layout is Octez's.
 */
public record SnapshotHeader(int version, HistoryMode historyMode, RollupAddress rollup, int headLevel,
                             CommitmentHash lastCommitment) {
    public static final int LENGTH = 58;
    public static final int CURRENT_VERSION = 0;

    public SnapshotHeader {
        Objects.requireNonNull(historyMode, "historyMode");
        Objects.requireNonNull(rollup, "rollup");
        Objects.requireNonNull(lastCommitment, "lastCommitment");
        if (version != CURRENT_VERSION) {
            throw new SnapshotFormatException("unsupported snapshot version " + version + " (this node reads version "
                    + CURRENT_VERSION + ")");
        }
        if (headLevel < 0) {
            throw new SnapshotFormatException("negative head level " + headLevel + " in the snapshot header");
        }
    }

    /** A header of the current version. */
    public static SnapshotHeader of(HistoryMode mode, RollupAddress rollup, int headLevel, CommitmentHash lastCommitment) {
        return new SnapshotHeader(CURRENT_VERSION, mode, rollup, headLevel, lastCommitment);
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(LENGTH);
        b.put((byte) version).put((byte) historyMode.code()).put(rollup.bytes()).putInt(headLevel).put(lastCommitment.bytes());
        return b.array();
    }

    public void writeTo(OutputStream out) throws IOException {
        out.write(encode());
    }

    /** Decodes exactly {@link #LENGTH} bytes. */
    public static SnapshotHeader decode(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new SnapshotFormatException("a snapshot header has " + LENGTH + " bytes, got " + bytes.length);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int version = b.get() & 0xff;
        if (version != CURRENT_VERSION) {
            throw new SnapshotFormatException("unsupported snapshot version " + version + " (this node reads version "
                    + CURRENT_VERSION + ")");
        }
        HistoryMode mode = HistoryMode.fromCode(b.get() & 0xff);
        byte[] address = new byte[RollupAddress.LENGTH];
        b.get(address);
        int level = b.getInt();
        byte[] commitment = new byte[CommitmentHash.LENGTH];
        b.get(commitment);
        return new SnapshotHeader(version, mode, new RollupAddress(address), level, new CommitmentHash(commitment));
    }

    /** Reads the header from the start of a (decompressed) snapshot stream. */
    public static SnapshotHeader readFrom(InputStream in) throws IOException {
        byte[] bytes = new byte[LENGTH];
        int n = in.readNBytes(bytes, 0, LENGTH);
        if (n < LENGTH) {
            throw new SnapshotFormatException("truncated snapshot: the header has " + LENGTH + " bytes, the file only "
                    + n, new EOFException());
        }
        return decode(bytes);
    }

    /** The default file name: {@code snapshot-<first 13 chars of the sr1 address>-<level>.<archive|full>}. */
    public String defaultFileName() {
        return defaultFileName(rollup, headLevel, historyMode);
    }

    public static String defaultFileName(RollupAddress rollup, int level, HistoryMode mode) {
        return "snapshot-" + rollup.toBase58().substring(0, 13) + "-" + level + "." + mode.label();
    }

    /** What {@code snapshot info} prints. */
    public String describe() {
        return "version: " + version + "\nhistory mode: " + historyMode.label() + "\nrollup address: " + rollup.toBase58()
                + "\nhead level: " + headLevel + "\nlast commitment: " + lastCommitment.toBase58();
    }
}
