package io.flotilla.snapshot.hosting;

import io.flotilla.pvm.encoding.CommitmentHash;
import io.flotilla.pvm.encoding.RollupAddress;
import io.flotilla.snapshot.Compression;
import io.flotilla.snapshot.HistoryMode;
import io.flotilla.snapshot.SnapshotHeader;
import io.flotilla.snapshot.SnapshotMetadata;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/** Snapshot files in the real layout (compressed header + tar starting with metadata.json), for hosting tests. */
final class TestSnapshots {

    private TestSnapshots() {
    }

    static RollupAddress rollup(int seed) {
        byte[] b = new byte[RollupAddress.LENGTH];
        Arrays.fill(b, (byte) seed);
        return new RollupAddress(b);
    }

    static CommitmentHash commitment(int seed) {
        byte[] b = new byte[CommitmentHash.LENGTH];
        Arrays.fill(b, (byte) seed);
        return new CommitmentHash(b);
    }

    /**
     * Writes a snapshot named by its default file name into {@code dir}.
     *
     * @param payload bytes of incompressible data in a second tar entry, so files can be made large
     */
    static Path write(Path dir, RollupAddress rollup, int level, HistoryMode mode, Compression compression,
                      int payload) throws IOException {
        SnapshotHeader header = SnapshotHeader.of(mode, rollup, level, commitment(level));
        Path file = dir.resolve(header.defaultFileName());
        Files.write(file, bytes(header, compression, payload));
        return file;
    }

    static byte[] bytes(SnapshotHeader header, Compression compression, int payload) throws IOException {
        int level = header.headLevel();
        String created = "2026-11-0" + (1 + level % 9) + "T12:00:00Z";
        SnapshotMetadata m = new SnapshotMetadata(SnapshotMetadata.FORMAT_VERSION, header.rollup().toBase58(),
                header.historyMode().label(), level, 3, header.lastCommitment().toBase58(), level, 1000,
                commitment(level / 2).toBase58(), level / 2, false, created, 2, "2.0.0-r5", "00", "srs1x", "src1x",
                "src1y", 2, 0, "00", "srs1y", 1000, level, level, null, "00", 1, 1, 1);
        byte[] data = new byte[payload];
        new Random(level).nextBytes(data);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (OutputStream out = compression.compress(file)) {
            header.writeTo(out);
            tarEntry(out, SnapshotMetadata.ENTRY, m.toJson());
            tarEntry(out, "chain/blocks", data);
            out.write(new byte[1024]); // end of archive
        }
        return file.toByteArray();
    }

    /** One ustar entry: a 512-byte header (octal fields, checksum) and the data padded to 512 bytes. */
    static void tarEntry(OutputStream out, String name, byte[] data) throws IOException {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", data.length));
        put(h, 136, String.format("%011o", 0));
        Arrays.fill(h, 148, 156, (byte) ' ');
        h[156] = '0';
        put(h, 257, "ustar");
        put(h, 263, "00");
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        h[155] = ' ';
        out.write(h);
        out.write(data);
        out.write(new byte[(512 - data.length % 512) % 512]);
    }

    private static void put(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, b.length);
    }
}
