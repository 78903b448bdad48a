package io.flotilla.http;

import static io.flotilla.http.InMemoryRollupQueries.h;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.pvm.crypto.Blake2b;
import io.flotilla.pvm.encoding.Base58Check;
import io.flotilla.pvm.encoding.Base58Check.Prefix;
import io.flotilla.pvm.util.Hex;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** The API over a real server on an ephemeral loopback port, read with java.net.http. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpApiTest {
    static final ObjectMapper M = new ObjectMapper();

    ActorSystem<Void> system;
    InMemoryRollupQueries single;
    InMemoryRollupQueries multi;
    FlotillaHttpServer singleServer;
    FlotillaHttpServer multiServer;
    String base;
    String multiBase;
    final String a = InMemoryRollupQueries.address(1);
    final String x = InMemoryRollupQueries.address(2);
    final String y = InMemoryRollupQueries.address(3);
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void start() throws Exception {
        system = ActorSystem.create(Behaviors.empty(), "http-api-test");
        single = new InMemoryRollupQueries();
        single.addRollup(a, 30, "operator");
        multi = new InMemoryRollupQueries();
        multi.addRollup(x, 30, "operator");
        multi.addRollup(y, 12, "observer");
        FlotillaHttpServer.Settings s = FlotillaHttpServer.Settings.defaults().withAddress("127.0.0.1", 0)
                .withMaxBodyBytes(64 * 1024);
        singleServer = new FlotillaHttpServer(system, single, s);
        multiServer = new FlotillaHttpServer(system, multi, s);
        InetSocketAddress sa = singleServer.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
        InetSocketAddress ma = multiServer.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + sa.getPort();
        multiBase = "http://127.0.0.1:" + ma.getPort();
    }

    @AfterAll
    void stop() throws Exception {
        singleServer.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        multiServer.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    // ------------------------------------------------------------ helpers

    HttpResponse<String> send(String method, String url, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String url) throws Exception {
        return send("GET", url, null);
    }

    /** GET expecting 200 and application/json. */
    JsonNode json(String url) throws Exception {
        HttpResponse<String> r = get(url);
        assertEquals(200, r.statusCode(), url + " -> " + r.body());
        assertJson(r);
        return M.readTree(r.body());
    }

    static void assertJson(HttpResponse<String> r) {
        assertEquals("application/json", r.headers().firstValue("content-type").orElse(""), r.uri().toString());
    }

    /** Asserts a JSON error with that status and kind. */
    static JsonNode assertError(HttpResponse<String> r, int status, String kind) throws Exception {
        assertEquals(status, r.statusCode(), r.uri() + " -> " + r.body());
        assertJson(r);
        JsonNode e = M.readTree(r.body());
        assertTrue(e.get("error").isTextual() && !e.get("error").asText().isEmpty(), r.body());
        if (kind != null) {
            assertEquals(kind, e.get("kind").asText(), r.body());
        }
        return e;
    }

    String src1(String hex) {
        return Base58Check.encode(Prefix.SMART_ROLLUP_COMMITMENT, Hex.decode(hex));
    }

    String srs1(String hex) {
        return Base58Check.encode(Prefix.SMART_ROLLUP_STATE, Hex.decode(hex));
    }

    String bHash(String hex) {
        return Base58Check.encode(Prefix.BLOCK_HASH, Hex.decode(hex));
    }

    // ------------------------------------------------------------ node-wide

    @Test
    void rollupsListsHeadLccAndStatus() throws Exception {
        JsonNode l = json(multiBase + "/rollups");
        assertEquals(2, l.size());
        assertEquals(x, l.get(0).get("address").asText());
        assertEquals(30, l.get(0).get("head").get("level").asInt());
        assertEquals(srs1(h(x + "state30")), l.get(0).get("head").get("state_hash").asText());
        assertEquals(15, l.get(0).get("lcc").get("level").asInt());
        assertEquals(src1(h(x + "commitment15")), l.get(0).get("lcc").get("commitment_hash").asText());
        assertEquals("running", l.get(0).get("status").asText());
        assertEquals(y, l.get(1).get("address").asText());
        assertEquals("observer", l.get(1).get("mode").asText());
        assertEquals(json(multiBase + "/rollups/"), l);
        assertEquals(l.get(1), json(multiBase + "/rollups/" + y));
        assertEquals(l.get(0), json(multiBase + "/rollups/" + x + "/"));
    }

    @Test
    void healthVersionOpenapi() throws Exception {
        JsonNode health = json(base + "/health");
        assertTrue(health.get("healthy").asBoolean());
        assertFalse(health.get("degraded").asBoolean());
        assertEquals(a, health.get("rollups").get(0).get("address").asText());
        assertEquals(0, health.get("rollups").get(0).get("l1").get("blocks_late").asInt());
        JsonNode rh = json(base + "/rollups/" + a + "/health");
        assertEquals("connected", rh.get("l1").get("connection").asText());
        assertEquals(bHash(h(a + "l130")), rh.get("l1").get("last_seen_head").get("hash").asText());

        JsonNode v = json(base + "/version");
        assertTrue(v.get("version").isTextual());
        assertTrue(v.has("store_version") && v.has("context_version"));

        JsonNode api = json(base + "/openapi");
        assertEquals("3.0.3", api.get("openapi").asText());
        assertTrue(api.get("paths").has("/rollups/{rollup}/global/block/{block_id}/durable/wasm_2_0_0/value"));
        assertTrue(api.get("paths").get("/local/batcher/injection").has("post"));
        assertTrue(api.get("paths").has("/metrics"));
    }

    @Test
    void metricsArePrometheusText() throws Exception {
        get(base + "/global/nonsense");
        json(base + "/version");
        HttpResponse<String> r = get(base + "/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain"), r.headers().toString());
        String t = r.body();
        assertTrue(t.contains("flotilla_rollups 1\n"), t);
        assertTrue(t.contains("# TYPE flotilla_http_requests_total counter"), t);
        assertTrue(t.contains("flotilla_http_requests_total{method=\"GET\",code=\"200\"}"), t);
        assertTrue(t.contains("flotilla_http_errors_total{method=\"GET\",code=\"404\"}"), t);
        assertTrue(t.contains("flotilla_http_request_duration_seconds_bucket{le=\"+Inf\"}"), t);
        assertTrue(t.contains("flotilla_http_request_duration_seconds_count"), t);
    }

    // ------------------------------------------------------------ /global

    @Test
    void globalEndpoints() throws Exception {
        assertEquals(a, json(base + "/global/smart_rollup_address").asText());
        assertEquals(bHash(h(a + "l130")), json(base + "/global/tezos_head").asText());
        assertEquals(30, json(base + "/global/tezos_level").asInt());

        JsonNode stored = json(base + "/global/last_stored_commitment");
        assertEquals(src1(h(a + "commitment25")), stored.get("hash").asText());
        JsonNode c = stored.get("commitment");
        assertEquals(srs1(h(a + "state25")), c.get("compressed_state").asText());
        assertEquals(25, c.get("inbox_level").asInt());
        assertEquals(src1(h(a + "commitment15")), c.get("predecessor").asText());
        assertTrue(c.get("number_of_ticks").isTextual(), "int64 as string");
        assertEquals(Long.toString(1_000_000_000_025L), c.get("number_of_ticks").asText());

        JsonNode lcc = json(base + "/global/last_cemented_commitment");
        assertEquals(src1(h(a + "commitment15")), lcc.get("commitment_hash").asText());
        assertEquals(15, lcc.get("level").asInt());
        assertEquals(15, lcc.get("commitment").get("inbox_level").asInt());
    }

    @Test
    void blockIdsResolve() throws Exception {
        assertEquals(30, json(base + "/global/block/head/level").asInt());
        assertEquals(28, json(base + "/global/block/finalized/level").asInt());
        assertEquals(15, json(base + "/global/block/cemented/level").asInt());
        assertEquals(12, json(base + "/global/block/12/level").asInt());
        assertEquals(17, json(base + "/global/block/" + bHash(h(a + "l117")) + "/level").asInt());
        // finalized is clamped to the origination level
        assertEquals(5, json(multiBase + "/rollups/" + x + "/global/block/5/level").asInt());
        assertEquals(10, json(multiBase + "/rollups/" + y + "/global/block/finalized/level").asInt());
    }

    @Test
    void finalizedClampsAtOrigination() throws Exception {
        InMemoryRollupQueries q = new InMemoryRollupQueries();
        String z = InMemoryRollupQueries.address(9);
        q.addRollup(z, 6, "observer");
        try (FlotillaHttpServer s = new FlotillaHttpServer(system, q,
                FlotillaHttpServer.Settings.defaults().withAddress("127.0.0.1", 0))) {
            int port = s.start().toCompletableFuture().get(10, TimeUnit.SECONDS).getPort();
            assertEquals(5, json("http://127.0.0.1:" + port + "/global/block/finalized/level").asInt());
        }
    }

    @Test
    void fullBlockAndItsFields() throws Exception {
        JsonNode b = json(base + "/global/block/25");
        assertEquals(bHash(h(a + "l125")), b.get("block_hash").asText());
        assertEquals(25, b.get("level").asInt());
        assertEquals(src1(h(a + "commitment25")), b.get("commitment_hash").asText());
        assertEquals(Base58Check.encode(Prefix.SMART_ROLLUP_INBOX, Hex.decode(h(a + "inbox25"))),
                b.get("inbox_hash").asText());
        assertEquals(srs1(h(a + "state25")), b.get("state_hash").asText());
        assertEquals("1000000000025", b.get("num_ticks").asText());
        assertTrue(b.get("initial_tick").isTextual() && b.get("total_ticks").isTextual());
        assertEquals(b.get("total_ticks").asLong() - 1000000000025L, b.get("initial_tick").asLong());
        assertEquals(3, b.get("messages").size());
        assertEquals("0001", b.get("messages").get(0).asText());
        assertEquals("Waiting for input message", b.get("pvm_status").asText());
        assertEquals(1, b.get("kernel_runs").asInt());
        assertFalse(b.has("outbox"));
        assertTrue(json(base + "/global/block/24").get("commitment_hash").isNull());

        JsonNode withOutbox = json(base + "/global/block/25?outbox=true");
        assertEquals(2, withOutbox.get("outbox").size());
        assertEquals("000219", withOutbox.get("outbox").get(1).get("message").asText());

        String p = base + "/global/block/25/";
        assertEquals(bHash(h(a + "l125")), json(p + "hash").asText());
        assertEquals("1000000000025", json(p + "ticks").asText());
        assertEquals(b.get("total_ticks").asText(), json(p + "total_ticks").asText());
        assertEquals("3", json(p + "num_messages").asText());
        assertEquals(srs1(h(a + "state25")), json(p + "state_hash").asText());
        assertEquals("Waiting for input message", json(p + "status").asText());
        JsonNode inbox = json(p + "inbox");
        assertEquals(25, inbox.get("level").asInt());
        assertEquals(b.get("inbox_hash"), inbox.get("hash"));
        assertEquals(json(base + "/global/block/25/"), b);
    }

    @Test
    void durableStorage() throws Exception {
        String d = base + "/global/block/head/durable/wasm_2_0_0/";
        assertEquals("1e", json(d + "value?key=/counter").asText());
        assertEquals("0061736d", json(d + "value?key=/kernel/boot.wasm").asText());
        assertEquals("0c", json(base + "/global/block/12/durable/wasm_2_0_0/value?key=/counter").asText());
        JsonNode len = json(d + "length?key=/kernel/boot.wasm");
        assertTrue(len.isTextual());
        assertEquals("4", len.asText());
        assertEquals(M.readTree("[\"alice\",\"bob\",\"carol\"]"), json(d + "subkeys?key=/accounts"));
        assertEquals(M.readTree("[\"accounts\",\"counter\",\"kernel\"]"), json(d + "subkeys?key="));
        assertEquals(json(d + "subkeys?key="), json(d + "subkeys"));
        assertEquals(json(d + "subkeys"), json(d + "subkeys?key=/"));
        JsonNode values = json(d + "values?key=/accounts");
        assertEquals(2, values.size());
        assertEquals("alice", values.get(0).get("key").asText());
        assertEquals(Hex.encode("100".getBytes(StandardCharsets.UTF_8)), values.get(0).get("value").asText());
        assertEquals("bob", values.get(1).get("key").asText());
        assertEquals(0, json(d + "subkeys?key=/nothing/here").size());
        assertError(get(d + "value?key=/nothing"), 404, "key_not_found");
        assertError(get(d + "length?key=/accounts"), 404, "key_not_found");
    }

    @Test
    void outboxMessagesAndProofs() throws Exception {
        JsonNode msgs = json(base + "/global/block/20/outbox/20/messages");
        assertEquals(2, msgs.size());
        assertEquals(20, msgs.get(1).get("outbox_level").asInt());
        assertEquals("1", msgs.get(1).get("message_index").asText());
        assertEquals("000214", msgs.get(1).get("message").asText());
        assertEquals(msgs, json(base + "/global/block/20/outbox?outbox_level=20"));
        assertEquals("0909", json(base + "/global/block/head/outbox/29/messages").get(0).get("message").asText());
        assertEquals(0, json(base + "/global/block/20/outbox/19/messages").size());

        JsonNode proof = json(base + "/global/block/25/helpers/proofs/outbox/25/messages?index=1");
        assertEquals("aa01000219", proof.get("proof").asText());
        assertEquals(src1(h(a + "commitment25")), proof.get("commitment").asText());
        assertEquals(srs1(h(a + "state25")), proof.get("state_hash").asText());
        assertError(get(base + "/global/block/25/helpers/proofs/outbox/25/messages?index=7"), 404,
                "outbox_message_not_found");
    }

    // ------------------------------------------------------------ /local

    @Test
    void localCommitmentsGcSync() throws Exception {
        JsonNode pub = json(base + "/local/last_published_commitment");
        assertEquals(src1(h(a + "commitment15")), pub.get("hash").asText());
        assertEquals(16, pub.get("published_at_level").asInt());
        assertEquals(15, pub.get("commitment").get("inbox_level").asInt());

        JsonNode c = json(base + "/local/commitments/" + src1(h(a + "commitment25")));
        assertEquals(25, c.get("commitment").get("inbox_level").asInt());
        assertFalse(c.has("published_at_level"));
        assertEquals(c, json(base + "/local/commitments/" + h(a + "commitment25")));
        assertError(get(base + "/local/commitments/" + src1(h("unknown"))), 404, "commitment_not_found");

        JsonNode gc = json(base + "/local/gc_info");
        assertEquals(5, gc.get("first_available_level").asInt());
        assertEquals(25, gc.get("last_successful_gc_target").asInt());

        assertEquals("synchronized", json(base + "/local/synchronized").asText());
        InMemoryRollupQueries.Rollup r = multi.get(y);
        RollupSummary s = r.summary;
        r.summary = new RollupSummary(s.rollup(), s.headLevel(), s.headStateHashHex(), s.totalTicks(),
                s.lastStoredCommitment(), s.lastPublishedCommitment(), s.lcc(), s.status(), s.mode(),
                s.originationLevel(), s.pvmVersion(), Optional.of(17), s.l1HeadHashHex());
        try {
            JsonNode sync = json(multiBase + "/rollups/" + y + "/local/synchronized").get("synchronizing");
            assertEquals(12, sync.get("processed_level").asInt());
            assertEquals(17, sync.get("l1_head_level").asInt());
            assertEquals(58.33, sync.get("percentage_done").asDouble(), 0.001);
        } finally {
            r.summary = s;
        }
    }

    @Test
    void pendingOutbox() throws Exception {
        JsonNode all = json(base + "/local/outbox/pending");
        assertEquals(2, all.size());
        assertEquals(10, all.get(0).get("outbox_level").asInt());
        assertEquals("executable", all.get(0).get("status").asText());
        assertEquals(2, all.get(0).get("messages").size());
        assertEquals("00010a", all.get(0).get("messages").get(0).get("message").asText());
        assertEquals("pending", all.get(1).get("status").asText());
        JsonNode exe = json(base + "/local/outbox/pending/executable");
        assertEquals(1, exe.size());
        assertFalse(exe.get(0).has("status"));
        assertEquals(22, json(base + "/local/outbox/pending/unexecutable").get(0).get("outbox_level").asInt());
        assertEquals(1, json(base + "/local/outbox/pending?outbox_level=22").size());
        assertEquals(0, json(base + "/local/outbox/pending?outbox_level=23").size());
    }

    @Test
    void batcherInjectionAndQueue() throws Exception {
        String url = multiBase + "/rollups/" + x + "/local/batcher/";
        HttpResponse<String> r = send("POST", url + "injection", "[\"0102\", \"ABCDEF\", \"\"]");
        assertEquals(200, r.statusCode(), r.body());
        assertJson(r);
        JsonNode ids = M.readTree(r.body());
        assertEquals(3, ids.size());
        assertEquals(Hex.encode(Blake2b.hash256(new byte[] {1, 2})), ids.get(0).asText());
        assertEquals(Hex.encode(Blake2b.hash256(new byte[] {(byte) 0xab, (byte) 0xcd, (byte) 0xef})),
                ids.get(1).asText());
        JsonNode queue = json(url + "queue");
        assertEquals(ids.get(0).asText(), queue.get(0).get("id").asText());
        assertEquals(3, queue.size());
        assertEquals(0, M.readTree(send("POST", url + "injection", "[]").body()).size());

        // an observer does not batch
        assertError(send("POST", multiBase + "/rollups/" + y + "/local/batcher/injection", "[\"00\"]"), 403,
                "batcher_disabled");
    }

    // ------------------------------------------------------------ streams

    @Test
    void monitorBlocksStreamsOneJsonObjectPerLine() throws Exception {
        streamTwo("/global/monitor_blocks", false);
    }

    @Test
    void monitorFinalizedBlocksStreams() throws Exception {
        streamTwo("/rollups/" + a + "/global/monitor_finalized_blocks", true);
    }

    private void streamTwo(String path, boolean finalized) throws Exception {
        InMemoryRollupQueries.Rollup r = single.get(a);
        int before = finalized ? r.finalized.size() : r.heads.size();
        HttpResponse<InputStream> resp = client.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, resp.statusCode());
        assertEquals("application/json", resp.headers().firstValue("content-type").orElse(""));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((finalized ? r.finalized.size() : r.heads.size()) == before && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        L2BlockView b31 = new L2BlockView(31, h("l131"), h("inbox31"), List.of(), h("state31"), 10, 1000, 0, 1,
                Optional.empty());
        L2BlockView b32 = new L2BlockView(32, h("l132"), h("inbox32"), List.of("00"), h("state32"), 20, 1020, 0, 1,
                Optional.of(h("c32")));
        if (finalized) {
            assertEquals(1, single.pushFinalized(a, BlockEvent.of(a, b31)) - before);
            single.pushFinalized(a, BlockEvent.of(a, b32));
        } else {
            assertEquals(1, single.pushHead(a, BlockEvent.of(a, b31)) - before);
            single.pushHead(a, BlockEvent.of(a, b32));
        }
        try (InputStream in = resp.body();
                BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            JsonNode first = M.readTree(lines.readLine());
            JsonNode second = M.readTree(lines.readLine());
            assertEquals(31, first.get("level").asInt());
            assertEquals(bHash(h("l131")), first.get("block_hash").asText());
            assertEquals(srs1(h("state31")), first.get("state_hash").asText());
            assertTrue(first.get("commitment_hash").isNull());
            assertEquals("10", first.get("num_ticks").asText());
            assertEquals("990", first.get("initial_tick").asText());
            assertEquals(a, first.get("rollup").asText());
            assertEquals(32, second.get("level").asInt());
            assertEquals(src1(h("c32")), second.get("commitment_hash").asText());
        }
    }

    // ------------------------------------------------------------ rollup addressing

    @Test
    void singleRollupRootRoutesEqualPrefixedRoutes() throws Exception {
        for (String p : List.of("/global/smart_rollup_address", "/global/block/head", "/global/block/cemented/hash",
                "/global/block/finalized/durable/wasm_2_0_0/subkeys?key=/accounts", "/local/gc_info",
                "/local/outbox/pending", "/global/last_cemented_commitment", "/health")) {
            String prefixed = p.equals("/health") ? "/rollups/" + a + "/health" : "/rollups/" + a + p;
            JsonNode prefixedJson = json(base + prefixed);
            if (!p.equals("/health")) {
                assertEquals(json(base + p), prefixedJson, p);
            }
        }
    }

    @Test
    void multiRollupNodeNeedsThePrefix() throws Exception {
        assertError(get(multiBase + "/global/smart_rollup_address"), 404, "rollup_required");
        assertError(get(multiBase + "/local/gc_info"), 404, "rollup_required");
        assertEquals(x, json(multiBase + "/rollups/" + x + "/global/smart_rollup_address").asText());
        assertEquals(y, json(multiBase + "/rollups/" + y + "/global/smart_rollup_address").asText());
        assertEquals(12, json(multiBase + "/rollups/" + y + "/global/block/head/level").asInt());
        assertEquals(30, json(multiBase + "/rollups/" + x + "/global/block/head/level").asInt());
        assertNotEquals(json(multiBase + "/rollups/" + x + "/global/block/10/state_hash"),
                json(multiBase + "/rollups/" + y + "/global/block/10/state_hash"));
        // node-wide endpoints stay at the root
        assertEquals(2, json(multiBase + "/health").get("rollups").size());
        json(multiBase + "/version");
    }

    @Test
    void unknownRollupIs404() throws Exception {
        String other = InMemoryRollupQueries.address(42);
        assertError(get(base + "/rollups/" + other + "/global/block/head"), 404, "unknown_rollup");
        assertError(get(multiBase + "/rollups/" + a + "/global/smart_rollup_address"), 404, "unknown_rollup");
        assertError(get(base + "/rollups/sr1nonsense/global/block/head"), 400, "invalid_rollup_address");
    }

    // ------------------------------------------------------------ admin

    @Test
    void cancelGcFromLoopback() throws Exception {
        single.get(a).gcRunning = true;
        HttpResponse<String> r = send("POST", base + "/admin/cancel_gc", "");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("true", r.body());
        assertEquals("false", send("POST", base + "/rollups/" + a + "/admin/cancel_gc", null).body());
        // a forged header does not change what the connection says
        HttpResponse<String> forged = client.send(HttpRequest.newBuilder(URI.create(base + "/admin/cancel_gc"))
                .header("X-Forwarded-For", "203.0.113.9").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, forged.statusCode());
        assertError(get(base + "/admin/cancel_gc"), 405, "method_not_allowed");
    }

    // ------------------------------------------------------------ every documented endpoint is served

    @Test
    void everyDocumentedEndpointAnswers() throws Exception {
        for (Endpoints.Endpoint e : Endpoints.ALL) {
            if (e.kind().equals("stream")) {
                continue; // covered by the stream tests
            }
            List<String> paths = new ArrayList<>();
            String p = e.path().replace("{rollup}", a).replace("{block_id}", "head").replace("{level}", "29")
                    .replace("{hash}", src1(h(a + "commitment25")));
            StringBuilder q = new StringBuilder();
            for (Endpoints.Query query : e.query()) {
                if (query.required()) {
                    q.append(q.length() == 0 ? "?" : "&").append(query.name()).append("=")
                            .append(query.name().equals("index") ? "0" : "29");
                }
            }
            if (p.endsWith("/value") || p.endsWith("/length")) {
                q.append("?key=/counter");
            }
            paths.add(p + q);
            if (e.scope() == Endpoints.Scope.ROLLUP) {
                paths.add("/rollups/" + a + p + q);
            }
            for (String path : paths) {
                HttpResponse<String> r = e.method().equals("POST")
                        ? send("POST", base + path, path.endsWith("injection") ? "[\"00\"]" : null)
                        : get(base + path);
                assertEquals(200, r.statusCode(), e.method() + " " + path + " -> " + r.body());
                assertFalse(r.body().isEmpty(), path);
            }
        }
        assertTrue(Set.of("GET", "POST").containsAll(Endpoints.ALL.stream().map(Endpoints.Endpoint::method).toList()));
    }
}
