package io.flotilla.http;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * Answers that depend only on a PVM state (outbox messages of a level, durable values), kept by state hash and
 * question: a state never changes under its hash, so a kept answer is right for as long as it is kept, whatever
 * happens to the chain (a reorg changes which state a level points to, and the level → state step is always read
 * from the stores, never kept here). Only 200 answers with a strict entity are kept (errors are rare and cheap);
 * least recently used first out, bounded by the bytes of the kept bodies. Pekko's {@link HttpResponse} is immutable,
 * so one kept response is sent as it is to every client asking the same question.
 */
final class StateAnswers {
    /** Bodies larger than this are not kept (a kernel's boot.wasm read now and then should not evict the rest). */
    static final int MAX_BODY = 64 * 1024;

    private final long maxBytes;
    private long bytes;
    private long hits;
    private long misses;
    private final LinkedHashMap<Key, HttpResponse> kept = new LinkedHashMap<>(256, 0.75f, true);

    /** A question about one state: the route's kind and its argument (outbox level, durable key). */
    record Key(String stateHashHex, String kind, String argument) {}

    StateAnswers(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The answer kept for {@code key}, or null. */
    synchronized HttpResponse get(Key key) {
        HttpResponse r = kept.get(key);
        if (r != null) {
            hits++;
        } else {
            misses++;
        }
        return r;
    }

    /** Keeps {@code answer} for {@code key} when it is a 200 with a strict body of at most {@link #MAX_BODY} bytes. */
    void offer(Key key, HttpResponse answer) {
        long size = size(answer);
        if (answer.status().intValue() != 200 || size < 0 || size > MAX_BODY) {
            return;
        }
        synchronized (this) {
            HttpResponse old = kept.put(key, answer);
            bytes += cost(key, size) - (old == null ? 0 : cost(key, size(old)));
            for (Iterator<Map.Entry<Key, HttpResponse>> it = kept.entrySet().iterator();
                    bytes > maxBytes && it.hasNext(); ) {
                Map.Entry<Key, HttpResponse> e = it.next();
                bytes -= cost(e.getKey(), size(e.getValue()));
                it.remove();
            }
        }
    }

    /** A body's bytes plus roughly what its key and the map's entry take. */
    private static long cost(Key key, long bodySize) {
        return bodySize + 2L * (key.stateHashHex().length() + key.kind().length() + key.argument().length()) + 160;
    }

    private static long size(HttpResponse r) {
        return r.entity() instanceof HttpEntity.Strict s ? s.getData().length() : -1;
    }

    /** Prometheus text: hits, misses, answers and bytes kept. */
    synchronized void appendMetrics(StringBuilder sb) {
        sb.append("# HELP flotilla_http_state_answers_hits_total Answers served from those kept by state hash.\n");
        sb.append("# TYPE flotilla_http_state_answers_hits_total counter\n");
        sb.append("flotilla_http_state_answers_hits_total ").append(hits).append('\n');
        sb.append("# HELP flotilla_http_state_answers_misses_total Answers not kept yet, read from the state.\n");
        sb.append("# TYPE flotilla_http_state_answers_misses_total counter\n");
        sb.append("flotilla_http_state_answers_misses_total ").append(misses).append('\n');
        sb.append("# HELP flotilla_http_state_answers_kept Answers kept by state hash.\n");
        sb.append("# TYPE flotilla_http_state_answers_kept gauge\n");
        sb.append("flotilla_http_state_answers_kept ").append(kept.size()).append('\n');
        sb.append("# HELP flotilla_http_state_answers_bytes Bytes of the answers kept (bodies and keys, roughly).\n");
        sb.append("# TYPE flotilla_http_state_answers_bytes gauge\n");
        sb.append("flotilla_http_state_answers_bytes ").append(bytes).append('\n');
    }

    synchronized long hits() {
        return hits;
    }

    synchronized long misses() {
        return misses;
    }

    synchronized int size() {
        return kept.size();
    }

    synchronized long bytes() {
        return bytes;
    }
}
