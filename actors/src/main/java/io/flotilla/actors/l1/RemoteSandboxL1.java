package io.flotilla.actors.l1;

import com.fasterxml.jackson.databind.JsonNode;
import io.flotilla.pvm.util.Hex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link L1Source} reading a sandbox L1 served by {@link SandboxL1Server} in another JVM. Transport
 * failures surface as {@link UncheckedIOException}; a refused injection is a refused
 * {@link OperationResult}. Subscriptions long-poll {@code /monitor/heads} on a thread of their own and
 * reconnect with exponential backoff (0.2 s doubling up to 5 s) when the server is unreachable. When several
 * blocks were made between two polls they are all delivered, in order; after a reorganisation only the
 * new head is, as {@link SandboxL1} does.
 */
public final class RemoteSandboxL1 implements L1Source {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteSandboxL1.class);
    private static final long POLL_MS = 20_000;
    private static final long MIN_BACKOFF_MS = 200;
    private static final long MAX_BACKOFF_MS = 5_000;

    private final L1Http http;
    private final List<Poller> pollers = Collections.synchronizedList(new ArrayList<>());
    private volatile SandboxConstants constants;

    /** A client of the server at {@code base}, e.g. {@code http://127.0.0.1:18732}. */
    public RemoteSandboxL1(URI base) {
        this(base, Duration.ofSeconds(30));
    }

    public RemoteSandboxL1(URI base, Duration requestTimeout) {
        this.http = new L1Http(base, "L1", requestTimeout);
    }

    public URI base() {
        return http.base();
    }

    // ------------------------------------------------------------------ L1Source

    @Override
    public L1Block head() {
        return L1Json.toBlock(get("/head").orElseThrow(() -> new UncheckedIOException(
                new IOException("the L1 at " + http.base() + " has no head"))));
    }

    @Override
    public Optional<L1Block> block(int level) {
        return get("/blocks/" + level).map(L1Json::toBlock);
    }

    @Override
    public Optional<L1Block> blockByHash(byte[] hash) {
        if (hash == null || hash.length != 32) {
            return Optional.empty();
        }
        return get("/blocks/hash/" + Hex.encode(hash)).map(L1Json::toBlock);
    }

    @Override
    public AutoCloseable subscribe(Consumer<L1Block> onNewHead) {
        L1Block start = null;
        try {
            start = head();
        } catch (UncheckedIOException e) {
            LOG.warn("remote L1 {} unreachable at subscription, will retry: {}", http.base(), e.getMessage());
        }
        Poller p = new Poller(onNewHead, start);
        pollers.add(p);
        p.thread.start();
        return p;
    }

    @Override
    public Optional<RollupInfo> rollup(String sr1) {
        return get("/rollups/" + enc(sr1)).map(L1Json::toRollup);
    }

    @Override
    public Optional<CementedCommitment> lastCementedCommitment(String sr1) {
        return get("/rollups/" + enc(sr1) + "/last_cemented_commitment").map(L1Json::toLcc);
    }

    @Override
    public List<PublishedCommitment> commitments(String sr1) {
        List<PublishedCommitment> out = new ArrayList<>();
        get("/rollups/" + enc(sr1) + "/commitments").ifPresent(a -> a.forEach(n -> out.add(L1Json.toCommitment(n))));
        return out;
    }

    @Override
    public SandboxConstants constants() {
        SandboxConstants c = constants;
        if (c == null) {
            c = L1Json.toConstants(get("/constants").orElseThrow());
            constants = c;
        }
        return c;
    }

    @Override
    public OperationResult inject(L1Operation op) {
        HttpResponse<byte[]> r = http.send(http.request("/injection/" + L1Operation.kind(op))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json(L1Json.operation(op))))
                .build());
        if (r.statusCode() == 200 || r.statusCode() == 400) {
            JsonNode n = http.parse(r.body());
            return L1Json.toResult(n);
        }
        throw new UncheckedIOException(new IOException("injection into " + http.base() + " failed: HTTP " + r.statusCode()
                + " " + new String(r.body(), StandardCharsets.UTF_8)));
    }

    /** The contract calls executed on the remote sandbox. */
    public List<ContractCall> calls() {
        List<ContractCall> out = new ArrayList<>();
        get("/calls").ifPresent(a -> a.forEach(n -> out.add(L1Json.toCall(n))));
        return out;
    }

    /** Asks the remote sandbox to bake a block (manual mode). */
    public L1Block produceBlock() {
        HttpResponse<byte[]> r = http.send(http.request("/admin/produce_block")
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        check(r, "/admin/produce_block");
        return L1Json.toBlock(http.parse(r.body()));
    }

    @Override
    public void close() {
        List<Poller> ps;
        synchronized (pollers) {
            ps = new ArrayList<>(pollers);
        }
        ps.forEach(Poller::close);
    }

    // ------------------------------------------------------------------ subscription

    private final class Poller implements AutoCloseable {
        private final Consumer<L1Block> consumer;
        private final Thread thread;
        private volatile boolean done;
        private L1Block last;

        Poller(Consumer<L1Block> consumer, L1Block start) {
            this.consumer = consumer;
            this.last = start;
            this.thread = new Thread(this::run, "remote-l1-heads");
            thread.setDaemon(true);
        }

        private void run() {
            long backoff = MIN_BACKOFF_MS;
            while (!done) {
                try {
                    String after = last == null ? "" : Hex.encode(last.hash());
                    HttpResponse<byte[]> r = http.send(http.request("/monitor/heads?after="
                                    + after + "&timeout_ms=" + POLL_MS)
                            .timeout(Duration.ofMillis(POLL_MS + 10_000)).GET().build());
                    if (r.statusCode() == 204) {
                        backoff = MIN_BACKOFF_MS;
                        continue;
                    }
                    check(r, "/monitor/heads");
                    L1Block head = L1Json.toBlock(http.parse(r.body()));
                    for (L1Block b : newBlocks(head)) {
                        if (done) {
                            return;
                        }
                        try {
                            consumer.accept(b);
                        } catch (RuntimeException e) {
                            LOG.warn("remote L1: a head subscriber failed on {}", b, e);
                        }
                    }
                    last = head;
                    backoff = MIN_BACKOFF_MS;
                } catch (RuntimeException e) {
                    if (done) {
                        return;
                    }
                    LOG.debug("remote L1 {}: polling heads failed, retrying in {} ms: {}", http.base(), backoff, e.toString());
                    try {
                        Thread.sleep(backoff);
                    } catch (InterruptedException ie) {
                        return;
                    }
                    backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
                }
            }
        }

        private List<L1Block> newBlocks(L1Block head) {
            return HeadCatchUp.since(last, head, RemoteSandboxL1.this::blockByHash);
        }

        @Override
        public void close() {
            done = true;
            pollers.remove(this);
            thread.interrupt();
        }
    }

    // ------------------------------------------------------------------ http

    private Optional<JsonNode> get(String path) {
        HttpResponse<byte[]> r = http.send(http.request(path).GET().build());
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        check(r, path);
        return Optional.of(http.parse(r.body()));
    }

    private void check(HttpResponse<byte[]> r, String path) {
        if (r.statusCode() != 200) {
            throw new UncheckedIOException(new IOException(http.name() + ": " + path + " answered HTTP "
                    + r.statusCode() + ": " + new String(r.body(), StandardCharsets.UTF_8)));
        }
    }

    private static byte[] json(JsonNode n) {
        try {
            return L1Json.MAPPER.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
