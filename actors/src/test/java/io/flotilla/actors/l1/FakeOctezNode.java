package io.flotilla.actors.l1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.flotilla.pvm.encoding.Base58Check;
import io.flotilla.pvm.encoding.Base58Check.Prefix;
import io.flotilla.pvm.encoding.Micheline;
import io.flotilla.pvm.util.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small Octez node for tests: a real HTTP server answering the RPCs Flotilla follows, in the JSON shapes of Octez
 * (built from the templates under {@code /octez/}): blocks with operations and receipts by level, hash or
 * {@code head}, their hash and header, the {@code /monitor/heads/main} stream (the current head first, then one JSON
 * header per new head, on a chunked answer that stays open), the constants and a rollup's context
 * ({@code genesis_info}, {@code kind}, {@code last_cemented_commitment_hash_with_level}, {@code commitment/<hash>}).
 *
 * <p>Its chain is a copy of a {@link SandboxL1}'s ({@link #mirror}): each sandbox block becomes an Octez block with the
 * same hash, predecessor, time and protocol, and its operations the Octez operations L1 would have recorded (a
 * transfer becomes a contract call whose internal transaction reaches the rollup). Mirroring again after the sandbox
 * reorganised replaces the main chain's tail (the old blocks stay reachable by hash, as on a real node).
 * {@link #stop()} makes the node unreachable (connections refused, open streams cut) until {@link #start()}.
 */
public final class FakeOctezNode implements AutoCloseable {
    private static final String CONTEXT = "/chains/main/blocks/head/context";

    private final Map<String, ObjectNode> blocks = new HashMap<>();
    private final List<String> main = new ArrayList<>();
    private final Map<String, ObjectNode> rollups = new HashMap<>();
    private final List<HttpExchange> monitors = new ArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private ObjectNode constants = template("template-constants.json");
    private HttpServer server;
    private ExecutorService executor;
    private int port;

    public FakeOctezNode() {
        start();
    }

    /** The RPC address, e.g. {@code http://127.0.0.1:40123}; it stays the same across {@link #stop()} and start. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Requests answered so far. */
    public int requests() {
        return requests.get();
    }

    /** Serves again, on the same port. */
    public synchronized void start() {
        if (server != null) {
            return;
        }
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        port = server.getAddress().getPort();
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-octez");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Unreachable: open head streams are cut and connections refused. */
    public void stop() {
        HttpServer s;
        synchronized (this) {
            s = server;
            server = null;
            for (HttpExchange m : monitors) {
                m.close();
            }
            monitors.clear();
        }
        if (s != null) {
            s.stop(0);
            executor.shutdownNow();
        }
    }

    @Override
    public void close() {
        stop();
    }

    // ------------------------------------------------------------------ chain

    /** Copies the sandbox's main chain, rollups and constants; tells the head streams when the head changed. */
    public void mirror(SandboxL1 sandbox) {
        L1Block head = sandbox.head();
        List<ObjectNode> chain = new ArrayList<>();
        for (int l = 0; l <= head.level(); l++) {
            chain.add(toOctez(sandbox.block(l).orElseThrow()));
        }
        Map<String, ObjectNode> rs = new HashMap<>();
        for (String sr1 : sandbox.rollups()) {
            rs.put(sr1, rollupContext(sandbox, sr1));
        }
        LinkedConstants c = new LinkedConstants(sandbox.constants());
        synchronized (this) {
            String before = main.isEmpty() ? null : main.get(main.size() - 1);
            main.clear();
            for (ObjectNode b : chain) {
                blocks.put(b.get("hash").asText(), b);
                main.add(b.get("hash").asText());
            }
            rollups.clear();
            rollups.putAll(rs);
            constants = c.json();
            String after = main.get(main.size() - 1);
            if (!after.equals(before)) {
                announce(headerOf(blocks.get(after)));
            }
        }
    }

    private record LinkedConstants(L1Source.SandboxConstants c) {
        ObjectNode json() {
            ObjectNode n = template("template-constants.json");
            n.put("smart_rollup_commitment_period_in_blocks", c.commitmentPeriod());
            n.put("smart_rollup_challenge_window_in_blocks", c.challengeWindow());
            n.put("minimal_block_delay", Long.toString(Math.max(1, c.blockTime().toSeconds())));
            return n;
        }
    }

    private static ObjectNode rollupContext(SandboxL1 sandbox, String sr1) {
        L1Source.RollupInfo info = sandbox.rollup(sr1).orElseThrow();
        ObjectNode n = L1Json.MAPPER.createObjectNode();
        n.putObject("genesis_info").put("level", info.originationLevel())
                .put("commitment_hash", src1(info.genesisCommitment()));
        n.put("kind", "wasm_2_0_0");
        ObjectNode commitments = n.putObject("commitments");
        for (L1Source.PublishedCommitment c : sandbox.commitments(sr1)) {
            commitments.set(src1(c.hash()), commitmentJson(c.stateHash(), c.inboxLevel(), c.predecessor(), c.ticks()));
        }
        L1Source.CementedCommitment lcc = sandbox.lastCementedCommitment(sr1).orElseThrow();
        n.putObject("lcc").put("hash", src1(lcc.hash())).put("level", lcc.inboxLevel());
        if (!commitments.has(src1(lcc.hash()))) {
            commitments.set(src1(lcc.hash()), commitmentJson(lcc.stateHash(), lcc.inboxLevel(), new byte[32], 0));
        }
        return n;
    }

    private static ObjectNode commitmentJson(byte[] state, int level, byte[] predecessor, long ticks) {
        ObjectNode c = L1Json.MAPPER.createObjectNode();
        c.put("compressed_state", Base58Check.encode(Prefix.SMART_ROLLUP_STATE, state));
        c.put("inbox_level", level);
        c.put("predecessor", src1(predecessor));
        c.put("number_of_ticks", Long.toString(ticks));
        return c;
    }

    private static String src1(byte[] h) {
        return Base58Check.encode(Prefix.SMART_ROLLUP_COMMITMENT, h);
    }

    private static String b58(byte[] blockHash) {
        return Base58Check.encode(Prefix.BLOCK_HASH, blockHash);
    }

    /** The block as an Octez node would serve it. */
    public static ObjectNode toOctez(L1Block b) {
        ObjectNode n = template("template-block.json");
        n.put("protocol", b.protocol());
        n.put("hash", b58(b.hash()));
        ObjectNode h = (ObjectNode) n.get("header");
        h.put("level", b.level());
        h.put("predecessor", b58(b.predecessor()));
        h.put("timestamp", Instant.ofEpochSecond(b.timestamp()).toString());
        ((ArrayNode) h.get("fitness")).set(1, String.format("%08x", b.level()));
        ObjectNode meta = (ObjectNode) n.get("metadata");
        meta.put("protocol", b.protocol());
        meta.put("next_protocol", b.protocol());
        ((ObjectNode) meta.get("level_info")).put("level", b.level());
        ArrayNode managers = (ArrayNode) n.get("operations").get(3);
        int counter = 1;
        for (L1Operation op : b.operations()) {
            ObjectNode o = toOctez(op, b58(b.predecessor()));
            if (o != null) {
                ((ObjectNode) o.get("contents").get(0)).put("counter", Integer.toString(counter++));
                o.put("protocol", b.protocol());
                managers.add(o);
            }
        }
        return n;
    }

    private static ObjectNode toOctez(L1Operation op, String branch) {
        ObjectNode o;
        ObjectNode c;
        if (op instanceof L1Operation.AddMessages a) {
            o = template("template-add-messages.json");
            c = content(o);
            ArrayNode m = c.putArray("message");
            a.messages().forEach(x -> m.add(Hex.encode(x)));
        } else if (op instanceof L1Operation.Transfer t) {
            o = template("template-contract-call.json");
            c = content(o);
            c.put("destination", t.sender());
            ArrayNode internals = (ArrayNode) c.get("metadata").get("internal_operation_results");
            ObjectNode call = (ObjectNode) internals.get(0);
            internals.removeAll();
            call.put("source", t.sender());
            call.put("destination", t.rollup());
            ((ObjectNode) call.get("parameters")).set("value",
                    MichelineJson.toJson(Micheline.decode(t.parametersMicheline())));
            internals.add(call);
        } else if (op instanceof L1Operation.Originate x) {
            o = template("template-originate.json");
            c = content(o);
            c.put("kernel", Hex.encode(x.kernel()));
            c.set("parameters_ty", MichelineJson.toJson(Micheline.parse(x.parametersType())));
            ObjectNode r = result(c);
            r.put("address", x.rollup());
            r.put("genesis_commitment_hash", src1(x.genesisCommitment()));
        } else if (op instanceof L1Operation.Cement x) {
            o = template("template-cement.json");
            c = content(o);
            c.put("rollup", x.rollup());
            result(c).put("commitment_hash", src1(x.commitmentHash())).put("inbox_level", x.inboxLevel());
        } else if (op instanceof L1Operation.Publish x) {
            o = template("template-publish.json");
            c = content(o);
            c.put("rollup", x.rollup());
            io.flotilla.pvm.Commitment cm = io.flotilla.pvm.Commitment.decode(x.commitment());
            c.set("commitment", commitmentJson(cm.state().bytes(), cm.inboxLevel(), cm.predecessor().bytes(),
                    cm.ticks()));
            result(c).put("staked_hash", src1(x.commitmentHash()));
        } else {
            return null; // outbox executions change no inbox
        }
        c.put("source", op.source());
        o.put("branch", branch);
        return o;
    }

    private static ObjectNode content(ObjectNode op) {
        return (ObjectNode) op.get("contents").get(0);
    }

    private static ObjectNode result(ObjectNode content) {
        return (ObjectNode) content.get("metadata").get("operation_result");
    }

    private static ObjectNode headerOf(ObjectNode block) {
        ObjectNode head = template("template-head.json");
        JsonNode h = block.get("header");
        head.put("hash", block.get("hash").asText());
        head.put("level", h.get("level").asInt());
        head.put("predecessor", h.get("predecessor").asText());
        head.put("timestamp", h.get("timestamp").asText());
        head.set("fitness", h.get("fitness"));
        return head;
    }

    static ObjectNode template(String name) {
        try (InputStream in = FakeOctezNode.class.getResourceAsStream("/octez/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource /octez/" + name);
            }
            return (ObjectNode) L1Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ HTTP

    private void announce(ObjectNode header) {
        byte[] line = (header.toString() + "\n").getBytes(StandardCharsets.UTF_8);
        List<HttpExchange> gone = new ArrayList<>();
        for (HttpExchange m : monitors) {
            try {
                OutputStream out = m.getResponseBody();
                out.write(line);
                out.flush();
            } catch (IOException e) {
                gone.add(m);
            }
        }
        monitors.removeAll(gone);
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        String path = ex.getRequestURI().getPath();
        try {
            if (path.equals("/monitor/heads/main")) {
                synchronized (this) {
                    ex.getResponseHeaders().set("Content-Type", "application/json");
                    ex.sendResponseHeaders(200, 0); // chunked, left open: one header per new head
                    if (!main.isEmpty()) {
                        OutputStream out = ex.getResponseBody();
                        out.write((headerOf(blocks.get(main.get(main.size() - 1))) + "\n")
                                .getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    }
                    monitors.add(ex);
                }
                return;
            }
            JsonNode answer;
            synchronized (this) {
                answer = answer(path);
            }
            if (answer == null) {
                send(ex, 404, "[{\"kind\":\"temporary\",\"id\":\"failure\",\"msg\":\"Not found\"}]");
            } else {
                send(ex, 200, answer.toString());
            }
        } catch (RuntimeException e) {
            send(ex, 500, "[{\"kind\":\"temporary\",\"id\":\"failure\",\"msg\":" + L1Json.MAPPER
                    .getNodeFactory().textNode(e.toString()) + "}]");
        }
    }

    private JsonNode answer(String path) {
        if (path.equals("/version")) {
            return template("version.json");
        }
        if (path.equals(CONTEXT + "/constants")) {
            return constants;
        }
        String rollupPrefix = CONTEXT + "/smart_rollups/smart_rollup/";
        if (path.startsWith(rollupPrefix)) {
            String[] p = path.substring(rollupPrefix.length()).split("/");
            ObjectNode r = rollups.get(p[0]);
            if (r == null || p.length < 2) {
                return null;
            }
            return switch (p[1]) {
                case "genesis_info" -> r.get("genesis_info");
                case "kind" -> r.get("kind");
                case "last_cemented_commitment_hash_with_level" -> r.get("lcc");
                case "commitment" -> p.length > 2 ? r.get("commitments").get(p[2]) : null;
                default -> null;
            };
        }
        String blocksPrefix = "/chains/main/blocks/";
        if (path.startsWith(blocksPrefix)) {
            String[] p = path.substring(blocksPrefix.length()).split("/");
            ObjectNode b = resolve(p[0]);
            if (b == null) {
                return null;
            }
            if (p.length == 1) {
                return b;
            }
            if (p.length == 2 && p[1].equals("hash")) {
                return b.get("hash");
            }
            if (p.length == 2 && p[1].equals("header")) {
                ObjectNode h = b.get("header").deepCopy();
                h.put("protocol", b.get("protocol").asText());
                h.put("chain_id", b.get("chain_id").asText());
                h.put("hash", b.get("hash").asText());
                return h;
            }
        }
        return null;
    }

    private ObjectNode resolve(String id) {
        if (main.isEmpty()) {
            return null;
        }
        if (id.equals("head")) {
            return blocks.get(main.get(main.size() - 1));
        }
        if (id.chars().allMatch(Character::isDigit)) {
            int level = Integer.parseInt(id);
            return level < main.size() ? blocks.get(main.get(level)) : null;
        }
        return blocks.get(id);
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }
}
