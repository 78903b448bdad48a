package io.flotilla.actors.l1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import io.flotilla.pvm.encoding.Base58Check;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link L1Source} following a Tezos node (Octez) over its RPC, for observer nodes.
 * <ul>
 * <li>Blocks: {@code GET /chains/main/blocks/<level>/hash} names the main chain's block at a level, and
 * {@code GET /chains/main/blocks/<hash>?metadata=always} gives it with its operations and receipts, read by
 * {@link OctezBlocks}. Blocks are immutable, so they are cached by hash.</li>
 * <li>Heads: {@code GET /monitor/heads/main} streams one JSON header per new head; a subscription reads the
 * stream on a thread of its own, fetches each head's block and delivers it, with the blocks in between when the
 * node skipped some, and reconnects with exponential backoff (0.2 s doubling up to 5 s) when the node is
 * unreachable or the stream ends. After a reorganisation only the new head is delivered (as the other sources do);
 * the chain actor walks back to the common ancestor with {@link #block(int)}.</li>
 * <li>Rollups, from the head's context: {@code .../smart_rollups/smart_rollup/<sr1>/genesis_info} (origination
 * level and genesis commitment), {@code .../kind}, the origination operation in the origination block (kernel,
 * parameter type), {@code .../last_cemented_commitment_hash_with_level} and {@code .../commitment/<hash>}.</li>
 * <li>Constants: {@code /chains/main/blocks/head/context/constants} (commitment period, challenge window, minimal
 * block delay), read once.</li>
 * </ul>
 * Commitment hashes are Octez's: they hash Octez's PVM state, which Flotilla does not reproduce (it hashes its own
 * tree), so they never equal the commitments Flotilla computes; they are reported as L1 gives them.
 * {@link #commitments} lists only the last cemented commitment (the RPC has no listing of published ones).
 * Injection is not supported: Flotilla follows an Octez node as an observer only.
 *
 * <p>Idempotent reads are retried a few times (0.2, 0.4, 0.8 s) before failing with an
 * {@link UncheckedIOException}.
 */
public final class OctezRpcL1 implements L1Source {
    private static final Logger LOG = LoggerFactory.getLogger(OctezRpcL1.class);
    private static final long MIN_BACKOFF_MS = 200;
    private static final long MAX_BACKOFF_MS = 5_000;
    private static final int READ_ATTEMPTS = 4;
    private static final int CACHED_BLOCKS = 512;
    private static final String CONTEXT = "/chains/main/blocks/head/context";

    private final L1Http http;
    private final Map<String, L1Block> blocks = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, L1Block> e) {
            return size() > CACHED_BLOCKS;
        }
    });
    private final Map<String, RollupInfo> rollups = new ConcurrentHashMap<>();
    private final List<HeadMonitor> monitors = Collections.synchronizedList(new ArrayList<>());
    private volatile SandboxConstants constants;

    /** A follower of the Octez node whose RPC is at {@code base}, e.g. {@code http://127.0.0.1:8732}. */
    public OctezRpcL1(URI base) {
        this(base, Duration.ofSeconds(30));
    }

    public OctezRpcL1(URI base, Duration requestTimeout) {
        this.http = new L1Http(base, "Octez node", requestTimeout);
    }

    public URI base() {
        return http.base();
    }

    /** True when {@code base} answers like an Octez node ({@code /chains/main/blocks/head/header}). */
    public static boolean isOctez(URI base) {
        L1Http probe = new L1Http(base, "Octez node", Duration.ofSeconds(10));
        try {
            HttpResponse<byte[]> r = probe.send(probe.request("/chains/main/blocks/head/header").GET().build());
            return r.statusCode() == 200 && probe.parse(r.body()).has("predecessor");
        } catch (RuntimeException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------ L1Source

    @Override
    public L1Block head() {
        return byHash(hashAt("head").orElseThrow(() -> new UncheckedIOException(
                new IOException("the " + http.name() + " has no head")))).orElseThrow(() ->
                new UncheckedIOException(new IOException("the " + http.name() + " lost its head block")));
    }

    @Override
    public Optional<L1Block> block(int level) {
        if (level < 0) {
            return Optional.empty();
        }
        return hashAt(Integer.toString(level)).flatMap(this::byHash);
    }

    @Override
    public Optional<L1Block> blockByHash(byte[] hash) {
        if (hash == null || hash.length != 32) {
            return Optional.empty();
        }
        return byHash(Base58Check.encode(Base58Check.Prefix.BLOCK_HASH, hash));
    }

    @Override
    public AutoCloseable subscribe(Consumer<L1Block> onNewHead) {
        HeadMonitor m = new HeadMonitor(onNewHead);
        monitors.add(m);
        m.thread.start();
        return m;
    }

    @Override
    public Optional<RollupInfo> rollup(String sr1) {
        RollupInfo known = rollups.get(sr1);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<JsonNode> genesis = get(rollupPath(sr1) + "/genesis_info");
        if (genesis.isEmpty()) {
            return Optional.empty();
        }
        String kind = get(rollupPath(sr1) + "/kind").map(JsonNode::asText).orElse("?");
        if (!"wasm_2_0_0".equals(kind)) {
            throw new IllegalStateException("rollup " + sr1 + " runs the " + kind
                    + " PVM; Flotilla runs wasm_2_0_0 rollups only");
        }
        int level = genesis.get().path("level").asInt();
        L1Block origination = block(level).orElseThrow(() -> new IllegalStateException("the " + http.name()
                + " does not have block " + level + ", where rollup " + sr1 + " was originated (a rolling node? "
                + "Flotilla needs the origination block for the kernel)"));
        L1Operation.Originate o = origination.operations().stream()
                .filter(op -> op instanceof L1Operation.Originate x && sr1.equals(x.rollup()))
                .map(op -> (L1Operation.Originate) op).findFirst()
                .orElseThrow(() -> new IllegalStateException("block " + level + " has no origination of " + sr1));
        RollupInfo info = new RollupInfo(sr1, level, o.kernel(), o.pvmVersion(), o.parametersType(),
                OctezBlocks.commitmentHash(genesis.get().path("commitment_hash").asText()));
        rollups.put(sr1, info);
        return Optional.of(info);
    }

    @Override
    public Optional<CementedCommitment> lastCementedCommitment(String sr1) {
        Optional<JsonNode> lcc = get(rollupPath(sr1) + "/last_cemented_commitment_hash_with_level");
        if (lcc.isEmpty()) {
            return Optional.empty();
        }
        String hash = lcc.get().path("hash").asText();
        byte[] state = commitment(sr1, hash).map(c -> OctezBlocks.stateHash(c.path("compressed_state").asText()))
                .orElse(new byte[32]);
        return Optional.of(new CementedCommitment(OctezBlocks.commitmentHash(hash), lcc.get().path("level").asInt(),
                state));
    }

    @Override
    public List<PublishedCommitment> commitments(String sr1) {
        Optional<JsonNode> lcc = get(rollupPath(sr1) + "/last_cemented_commitment_hash_with_level");
        if (lcc.isEmpty()) {
            return List.of();
        }
        String hash = lcc.get().path("hash").asText();
        return commitment(sr1, hash).map(c -> List.of(new PublishedCommitment(OctezBlocks.commitmentHash(hash),
                OctezBlocks.stateHash(c.path("compressed_state").asText()), c.path("inbox_level").asInt(),
                OctezBlocks.commitmentHash(c.path("predecessor").asText()),
                Long.parseLong(c.path("number_of_ticks").asText()), c.path("inbox_level").asInt(), List.of(), false,
                true))).orElse(List.of());
    }

    @Override
    public SandboxConstants constants() {
        SandboxConstants c = constants;
        if (c == null) {
            JsonNode n = get(CONTEXT + "/constants").orElseThrow(() -> new UncheckedIOException(
                    new IOException("the " + http.name() + " has no constants")));
            c = new SandboxConstants(n.path("smart_rollup_commitment_period_in_blocks").asInt(),
                    n.path("smart_rollup_challenge_window_in_blocks").asInt(),
                    Duration.ofSeconds(Long.parseLong(n.path("minimal_block_delay").asText("1"))));
            constants = c;
        }
        return c;
    }

    /** Always refused: Flotilla follows Octez nodes as an observer; it has no keys to sign L1 operations with. */
    @Override
    public OperationResult inject(L1Operation op) {
        return OperationResult.refused("cannot inject " + L1Operation.kind(op) + " into the " + http.name()
                + ": Flotilla follows Octez nodes in observer mode only (no signing, no injection)");
    }

    @Override
    public void close() {
        List<HeadMonitor> ms;
        synchronized (monitors) {
            ms = new ArrayList<>(monitors);
        }
        ms.forEach(HeadMonitor::close);
    }

    // ------------------------------------------------------------------ reads

    private static String rollupPath(String sr1) {
        // validates the address before it goes into a URL
        Base58Check.decode(Base58Check.Prefix.SMART_ROLLUP_ADDRESS, sr1);
        return CONTEXT + "/smart_rollups/smart_rollup/" + sr1;
    }

    private Optional<JsonNode> commitment(String sr1, String hash) {
        return get(rollupPath(sr1) + "/commitment/" + hash);
    }

    private Optional<String> hashAt(String blockId) {
        return get("/chains/main/blocks/" + blockId + "/hash").map(JsonNode::asText);
    }

    private Optional<L1Block> byHash(String b58) {
        L1Block cached = blocks.get(b58);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<L1Block> b = get("/chains/main/blocks/" + b58 + "?metadata=always").map(OctezBlocks::parse);
        b.ifPresent(x -> blocks.put(b58, x));
        return b;
    }

    /** A GET answered 200 (its JSON) or 404 (empty), retried on transport errors and 5xx answers. */
    private Optional<JsonNode> get(String path) {
        long backoff = MIN_BACKOFF_MS;
        for (int attempt = 1; ; attempt++) {
            try {
                HttpResponse<byte[]> r = http.send(http.request(path).GET().build());
                if (r.statusCode() == 404) {
                    return Optional.empty();
                }
                if (r.statusCode() == 200) {
                    return Optional.of(http.parse(r.body()));
                }
                String why = "the " + http.name() + " answered HTTP " + r.statusCode() + " to " + path + ": "
                        + new String(r.body(), StandardCharsets.UTF_8);
                if (r.statusCode() < 500 || attempt >= READ_ATTEMPTS) {
                    throw new UncheckedIOException(new IOException(why));
                }
            } catch (UncheckedIOException e) {
                if (attempt >= READ_ATTEMPTS || !(e.getCause() instanceof java.net.ConnectException
                        || e.getCause() instanceof java.net.http.HttpTimeoutException
                        || e.getMessage().contains("HTTP 5"))) {
                    throw e;
                }
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new IOException("interrupted", ie));
            }
            backoff *= 2;
        }
    }

    // ------------------------------------------------------------------ head monitor

    private final class HeadMonitor implements AutoCloseable {
        private final Consumer<L1Block> consumer;
        private final Thread thread;
        private volatile boolean done;
        private volatile InputStream stream;
        private L1Block last;

        HeadMonitor(Consumer<L1Block> consumer) {
            this.consumer = consumer;
            this.thread = new Thread(this::run, "octez-l1-heads");
            thread.setDaemon(true);
        }

        private void run() {
            long backoff = MIN_BACKOFF_MS;
            while (!done) {
                try {
                    // a stream that stays open: no request timeout
                    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(http.base()
                            + "/monitor/heads/main")).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                    stream = r.body();
                    if (r.statusCode() != 200) {
                        stream.close();
                        throw new IOException("/monitor/heads/main answered HTTP " + r.statusCode());
                    }
                    try (MappingIterator<JsonNode> heads = L1Json.MAPPER.readerFor(JsonNode.class)
                            .readValues(stream)) {
                        while (!done && heads.hasNextValue()) {
                            onHeader(heads.nextValue());
                            backoff = MIN_BACKOFF_MS;
                        }
                    }
                    if (!done) {
                        LOG.info("Octez node {}: the heads stream ended; reconnecting", http.base());
                    }
                } catch (IOException | RuntimeException e) {
                    if (done) {
                        return;
                    }
                    LOG.info("Octez node {}: following heads failed, retrying in {} ms: {}", http.base(), backoff,
                            e.toString());
                    try {
                        Thread.sleep(backoff);
                    } catch (InterruptedException ie) {
                        return;
                    }
                    backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
                }
            }
        }

        private void onHeader(JsonNode header) {
            String hash = header.path("hash").asText();
            if (last != null && hash.equals(Base58Check.encode(Base58Check.Prefix.BLOCK_HASH, last.hash()))) {
                return; // the current head again, as a reconnected stream starts with it
            }
            L1Block head = byHash(hash).orElseThrow(() -> new UncheckedIOException(new IOException(
                    "the Octez node announced head " + hash + " but does not serve it")));
            for (L1Block b : newBlocks(head)) {
                if (done) {
                    return;
                }
                try {
                    consumer.accept(b);
                } catch (RuntimeException e) {
                    LOG.warn("Octez L1: a head subscriber failed on {}", b, e);
                }
            }
            last = head;
        }

        private List<L1Block> newBlocks(L1Block head) {
            return HeadCatchUp.since(last, head, OctezRpcL1.this::blockByHash);
        }

        @Override
        public void close() {
            done = true;
            monitors.remove(this);
            InputStream s = stream;
            if (s != null) {
                try {
                    s.close();
                } catch (IOException e) {
                    LOG.debug("closing the heads stream: {}", e.toString());
                }
            }
            thread.interrupt();
        }
    }
}
