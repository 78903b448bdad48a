package io.flotilla.pvm.reveal;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reveal channel's sources: the local directory, then a real HTTP pre-images endpoint on loopback. */
class PreimageSourcesTest {

    @TempDir
    Path dir;

    HttpServer server;
    final Map<String, byte[]> served = new ConcurrentHashMap<>();
    final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            requests.incrementAndGet();
            String name = ex.getRequestURI().getPath().substring(ex.getRequestURI().getPath().lastIndexOf('/') + 1);
            byte[] body = served.get(name);
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
            } else {
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/preimages");
    }

    @Test
    void directoryFindsPreimagesByHashAndIgnoresMismatches() throws Exception {
        PreimageDirectory d = new PreimageDirectory(dir.resolve("wasm_2_0_0"));
        byte[] data = "some preimage".getBytes(StandardCharsets.UTF_8);
        byte[] hash = d.store(data);
        assertEquals(33, hash.length);
        assertEquals(0, hash[0]);
        assertArrayEquals(data, d.find(hash).orElseThrow());
        assertTrue(Files.exists(dir.resolve("wasm_2_0_0").resolve(RevealHash.fileName(hash))));

        // a file whose content does not hash to its name is never revealed
        byte[] other = RevealHash.of("other".getBytes(StandardCharsets.UTF_8));
        Files.write(dir.resolve("wasm_2_0_0").resolve(RevealHash.fileName(other)), "tampered".getBytes(StandardCharsets.UTF_8));
        assertTrue(d.find(other).isEmpty());
        assertTrue(d.find(new byte[32]).isEmpty(), "a 32-byte hash is not a reveal hash");
    }

    @Test
    void httpEndpointIsCheckedAndCachedLocally() {
        byte[] data = "from the endpoint".getBytes(StandardCharsets.UTF_8);
        byte[] hash = RevealHash.of(data);
        served.put(RevealHash.fileName(hash), data);
        PreimageDirectory cache = new PreimageDirectory(dir.resolve("cache"));
        PreimageSource chain = new ChainedPreimageSource(List.of(cache,
                new HttpPreimageSource(endpoint(), cache, Duration.ofSeconds(5))));

        assertArrayEquals(data, chain.find(hash).orElseThrow());
        assertEquals(1, requests.get());
        // second time from the local cache, without asking the endpoint
        assertArrayEquals(data, chain.find(hash).orElseThrow());
        assertEquals(1, requests.get());
    }

    @Test
    void httpAnswerWithTheWrongContentIsRefused() {
        byte[] hash = RevealHash.of("the real one".getBytes(StandardCharsets.UTF_8));
        served.put(RevealHash.fileName(hash), "an impostor".getBytes(StandardCharsets.UTF_8));
        PreimageDirectory cache = new PreimageDirectory(dir.resolve("cache"));
        var http = new HttpPreimageSource(endpoint(), cache, Duration.ofSeconds(5));
        assertTrue(http.find(hash).isEmpty());
        assertTrue(cache.find(hash).isEmpty(), "nothing wrong is cached");
    }

    @Test
    void missingPreimageIsEmptyAndUnreachableEndpointIsAnError() {
        byte[] hash = RevealHash.of("nobody has this".getBytes(StandardCharsets.UTF_8));
        var http = new HttpPreimageSource(endpoint(), null, Duration.ofSeconds(5));
        assertTrue(http.find(hash).isEmpty());
        server.stop(0);
        var down = new HttpPreimageSource(endpoint(), null, Duration.ofSeconds(2));
        RevealUnavailableException e = assertThrows(RevealUnavailableException.class, () -> down.find(hash));
        assertTrue(e.getMessage().contains("unreachable"), e.getMessage());
    }
}
