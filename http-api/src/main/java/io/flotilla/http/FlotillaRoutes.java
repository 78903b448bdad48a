package io.flotilla.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.flotilla.pvm.durable.DurableKey;
import io.flotilla.pvm.encoding.Base58Check;
import io.flotilla.pvm.encoding.Base58Check.Prefix;
import io.flotilla.pvm.util.Hex;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes of the API (Pekko HTTP Java DSL). Every answer is JSON except {@code /metrics}; every
 * error is {@code {"error": ..., "kind": ...}} with a 4xx status for what the client got wrong.
 * Calls into {@link RollupQueries} that may block run on {@code reads} (the bounded read dispatcher of
 * {@link FlotillaHttpServer}), never on the HTTP or actor dispatchers.
 */
public final class FlotillaRoutes extends AllDirectives {
    private static final Logger LOG = LoggerFactory.getLogger(FlotillaRoutes.class);

    /** Octez: an L2 message is at most 4,096 bytes. */
    public static final int MAX_L2_MESSAGE = 4096;
    public static final int MAX_MESSAGES_PER_INJECTION = 10_000;

    private static final Pattern HEX32 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final ContentType.WithCharset PROMETHEUS = MediaTypes.TEXT_PLAIN.toContentType(HttpCharsets.UTF_8);

    private final RollupQueries q;
    private final Executor reads;
    private final HttpMetrics metrics;
    private final FlotillaHttpServer.Settings settings;
    private final String version;
    /** Answers that depend only on a state, kept by state hash (outbox messages, durable values). */
    private final StateAnswers answers;

    /** @param reads where calls into {@code queries} that may block run (a bounded pool, not the dispatcher) */
    public FlotillaRoutes(RollupQueries queries, Executor reads, HttpMetrics metrics,
            FlotillaHttpServer.Settings settings) {
        this.q = queries;
        this.reads = reads;
        this.metrics = metrics;
        this.settings = settings;
        this.answers = new StateAnswers(settings.stateAnswerBytes());
        String v = FlotillaRoutes.class.getPackage().getImplementationVersion();
        this.version = v == null ? "0.1.0-SNAPSHOT" : v;
    }

    // ---------------------------------------------------------------- top level

    /** The whole API: metrics around error handling around the routes. */
    public Route route() {
        return measured(() -> withRequestTimeoutResponse(req -> error(503, "timeout",
                "the request timed out (pekko.http.server.request-timeout)"),
                () -> handleExceptions(exceptionHandler(), () -> handleRejections(rejectionHandler(),
                () -> concat(
                        path("health", () -> get(this::nodeHealth)),
                        path("version", () -> get(() -> complete(ok(versionJson())))),
                        path("openapi", () -> get(() -> complete(ok(Endpoints.openApi(version))))),
                        path("metrics", () -> get(this::metricsText)),
                        pathPrefix("rollups", () -> concat(
                                pathEndOrSingleSlash(() -> get(this::listRollups)),
                                pathPrefix(segment(), addr -> withRollup(addr, r -> concat(
                                        pathEndOrSingleSlash(() -> get(() -> withSummary(r, FlotillaRoutes::rollupEntry))),
                                        rollupRoutes(r)))))),
                        defaultRollup())))));
    }

    private Route measured(Supplier<Route> inner) {
        return extractRequest(req -> {
            long t0 = System.nanoTime();
            return mapResponse(resp -> {
                metrics.record(req.method().value(), resp.status().intValue(), System.nanoTime() - t0);
                return resp;
            }, inner);
        });
    }

    /** Rollup routes at the root: only when the node serves exactly one rollup. */
    private Route defaultRollup() {
        return extractUnmatchedPath(p -> {
            List<String> rs = q.rollups();
            if (rs.size() == 1) {
                return rollupRoutes(rs.get(0));
            }
            if (p.startsWith("/global") || p.startsWith("/local") || p.startsWith("/admin")) {
                throw ApiException.notFound("rollup_required", "this node serves " + rs.size()
                        + " rollups: use /rollups/<sr1 address>" + p);
            }
            return reject();
        });
    }

    private Route withRollup(String addr, Function<String, Route> inner) {
        if (q.serves(addr)) {
            return inner.apply(addr);
        }
        try {
            Base58Check.decode(Prefix.SMART_ROLLUP_ADDRESS, addr);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_rollup_address", e.getMessage());
        }
        throw ApiException.notFound("unknown_rollup", "this node does not serve rollup " + addr);
    }

    /**
     * The routes of one served rollup, built once: the Java DSL builds the routes inside an extraction (here, the
     * rollup's address) anew for every request otherwise, dozens of directives each time.
     */
    private Route rollupRoutes(String r) {
        return rollupRoutes.computeIfAbsent(r, this::buildRollupRoutes);
    }

    private final Map<String, Route> rollupRoutes = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Route> namedBlockRoutes = new java.util.concurrent.ConcurrentHashMap<>();

    private Route buildRollupRoutes(String r) {
        return concat(
                pathPrefix("global", () -> globalRoutes(r)),
                pathPrefix("local", () -> localRoutes(r)),
                path(segment("admin").slash("cancel_gc"),
                        () -> post(() -> adminOnly(() -> blockingJson(() -> Json.F.booleanNode(q.cancelGc(r))))))
                , path("health", () -> get(() -> withSummary(r, s -> rollupHealth(s)))));
    }

    // ---------------------------------------------------------------- /global

    private Route globalRoutes(String r) {
        return concat(
                path("smart_rollup_address", () -> get(() -> complete(ok(TextNode.valueOf(r))))),
                path("tezos_head", () -> get(() -> withSummary(r, s -> s.l1HeadHashHex()
                        .<JsonNode>map(h -> TextNode.valueOf(Json.blockHash(h))).orElse(Json.F.nullNode())))),
                path("tezos_level", () -> get(() -> withSummary(r, s -> s.l1HeadLevel()
                        .<JsonNode>map(Json.F::numberNode).orElse(Json.F.nullNode())))),
                path("last_stored_commitment", () -> get(() -> withSummary(r, s -> s.lastStoredCommitment()
                        .<JsonNode>map(c -> commitmentWithHash(r, c, false)).orElse(Json.F.nullNode())))),
                path("last_cemented_commitment", () -> get(() -> withSummary(r, s -> lcc(r, s)))),
                path("monitor_blocks", () -> get(() -> stream(q.monitorBlocks(r)))),
                path("monitor_finalized_blocks", () -> get(() -> stream(q.monitorFinalizedBlocks(r)))),
                pathPrefix("block", () -> pathPrefix(segment(), id -> switch (id) {
                    // the named ids are most of the traffic: their routes are built once too
                    case "head", "finalized", "cemented" -> namedBlockRoutes.computeIfAbsent(r + "/" + id,
                            k -> blockRoutes(r, id));
                    default -> blockRoutes(r, id);
                })));
    }

    private JsonNode lcc(String r, RollupSummary s) {
        CommitmentRef ref = s.lcc().orElseThrow(
                () -> ApiException.notFound("no_lcc", "no last cemented commitment known for " + r));
        ObjectNode o = Json.obj().put("commitment_hash", Json.commitmentHash(ref.hashHex())).put("level", ref.level());
        q.commitment(r, ref.hashHex()).ifPresent(c -> o.set("commitment", Json.commitment(c)));
        return o;
    }

    private JsonNode commitmentWithHash(String r, CommitmentRef ref, boolean levelInfos) {
        Optional<CommitmentView> c = q.commitment(r, ref.hashHex());
        if (c.isEmpty()) {
            return Json.obj().put("hash", Json.commitmentHash(ref.hashHex())).put("inbox_level", ref.level());
        }
        if (levelInfos) {
            return Json.commitmentWithInfos(c.get());
        }
        ObjectNode o = Json.obj();
        o.set("commitment", Json.commitment(c.get()));
        o.put("hash", Json.commitmentHash(ref.hashHex()));
        return o;
    }

    /**
     * The routes under {@code /global/block/<id>}. Each route's answer is one method ({@link #blockAnswer},
     * {@link #fieldAnswer}, {@link #outboxAnswer}, {@link #proofAnswer}, {@link #durableAnswer}) shared with
     * {@link BlockReadDispatch}, which serves the same routes without the DSL: both give the same bytes.
     */
    private Route blockRoutes(String r, String id) {
        List<Route> routes = new ArrayList<>();
        routes.add(pathEndOrSingleSlash(() -> get(() -> parameterOptional("outbox", outbox -> {
            boolean withOutbox = parseBool("outbox", outbox.orElse("false"));
            return withBlock(r, id, b -> blockAnswer(r, b, withOutbox));
        }))));
        for (String field : BLOCK_FIELDS) {
            routes.add(path(field, () -> get(() -> withBlock(r, id, b -> fieldAnswer(b, field)))));
        }
        routes.add(path("outbox", () -> get(() -> parameterOptional("outbox_level", ol -> {
            int outboxLevel = parseLevel("outbox_level", ol.orElseThrow(() -> ApiException.badRequest(
                    "missing_parameter", "query parameter outbox_level is required")));
            return withBlockState(r, id, (level, state) -> outboxAnswer(r, level, state, outboxLevel));
        }))));
        routes.add(path(segment("outbox").slash(segment()).slash("messages"), lvl -> get(() -> {
            int outboxLevel = parseLevel("outbox level", lvl);
            return withBlockState(r, id, (level, state) -> outboxAnswer(r, level, state, outboxLevel));
        })));
        routes.add(pathPrefix(segment("durable").slash("wasm_2_0_0"), () -> durableRoutes(r, id)));
        routes.add(path(segment("helpers").slash("proofs").slash("outbox").slash(segment()).slash("messages"),
                lvl -> get(() -> parameterOptional("index", idx -> {
                    int outboxLevel = parseLevel("outbox level", lvl);
                    int index = parseLevel("index", idx.orElseThrow(() -> ApiException.badRequest(
                            "missing_parameter", "query parameter index is required")));
                    return withBlock(r, id, b -> proofAnswer(r, b, outboxLevel, index));
                }))));
        return concat(routes.get(0), routes.subList(1, routes.size()).toArray(Route[]::new));
    }

    /** The one-value routes of a block ({@code /global/block/<id>/<field>}). */
    static final List<String> BLOCK_FIELDS = List.of("hash", "level", "inbox", "ticks", "total_ticks", "num_messages",
            "state_hash", "status");

    /** The durable storage reads ({@code /global/block/<id>/durable/wasm_2_0_0/<read>?key=}). */
    static final List<String> DURABLE_READS = List.of("value", "length", "subkeys", "values");

    // ---------------------------------------------------------------- block answers (DSL and BlockReadDispatch)

    HttpResponse blockAnswer(String r, L2BlockView b, boolean withOutbox) {
        ObjectNode o = Json.block(b);
        if (withOutbox) {
            List<byte[]> msgs = q.outbox(r, b.level(), b.level());
            ArrayNode a = o.putArray("outbox");
            for (int i = 0; i < msgs.size(); i++) {
                a.addObject().put("message_index", i).put("message", Hex.encode(msgs.get(i)));
            }
        }
        return ok(o);
    }

    static HttpResponse fieldAnswer(L2BlockView b, String field) {
        return ok(switch (field) {
            case "hash" -> TextNode.valueOf(Json.blockHash(b.l1BlockHashHex()));
            case "level" -> Json.F.numberNode(b.level());
            case "inbox" -> Json.obj()
                    .put("level", b.level())
                    .put("hash", Json.inboxHash(b.inboxHashHex()))
                    .put("num_messages", Integer.toString(b.messagesHex().size()));
            case "ticks" -> TextNode.valueOf(Long.toString(b.ticks()));
            case "total_ticks" -> TextNode.valueOf(Long.toString(b.totalTicks()));
            case "num_messages" -> TextNode.valueOf(Integer.toString(b.messagesHex().size()));
            case "state_hash" -> TextNode.valueOf(Json.stateHash(b.stateHashHex()));
            case "status" -> TextNode.valueOf(b.pvmStatus());
            default -> throw new IllegalArgumentException("no block field " + field);
        });
    }

    /** {@code stateHashHex}: the state of the block at {@code level}. */
    HttpResponse outboxAnswer(String r, int level, String stateHashHex, int outboxLevel) {
        checkOutboxLevel(level, outboxLevel);
        return byState(r, stateHashHex, "outbox", Integer.toString(outboxLevel),
                s -> ok(Json.outbox(outboxLevel, s.outbox(outboxLevel))),
                () -> ok(Json.outbox(outboxLevel, q.outbox(r, level, outboxLevel))));
    }

    private static void checkOutboxLevel(int level, int outboxLevel) {
        if (outboxLevel > level) {
            throw ApiException.badRequest("invalid_outbox_level",
                    "outbox level " + outboxLevel + " is after the block's level " + level);
        }
    }

    HttpResponse proofAnswer(String r, L2BlockView b, int outboxLevel, int index) {
        checkOutboxLevel(b.level(), outboxLevel);
        byte[] proof = q.outboxProof(r, b.level(), outboxLevel, index).orElseThrow(() -> ApiException.notFound(
                "outbox_message_not_found", "no outbox message " + index + " at outbox level " + outboxLevel
                        + " in the state of block " + b.level()));
        ObjectNode o = Json.obj();
        if (b.commitmentHashHex().isPresent()) {
            o.put("commitment", Json.commitmentHash(b.commitmentHashHex().get()));
        } else {
            o.putNull("commitment");
        }
        o.put("level", b.level());
        o.put("state_hash", Json.stateHash(b.stateHashHex()));
        o.put("outbox_level", outboxLevel);
        o.put("message_index", index);
        o.put("proof", Hex.encode(proof));
        return ok(o);
    }

    /** {@code read}: one of {@link #DURABLE_READS}; {@code stateHashHex}: the state of the block at {@code level}. */
    HttpResponse durableAnswer(String r, int level, String stateHashHex, String read, DurableKey key) {
        return byState(r, stateHashHex, read, key.toString(), s -> ok(durableJson(s.durable(), read, key)),
                () -> ok(durableJson(q.durable(r, level).orElseThrow(() -> ApiException.notFound(
                        "state_not_found", "the state of block " + level + " is not available")), read, key)));
    }

    private static JsonNode durableJson(DurableView d, String read, DurableKey key) {
        switch (read) {
            case "value":
                return TextNode.valueOf(Hex.encode(d.value(key).orElseThrow(() -> noValue(key))));
            case "length":
                return TextNode.valueOf(Long.toString(d.length(key).orElseThrow(() -> noValue(key))));
            case "subkeys": {
                ArrayNode a = Json.arr();
                d.subkeys(key).forEach(a::add);
                return a;
            }
            case "values": {
                ArrayNode a = Json.arr();
                new TreeMap<>(d.values(key)).forEach((k, v) -> a.addObject().put("key", k).put("value", Hex.encode(v)));
                return a;
            }
            default:
                throw new IllegalArgumentException("no durable read " + read);
        }
    }

    /**
     * An answer that depends only on the block's state: kept by state hash when the backend reads states by hash
     * (the state named by the block is read, so what is kept is that state's answer even if a reorg replaced the
     * block meanwhile); read by level, and not kept, otherwise.
     */
    private HttpResponse byState(String r, String stateHashHex, String kind, String argument,
            Function<StateView, HttpResponse> fromState, Supplier<HttpResponse> byLevel) {
        StateAnswers.Key key = new StateAnswers.Key(stateHashHex, kind, argument);
        HttpResponse kept = answers.get(key);
        if (kept != null) {
            return kept;
        }
        Optional<StateView> state = q.stateByHash(r, stateHashHex);
        if (state.isEmpty()) {
            return byLevel.get();
        }
        HttpResponse answer = fromState.apply(state.get());
        answers.offer(key, answer);
        return answer;
    }

    /** The answers kept by state hash (tests and metrics read its counters). */
    StateAnswers stateAnswers() {
        return answers;
    }

    private Route durableRoutes(String r, String id) {
        List<Route> routes = new ArrayList<>();
        for (String read : DURABLE_READS) {
            routes.add(path(read, () -> get(() -> withKey(key -> withBlockState(r, id,
                    (level, state) -> durableAnswer(r, level, state, read, key))))));
        }
        return concat(routes.get(0), routes.subList(1, routes.size()).toArray(Route[]::new));
    }

    private static ApiException noValue(DurableKey key) {
        return ApiException.notFound("key_not_found", "no value at durable key " + key);
    }

    private Route withKey(Function<DurableKey, Route> inner) {
        return parameterOptional("key", k -> inner.apply(parseKey(k.orElse(""))));
    }

    static DurableKey parseKey(String key) {
        if (key.equals("/")) {
            return DurableKey.ROOT;
        }
        try {
            return DurableKey.parse(key);
        } catch (DurableKey.InvalidKeyException e) {
            throw ApiException.badRequest("invalid_key", "invalid durable key: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- block ids

    /** A parsed block id: head, finalized, cemented, a level or an L1 block hash (hex). */
    record BlockId(String kind, int level, String hashHex) {
        static final BlockId HEAD = new BlockId("head", -1, null);
        static final BlockId FINALIZED = new BlockId("finalized", -1, null);
        static final BlockId CEMENTED = new BlockId("cemented", -1, null);

        static BlockId parse(String s) {
            switch (s) {
                case "head":
                    return HEAD;
                case "finalized":
                    return FINALIZED;
                case "cemented":
                    return CEMENTED;
                default:
            }
            if (digits(s)) {
                long l = Long.parseLong(s);
                if (l <= Integer.MAX_VALUE) {
                    return new BlockId("level", (int) l, null);
                }
            } else if (s.startsWith("B")) {
                try {
                    return new BlockId("hash", -1, Hex.encode(Base58Check.decode(Prefix.BLOCK_HASH, s)));
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest("invalid_block_id", "invalid block id '" + abbreviate(s) + "': "
                            + e.getMessage());
                }
            }
            throw ApiException.badRequest("invalid_block_id", "invalid block id '" + abbreviate(s)
                    + "': expected head, finalized, cemented, a level or an L1 block hash");
        }
    }

    private int resolve(String r, BlockId id, RollupSummary s) {
        return switch (id.kind()) {
            case "level" -> id.level();
            case "hash" -> q.levelOfL1Hash(r, id.hashHex()).orElseThrow(() -> ApiException.notFound(
                    "block_not_found", "no L2 block for L1 block " + Json.blockHash(id.hashHex())));
            case "cemented" -> s.lcc().orElseThrow(() -> ApiException.notFound("block_not_found",
                    "no cemented commitment yet")).level();
            default -> {
                int head = s.headLevel().orElseThrow(() -> ApiException.notFound("block_not_found",
                        "no L2 block yet (" + s.status() + ")"));
                yield id.kind().equals("head") ? head : Math.min(head, Math.max(head - 2, s.originationLevel()));
            }
        };
    }

    private Route withBlock(String r, String idText, Function<L2BlockView, HttpResponse> f) {
        return completeWithFuture(blockResponse(r, BlockId.parse(idText), level -> f.apply(block(r, level))));
    }

    /** For reads of the block's state only: its level and state hash, without reading the rest of the block. */
    private Route withBlockState(String r, String idText, BiFunction<Integer, String, HttpResponse> f) {
        return completeWithFuture(blockResponse(r, BlockId.parse(idText), level -> f.apply(level, stateHashAt(r, level))));
    }

    /**
     * The answer of a block route: the level of the block named by {@code id}, resolved on the read dispatcher, then
     * {@code atLevel} (which reads what it needs of the block there); every failure as its JSON error. {@code head} and
     * {@code finalized} come from the stores, not from the
     * entity, which may be busy running a level; only a rollup with no block yet asks the entity, for the reason
     * given in the 404.
     */
    CompletableFuture<HttpResponse> blockResponse(String r, BlockId id, IntFunction<HttpResponse> atLevel) {
        CompletableFuture<HttpResponse> answer;
        if (id.kind().equals("level") || id.kind().equals("hash")) {
            answer = CompletableFuture.supplyAsync(() -> atLevel.apply(resolve(r, id, null)), reads);
        } else if (id.kind().equals("cemented")) {
            answer = summaryAnswer(r, s -> atLevel.apply(resolve(r, id, s)));
        } else {
            answer = CompletableFuture.supplyAsync(() -> q.chainHead(r)
                    .map(h -> atLevel.apply(id.kind().equals("head") ? h.level()
                            : Math.max(h.level() - 2, h.originationLevel())))
                    .orElse(null), reads).thenCompose(resp -> resp != null ? CompletableFuture.completedFuture(resp)
                    : summaryAnswer(r, s -> atLevel.apply(resolve(r, id, s))));
        }
        return answer.exceptionally(this::failure);
    }
    L2BlockView block(String r, int level) {
        return q.block(r, level).orElseThrow(() -> blockNotFound(level));
    }

    /** The state hash (hex) of the block at {@code level}; the same 404 as {@link #block} when there is none. */
    String stateHashAt(String r, int level) {
        return q.stateHashAt(r, level).orElseThrow(() -> blockNotFound(level));
    }

    private static ApiException blockNotFound(int level) {
        return ApiException.notFound("block_not_found",
                "no L2 block at level " + level + " (not produced yet, or garbage-collected)");
    }

    // ---------------------------------------------------------------- /local

    private Route localRoutes(String r) {
        return concat(
                path("last_published_commitment", () -> get(() -> withSummary(r, s -> s.lastPublishedCommitment()
                        .<JsonNode>map(c -> commitmentWithHash(r, c, true)).orElse(Json.F.nullNode())))),
                path(segment("commitments").slash(segment()), h -> get(() -> {
                    String hex = parseCommitmentHash(h);
                    return blockingJson(() -> Json.commitmentWithInfos(q.commitment(r, hex).orElseThrow(
                            () -> ApiException.notFound("commitment_not_found", "no commitment " + h))));
                })),
                path(segment("outbox").slash("pending"), () -> get(() -> pending(r, null))),
                path(segment("outbox").slash("pending").slash("executable"), () -> get(() -> pending(r, true))),
                path(segment("outbox").slash("pending").slash("unexecutable"), () -> get(() -> pending(r, false))),
                path("gc_info", () -> get(() -> blockingJson(() -> Json.gcInfo(q.gcInfo(r))))),
                path("synchronized", () -> get(() -> withSummary(r, FlotillaRoutes::synchronizedJson))),
                path(segment("batcher").slash("injection"), () -> post(() -> inject(r))),
                path(segment("batcher").slash("queue"), () -> get(() -> blockingJson(() -> {
                    ArrayNode a = Json.arr();
                    q.batcherQueue(r).forEach(id -> a.addObject().put("id", id));
                    return a;
                }))));
    }

    static String parseCommitmentHash(String h) {
        if (HEX32.matcher(h).matches()) {
            return h.toLowerCase(Locale.ROOT);
        }
        try {
            return Hex.encode(Base58Check.decode(Prefix.SMART_ROLLUP_COMMITMENT, h));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_commitment_hash", e.getMessage());
        }
    }

    /** {@code executable}: null for all pending messages (with a status), true/false for one kind (no status). */
    private Route pending(String r, Boolean executable) {
        return parameterOptional("outbox_level", ol -> {
            Integer only = ol.map(s -> parseLevel("outbox_level", s)).orElse(null);
            return blockingJson(() -> {
                Map<List<Object>, List<OutboxPending>> groups = new TreeMap<>((a, b) -> {
                    int c = Integer.compare((Integer) a.get(0), (Integer) b.get(0));
                    return c != 0 ? c : Boolean.compare((Boolean) a.get(1), (Boolean) b.get(1));
                });
                for (OutboxPending p : q.pendingOutbox(r)) {
                    if ((only == null || p.outboxLevel() == only)
                            && (executable == null || p.executable() == executable)) {
                        groups.computeIfAbsent(List.of(p.outboxLevel(), p.executable()), k -> new ArrayList<>()).add(p);
                    }
                }
                ArrayNode a = Json.arr();
                groups.forEach((k, ps) -> {
                    ObjectNode o = a.addObject().put("outbox_level", (Integer) k.get(0));
                    ArrayNode msgs = o.putArray("messages");
                    ps.stream().sorted((x, y) -> Integer.compare(x.index(), y.index())).forEach(p ->
                            msgs.addObject().put("message_index", p.index()).put("message", Hex.encode(p.message())));
                    if (executable == null) {
                        o.put("status", (Boolean) k.get(1) ? "executable" : "pending");
                    }
                });
                return a;
            });
        });
    }

    private static JsonNode synchronizedJson(RollupSummary s) {
        int l1 = s.l1HeadLevel().orElse(0);
        int head = s.headLevel().orElse(s.originationLevel());
        if (s.l1HeadLevel().isEmpty() || head >= l1) {
            return TextNode.valueOf("synchronized");
        }
        double done = l1 <= s.originationLevel() ? 100.0
                : Math.max(0.0, 100.0 * (head - s.originationLevel()) / (double) (l1 - s.originationLevel()));
        ObjectNode o = Json.obj();
        o.putObject("synchronizing").put("processed_level", head).put("l1_head_level", l1)
                .put("percentage_done", Math.round(done * 100) / 100.0);
        return o;
    }

    private Route inject(String r) {
        return withSizeLimit(settings.maxBodyBytes(), () -> entity(Unmarshaller.entityToByteString(), body -> {
            List<byte[]> messages = parseMessages(body);
            CompletionStage<HttpResponse> res = q.inject(r, messages).thenApply(ids -> {
                ArrayNode a = Json.arr();
                ids.forEach(a::add);
                return ok(a);
            });
            return completeWithFuture(res.exceptionally(t -> {
                Throwable c = unwrap(t);
                if (c instanceof IllegalStateException) {
                    return error(403, "batcher_disabled", c.getMessage() == null
                            ? "this rollup's mode does not batch messages" : c.getMessage());
                }
                return failure(c);
            }));
        }));
    }

    static List<byte[]> parseMessages(ByteString body) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(body.toArray());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.badRequest("invalid_json", "the body is not JSON: "
                    + abbreviate(String.valueOf(e.getOriginalMessage())));
        } catch (IOException e) {
            throw ApiException.badRequest("invalid_json", "the body is not JSON");
        }
        if (n == null || !n.isArray()) {
            throw ApiException.badRequest("invalid_body", "expected a JSON list of hex strings");
        }
        if (n.size() > MAX_MESSAGES_PER_INJECTION) {
            throw ApiException.badRequest("too_many_messages", n.size() + " messages in one injection, at most "
                    + MAX_MESSAGES_PER_INJECTION);
        }
        List<byte[]> out = new ArrayList<>(n.size());
        for (int i = 0; i < n.size(); i++) {
            JsonNode m = n.get(i);
            if (!m.isTextual()) {
                throw ApiException.badRequest("invalid_body", "message " + i + " is not a hex string");
            }
            byte[] bytes;
            try {
                bytes = Hex.decode(m.textValue());
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("invalid_hex", "message " + i + ": " + e.getMessage());
            }
            if (bytes.length > MAX_L2_MESSAGE) {
                throw ApiException.badRequest("message_too_large", "message " + i + " has " + bytes.length
                        + " bytes, at most " + MAX_L2_MESSAGE);
            }
            out.add(bytes);
        }
        return out;
    }

    // ---------------------------------------------------------------- admin, node-wide

    /** Lets only loopback clients through; the address is the connection's (request attribute), not a header. */
    Route adminOnly(Supplier<Route> inner) {
        return extractRequest(req -> isLoopback(req) ? inner.get()
                : complete(error(403, "forbidden", "admin endpoints answer only to loopback clients")));
    }

    static boolean isLoopback(HttpRequest req) {
        return req.getAttribute(AttributeKeys.remoteAddress)
                .flatMap(RemoteAddress::getAddress)
                .map(InetAddress::isLoopbackAddress)
                .orElse(false);
    }

    private Route listRollups() {
        return completeWithFuture(allSummaries().thenApply(ss -> {
            ArrayNode a = Json.arr();
            ss.forEach(s -> a.add(rollupEntry(s)));
            return ok(a);
        }).exceptionally(this::failure));
    }

    /** One rollup as {@code /rollups} lists it: address, head, LCC, status, mode. */
    private static ObjectNode rollupEntry(RollupSummary s) {
        ObjectNode o = Json.obj().put("address", s.rollup());
        if (s.headLevel().isPresent()) {
            ObjectNode h = o.putObject("head").put("level", s.headLevel().get());
            s.headStateHashHex().ifPresent(x -> h.put("state_hash", Json.stateHash(x)));
            h.put("total_ticks", Long.toString(s.totalTicks()));
        } else {
            o.putNull("head");
        }
        if (s.lcc().isPresent()) {
            o.putObject("lcc").put("commitment_hash", Json.commitmentHash(s.lcc().get().hashHex()))
                    .put("level", s.lcc().get().level());
        } else {
            o.putNull("lcc");
        }
        o.put("status", s.status()).put("mode", s.mode()).put("pvm_version", s.pvmVersion())
                .put("origination_level", s.originationLevel());
        s.l1HeadLevel().ifPresent(l -> o.put("l1_head_level", l));
        return o;
    }

    private CompletionStage<List<RollupSummary>> allSummaries() {
        List<CompletableFuture<Optional<RollupSummary>>> fs = new ArrayList<>();
        for (String r : q.rollups()) {
            // one silent or failing entity must not hide the others: it is listed as unavailable
            fs.add(timed(q.summary(r)).exceptionally(t -> Optional.of(unavailable(r, unwrap(t)))));
        }
        return CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<RollupSummary> out = new ArrayList<>();
            fs.forEach(f -> f.join().ifPresent(out::add));
            return out;
        });
    }

    private RollupSummary unavailable(String r, Throwable t) {
        String why = t instanceof TimeoutException ? "no answer in " + settings.queryTimeout().toMillis() + " ms"
                : t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        return new RollupSummary(r, Optional.empty(), Optional.empty(), 0, Optional.empty(), Optional.empty(),
                Optional.empty(), "unavailable: " + why, "unknown", 0, "unknown", Optional.empty(), Optional.empty());
    }

    private Route nodeHealth() {
        return completeWithFuture(allSummaries().thenApply(ss -> {
            ObjectNode o = Json.obj();
            boolean healthy = ss.stream().allMatch(s -> s.status().equals("running"));
            o.put("healthy", healthy);
            o.put("degraded", ss.stream().anyMatch(RollupSummary::stuck));
            ArrayNode a = o.putArray("rollups");
            ss.forEach(s -> a.add(rollupHealth(s)));
            return ok(o);
        }).exceptionally(this::failure));
    }

    /** Octez's health shape (healthy, degraded, l1, active_workers) plus address and status. */
    private static ObjectNode rollupHealth(RollupSummary s) {
        ObjectNode o = Json.obj().put("address", s.rollup());
        o.put("healthy", s.status().equals("running"));
        o.put("degraded", s.stuck());
        ObjectNode l1 = o.putObject("l1");
        l1.put("connection", s.l1HeadLevel().isPresent() ? "connected" : "disconnected");
        int head = s.headLevel().orElse(s.originationLevel());
        l1.put("blocks_late", Math.max(0, s.l1HeadLevel().orElse(head) - head));
        if (s.l1HeadLevel().isPresent() && s.l1HeadHashHex().isPresent()) {
            l1.putObject("last_seen_head").put("hash", Json.blockHash(s.l1HeadHashHex().get()))
                    .put("level", s.l1HeadLevel().get());
        }
        o.putArray("active_workers");
        o.put("status", s.status());
        o.put("mode", s.mode());
        return o;
    }

    private ObjectNode versionJson() {
        return Json.obj().put("version", version).put("store_version", "flotilla-1")
                .put("context_version", "flotilla-1").put("node", "flotilla");
    }

    private Route metricsText() {
        return completeWithFuture(CompletableFuture.<HttpResponse>supplyAsync(() -> {
            String node = q.metricsText();
            StringBuilder sb = new StringBuilder(node == null ? "" : node);
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '\n') {
                sb.append('\n');
            }
            sb.append(metrics.text());
            answers.appendMetrics(sb);
            return HttpResponse.create().withEntity(HttpEntities.create(PROMETHEUS, sb.toString()));
        }, reads).exceptionally(this::failure));
    }

    // ---------------------------------------------------------------- streams

    private Route stream(Source<BlockEvent, ?> events) {
        Source<ByteString, ?> lines = events.map(e -> {
            byte[] json = Json.bytes(Json.blockEvent(e));
            return ByteString.fromArray(json).concat(ByteString.fromString("\n"));
        });
        if (!settings.streamHeartbeat().isZero()) {
            lines = lines.keepAlive(settings.streamHeartbeat(), () -> ByteString.fromString("\n"));
        }
        return complete(HttpResponse.create().withEntity(HttpEntities.createChunked(ContentTypes.APPLICATION_JSON, lines)));
    }

    // ---------------------------------------------------------------- helpers

    private <T> CompletableFuture<T> timed(CompletionStage<T> stage) {
        return stage.toCompletableFuture().copy().orTimeout(settings.queryTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private Route withSummary(String r, Function<RollupSummary, JsonNode> f) {
        return completeWithFuture(summaryAnswer(r, s -> ok(f.apply(s))).exceptionally(this::failure));
    }

    private CompletableFuture<HttpResponse> summaryAnswer(String r, Function<RollupSummary, HttpResponse> f) {
        return timed(q.summary(r)).thenApplyAsync(s -> f.apply(s.orElseThrow(
                () -> ApiException.notFound("unknown_rollup", "this node does not serve rollup " + r))), reads);
    }

    private Route blockingJson(Supplier<JsonNode> body) {
        return completeWithFuture(CompletableFuture.supplyAsync(() -> ok(body.get()), reads)
                .exceptionally(this::failure));
    }

    static int parseLevel(String what, String s) {
        if (s == null || !digits(s) || Long.parseLong(s) > Integer.MAX_VALUE) {
            throw ApiException.badRequest("invalid_" + what.replace(' ', '_'),
                    "invalid " + what + " '" + abbreviate(String.valueOf(s)) + "': expected a non-negative int32");
        }
        return Integer.parseInt(s);
    }

    /** One to ten ASCII digits (what a non-negative int32 may be written with; the caller checks the range). */
    static boolean digits(String s) {
        int n = s.length();
        if (n == 0 || n > 10) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    static boolean parseBool(String what, String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "" -> true;
            case "false", "no", "0" -> false;
            default -> throw ApiException.badRequest("invalid_parameter", "invalid " + what + " '" + abbreviate(s)
                    + "': expected true or false");
        };
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    static HttpResponse ok(JsonNode body) {
        return HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON, Json.bytes(body));
    }

    static HttpResponse error(int status, String kind, String message) {
        return HttpResponse.create().withStatus(status)
                .withEntity(ContentTypes.APPLICATION_JSON, Json.bytes(Json.error(message, kind)));
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    HttpResponse failure(Throwable t) {
        Throwable c = unwrap(t);
        if (c instanceof ApiException e) {
            return error(e.status(), e.kind(), e.getMessage());
        }
        if (c instanceof DurableKey.InvalidKeyException e) {
            return error(400, "invalid_key", e.getMessage());
        }
        if (c instanceof IllegalArgumentException e) {
            return error(400, "invalid_argument", String.valueOf(e.getMessage()));
        }
        if (c.getClass().getSimpleName().equals("EntityStreamSizeException")) {
            return error(413, "payload_too_large", "request body too large, at most " + settings.maxBodyBytes()
                    + " bytes");
        }
        if (c instanceof TimeoutException) {
            return error(503, "timeout", "the node did not answer in " + settings.queryTimeout().toMillis() + " ms");
        }
        LOG.warn("request failed", c);
        return error(500, "internal", c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": "
                + c.getMessage()));
    }

    private ExceptionHandler exceptionHandler() {
        return ExceptionHandler.newBuilder().matchAny(t -> complete(failure(t))).build();
    }

    /** Pekko's rejection handling (404, 405, 400, 413, 415...), with the text bodies turned into JSON errors. */
    private static RejectionHandler rejectionHandler() {
        return RejectionHandler.defaultHandler().mapRejectionResponse(resp -> {
            HttpEntity entity = resp.entity();
            if (entity.getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON)) {
                return resp;
            }
            String text = entity instanceof HttpEntity.Strict strict
                    ? strict.getData().utf8String() : resp.status().reason();
            int status = resp.status().intValue();
            String kind = switch (status) {
                case 404 -> "not_found";
                case 405 -> "method_not_allowed";
                case 413 -> "payload_too_large";
                case 415 -> "unsupported_media_type";
                case 406 -> "not_acceptable";
                default -> status >= 500 ? "internal" : "bad_request";
            };
            return resp.withEntity(ContentTypes.APPLICATION_JSON,
                    Json.bytes(Json.error(text.strip(), kind)));
        });
    }
}
