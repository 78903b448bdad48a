package io.flotilla.http;

import static io.flotilla.http.InMemoryRollupQueries.h;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.pvm.encoding.Base58Check;
import io.flotilla.pvm.encoding.Base58Check.Prefix;
import io.flotilla.pvm.util.Hex;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Materializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The block read routes served by hand ({@link BlockReadDispatch}) and the answers kept by state hash
 * ({@link StateAnswers}): the same bytes as the routing DSL for every route, id and error, on backends with and without
 * reads by state hash; kept answers follow a reorg.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BlockReadDispatchTest {
    static final ObjectMapper M = new ObjectMapper();
    final String a = InMemoryRollupQueries.address(1);
    final String b = InMemoryRollupQueries.address(2);
    ActorSystem<Void> system;
    Materializer mat;

    /**
     * {@link InMemoryRollupQueries} with reads by state hash, as a content-addressed store has them: every state ever
     * made stays readable under its hash (a reorg adds states, it changes none); counts the reads by hash.
     */
    static final class ContentAddressed extends InMemoryRollupQueries {
        record State(TreeMap<String, byte[]> durable, Map<Integer, List<byte[]>> outbox) {}

        final Map<String, State> states = new ConcurrentHashMap<>();
        final AtomicInteger stateReads = new AtomicInteger();

        @Override
        Rollup addRollup(String address, int head, String mode) {
            Rollup r = super.addRollup(address, head, mode);
            r.blocks.keySet().forEach(level -> remember(r, level));
            return r;
        }

        /** Records the state of block {@code level} as it is now, under its hash. */
        void remember(Rollup r, int level) {
            Map<Integer, List<byte[]>> outbox = new TreeMap<>();
            r.outbox.forEach((k, v) -> {
                String[] f = k.split("/");
                if (Integer.parseInt(f[0]) == level) {
                    outbox.put(Integer.parseInt(f[1]), v);
                }
            });
            states.put(r.blocks.get(level).stateHashHex(), new State(new TreeMap<>(r.durable.get(level)), outbox));
        }

        /**
         * A reorg at {@code level}: another L2 block there, whose state has another counter and outbox, as the stores
         * have it afterwards (the block, the by-level reads and a new state under a new hash).
         */
        void reorg(String rollup, int level, String branch, byte counter) {
            Rollup r = get(rollup);
            L2BlockView old = r.blocks.get(level);
            r.blocks.put(level, new L2BlockView(level, h(rollup + "l1" + level + branch), old.inboxHashHex(),
                    old.messagesHex(), h(rollup + "state" + level + branch), old.ticks(), old.totalTicks(),
                    old.outboxCount(), old.kernelRuns(), old.commitmentHashHex()));
            TreeMap<String, byte[]> d = new TreeMap<>(r.durable.get(level));
            d.put("/counter", new byte[] {counter});
            r.durable.put(level, d);
            r.outbox.put(level + "/" + level, List.of(new byte[] {7, counter}));
            remember(r, level);
        }

        /** Puts back a block recorded before (a reorg back to a branch seen before). */
        void restore(String rollup, L2BlockView block, State state) {
            Rollup r = get(rollup);
            r.blocks.put(block.level(), block);
            r.durable.put(block.level(), new TreeMap<>(state.durable()));
            state.outbox().forEach((ol, msgs) -> r.outbox.put(block.level() + "/" + ol, msgs));
        }

        @Override
        public Optional<StateView> stateByHash(String rollup, String stateHashHex) {
            stateReads.incrementAndGet();
            State s = states.get(stateHashHex);
            return s == null ? Optional.empty() : Optional.of(new StateView() {
                @Override
                public DurableView durable() {
                    return durableView(s.durable());
                }

                @Override
                public List<byte[]> outbox(int outboxLevel) {
                    return s.outbox().getOrDefault(outboxLevel, List.of());
                }

                @Override
                public Optional<byte[]> outboxProof(int outboxLevel, int index) {
                    throw new AssertionError("proofs are read by level");
                }
            });
        }
    }

    @BeforeAll
    void start() {
        system = ActorSystem.create(Behaviors.empty(), "block-read-dispatch-test");
        mat = Materializer.createMaterializer(system);
    }

    @AfterAll
    void stop() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    FlotillaHttpServer server(InMemoryRollupQueries q) {
        return new FlotillaHttpServer(system, q, FlotillaHttpServer.Settings.defaults().withAddress("127.0.0.1", 0));
    }

    /** Status, content type and body of an answer. */
    record Answer(int status, String contentType, byte[] body) {
        @Override
        public String toString() {
            return status + " " + contentType + " " + new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    Answer answer(CompletionStage<HttpResponse> r) throws Exception {
        HttpResponse resp = r.toCompletableFuture().get(20, TimeUnit.SECONDS);
        byte[] body = resp.entity().toStrict(10_000, mat).toCompletableFuture().get(20, TimeUnit.SECONDS)
                .getData().toArray();
        return new Answer(resp.status().intValue(), resp.entity().getContentType().toString(), body);
    }

    /** Every block route, with every kind of id and the errors before and after the block is resolved. */
    List<String> paths(String prefix) {
        String bHash = Base58Check.encode(Prefix.BLOCK_HASH, Hex.decode(h(a + "l117")));
        List<String> p = new ArrayList<>();
        for (String id : List.of("head", "finalized", "cemented", "12", "30", bHash)) {
            String blk = prefix + "/global/block/" + id;
            p.add(blk);
            p.add(blk + "?outbox=true");
            p.add(blk + "?outbox=no&outbox=yes");
            for (String f : FlotillaRoutes.BLOCK_FIELDS) {
                p.add(blk + "/" + f);
            }
            p.add(blk + "/outbox/12/messages");
            p.add(blk + "/outbox/29/messages");
            p.add(blk + "/outbox?outbox_level=12");
            for (String read : FlotillaRoutes.DURABLE_READS) {
                for (String key : List.of("/counter", "/accounts", "", "/", "/kernel/boot.wasm", "/missing")) {
                    p.add(blk + "/durable/wasm_2_0_0/" + read + "?key=" + key);
                }
                p.add(blk + "/durable/wasm_2_0_0/" + read);
            }
            p.add(blk + "/helpers/proofs/outbox/12/messages?index=1");
            p.add(blk + "/helpers/proofs/outbox/12/messages?index=5");
        }
        String head = prefix + "/global/block/head";
        p.addAll(List.of(
                // resolved, then refused: served by hand, with the DSL's error
                prefix + "/global/block/1000", prefix + "/global/block/3/level",
                prefix + "/global/block/20/outbox/25/messages",
                // refused before the block is read: left to the DSL
                prefix + "/global/block/tail/level", prefix + "/global/block/-1", prefix + "/global/block/1.5/level",
                prefix + "/global/block/99999999999", prefix + "/global/block/BLnothash/level",
                head + "/outbox/abc/messages", head + "/outbox", head + "/outbox?outbox_level=x",
                head + "?outbox=maybe", head + "/helpers/proofs/outbox/30/messages",
                head + "/helpers/proofs/outbox/30/messages?index=-1", head + "/durable/wasm_2_0_0/value?key=nokey",
                head + "/durable/wasm_2_0_0/value?key=/a//b", head + "/durable/arith/value?key=/a",
                head + "/durable/wasm_2_0_0/nonsense?key=/a",
                // not exactly a route: trailing and double slashes, escapes, unknown leaves
                head + "/", head + "/level/", prefix + "/global//block/head/level", head + "//level",
                prefix + "/global/block/he%61d/level", head + "/nonsense", head + "/outbox/12/messages/extra",
                prefix + "/global/block", prefix + "/global/block/", prefix + "/global/block/head%2Flevel",
                // query strings read as they are, or through Pekko's parser: the same parameter either way
                head + "/durable/wasm_2_0_0/value?key=%2Fcounter", head + "/durable/wasm_2_0_0/value?key=/counter&key=/x",
                head + "/durable/wasm_2_0_0/value?other=1&key=/counter", head + "/durable/wasm_2_0_0/value?key",
                head + "/durable/wasm_2_0_0/value?keys=/counter", head + "/durable/wasm_2_0_0/value?ke=/counter",
                head + "/durable/wasm_2_0_0/value?", head + "/durable/wasm_2_0_0/subkeys?key=",
                head + "/outbox?outbox_level=012", head + "?outbox=TRUE", head + "?outbox="));
        return p;
    }

    /**
     * The server's handler (by hand, else the DSL, with kept answers) gives the same answers as the DSL alone of a
     * server keeping none.
     */
    void sameAsTheDsl(InMemoryRollupQueries q, String prefix, int expectedServedAtLeast) throws Exception {
        try (FlotillaHttpServer s = server(q); FlotillaHttpServer reference = new FlotillaHttpServer(system, q,
                FlotillaHttpServer.Settings.defaults().withAddress("127.0.0.1", 0).withStateAnswerBytes(0))) {
            var both = s.handler();
            var dsl = reference.route().handler(system);
            long served0 = s.blockReads().served();
            List<String> paths = paths(prefix);
            for (int round = 0; round < 2; round++) { // the second round answers from what the first kept
                for (String path : paths) {
                    Answer viaDsl = answer(dsl.apply(HttpRequest.create(path)));
                    Answer viaBoth = answer(both.apply(HttpRequest.create(path)));
                    assertEquals(viaDsl.status(), viaBoth.status(), path + ": " + viaDsl + " vs " + viaBoth);
                    assertEquals(viaDsl.contentType(), viaBoth.contentType(), path);
                    assertArrayEquals(viaDsl.body(), viaBoth.body(), path + ": " + viaDsl + " vs " + viaBoth);
                }
            }
            for (String path : List.of(prefix + "/global/block/head", prefix + "/global/block/head/level")) {
                HttpRequest head = HttpRequest.create(path).withMethod(HttpMethods.HEAD);
                HttpRequest post = HttpRequest.create(path).withMethod(HttpMethods.POST);
                assertEquals(answer(dsl.apply(head)).toString(), answer(both.apply(head)).toString(), "HEAD " + path);
                assertEquals(answer(dsl.apply(post)).status(), answer(both.apply(post)).status(), "POST " + path);
            }
            long served = s.blockReads().served() - served0;
            assertTrue(served >= expectedServedAtLeast, "served by hand: " + served);
            assertTrue(served < 2L * paths.size(), "some requests are the DSL's: " + served);
        }
    }

    @Test
    void byHandAnswersAsTheDslWithoutReadsByHash() throws Exception {
        InMemoryRollupQueries q = new InMemoryRollupQueries();
        q.addRollup(a, 30, "operator");
        sameAsTheDsl(q, "", 2 * 6 * 30);
    }

    @Test
    void byHandAnswersAsTheDslWithAnswersKeptByStateHash() throws Exception {
        ContentAddressed q = new ContentAddressed();
        q.addRollup(a, 30, "operator");
        q.addRollup(b, 20, "observer");
        // two rollups: the root forms are the DSL's (rollup_required), the prefixed ones are served by hand
        sameAsTheDsl(q, "/rollups/" + a, 2 * 6 * 30);
        try (FlotillaHttpServer s = server(q)) {
            Answer rootForm = answer(s.handler().apply(HttpRequest.create("/global/block/head/level")));
            assertEquals(404, rootForm.status());
            assertEquals("rollup_required", M.readTree(rootForm.body()).get("kind").asText());
        }
    }

    String get(HttpClient client, String url) throws Exception {
        java.net.http.HttpResponse<String> r = client.send(java.net.http.HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(20)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url + " -> " + r.body());
        return r.body();
    }

    @Test
    void keptAnswersFollowAReorg() throws Exception {
        ContentAddressed q = new ContentAddressed();
        q.addRollup(a, 30, "operator");
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (FlotillaHttpServer s = server(q)) {
            String base = "http://127.0.0.1:" + s.start().toCompletableFuture().get(20, TimeUnit.SECONDS).getPort();
            String counter = base + "/global/block/head/durable/wasm_2_0_0/value?key=/counter";
            String outbox = base + "/global/block/head/outbox/30/messages";
            String stateHash = base + "/global/block/head/state_hash";
            StateAnswers kept = s.routes().stateAnswers();

            assertEquals("\"1e\"", get(client, counter));
            String outboxBefore = get(client, outbox);
            assertEquals(2, M.readTree(outboxBefore).size());
            int reads = q.stateReads.get();
            long hits = kept.hits();
            // asked again: answered from what was kept, the state is not read
            assertEquals("\"1e\"", get(client, counter));
            assertEquals(outboxBefore, get(client, outbox));
            assertEquals(reads, q.stateReads.get());
            assertEquals(hits + 2, kept.hits());

            // a reorg replaces the head block: its new state's answers, never the kept ones of the old state
            L2BlockView oldHead = q.get(a).blocks.get(30);
            ContentAddressed.State oldState = q.states.get(oldHead.stateHashHex());
            String oldStateHash = get(client, stateHash);
            q.reorg(a, 30, "b", (byte) 0x42);
            assertEquals("\"42\"", get(client, counter));
            assertEquals("[{\"outbox_level\":30,\"message_index\":\"0\",\"message\":\"0742\"}]", get(client, outbox));
            assertTrue(!oldStateHash.equals(get(client, stateHash)));
            assertEquals(reads + 2, q.stateReads.get());
            // the untouched levels keep their answers
            assertEquals("\"0c\"", get(client, base + "/global/block/12/durable/wasm_2_0_0/value?key=/counter"));

            // back to the first branch: its state's kept answers are right again, and served without a read
            q.restore(a, oldHead, oldState);
            int readsBack = q.stateReads.get();
            assertEquals("\"1e\"", get(client, counter));
            assertEquals(outboxBefore, get(client, outbox));
            assertEquals(oldStateHash, get(client, stateHash));
            assertEquals(readsBack, q.stateReads.get());

            // what was kept shows in the metrics
            java.net.http.HttpResponse<String> m = client.send(java.net.http.HttpRequest.newBuilder(
                    URI.create(base + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, m.statusCode());
            assertTrue(m.body().contains("flotilla_http_state_answers_hits_total " + kept.hits() + "\n"), m.body());
            assertTrue(m.body().contains("flotilla_http_state_answers_kept " + kept.size() + "\n"), m.body());
            assertTrue(kept.size() >= 5, "head before and after the reorg, level 12: " + kept.size());
        }
    }

    @Test
    void keptAnswersAreBoundedAndOnlySuccesses() {
        StateAnswers kept = new StateAnswers(4096);
        HttpResponse small = FlotillaRoutes.ok(com.fasterxml.jackson.databind.node.TextNode.valueOf("ab".repeat(100)));
        for (int i = 0; i < 100; i++) {
            kept.offer(new StateAnswers.Key(h("state" + i), "value", "/k"), small);
        }
        assertTrue(kept.bytes() <= 4096, "bytes kept: " + kept.bytes());
        assertTrue(kept.size() > 0 && kept.size() < 100, "entries kept: " + kept.size());
        // the most recent are kept, the oldest went first
        assertEquals(small, kept.get(new StateAnswers.Key(h("state99"), "value", "/k")));
        assertEquals(null, kept.get(new StateAnswers.Key(h("state0"), "value", "/k")));
        // errors and large bodies are not kept
        StateAnswers.Key k = new StateAnswers.Key(h("x"), "value", "/missing");
        kept.offer(k, FlotillaRoutes.error(404, "key_not_found", "no value"));
        assertEquals(null, kept.get(k));
        kept.offer(k, FlotillaRoutes.ok(com.fasterxml.jackson.databind.node.TextNode.valueOf(
                "0".repeat(StateAnswers.MAX_BODY + 1))));
        assertEquals(null, kept.get(k));
        // nothing at all with no room
        StateAnswers none = new StateAnswers(0);
        none.offer(k, small);
        assertEquals(null, none.get(k));
        assertEquals(0, none.bytes());
    }
}
