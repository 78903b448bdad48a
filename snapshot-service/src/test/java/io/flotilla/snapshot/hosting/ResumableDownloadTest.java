package io.flotilla.snapshot.hosting;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.pvm.encoding.RollupAddress;
import io.flotilla.snapshot.Compression;
import io.flotilla.snapshot.HistoryMode;
import io.flotilla.snapshot.Progress;
import io.flotilla.snapshot.SnapshotSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads from the hosting server through a network that drops connections mid-stream. */
class ResumableDownloadTest {

    static final RollupAddress ROLLUP = TestSnapshots.rollup(3);
    /** Quick retries: the test is about what is delivered, not about waiting. */
    static final ResumableHttpInputStream.Options FAST = new ResumableHttpInputStream.Options(3, 5,
            Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(30), Duration.ofSeconds(60));

    @TempDir
    Path dir;
    SnapshotServer server;
    Path snapshot;

    @BeforeEach
    void start() throws IOException {
        snapshot = TestSnapshots.write(dir, ROLLUP, 12, HistoryMode.ARCHIVE, Compression.ZSTD, 600_000);
        SnapshotCatalog catalog = new SnapshotCatalog(dir, new SnapshotFileInspector(), System.err);
        server = new SnapshotServer(catalog, new InetSocketAddress("127.0.0.1", 0), null, System.err);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    String path() {
        return "/snapshots/" + snapshot.getFileName();
    }

    @Test
    void droppedConnectionsAreResumedAndTheBytesAreExactlyTheFile() throws Exception {
        byte[] expected = Files.readAllBytes(snapshot);
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        try (CuttingProxy proxy = new CuttingProxy(server.address(), 100_000, 2);
             Progress progress = new Progress("import", new PrintStream(report, true), false, Long.MAX_VALUE,
                     System::nanoTime)) {
            byte[] got;
            int reconnections;
            try (InputStream in = SnapshotSource.open(proxy.uri() + path(), progress, FAST)) {
                got = in.readAllBytes();
                reconnections = ((ResumableHttpInputStream) in).reconnections();
            }
            assertEquals(2, proxy.cuts(), "the proxy dropped the download twice");
            assertEquals(2, reconnections);
            assertEquals(3, proxy.connections());
            assertEquals(expected.length, got.length);
            assertEquals(sha256(expected), sha256(got));
            assertEquals(expected.length, progress.bytes(), "progress counts each byte once");
            String text = report.toString();
            assertTrue(text.contains("connection lost at byte"), text);
            assertTrue(text.contains("resuming, attempt 1 of 3"), text);
        }
    }

    @Test
    void theLatestPointerIsResumedAtTheFileItLedTo() throws Exception {
        byte[] expected = Files.readAllBytes(snapshot);
        try (CuttingProxy proxy = new CuttingProxy(server.address(), 50_000, 1)) {
            // a newer snapshot appears while downloading: the resumed download must not switch to it
            proxy.onCut(n -> write(13));
            try (ResumableHttpInputStream in = (ResumableHttpInputStream) SnapshotSource.open(
                    proxy.uri() + "/latest/" + ROLLUP.toBase58() + "/archive", null, FAST)) {
                assertEquals(path(), in.resolvedUri().getPath());
                assertArrayEquals(expected, in.readAllBytes());
                assertEquals(1, in.reconnections());
            }
        }
    }

    @Test
    void aFileChangedDuringTheDownloadIsRefused() throws Exception {
        try (CuttingProxy proxy = new CuttingProxy(server.address(), 100_000, 1)) {
            proxy.onCut(n -> {
                try {
                    Files.write(snapshot, TestSnapshots.bytes(
                            io.flotilla.snapshot.SnapshotHeader.of(HistoryMode.ARCHIVE, ROLLUP, 12,
                                    TestSnapshots.commitment(99)), Compression.ZSTD, 500_000));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try (InputStream in = SnapshotSource.open(proxy.uri() + path(), null, FAST)) {
                IOException e = assertThrows(IOException.class, in::readAllBytes);
                assertInstanceOf(ResumableHttpInputStream.ChangedException.class, e);
                assertTrue(e.getMessage().contains("changed during the download"), e.getMessage());
            }
        }
    }

    @Test
    void retriesInARowAreBounded() throws Exception {
        try (CuttingProxy proxy = new CuttingProxy(server.address(), 20_000, 1)) {
            // from the first drop on, the server is gone: every retry fails to connect
            proxy.onCut(n -> server.close());
            try (InputStream in = SnapshotSource.open(proxy.uri() + path(), null, FAST)) {
                IOException e = assertThrows(IOException.class, in::readAllBytes);
                assertTrue(e.getMessage().contains("after 3 retries"), e.getMessage());
            }
            // the first connection and 3 attempts; HttpURLConnection may retry a failed GET once by itself
            assertTrue(proxy.connections() >= 4 && proxy.connections() <= 7, "connections: " + proxy.connections());
        }
    }

    @Test
    void resumesInAllAreBounded() throws Exception {
        // every connection breaks after 20 kB: progress each time, but the link never carries the whole file
        try (CuttingProxy proxy = new CuttingProxy(server.address(), 20_000, Integer.MAX_VALUE)) {
            try (InputStream in = SnapshotSource.open(proxy.uri() + path(), null, FAST)) {
                IOException e = assertThrows(IOException.class, in::readAllBytes);
                assertTrue(e.getMessage().contains("giving up after 5 resumes"), e.getMessage());
            }
            assertEquals(6, proxy.connections());
        }
    }

    @Test
    void wrongUrlsAndFilesGiveClearErrors() throws Exception {
        IOException e = assertThrows(IOException.class,
                () -> SnapshotSource.open(server.uri() + "/snapshots/snapshot-nothing-1.archive", null, FAST));
        assertTrue(e.getMessage().contains("HTTP 404") && e.getMessage().contains("no snapshot"), e.getMessage());
        assertThrows(NoSuchFileException.class, () -> SnapshotSource.open(dir.resolve("missing").toString()));
        IOException d = assertThrows(IOException.class, () -> SnapshotSource.open(dir.toString()));
        assertTrue(d.getMessage().contains("is a directory"));
        try (InputStream in = SnapshotSource.open(snapshot.toString())) {
            assertArrayEquals(Files.readAllBytes(snapshot), in.readAllBytes());
        }
    }

    private void write(int level) {
        try {
            TestSnapshots.write(dir, ROLLUP, level, HistoryMode.ARCHIVE, Compression.ZSTD, 1000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
