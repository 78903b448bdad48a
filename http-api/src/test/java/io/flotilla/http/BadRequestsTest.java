package io.flotilla.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.japi.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A table of bad requests: each gets a 4xx JSON error {"error", "kind"}, never a 5xx. And the admin guard. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BadRequestsTest {
    static final ObjectMapper M = new ObjectMapper();
    static final String A = InMemoryRollupQueries.address(1);
    static final String OTHER = InMemoryRollupQueries.address(77);

    ActorSystem<Void> system;
    InMemoryRollupQueries queries;
    FlotillaHttpServer server;
    String base;
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void start() throws Exception {
        system = ActorSystem.create(Behaviors.empty(), "http-bad-requests");
        queries = new InMemoryRollupQueries();
        queries.addRollup(A, 30, "observer");
        server = new FlotillaHttpServer(system, queries,
                FlotillaHttpServer.Settings.defaults().withAddress("127.0.0.1", 0).withMaxBodyBytes(64 * 1024));
        InetSocketAddress sa = server.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + sa.getPort();
    }

    @AfterAll
    void stop() throws Exception {
        server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static final String D = "/global/block/head/durable/wasm_2_0_0/";

    static Stream<Arguments> badRequests() {
        String longKey = "/" + "a".repeat(241);
        String hugeHex = "\"" + "00".repeat(4097) + "\"";
        return Stream.of(
                // method, path, body, status, kind (null: any)
                Arguments.of("GET", "/nonsense", null, 404, "not_found"),
                Arguments.of("GET", "/global", null, 404, "not_found"),
                Arguments.of("GET", "/global/block", null, 404, "not_found"),
                Arguments.of("GET", "/global/block/head/nonsense", null, 404, "not_found"),
                Arguments.of("GET", "/global/block/head/durable/arith/value?key=/a", null, 404, "not_found"),
                Arguments.of("GET", "/rollups/" + OTHER + "/global/block/head", null, 404, "unknown_rollup"),
                Arguments.of("GET", "/rollups/" + OTHER + "/nonsense", null, 404, "unknown_rollup"),
                Arguments.of("GET", "/rollups/tz1notarollup/global/block/head", null, 400, "invalid_rollup_address"),
                Arguments.of("GET", "/global/block/tail", null, 400, "invalid_block_id"),
                Arguments.of("GET", "/global/block/-1", null, 400, "invalid_block_id"),
                Arguments.of("GET", "/global/block/1.5/level", null, 400, "invalid_block_id"),
                Arguments.of("GET", "/global/block/99999999999", null, 400, "invalid_block_id"),
                Arguments.of("GET", "/global/block/BLockhashthatisnotvalid", null, 400, "invalid_block_id"),
                Arguments.of("GET", "/global/block/1000", null, 404, "block_not_found"),
                Arguments.of("GET", "/global/block/3/level", null, 404, "block_not_found"),
                Arguments.of("GET", "/global/block/BLockGenesisGenesisGenesisGenesisGenesisf79b5d1CoW2/level", null, 404,
                        "block_not_found"),
                Arguments.of("GET", D + "value?key=nokey", null, 400, "invalid_key"),
                Arguments.of("GET", D + "value?key=/a//b", null, 400, "invalid_key"),
                Arguments.of("GET", D + "value?key=/a/b%20c", null, 400, "invalid_key"),
                Arguments.of("GET", D + "value?key=/caf%C3%A9", null, 400, "invalid_key"),
                Arguments.of("GET", D + "subkeys?key=/a/", null, 400, "invalid_key"),
                Arguments.of("GET", D + "values?key=" + longKey, null, 400, "invalid_key"),
                Arguments.of("GET", D + "length?key=/a%00b", null, 400, "invalid_key"),
                Arguments.of("GET", D + "value?key=/missing", null, 404, "key_not_found"),
                Arguments.of("GET", "/global/block/head/outbox/abc/messages", null, 400, "invalid_outbox_level"),
                Arguments.of("GET", "/global/block/head/outbox/-3/messages", null, 400, "invalid_outbox_level"),
                Arguments.of("GET", "/global/block/20/outbox/25/messages", null, 400, "invalid_outbox_level"),
                Arguments.of("GET", "/global/block/head/outbox", null, 400, "missing_parameter"),
                Arguments.of("GET", "/global/block/head/outbox?outbox_level=x", null, 400, "invalid_outbox_level"),
                Arguments.of("GET", "/global/block/head/helpers/proofs/outbox/30/messages", null, 400,
                        "missing_parameter"),
                Arguments.of("GET", "/global/block/head/helpers/proofs/outbox/30/messages?index=-1", null, 400,
                        "invalid_index"),
                Arguments.of("GET", "/global/block/head?outbox=maybe", null, 400, "invalid_parameter"),
                Arguments.of("GET", "/local/commitments/src1nothash", null, 400, "invalid_commitment_hash"),
                Arguments.of("GET", "/local/commitments/" + "zz".repeat(32), null, 400, "invalid_commitment_hash"),
                Arguments.of("GET", "/local/outbox/pending?outbox_level=ten", null, 400, "invalid_outbox_level"),
                Arguments.of("GET", "/local/batcher/injection", null, 405, "method_not_allowed"),
                Arguments.of("DELETE", "/global/block/head", null, 405, "method_not_allowed"),
                Arguments.of("POST", "/global/tezos_head", "{}", 405, "method_not_allowed"),
                Arguments.of("POST", "/local/batcher/injection", "not json", 400, "invalid_json"),
                Arguments.of("POST", "/local/batcher/injection", "", 400, "invalid_body"),
                Arguments.of("POST", "/local/batcher/injection", "{\"messages\": []}", 400, "invalid_body"),
                Arguments.of("POST", "/local/batcher/injection", "[1, 2]", 400, "invalid_body"),
                Arguments.of("POST", "/local/batcher/injection", "[\"0g\"]", 400, "invalid_hex"),
                Arguments.of("POST", "/local/batcher/injection", "[\"abc\"]", 400, "invalid_hex"),
                Arguments.of("POST", "/local/batcher/injection", "[" + hugeHex + "]", 400, "message_too_large"),
                Arguments.of("POST", "/local/batcher/injection", "[\"" + "00".repeat(40_000) + "\"]", 413,
                        "payload_too_large"),
                Arguments.of("POST", "/local/batcher/injection", "[\"00\"]", 403, "batcher_disabled"),
                Arguments.of("GET", "/rollups/" + A + "/admin/cancel_gc", null, 405, "method_not_allowed"));
    }

    @ParameterizedTest(name = "{0} {1} -> {3}")
    @MethodSource("badRequests")
    void badRequestGetsJson4xx(String method, String path, String body, int status, String kind) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(status, r.statusCode(), method + " " + path + " -> " + r.body());
        assertEquals("application/json", r.headers().firstValue("content-type").orElse(""), r.body());
        JsonNode e = M.readTree(r.body());
        assertTrue(e.get("error").isTextual() && !e.get("error").asText().isBlank(), r.body());
        assertEquals(kind, e.get("kind").asText(), r.body());
    }

    /** Requests java.net.http will not send: raw bytes on a socket. Still 4xx, never 5xx. */
    @Test
    void malformedRawRequests() throws Exception {
        for (String raw : new String[] {
            "GET /global/block/%zz HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /global/block/head/durable/wasm_2_0_0/value?key=%ZZ HTTP/1.1\r\nHost: x\r\n\r\n",
            "POST /local/batcher/injection HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n[]",
            "GET /global/block/head HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
            "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
        }) {
            String[] response = rawResponse(raw);
            int status = Integer.parseInt(response[0]);
            assertTrue(status >= 400 && status < 500, raw + " -> " + status);
            assertTrue(response[1].contains("\"kind\""), raw + " -> " + response[1]);
        }
    }

    /** Status and body (up to the first 2 KB) of a raw request; the server closes after a parse error. */
    private String[] rawResponse(String raw) throws Exception {
        URI u = URI.create(base);
        try (Socket s = new Socket(u.getHost(), u.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = in.readNBytes(2048);
            String text = new String(buf, StandardCharsets.ISO_8859_1);
            String[] parts = text.split(" ", 3);
            int bodyAt = text.indexOf("\r\n\r\n");
            return new String[] {parts[1], bodyAt < 0 ? "" : text.substring(bodyAt + 4)};
        }
    }

    // ------------------------------------------------------------ admin guard with forged remote addresses

    private int adminStatus(RemoteAddress remote, boolean withAttribute, String forwardedFor) throws Exception {
        Function<org.apache.pekko.http.javadsl.model.HttpRequest,
                java.util.concurrent.CompletionStage<org.apache.pekko.http.javadsl.model.HttpResponse>> handler =
                        server.route().handler(system);
        org.apache.pekko.http.javadsl.model.HttpRequest req = org.apache.pekko.http.javadsl.model.HttpRequest
                .create("/admin/cancel_gc").withMethod(HttpMethods.POST);
        if (withAttribute) {
            req = req.addAttribute(AttributeKeys.remoteAddress, remote);
        }
        if (forwardedFor != null) {
            req = req.addHeader(RawHeader.create("X-Forwarded-For", forwardedFor));
        }
        org.apache.pekko.http.javadsl.model.HttpResponse resp = handler.apply(req).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        if (resp.status().intValue() == 403) {
            String body = resp.entity().toStrict(5000, org.apache.pekko.stream.Materializer.createMaterializer(system))
                    .toCompletableFuture().get(5, TimeUnit.SECONDS).getData().utf8String();
            assertEquals("forbidden", M.readTree(body).get("kind").asText());
        }
        return resp.status().intValue();
    }

    @Test
    void adminRefusesNonLoopbackRemotes() throws Exception {
        RemoteAddress outside = RemoteAddress.create(new InetSocketAddress(InetAddress.getByName("203.0.113.7"), 40000));
        RemoteAddress lan = RemoteAddress.create(new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 40000));
        RemoteAddress v6 = RemoteAddress.create(new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 40000));
        RemoteAddress loop4 = RemoteAddress.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 40000));
        RemoteAddress loop6 = RemoteAddress.create(new InetSocketAddress(InetAddress.getByName("::1"), 40000));
        assertEquals(403, adminStatus(outside, true, null));
        assertEquals(403, adminStatus(lan, true, null));
        assertEquals(403, adminStatus(v6, true, null));
        // a header claiming loopback does not help a remote client
        assertEquals(403, adminStatus(outside, true, "127.0.0.1"));
        // no connection address at all: refused (fail closed)
        assertEquals(403, adminStatus(null, false, "127.0.0.1"));
        assertEquals(200, adminStatus(loop4, true, null));
        assertEquals(200, adminStatus(loop6, true, "203.0.113.7"));
        assertTrue(FlotillaRoutes.isLoopback(org.apache.pekko.http.javadsl.model.HttpRequest.create("/")
                .addAttribute(AttributeKeys.remoteAddress, loop4)));
    }
}
