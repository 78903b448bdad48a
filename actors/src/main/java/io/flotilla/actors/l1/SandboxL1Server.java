package io.flotilla.actors.l1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.flotilla.actors.l1.L1Source.OperationResult;
import io.flotilla.pvm.encoding.BlockHash;
import io.flotilla.pvm.util.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link SandboxL1} as JSON over HTTP so that other JVMs follow the same chain
 * ({@link RemoteSandboxL1}). Bound to 127.0.0.1 unless told otherwise. Endpoints:
 * <pre>
 *   GET  /head                                   the head block
 *   GET  /blocks/LEVEL                           a block of the main chain
 *   GET  /blocks/hash/HASH                       a block by hash (hex or B... base58), also off the main chain
 *   GET  /monitor/heads?after=HEX&amp;timeout_ms=N  long poll: the head as soon as its hash differs from
 *                                                {@code after} (at once if it already does); 204 on timeout
 *   GET  /rollups                                addresses of the originated rollups
 *   GET  /rollups/SR1                            origination level, kernel, version, type, genesis commitment
 *   GET  /rollups/SR1/last_cemented_commitment
 *   GET  /rollups/SR1/commitments                published commitments
 *   GET  /constants | /accounts | /calls | /pending
 *   POST /injection/KIND                         an operation (JSON, see {@link L1Json}); KIND is originate,
 *                                                add_messages, transfer, publish, cement or execute_outbox;
 *                                                200 with the result, 400 {"ok":false,"error":...} if refused
 *   POST /injection                              the same with the kind in the body
 *   POST /admin/produce_block                    bakes a block (manual mode)
 *   POST /admin/reorg?depth=N                    test-only reorganisation
 * </pre>
 */
public final class SandboxL1Server implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxL1Server.class);
    private static final int MAX_BODY = 64 << 20;
    private static final long DEFAULT_POLL_MS = 20_000;
    private static final long MAX_POLL_MS = 120_000;

    static {
        // The JDK server writes headers and body separately; without TCP_NODELAY each small response waits
        // for the client's delayed ACK (~40 ms). Read once, when the JVM's first HttpServer is made.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final SandboxL1 l1;
    private final HttpServer server;
    private final ExecutorService executor;
    private final AutoCloseable subscription;
    private final Object heads = new Object();
    private long headVersion;

    /** Serves {@code l1} on 127.0.0.1:{@code port} (0 picks a free port). */
    public static SandboxL1Server start(SandboxL1 l1, int port) throws IOException {
        return new SandboxL1Server(l1, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    public SandboxL1Server(SandboxL1 l1, InetSocketAddress bind) throws IOException {
        this.l1 = l1;
        this.server = HttpServer.create(bind, 64);
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "sandbox-l1-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        this.subscription = l1.subscribe(b -> {
            synchronized (heads) {
                headVersion++;
                heads.notifyAll();
            }
        });
        server.start();
        LOG.info("sandbox L1 served on {}", uri());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public URI uri() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + a.getPort());
    }

    @Override
    public void close() {
        try {
            subscription.close();
        } catch (Exception e) {
            // ignore
        }
        synchronized (heads) {
            headVersion++;
            heads.notifyAll();
        }
        server.stop(0);
        executor.shutdownNow();
    }

    // ------------------------------------------------------------------ routing

    private void handle(HttpExchange ex) {
        try (ex) {
            try {
                route(ex);
            } catch (BadRequest e) {
                send(ex, e.status, L1Json.error(e.getMessage()));
            } catch (IllegalArgumentException e) {
                send(ex, 400, L1Json.error(e.getMessage()));
            } catch (RuntimeException e) {
                LOG.warn("sandbox L1 server: {} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
                send(ex, 500, L1Json.error("internal error: " + e));
            }
        } catch (IOException e) {
            LOG.debug("sandbox L1 server: client went away: {}", e.toString());
        }
    }

    private void route(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getPath();
        String[] p = path.replaceAll("^/+|/+$", "").split("/+");
        Map<String, String> q = query(ex.getRequestURI());
        boolean get = method.equals("GET");
        boolean post = method.equals("POST");
        switch (p[0]) {
            case "head":
                requireMethod(get && p.length == 1, ex);
                send(ex, 200, L1Json.block(l1.head()));
                return;
            case "blocks":
                requireMethod(get, ex);
                if (p.length == 2) {
                    int level = parseInt(p[1], "level");
                    send(ex, 200, L1Json.block(l1.block(level).orElseThrow(
                            () -> new BadRequest(404, "no block at level " + level + " (head is at "
                                    + l1.head().level() + ")"))));
                    return;
                }
                if (p.length == 3 && p[1].equals("hash")) {
                    byte[] hash = parseBlockHash(p[2]);
                    send(ex, 200, L1Json.block(l1.blockByHash(hash).orElseThrow(
                            () -> new BadRequest(404, "unknown block " + p[2]))));
                    return;
                }
                break;
            case "monitor":
                requireMethod(get && p.length == 2 && p[1].equals("heads"), ex);
                monitorHeads(ex, q);
                return;
            case "rollups":
                requireMethod(get, ex);
                if (p.length == 1) {
                    ArrayNode a = L1Json.MAPPER.createArrayNode();
                    l1.rollups().forEach(a::add);
                    send(ex, 200, a);
                    return;
                }
                String sr1 = p[1];
                if (p.length == 2) {
                    send(ex, 200, L1Json.rollup(l1.rollup(sr1).orElseThrow(() -> unknownRollup(sr1))));
                    return;
                }
                if (p.length == 3 && p[2].equals("last_cemented_commitment")) {
                    send(ex, 200, L1Json.lcc(l1.lastCementedCommitment(sr1).orElseThrow(() -> unknownRollup(sr1))));
                    return;
                }
                if (p.length == 3 && p[2].equals("commitments")) {
                    if (l1.rollup(sr1).isEmpty()) {
                        throw unknownRollup(sr1);
                    }
                    ArrayNode a = L1Json.MAPPER.createArrayNode();
                    l1.commitments(sr1).forEach(c -> a.add(L1Json.commitment(c)));
                    send(ex, 200, a);
                    return;
                }
                break;
            case "constants":
                requireMethod(get, ex);
                send(ex, 200, L1Json.constants(l1.constants()));
                return;
            case "accounts": {
                requireMethod(get, ex);
                ArrayNode a = L1Json.MAPPER.createArrayNode();
                for (SandboxAccounts.Account acc : SandboxAccounts.all()) {
                    a.addObject().put("alias", acc.alias()).put("address", acc.address());
                }
                send(ex, 200, a);
                return;
            }
            case "calls": {
                requireMethod(get, ex);
                ArrayNode a = L1Json.MAPPER.createArrayNode();
                l1.calls().forEach(c -> a.add(L1Json.call(c)));
                send(ex, 200, a);
                return;
            }
            case "pending": {
                requireMethod(get, ex);
                ArrayNode a = L1Json.MAPPER.createArrayNode();
                l1.pendingOperations().forEach(o -> a.add(L1Json.operation(o)));
                send(ex, 200, a);
                return;
            }
            case "injection": {
                requireMethod(post && p.length <= 2, ex);
                JsonNode body = readJson(ex);
                L1Operation op = L1Json.toOperation(body, p.length == 2 ? p[1] : null);
                OperationResult r = l1.inject(op);
                send(ex, r.ok() ? 200 : 400, L1Json.result(r));
                return;
            }
            case "admin":
                requireMethod(post && p.length == 2, ex);
                if (p[1].equals("produce_block")) {
                    send(ex, 200, L1Json.block(l1.produceBlock()));
                    return;
                }
                if (p[1].equals("reorg")) {
                    int depth = parseInt(Optional.ofNullable(q.get("depth")).orElse("1"), "depth");
                    SandboxL1.Reorg r = l1.reorg(depth);
                    ObjectNode n = L1Json.MAPPER.createObjectNode();
                    n.set("head", L1Json.block(l1.head()));
                    ArrayNode refused = n.putArray("refused");
                    r.refused().forEach(refused::add);
                    send(ex, 200, n);
                    return;
                }
                break;
            default:
                break;
        }
        throw new BadRequest(404, "no such endpoint: " + method + " " + path);
    }

    private void monitorHeads(HttpExchange ex, Map<String, String> q) throws IOException {
        String after = q.getOrDefault("after", "");
        long timeout = q.containsKey("timeout_ms") ? parseInt(q.get("timeout_ms"), "timeout_ms") : DEFAULT_POLL_MS;
        long deadline = System.currentTimeMillis() + Math.max(0, Math.min(timeout, MAX_POLL_MS));
        while (true) {
            long version;
            synchronized (heads) {
                version = headVersion;
            }
            L1Block head = l1.head();
            if (!Hex.encode(head.hash()).equalsIgnoreCase(after)) {
                send(ex, 200, L1Json.block(head));
                return;
            }
            synchronized (heads) {
                long now;
                while (headVersion == version && (now = System.currentTimeMillis()) < deadline) {
                    try {
                        heads.wait(deadline - now);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (headVersion == version) {
                    ex.sendResponseHeaders(204, -1);
                    return;
                }
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private static BadRequest unknownRollup(String sr1) {
        return new BadRequest(404, "rollup " + sr1 + " does not exist");
    }

    private static void requireMethod(boolean ok, HttpExchange ex) {
        if (!ok) {
            throw new BadRequest(ex.getRequestMethod().equals("GET") || ex.getRequestMethod().equals("POST") ? 404 : 405,
                    "no such endpoint: " + ex.getRequestMethod() + " " + ex.getRequestURI().getPath());
        }
    }

    private static int parseInt(String s, String what) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new BadRequest(400, "'" + s + "' is not a valid " + what);
        }
    }

    private static byte[] parseBlockHash(String s) {
        if (s.startsWith("B")) {
            return BlockHash.fromBase58(s).bytes();
        }
        byte[] b = Hex.decode(s);
        if (b.length != 32) {
            throw new BadRequest(400, "a block hash has 32 bytes, got " + b.length);
        }
        return b;
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> m = new HashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        for (String kv : raw.split("&")) {
            int i = kv.indexOf('=');
            String k = URLDecoder.decode(i < 0 ? kv : kv.substring(0, i), StandardCharsets.UTF_8);
            String v = i < 0 ? "" : URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8);
            m.put(k, v);
        }
        return m;
    }

    private static JsonNode readJson(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            throw new BadRequest(413, "request body larger than " + MAX_BODY + " bytes");
        }
        try {
            JsonNode n = L1Json.MAPPER.readTree(body);
            if (n == null || n.isMissingNode()) {
                throw new BadRequest(400, "empty request body: expected a JSON operation");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadRequest(400, "malformed JSON: " + e.getOriginalMessage());
        }
    }

    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] b = L1Json.MAPPER.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }
}
