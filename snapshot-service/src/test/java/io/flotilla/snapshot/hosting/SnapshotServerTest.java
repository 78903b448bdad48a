package io.flotilla.snapshot.hosting;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.pvm.encoding.RollupAddress;
import io.flotilla.snapshot.Compression;
import io.flotilla.snapshot.HistoryMode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hosting server through real HTTP: index, checksums, latest, ranges, conditional requests, bad paths. */
class SnapshotServerTest {

    static final RollupAddress A = TestSnapshots.rollup(1);
    static final RollupAddress B = TestSnapshots.rollup(2);

    @TempDir
    Path root;
    /** The served directory; {@code root} also holds a file that must stay out of reach. */
    Path dir;
    SnapshotServer server;
    HttpClient http;
    Path a10;
    Path a30;
    Path a20full;
    Path b5;
    ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws IOException {
        dir = Files.createDirectory(root.resolve("served"));
        a10 = TestSnapshots.write(dir, A, 10, HistoryMode.ARCHIVE, Compression.ZSTD, 200_000);
        a30 = TestSnapshots.write(dir, A, 30, HistoryMode.ARCHIVE, Compression.GZIP, 150_000);
        a20full = TestSnapshots.write(dir, A, 20, HistoryMode.FULL, Compression.ZSTD, 10_000);
        b5 = TestSnapshots.write(dir, B, 5, HistoryMode.ARCHIVE, Compression.NONE, 5_000);
        Files.writeString(dir.resolve("notes.txt"), "not a snapshot");
        Files.write(dir.resolve(".snapshot-being-written.partial"), Files.readAllBytes(b5));
        SnapshotCatalog catalog = new SnapshotCatalog(dir, new SnapshotFileInspector(), new PrintStream(log, true));
        server = new SnapshotServer(catalog, new InetSocketAddress("127.0.0.1", 0), null, new PrintStream(log, true));
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(server.uri().resolve(path)).timeout(Duration.ofSeconds(60));
        if (headers.length > 0) {
            r.headers(headers);
        }
        return http.send(r.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static String name(Path p) {
        return p.getFileName().toString();
    }

    @Test
    void indexListsEverySnapshotWithItsFacts() throws Exception {
        HttpResponse<byte[]> r = get("/index.json");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        JsonNode list = new ObjectMapper().readTree(r.body()).get("snapshots");
        assertEquals(4, list.size(), "the four snapshots, not notes.txt nor the partial file");
        Map<String, JsonNode> byFile = new HashMap<>();
        list.forEach(n -> byFile.put(n.get("file").asText(), n));
        JsonNode n = byFile.get(name(a30));
        assertEquals(A.toBase58(), n.get("rollup_address").asText());
        assertEquals(30, n.get("level").asInt());
        assertEquals("archive", n.get("history_mode").asText());
        assertEquals(TestSnapshots.commitment(30).toBase58(), n.get("last_commitment").asText());
        assertEquals(TestSnapshots.commitment(15).toBase58(), n.get("last_cemented_commitment").asText());
        assertEquals(15, n.get("last_cemented_level").asInt());
        assertEquals(server.uri() + "/snapshots/" + name(a30), n.get("url").asText());
        assertEquals(sha256(Files.readAllBytes(a30)), n.get("sha256").asText());
        assertEquals(Files.size(a30), n.get("size").asLong());
        assertEquals("gzip", n.get("compression").asText());
        assertEquals(0, n.get("format_version").asInt());
        assertEquals("2026-11-04T12:00:00Z", n.get("created").asText());
        assertEquals("zstd", byFile.get(name(a10)).get("compression").asText());
        assertEquals("none", byFile.get(name(b5)).get("compression").asText());
        assertEquals("full", byFile.get(name(a20full)).get("history_mode").asText());
        // newest first within a rollup and mode
        List<String> order = new java.util.ArrayList<>();
        list.forEach(x -> order.add(x.get("file").asText()));
        assertTrue(order.indexOf(name(a30)) < order.indexOf(name(a10)), order.toString());
        assertEquals(r.statusCode(), get("/").statusCode());
        assertTrue(log.toString().contains("not serving notes.txt"), log.toString());
    }

    @Test
    void checksumFilesAreTheFilesSha256() throws Exception {
        for (Path p : List.of(a10, a30, b5)) {
            HttpResponse<byte[]> file = get("/snapshots/" + name(p));
            assertEquals(200, file.statusCode());
            assertArrayEquals(Files.readAllBytes(p), file.body());
            HttpResponse<byte[]> sum = get("/snapshots/" + name(p) + ".sha256");
            assertEquals(200, sum.statusCode());
            String line = new String(sum.body(), StandardCharsets.UTF_8);
            assertEquals(sha256(file.body()) + "  " + name(p) + "\n", line, "sha256sum format");
            // written beside the file, so `sha256sum -c` works on a mirror of the directory
            assertEquals(line, Files.readString(dir.resolve(name(p) + ".sha256")));
            assertEquals('"' + sha256(file.body()) + '"', file.headers().firstValue("ETag").orElseThrow());
        }
        assertEquals(404, get("/snapshots/notes.txt").statusCode());
        assertEquals(404, get("/snapshots/notes.txt.sha256").statusCode());
        assertEquals(404, get("/snapshots/.snapshot-being-written.partial").statusCode());
    }

    @Test
    void latestRedirectsToTheNewestImmutableFile() throws Exception {
        HttpResponse<byte[]> r = get("/latest/" + A.toBase58() + "/archive");
        assertEquals(302, r.statusCode());
        assertEquals("/snapshots/" + name(a30), r.headers().firstValue("Location").orElseThrow());
        assertEquals("no-cache", r.headers().firstValue("Cache-Control").orElseThrow());
        assertEquals("/snapshots/" + name(a20full),
                get("/latest/" + A.toBase58() + "/full").headers().firstValue("Location").orElseThrow());
        assertEquals("/snapshots/" + name(a30) + ".sha256",
                get("/latest/" + A.toBase58() + "/archive.sha256").headers().firstValue("Location").orElseThrow());
        HttpClient following = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpResponse<byte[]> followed = following.send(HttpRequest.newBuilder(server.uri().resolve(
                "/latest/" + A.toBase58() + "/archive")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertArrayEquals(Files.readAllBytes(a30), followed.body());
        // a newer export moves the pointer
        Path a40 = TestSnapshots.write(dir, A, 40, HistoryMode.ARCHIVE, Compression.ZSTD, 1000);
        assertEquals("/snapshots/" + name(a40),
                get("/latest/" + A.toBase58() + "/archive").headers().firstValue("Location").orElseThrow());
        assertEquals(404, get("/latest/" + B.toBase58() + "/full").statusCode());
        HttpResponse<byte[]> badMode = get("/latest/" + A.toBase58() + "/rolling");
        assertEquals(404, badMode.statusCode());
        assertTrue(new String(badMode.body()).contains("archive or full"));
    }

    @Test
    void byteRanges() throws Exception {
        byte[] all = Files.readAllBytes(a10);
        int size = all.length;
        String path = "/snapshots/" + name(a10);

        HttpResponse<byte[]> first = get(path, "Range", "bytes=0-99");
        assertEquals(206, first.statusCode());
        assertEquals("bytes 0-99/" + size, first.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(all, 0, 100), first.body());

        HttpResponse<byte[]> open = get(path, "Range", "bytes=1000-");
        assertEquals(206, open.statusCode());
        assertArrayEquals(Arrays.copyOfRange(all, 1000, size), open.body());

        HttpResponse<byte[]> suffix = get(path, "Range", "bytes=-500");
        assertEquals(206, suffix.statusCode());
        assertEquals("bytes " + (size - 500) + "-" + (size - 1) + "/" + size,
                suffix.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(all, size - 500, size), suffix.body());

        HttpResponse<byte[]> longSuffix = get(path, "Range", "bytes=-" + (size * 2));
        assertEquals(206, longSuffix.statusCode());
        assertArrayEquals(all, longSuffix.body());

        HttpResponse<byte[]> clipped = get(path, "Range", "bytes=" + (size - 10) + "-" + (size + 1000));
        assertEquals(206, clipped.statusCode());
        assertArrayEquals(Arrays.copyOfRange(all, size - 10, size), clipped.body());

        for (String bad : List.of("bytes=" + size + "-", "bytes=" + (size + 5) + "-" + (size + 9), "bytes=9-3",
                "bytes=abc", "bytes=-0", "bytes=1-2-3", "bytes=")) {
            HttpResponse<byte[]> r = get(path, "Range", bad);
            assertEquals(416, r.statusCode(), bad);
            assertEquals("bytes */" + size, r.headers().firstValue("Content-Range").orElseThrow(), bad);
        }
        // an unknown unit is ignored: the whole file
        HttpResponse<byte[]> items = get(path, "Range", "items=0-5");
        assertEquals(200, items.statusCode());
        assertArrayEquals(all, items.body());

        // two ranges: multipart/byteranges with both parts
        HttpResponse<byte[]> multi = get(path, "Range", "bytes=0-9, -5");
        assertEquals(206, multi.statusCode());
        String type = multi.headers().firstValue("Content-Type").orElseThrow();
        assertTrue(type.startsWith("multipart/byteranges; boundary="), type);
        String body = new String(multi.body(), StandardCharsets.ISO_8859_1);
        assertTrue(body.contains("Content-Range: bytes 0-9/" + size), body);
        assertTrue(body.contains("Content-Range: bytes " + (size - 5) + "-" + (size - 1) + "/" + size));
        assertTrue(body.contains(new String(Arrays.copyOfRange(all, 0, 10), StandardCharsets.ISO_8859_1)));
        assertTrue(body.endsWith("--" + type.substring(type.indexOf('=') + 1) + "--\r\n"));
    }

    @Test
    void etagsAndConditionalRequests() throws Exception {
        String path = "/snapshots/" + name(a10);
        HttpResponse<byte[]> whole = get(path);
        String etag = whole.headers().firstValue("ETag").orElseThrow();
        String modified = whole.headers().firstValue("Last-Modified").orElseThrow();
        assertEquals("bytes", whole.headers().firstValue("Accept-Ranges").orElseThrow());
        assertTrue(whole.headers().firstValue("Cache-Control").orElseThrow().contains("immutable"));

        HttpResponse<byte[]> notModified = get(path, "If-None-Match", etag);
        assertEquals(304, notModified.statusCode());
        assertEquals(0, notModified.body().length);
        assertEquals(etag, notModified.headers().firstValue("ETag").orElseThrow());
        assertEquals(304, get(path, "If-None-Match", "\"other\", W/" + etag).statusCode(), "weak comparison");
        assertEquals(304, get(path, "If-None-Match", "*").statusCode());
        assertEquals(200, get(path, "If-None-Match", "\"other\"").statusCode());
        assertEquals(304, get(path, "If-Modified-Since", modified).statusCode());
        assertEquals(200, get(path, "If-None-Match", "\"other\"", "If-Modified-Since", modified).statusCode(),
                "If-None-Match wins over If-Modified-Since");

        assertEquals(200, get(path, "If-Match", etag).statusCode());
        assertEquals(412, get(path, "If-Match", "\"other\"").statusCode());

        // If-Range: the range only while the file is the one the client started with
        HttpResponse<byte[]> same = get(path, "Range", "bytes=100-199", "If-Range", etag);
        assertEquals(206, same.statusCode());
        assertEquals(100, same.body().length);
        HttpResponse<byte[]> changed = get(path, "Range", "bytes=100-199", "If-Range", "\"an-older-file\"");
        assertEquals(200, changed.statusCode());
        assertArrayEquals(whole.body(), changed.body());
        assertEquals(206, get(path, "Range", "bytes=100-199", "If-Range", modified).statusCode());
        assertEquals(200, get(path, "Range", "bytes=100-199", "If-Range", "W/" + etag).statusCode(),
                "a weak validator never matches If-Range");

        HttpResponse<byte[]> index = get("/index.json");
        String indexTag = index.headers().firstValue("ETag").orElseThrow();
        assertEquals(304, get("/index.json", "If-None-Match", indexTag).statusCode());
        TestSnapshots.write(dir, B, 6, HistoryMode.ARCHIVE, Compression.ZSTD, 100);
        assertEquals(200, get("/index.json", "If-None-Match", indexTag).statusCode(), "a new snapshot changes the index");
    }

    @Test
    void headAndMethods() throws Exception {
        HttpResponse<Void> head = http.send(HttpRequest.newBuilder(server.uri().resolve("/snapshots/" + name(b5)))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(200, head.statusCode());
        assertEquals(Files.size(b5), head.headers().firstValueAsLong("Content-Length").orElseThrow());
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(server.uri().resolve("/snapshots/" + name(b5)))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElseThrow());
        assertTrue(Files.exists(b5));
    }

    /** Sends a raw request line, so no client library normalises the path first. */
    String raw(String target) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 30_000);
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void pathsLeavingTheDirectoryAreRefused() throws Exception {
        Files.writeString(root.resolve("secret.txt"), "secret");
        Map<String, String> cases = Map.of(
                "/snapshots/../secret.txt", "'..' segments",
                "/snapshots/%2e%2e/secret.txt", "'..' segments",
                "/snapshots/..%2Fsecret.txt", "encoded slashes",
                "/snapshots/..%5csecret.txt", "encoded slashes",
                "//etc/passwd", "empty segment",
                "/snapshots//etc/passwd", "empty segment",
                "/snapshots/%00" + name(b5), "control character");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            String response = raw(c.getKey());
            assertTrue(response.startsWith("HTTP/1.1 400"), c.getKey() + " -> " + response);
            assertTrue(response.contains("bad request path") && response.contains(c.getValue()),
                    c.getKey() + " -> " + response);
            assertFalse(response.contains("secret\n") || response.contains("root:"), c.getKey());
        }
        // a raw backslash is not even a valid URI: the HTTP layer answers 400 before routing
        assertTrue(raw("/snapshots/..\\secret.txt").startsWith("HTTP/1.1 400"));
        assertTrue(raw("/snapshots/%zz").startsWith("HTTP/1.1 400"));
        assertTrue(raw("/snapshots/secret.txt").startsWith("HTTP/1.1 404"));
        assertTrue(raw("/snapshots/" + name(b5)).startsWith("HTTP/1.1 200"));
        assertTrue(raw("/elsewhere").startsWith("HTTP/1.1 404"));
    }

    @Test
    void segmentsParser() {
        assertEquals(List.of(), SnapshotServer.segments("/"));
        assertEquals(List.of("snapshots", "a b+c"), SnapshotServer.segments("/snapshots/a%20b+c"));
        assertEquals(List.of("latest", "x"), SnapshotServer.segments("/latest/x/"));
        SnapshotServer.RangeRequest r = SnapshotServer.parseRange("bytes=0-0,-1", 10);
        assertEquals(List.of(new SnapshotServer.Range(0, 0), new SnapshotServer.Range(9, 9)), r.ranges());
        assertTrue(SnapshotServer.parseRange("bytes=-1", 0).unsatisfiable(), "nothing to serve of an empty file");
        assertNull(SnapshotServer.parseRange(null, 10).ranges());
        assertTrue(SnapshotServer.parseRange("bytes=" + "0-0,".repeat(40) + "0-0", 10).unsatisfiable());
    }
}
