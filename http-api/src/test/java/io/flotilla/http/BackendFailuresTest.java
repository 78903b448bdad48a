package io.flotilla.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** What the API answers when the node behind it misbehaves: JSON errors, bounded waits, live streams. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BackendFailuresTest {
    static final ObjectMapper M = new ObjectMapper();
    final String a = InMemoryRollupQueries.address(1);
    final String slow = InMemoryRollupQueries.address(2);

    ActorSystem<Void> system;
    FlotillaHttpServer server;
    String base;
    final HttpClient client = HttpClient.newHttpClient();

    /** Refuses level 7, crashes on durable reads, never answers summaries of {@code slow}. */
    final class Faulty extends InMemoryRollupQueries {
        @Override
        public Optional<L2BlockView> block(String rollup, int level) {
            if (level == 7) {
                throw new IllegalArgumentException("level 7 is refused");
            }
            return super.block(rollup, level);
        }

        @Override
        public Optional<DurableView> durable(String rollup, int level) {
            throw new IllegalStateException("context store unavailable");
        }

        @Override
        public CompletionStage<Optional<RollupSummary>> summary(String rollup) {
            return rollup.equals(slow) ? new CompletableFuture<>() : super.summary(rollup);
        }

        @Override
        public String metricsText() {
            return "node_metric 1"; // no trailing newline
        }
    }

    @BeforeAll
    void start() throws Exception {
        system = ActorSystem.create(Behaviors.empty(), "http-backend-failures");
        Faulty q = new Faulty();
        q.addRollup(a, 20, "operator");
        q.addRollup(slow, 20, "operator");
        server = new FlotillaHttpServer(system, q, FlotillaHttpServer.Settings.defaults().withAddress("127.0.0.1", 0)
                .withQueryTimeout(Duration.ofMillis(300)).withStreamHeartbeat(Duration.ofMillis(200)));
        base = "http://127.0.0.1:" + server.start().toCompletableFuture().get(20, TimeUnit.SECONDS).getPort();
        this.q = q;
    }

    Faulty q;

    @AfterAll
    void stop() throws Exception {
        server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode error(HttpResponse<String> r, int status) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
        return M.readTree(r.body());
    }

    @Test
    void refusedArgumentIs400() throws Exception {
        assertEquals("invalid_argument", error(get("/rollups/" + a + "/global/block/7"), 400).get("kind").asText());
    }

    @Test
    void crashIsAJson500() throws Exception {
        JsonNode e = error(get("/rollups/" + a + "/global/block/head/durable/wasm_2_0_0/value?key=/a"), 500);
        assertEquals("internal", e.get("kind").asText());
        assertTrue(e.get("error").asText().contains("context store unavailable"));
    }

    @Test
    void silentEntityTimesOutWith503() throws Exception {
        long t0 = System.nanoTime();
        assertEquals("timeout", error(get("/rollups/" + slow + "/global/tezos_head"), 503).get("kind").asText());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
        // block reads do not ask the entity: its head block and what is in it come from the stores
        HttpResponse<String> head = get("/rollups/" + slow + "/global/block/head");
        assertEquals(200, head.statusCode(), head.body());
        assertEquals(20, M.readTree(head.body()).get("level").asInt());
        assertEquals(200, get("/rollups/" + slow + "/global/block/finalized/outbox/18/messages").statusCode());
        // the other rollup still answers; /rollups and /health list the silent one as unavailable
        assertEquals(200, get("/rollups/" + a + "/global/block/head").statusCode());
        HttpResponse<String> list = get("/rollups");
        assertEquals(200, list.statusCode());
        JsonNode l = M.readTree(list.body());
        assertEquals("running", l.get(0).get("status").asText());
        assertTrue(l.get(1).get("status").asText().startsWith("unavailable: no answer"), list.body());
        JsonNode health = M.readTree(get("/health").body());
        assertEquals(false, health.get("healthy").asBoolean());
        assertEquals(false, health.get("rollups").get(1).get("healthy").asBoolean());
    }

    @Test
    void metricsTextGetsANewlineBetweenSources() throws Exception {
        HttpResponse<String> r = get("/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.body().startsWith("node_metric 1\n# HELP flotilla_http_requests_total"), r.body());
    }

    @Test
    void idleStreamsGetHeartbeatLines() throws Exception {
        HttpResponse<InputStream> resp = client.send(HttpRequest.newBuilder(
                URI.create(base + "/rollups/" + a + "/global/monitor_blocks")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
            assertEquals("", lines.readLine());
            while (q.get(a).heads.isEmpty()) {
                Thread.sleep(10);
            }
            q.pushHead(a, BlockEvent.of(a, q.block(a, 20).orElseThrow()));
            String line;
            do {
                line = lines.readLine();
            } while (line.isEmpty());
            assertEquals(20, M.readTree(line).get("level").asInt());
        }
    }
}
