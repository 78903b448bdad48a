package io.flotilla.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.pvm.encoding.CommitmentHash;
import io.flotilla.pvm.encoding.RollupAddress;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SnapshotFormatTest {
    static final RollupAddress ROLLUP = new RollupAddress(filled(20, 7));
    static final CommitmentHash COMMITMENT = new CommitmentHash(filled(32, 9));

    static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }

    @Test
    void headerHasOctezLayout() {
        SnapshotHeader h = SnapshotHeader.of(HistoryMode.FULL, ROLLUP, 0x01020304, COMMITMENT);
        byte[] b = h.encode();
        assertEquals(58, b.length);
        assertEquals(0, b[0]);
        assertEquals(1, b[1]);
        assertArrayEquals(ROLLUP.bytes(), Arrays.copyOfRange(b, 2, 22));
        assertArrayEquals(new byte[] {1, 2, 3, 4}, Arrays.copyOfRange(b, 22, 26));
        assertArrayEquals(COMMITMENT.bytes(), Arrays.copyOfRange(b, 26, 58));
        assertEquals(h, SnapshotHeader.decode(b));
    }

    @Test
    void badHeadersAreRefusedWithTheirReason() {
        byte[] b = SnapshotHeader.of(HistoryMode.ARCHIVE, ROLLUP, 5, COMMITMENT).encode();
        byte[] v = b.clone();
        v[0] = 3;
        assertTrue(assertThrows(SnapshotFormatException.class, () -> SnapshotHeader.decode(v)).getMessage()
                .contains("unsupported snapshot version 3"));
        byte[] m = b.clone();
        m[1] = 2;
        assertTrue(assertThrows(SnapshotFormatException.class, () -> SnapshotHeader.decode(m)).getMessage()
                .contains("unknown history mode 2"));
        assertTrue(assertThrows(SnapshotFormatException.class,
                () -> SnapshotHeader.readFrom(new ByteArrayInputStream(b, 0, 40))).getMessage().contains("truncated"));
    }

    @Test
    void defaultFileName() {
        SnapshotHeader h = SnapshotHeader.of(HistoryMode.ARCHIVE, ROLLUP, 1234, COMMITMENT);
        String name = h.defaultFileName();
        assertEquals("snapshot-" + ROLLUP.toBase58().substring(0, 13) + "-1234.archive", name);
        assertTrue(name.startsWith("snapshot-sr1"));
    }

    @Test
    void compressionIsDetectedAndRoundTrips() throws Exception {
        byte[] payload = new byte[100_000];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i % 251);
        }
        for (Compression c : Compression.values()) {
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            try (OutputStream out = c.compress(file)) {
                out.write(payload);
            }
            byte[] bytes = file.toByteArray();
            assertEquals(c, Compression.detect(bytes, bytes.length), c.label());
            Compression.Opened opened = Compression.open(new ByteArrayInputStream(bytes));
            assertEquals(c, opened.compression());
            try (InputStream in = opened.stream()) {
                assertArrayEquals(payload, in.readAllBytes(), c.label());
            }
        }
        assertEquals(Compression.ZSTD, Compression.fromLabel("zstd"));
        assertThrows(IllegalArgumentException.class, () -> Compression.fromLabel("bzip2"));
    }

    @Test
    void metadataRoundTripsAndNamesMissingFields() {
        SnapshotMetadata m = new SnapshotMetadata(1, ROLLUP.toBase58(), "archive", 40, 3, COMMITMENT.toBase58(), 40,
                1000, COMMITMENT.toBase58(), 20, false, "2026-01-01T00:00:00Z", 2, "2.0.0-r5", "00", "srs1x", "src1x",
                "src1y", 2, 0, "00", "srs1y", 1000, 40, 20, null, "00", 38, 100, 38);
        assertEquals(m, SnapshotMetadata.fromJson(m.toJson()));
        String json = new String(m.toJson()).replace("\"lcc\"", "\"lcc_renamed\"");
        SnapshotFormatException e = assertThrows(SnapshotFormatException.class,
                () -> SnapshotMetadata.fromJson(json.getBytes()));
        assertTrue(e.getMessage().contains("lcc is missing"), e.getMessage());
        assertThrows(SnapshotFormatException.class, () -> SnapshotMetadata.fromJson("{oops".getBytes()));
    }
}
