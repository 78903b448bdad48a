package io.flotilla.actors.l1;

import static io.flotilla.actors.l1.L1TestSupport.*;
import static io.flotilla.actors.l1.SandboxL1Test.waitFor;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.flotilla.pvm.Commitment;
import io.flotilla.pvm.encoding.Micheline;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real HTTP server on an ephemeral loopback port, and the remote client. */
class SandboxL1ServerTest {
    private SandboxL1 l1;
    private SandboxL1Server server;
    private RemoteSandboxL1 remote;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        l1 = SandboxL1.manual();
        server = SandboxL1Server.start(l1, 0);
        remote = new RemoteSandboxL1(server.uri());
    }

    @AfterEach
    void stop() {
        remote.close();
        server.close();
        l1.close();
    }

    private void assertSameChain() {
        L1Block head = l1.head();
        assertSameBlock(head, remote.head());
        for (int level = 0; level <= head.level(); level++) {
            L1Block local = l1.block(level).orElseThrow();
            assertSameBlock(local, remote.block(level).orElseThrow());
            assertSameBlock(local, remote.blockByHash(local.hash()).orElseThrow());
        }
        assertTrue(remote.block(head.level() + 1).isEmpty());
    }

    @Test
    void remoteSeesTheSameChainAndRollups() {
        assertTrue(server.uri().getHost().equals("127.0.0.1"), server.uri().toString());
        assertEquals(l1.constants(), remote.constants());
        var orig = remote.inject(L1Operation.originate(B1, echoKernel(), "bytes", null)).orThrow();
        String rollup = orig.rollup().orElseThrow();
        assertEquals(1, orig.level());
        assertEquals(1, l1.pendingOperations().size());
        l1.produceBlock();
        remote.inject(L1Operation.addMessages(B2, List.of("hi".getBytes(), new byte[0]))).orThrow();
        remote.inject(new L1Operation.Transfer(B1, KT1, rollup, Micheline.parse("Pair 1 2").encode())).orThrow();
        l1.produceBlock();
        produceUntil(l1, 21);
        byte[] genesis = l1.rollup(rollup).orElseThrow().genesisCommitment();
        Commitment c = commitment(hash(1), 21, genesis, 10);
        remote.inject(L1Operation.publish(B1, rollup, c.encode())).orThrow();
        assertEquals(22, remote.produceBlock().level());
        assertSameChain();

        var a = l1.rollup(rollup).orElseThrow();
        var b = remote.rollup(rollup).orElseThrow();
        assertEquals(a.address(), b.address());
        assertEquals(a.originationLevel(), b.originationLevel());
        assertArrayEquals(a.kernel(), b.kernel());
        assertEquals(a.pvmVersion(), b.pvmVersion());
        assertEquals(a.parametersType(), b.parametersType());
        assertArrayEquals(a.genesisCommitment(), b.genesisCommitment());
        var lcc = remote.lastCementedCommitment(rollup).orElseThrow();
        assertArrayEquals(genesis, lcc.hash());
        assertArrayEquals(l1.lastCementedCommitment(rollup).orElseThrow().stateHash(), lcc.stateHash());
        var cs = remote.commitments(rollup);
        assertEquals(1, cs.size());
        assertArrayEquals(c.hash().bytes(), cs.get(0).hash());
        assertEquals(List.of(B1), cs.get(0).stakers());
        assertEquals(22, cs.get(0).publishedLevel());
        String unknown = new io.flotilla.pvm.encoding.RollupAddress(filled(20, 3)).toBase58();
        assertTrue(remote.rollup(unknown).isEmpty());
        assertTrue(remote.lastCementedCommitment(unknown).isEmpty());
        assertTrue(remote.commitments(unknown).isEmpty());
        assertTrue(remote.calls().isEmpty());
        assertTrue(remote.blockByHash(new byte[32]).isEmpty());
    }

    @Test
    void refusedInjectionsAndBadRequestsAre400WithAJsonError() throws Exception {
        var r = remote.inject(L1Operation.addMessages(B1, List.of(new byte[4096])));
        assertFalse(r.ok());
        assertTrue(r.error().contains("4095"), r.error());
        assertThrows(L1OperationException.class, r::orThrow);

        assertError(post("/injection/add_messages", "{\"source\":\"" + B1 + "\",\"messages\":[\"zz\"]}"), 400,
                "not hex");
        assertError(post("/injection/add_messages", "{not json"), 400, "malformed JSON");
        assertError(post("/injection/add_messages", ""), 400, "empty request body");
        assertError(post("/injection/frobnicate", "{\"source\":\"" + B1 + "\"}"), 400, "unknown operation kind");
        assertError(post("/injection/cement", "{\"kind\":\"publish\",\"source\":\"" + B1 + "\"}"), 400,
                "but the request is for 'cement'");
        assertError(post("/injection/transfer", "{\"source\":\"" + B1 + "\"}"), 400, "missing field 'sender'");
        assertError(post("/injection", "{\"kind\":\"originate\",\"source\":\"tz1nobody\",\"kernel\":\"00\"}"), 400,
                "not a sandbox account");
        assertError(get("/rollups/sr1unknown"), 404, "does not exist");
        assertError(get("/blocks/7"), 404, "no block at level 7");
        assertError(get("/blocks/abc"), 400, "not a valid level");
        assertError(get("/nowhere"), 404, "no such endpoint");

        HttpResponse<String> ok = post("/injection", "{\"kind\":\"add_messages\",\"source\":\"" + B1
                + "\",\"messages\":[\"0102\"]}");
        assertEquals(200, ok.statusCode(), ok.body());
        JsonNode n = L1Json.MAPPER.readTree(ok.body());
        assertTrue(n.get("ok").asBoolean());
        assertEquals(1, n.get("level").asInt());
        assertEquals(1, L1Json.MAPPER.readTree(get("/pending").body()).size());
        assertEquals(5, L1Json.MAPPER.readTree(get("/accounts").body()).size());
        JsonNode head = L1Json.MAPPER.readTree(post("/admin/produce_block", "").body());
        assertEquals(1, head.get("level").asInt());
        assertEquals("0102", head.get("operations").get(0).get("messages").get(0).asText());
        assertTrue(head.get("hash_b58").asText().startsWith("B"));
        assertEquals(200, get("/blocks/hash/" + head.get("hash_b58").asText()).statusCode());
    }

    @Test
    void remoteSubscriberFollowsNewHeadsAndReorgs() throws Exception {
        List<L1Block> seen = new CopyOnWriteArrayList<>();
        AutoCloseable sub = remote.subscribe(seen::add);
        for (int i = 1; i <= 3; i++) {
            l1.inject(L1Operation.addMessages(B1, List.of(new byte[] {(byte) i}))).orThrow();
            l1.produceBlock();
        }
        waitFor(() -> !seen.isEmpty() && seen.get(seen.size() - 1).level() == 3);
        assertEquals(List.of(1, 2, 3), seen.stream().map(L1Block::level).toList(),
                "every head delivered, even when several were made between two polls");
        for (int i = 1; i < seen.size(); i++) {
            assertArrayEquals(seen.get(i - 1).hash(), seen.get(i).predecessor());
        }
        L1Block oldHead = l1.head();
        l1.reorg(2);
        waitFor(() -> seen.get(seen.size() - 1).level() == 4);
        L1Block newHead = seen.get(seen.size() - 1);
        assertSameBlock(l1.head(), newHead);
        assertFalse(Arrays.equals(oldHead.hash(), remote.block(3).orElseThrow().hash()));
        assertSameChain();
        assertSameBlock(oldHead, remote.blockByHash(oldHead.hash()).orElseThrow());
        sub.close();
        int count = seen.size();
        l1.produceBlock();
        Thread.sleep(300);
        assertEquals(count, seen.size(), "no delivery after close");
    }

    @Test
    void subscriberReconnectsWhenTheServerComesUpLater() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (RemoteSandboxL1 early = new RemoteSandboxL1(URI.create("http://127.0.0.1:" + port))) {
            List<L1Block> seen = new CopyOnWriteArrayList<>();
            early.subscribe(seen::add);
            Thread.sleep(500);
            assertTrue(seen.isEmpty());
            try (SandboxL1 other = SandboxL1.manual(); SandboxL1Server late = SandboxL1Server.start(other, port)) {
                other.produceBlock();
                waitFor(() -> !seen.isEmpty() && seen.get(seen.size() - 1).level() == 1);
                assertSameBlock(other.head(), seen.get(seen.size() - 1));
            }
        }
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.uri() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.uri() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void assertError(HttpResponse<String> r, int status, String fragment) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode n = L1Json.MAPPER.readTree(r.body());
        assertFalse(n.get("ok").asBoolean());
        assertTrue(n.get("error").asText().contains(fragment), () -> n.get("error").asText() + " lacks " + fragment);
    }
}
