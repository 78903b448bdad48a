package io.flotilla.http;

import io.flotilla.pvm.durable.DurableKey;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.TimeoutAccess;
import org.apache.pekko.http.scaladsl.model.Uri;

/**
 * The block read routes ({@code GET [/rollups/<sr1>]/global/block/<id>/...}: blocks, their fields, outboxes, durable
 * values, proofs), dispatched by hand in front of the routing DSL: the path is split once and matched with a switch,
 * with no directive tree walked per request (in profiles, the DSL's directive plumbing was about half of the HTTP
 * layer's CPU). The answers come from the same methods of {@link FlotillaRoutes} as the DSL routes', so they are the
 * same bytes. A request is left to the DSL ({@link #dispatch} returns null) whenever it is anything but one of these
 * routes exactly, with a served rollup and valid ids and parameters: the DSL then gives the exact rejection or error.
 */
final class BlockReadDispatch {
    private final FlotillaRoutes routes;
    private final RollupQueries q;
    private final HttpMetrics metrics;
    private final org.apache.pekko.japi.Function<HttpRequest, HttpResponse> timeoutResponse;
    private final LongAdder served = new LongAdder();

    BlockReadDispatch(FlotillaRoutes routes, RollupQueries queries, HttpMetrics metrics) {
        this.routes = routes;
        this.q = queries;
        this.metrics = metrics;
        HttpResponse timeout = FlotillaRoutes.error(503, "timeout",
                "the request timed out (pekko.http.server.request-timeout)");
        this.timeoutResponse = req -> timeout;
    }

    /** The answer to {@code req}, or null when it is not a block read route this dispatcher serves. */
    CompletionStage<HttpResponse> dispatch(HttpRequest req) {
        if (req.method() != HttpMethods.GET) {
            return null;
        }
        Read read;
        try {
            read = parse(req);
        } catch (RuntimeException e) {
            // an id, a level or a parameter the DSL refuses (or a query that does not parse): it says how, exactly
            return null;
        }
        if (read == null) {
            return null;
        }
        long t0 = System.nanoTime();
        served.increment();
        CompletionStage<HttpResponse> answer;
        try {
            // the same answer as the DSL's withRequestTimeoutResponse when the server's request timeout fires
            req.getHeader(TimeoutAccess.class).ifPresent(t -> t.timeoutAccess().updateHandler(timeoutResponse));
            answer = routes.blockResponse(read.rollup, read.id, read.answer);
        } catch (RuntimeException e) {
            // e.g. the read dispatcher refusing work: answered as the DSL's exception handler would
            answer = CompletableFuture.completedFuture(routes.failure(e));
        }
        return answer.thenApply(resp -> {
            metrics.record("GET", resp.status().intValue(), System.nanoTime() - t0);
            return resp;
        });
    }

    /** Requests answered here rather than by the DSL. */
    long served() {
        return served.sum();
    }

    /** A recognised block read: the rollup, the block id and the route's answer for the block. */
    private record Read(String rollup, FlotillaRoutes.BlockId id, IntFunction<HttpResponse> answer) {}

    /** The read {@code req} asks for; null when it is none (or not exactly); throws for ids or parameters the DSL refuses. */
    private Read parse(HttpRequest request) {
        if (!(request instanceof org.apache.pekko.http.scaladsl.model.HttpRequest req)) {
            return null;
        }
        Uri uri = req.uri();
        String[] s = segments(uri.path());
        if (s == null) {
            return null;
        }
        int i;
        String rollup;
        if (s[0].equals("rollups")) {
            if (s.length < 2 || !q.serves(s[1])) {
                return null; // an address the node does not serve: the DSL says 400 or 404
            }
            rollup = s[1];
            i = 2;
        } else {
            List<String> served = q.rollups();
            if (served.size() != 1) {
                return null;
            }
            rollup = served.get(0);
            i = 0;
        }
        // global / block / <id> / ...
        if (s.length < i + 3 || !s[i].equals("global") || !s[i + 1].equals("block")) {
            return null;
        }
        String idText = s[i + 2];
        int rest = i + 3;
        int n = s.length - rest;
        IntFunction<HttpResponse> answer;
        if (n == 0) {
            boolean withOutbox = FlotillaRoutes.parseBool("outbox", param(request, uri, "outbox").orElse("false"));
            answer = level -> routes.blockAnswer(rollup, routes.block(rollup, level), withOutbox);
        } else if (n == 1 && FlotillaRoutes.BLOCK_FIELDS.contains(s[rest])) {
            String field = s[rest];
            answer = level -> FlotillaRoutes.fieldAnswer(routes.block(rollup, level), field);
        } else if (n == 1 && s[rest].equals("outbox")) {
            Optional<String> ol = param(request, uri, "outbox_level");
            if (ol.isEmpty()) {
                return null;
            }
            int outboxLevel = FlotillaRoutes.parseLevel("outbox_level", ol.get());
            answer = level -> routes.outboxAnswer(rollup, level, routes.stateHashAt(rollup, level), outboxLevel);
        } else if (n == 3 && s[rest].equals("outbox") && s[rest + 2].equals("messages")) {
            int outboxLevel = FlotillaRoutes.parseLevel("outbox level", s[rest + 1]);
            answer = level -> routes.outboxAnswer(rollup, level, routes.stateHashAt(rollup, level), outboxLevel);
        } else if (n == 3 && s[rest].equals("durable") && s[rest + 1].equals("wasm_2_0_0")
                && FlotillaRoutes.DURABLE_READS.contains(s[rest + 2])) {
            String kind = s[rest + 2];
            DurableKey key = FlotillaRoutes.parseKey(param(request, uri, "key").orElse(""));
            answer = level -> routes.durableAnswer(rollup, level, routes.stateHashAt(rollup, level), kind, key);
        } else if (n == 5 && s[rest].equals("helpers") && s[rest + 1].equals("proofs") && s[rest + 2].equals("outbox")
                && s[rest + 4].equals("messages")) {
            int outboxLevel = FlotillaRoutes.parseLevel("outbox level", s[rest + 3]);
            Optional<String> idx = param(request, uri, "index");
            if (idx.isEmpty()) {
                return null;
            }
            int index = FlotillaRoutes.parseLevel("index", idx.get());
            answer = level -> routes.proofAnswer(rollup, routes.block(rollup, level), outboxLevel, index);
        } else {
            return null;
        }
        return new Read(rollup, FlotillaRoutes.BlockId.parse(idText), answer);
    }

    /**
     * The decoded segments of a path, as the DSL's path matchers see them (an escaped slash stays inside its segment);
     * null unless the path is absolute with no empty segment (no double or trailing slash), and at most 16 segments.
     */
    static String[] segments(Uri.Path path) {
        String[] out = new String[16];
        int n = 0;
        Uri.Path p = path;
        while (!p.isEmpty()) {
            if (!p.startsWithSlash()) {
                return null;
            }
            p = p.tail();
            if (p.isEmpty() || !p.startsWithSegment() || n == out.length) {
                return null;
            }
            String segment = (String) p.head();
            if (segment.isEmpty()) {
                return null;
            }
            out[n++] = segment;
            p = p.tail();
        }
        return n == 0 ? null : Arrays.copyOf(out, n);
    }

    /**
     * A query parameter as the DSL's {@code parameterOptional} reads it (the first of that name, decoded). The common
     * form, a single {@code name=value} of plain characters (nothing to decode), is read as it is; any other goes
     * through Pekko's query parser.
     */
    static Optional<String> param(HttpRequest request, Uri uri, String name) {
        scala.Option<String> raw = uri.rawQueryString();
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        String q = raw.get();
        int eq = q.indexOf('=');
        if (eq > 0 && plain(q, eq)) {
            return eq == name.length() && q.startsWith(name) ? Optional.of(q.substring(eq + 1)) : Optional.empty();
        }
        return request.getUri().query().get(name);
    }

    /** Only letters, digits, {@code - . _ ~ /} and the one '=' at {@code eq}. */
    private static boolean plain(String q, int eq) {
        for (int k = 0; k < q.length(); k++) {
            char c = q.charAt(k);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '.' || c == '_' || c == '~' || c == '/' || k == eq;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
