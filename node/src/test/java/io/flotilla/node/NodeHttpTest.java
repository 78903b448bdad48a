package io.flotilla.node;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.pvm.OutboxProof;
import io.flotilla.pvm.encoding.Base58Check;
import io.flotilla.pvm.encoding.ContractHash;
import io.flotilla.pvm.encoding.Micheline;
import io.flotilla.pvm.encoding.OutboxMessage;
import io.flotilla.pvm.tree.Hash;
import io.flotilla.pvm.util.Hex;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** A node with an in-process manual sandbox serves the demo echo rollup; everything read through real HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeHttpTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String B2 = SandboxAccounts.bootstrap(2).address();

    @TempDir
    static Path dataDir;
    SandboxL1 l1;
    NodeRuntime node;
    Http http;
    String rollup;

    @BeforeAll
    void start() {
        l1 = SandboxL1.manual();
        NodeRuntime.Options o = new NodeRuntime.Options(dataDir, "127.0.0.1", 0, NodeRuntime.HistoryMode.ARCHIVE,
                Duration.ofMillis(50));
        node = DemoNode.start(o, l1, true, NodeStores.inMemory(false));
        http = new Http(node.rpcUrl());
        rollup = node.fleet().rollups().get(0);
    }

    @AfterAll
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private int produceAndAwait() throws InterruptedException {
        int level = l1.produceBlock().level();
        http.await("/global/block/head", b -> b.get("level").asInt() >= level, WAIT);
        return level;
    }

    @Test
    @Order(1)
    void listsTheDemoRollupAndAdvances() throws Exception {
        JsonNode rs = http.json("/rollups");
        assertEquals(1, rs.size());
        assertEquals(rollup, rs.get(0).get("address").asText());
        assertEquals("operator", rs.get(0).get("mode").asText());
        assertEquals(rollup, http.json("/global/smart_rollup_address").asText());
        int a = produceAndAwait();
        int b = produceAndAwait();
        assertEquals(a + 1, b);
        assertEquals(b, http.json("/global/block/head").get("level").asInt());
        assertEquals(b, http.json("/global/tezos_level").asInt());
        assertEquals("synchronized", http.json("/local/synchronized").asText());
    }

    @Test
    @Order(2)
    void outboxMessageAndItsProof() throws Exception {
        byte[] tx = new OutboxMessage.AtomicTransactionBatch(List.of(
                new OutboxMessage.Transaction(Micheline.parse("Unit"), ContractHash.zero(), "default"))).encode();
        l1.inject(L1Operation.addMessages(B2, List.of(tx))).orThrow();
        int level = produceAndAwait();

        JsonNode block = http.json("/global/block/" + level);
        assertEquals(level, block.get("level").asInt());
        List<String> msgs = Stream.of(block.get("messages")).flatMap(n -> {
            java.util.List<String> l = new java.util.ArrayList<>();
            n.forEach(m -> l.add(m.asText()));
            return l.stream();
        }).toList();
        assertEquals("0001", msgs.get(0), "framed: Start_of_level first");
        assertEquals("0002", msgs.get(msgs.size() - 1), "framed: End_of_level last");
        assertTrue(msgs.contains("01" + Hex.encode(tx)));
        assertEquals(1, block.get("outbox_count").asInt());

        JsonNode outbox = http.json("/global/block/" + level + "/outbox/" + level + "/messages");
        assertEquals(1, outbox.size());
        assertEquals(Hex.encode(tx), outbox.get(0).get("message").asText());

        JsonNode p = http.json("/global/block/" + level + "/helpers/proofs/outbox/" + level + "/messages?index=0");
        byte[] state = Base58Check.decode(Base58Check.Prefix.SMART_ROLLUP_STATE, p.get("state_hash").asText());
        byte[] proven = OutboxProof.fromBytes(Hex.decode(p.get("proof").asText())).verify(Hash.fromBytes(state));
        assertArrayEquals(tx, proven);
        assertEquals(404, http.get("/global/block/" + level + "/helpers/proofs/outbox/" + level
                + "/messages?index=1").status());

        // not executed, not cemented: pending, not executable
        JsonNode pending = http.json("/local/outbox/pending");
        assertEquals(1, pending.size());
        assertEquals(level, pending.get(0).get("outbox_level").asInt());
        assertEquals("pending", pending.get(0).get("status").asText());
    }

    @Test
    @Order(3)
    void durableStorage() throws Exception {
        JsonNode v = http.json("/global/block/head/durable/wasm_2_0_0/value?key=/readonly/wasm_version");
        assertEquals("2.0.0-r5", new String(Hex.decode(v.asText()), StandardCharsets.US_ASCII));
        JsonNode counter = http.json("/global/block/head/durable/wasm_2_0_0/value?key=/readonly/kernel/env/reboot_counter");
        assertEquals(4, Hex.decode(counter.asText()).length);
        assertEquals(404, http.get("/global/block/head/durable/wasm_2_0_0/value?key=/kernel/env/nothing").status());
        assertEquals(400, http.get("/global/block/head/durable/wasm_2_0_0/value?key=/kernel/env/").status());
        long length = Long.parseLong(http.json("/global/block/head/durable/wasm_2_0_0/length?key=/kernel/boot.wasm")
                .asText());
        assertEquals(DemoNode.echoKernel().length, length);
        JsonNode sub = http.json("/global/block/head/durable/wasm_2_0_0/subkeys?key=/readonly/kernel/env");
        assertTrue(sub.toString().contains("reboot_counter"), sub.toString());
        JsonNode root = http.json("/global/block/head/durable/wasm_2_0_0/subkeys?key=/");
        assertTrue(root.toString().contains("kernel") && root.toString().contains("readonly"), root.toString());
    }

    @Test
    @Order(4)
    void batcherInjectionReachesALaterInbox() throws Exception {
        byte[] payload = "hello from the batcher".getBytes(StandardCharsets.US_ASCII);
        Http.Response r = http.post("/local/batcher/injection", "[\"" + Hex.encode(payload) + "\"]");
        assertEquals(200, r.status(), r.text());
        String id = r.json().get(0).asText();
        assertEquals(id, http.json("/local/batcher/queue").get(0).get("id").asText());
        int startLevel = l1.head().level();
        l1.produceBlock(); // the batcher injects on this head
        Http.await("the batcher's queue drains", () -> http.json("/local/batcher/queue").isEmpty(), WAIT);
        int level = produceAndAwait();
        assertTrue(level > startLevel + 1);
        JsonNode block = http.json("/global/block/" + level);
        assertTrue(block.get("messages").toString().contains("\"01" + Hex.encode(payload) + "\""), block.toString());
        // the echo kernel echoes it to the outbox
        assertEquals(Hex.encode(payload),
                http.json("/global/block/head/outbox/" + level + "/messages").get(0).get("message").asText());
        assertEquals(400, http.post("/local/batcher/injection", "[\"zz\"]").status());
    }

    @Test
    @Order(5)
    void monitorBlocksStreamsNewHeads() throws Exception {
        CompletableFuture<HttpResponse<Stream<String>>> resp = http.client.sendAsync(
                HttpRequest.newBuilder(URI.create(http.base + "/global/monitor_blocks")).GET().build(),
                HttpResponse.BodyHandlers.ofLines());
        HttpResponse<Stream<String>> streaming = resp.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(200, streaming.statusCode());
        Thread.sleep(300); // let the first poll record where the stream starts
        CompletableFuture<JsonNode> first = CompletableFuture.supplyAsync(() -> streaming.body()
                .filter(s -> !s.isBlank()).findFirst().map(s -> {
                    try {
                        return Http.MAPPER.readTree(s);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }).orElseThrow());
        int level = produceAndAwait();
        JsonNode e = first.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(level, e.get("level").asInt());
        assertEquals(rollup, e.get("rollup").asText());
    }

    @Test
    @Order(6)
    void commitmentsMetricsAndGc() throws Exception {
        int origination = http.json("/rollups").get(0).get("origination_level").asInt();
        int target = origination + 20;
        while (l1.head().level() < target) {
            l1.produceBlock();
        }
        http.await("/global/block/head", b -> b.get("level").asInt() >= target, WAIT);
        JsonNode stored = http.json("/global/last_stored_commitment");
        assertEquals(target, stored.get("commitment").get("inbox_level").asInt());
        String hash = stored.get("hash").asText();
        assertEquals(target, http.json("/local/commitments/" + hash).get("commitment").get("inbox_level").asInt());
        // the operator publishes it: included in the next block
        l1.produceBlock();
        JsonNode published = http.await("/local/last_published_commitment", n -> !n.isNull(), WAIT);
        assertEquals(hash, published.get("hash").asText());
        assertEquals(origination, http.json("/global/last_cemented_commitment").get("level").asInt());

        // the node follows L1 asynchronously (through its L1 chain actor): wait until it saw the head
        String expectedHead = "flotilla_l1_head_level " + l1.head().level();
        String metrics = http.get("/metrics").text();
        for (int i = 0; i < 200 && !metrics.contains(expectedHead); i++) {
            Thread.sleep(50);
            metrics = http.get("/metrics").text();
        }
        assertTrue(metrics.contains("flotilla_rollups_served 1"), metrics);
        assertTrue(metrics.contains("flotilla_rollup_head_level{rollup=\"" + rollup + "\"}"), metrics);
        assertTrue(metrics.contains("flotilla_l1_head_level " + l1.head().level()), metrics);

        assertEquals(origination + 1, http.json("/local/gc_info").get("first_available_level").asInt());
    }
}
