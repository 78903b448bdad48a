package io.flotilla.node;

import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.L1Source;
import io.flotilla.actors.node.RollupRegistry;
import io.flotilla.pvm.crypto.Blake2b;
import io.flotilla.pvm.util.Hex;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batcher of the rollups whose mode batches: messages wait in a queue per rollup and are injected
 * into L1 as {@code add_messages} operations, signed by the rollup's operator, when a new L1 head
 * arrives (so they are included in the block after it). A message's id is the hex of its Blake2b-256.
 */
final class Batcher {
    private static final Logger LOG = LoggerFactory.getLogger(Batcher.class);
    /** Bytes of messages per add_messages operation (Octez' batcher keeps operations near 32 KiB). */
    static final int MAX_BATCH_BYTES = 32 * 1024;
    /** Operations injected per rollup and per L1 block. */
    static final int MAX_BATCHES_PER_BLOCK = 8;

    private record Queued(String id, byte[] message) {}

    private final L1Source l1;
    private final RollupRegistry registry;
    private final Map<String, Deque<Queued>> queues = new ConcurrentHashMap<>();

    Batcher(L1Source l1, RollupRegistry registry) {
        this.l1 = l1;
        this.registry = registry;
    }

    static String id(byte[] message) {
        return Hex.encode(Blake2b.hash256(message));
    }

    /** Queues messages; throws {@link IllegalStateException} when the rollup's mode does not batch. */
    List<String> enqueue(String rollup, List<byte[]> messages) {
        var mode = registry.mode(rollup);
        if (!mode.batches()) {
            throw new IllegalStateException("rollup " + rollup + " runs in mode " + mode.label()
                    + ", which does not batch messages (operator and batcher modes do)");
        }
        if (registry.operator(rollup) == null) {
            throw new IllegalStateException("rollup " + rollup + " has no operator account to sign add_messages");
        }
        Deque<Queued> q = queues.computeIfAbsent(rollup, r -> new LinkedBlockingDeque<>());
        List<String> ids = new ArrayList<>(messages.size());
        for (byte[] m : messages) {
            Queued e = new Queued(id(m), m.clone());
            q.addLast(e);
            ids.add(e.id());
        }
        return ids;
    }

    List<String> queue(String rollup) {
        Deque<Queued> q = queues.get(rollup);
        if (q == null) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        q.forEach(e -> ids.add(e.id()));
        return ids;
    }

    int size(String rollup) {
        Deque<Queued> q = queues.get(rollup);
        return q == null ? 0 : q.size();
    }

    /** Injects what waits, a few operations per rollup. Called on each new L1 head. */
    synchronized void flush() {
        queues.forEach((rollup, q) -> {
            for (int n = 0; n < MAX_BATCHES_PER_BLOCK && !q.isEmpty(); n++) {
                List<Queued> batch = new ArrayList<>();
                int bytes = 0;
                while (!q.isEmpty() && (batch.isEmpty() || bytes + q.peekFirst().message().length <= MAX_BATCH_BYTES)) {
                    Queued e = q.pollFirst();
                    batch.add(e);
                    bytes += e.message().length;
                }
                if (!inject(rollup, batch)) {
                    for (int i = batch.size() - 1; i >= 0; i--) {
                        q.addFirst(batch.get(i)); // the L1 is unreachable: keep them for the next head
                    }
                    return;
                }
            }
        });
    }

    /** False when the batch should be retried later; refused batches are dropped (they never become valid). */
    private boolean inject(String rollup, List<Queued> batch) {
        List<byte[]> messages = batch.stream().map(Queued::message).toList();
        try {
            var r = l1.inject(L1Operation.addMessages(registry.operator(rollup), messages));
            if (r.ok()) {
                LOG.info("batcher: {} message(s) for {} injected, for L1 level {}", batch.size(), rollup, r.level());
            } else {
                LOG.warn("batcher: L1 refused {} message(s) for {}, dropped: {}", batch.size(), rollup, r.error());
            }
            return true;
        } catch (UncheckedIOException e) {
            LOG.warn("batcher: L1 unreachable, {} message(s) for {} kept: {}", batch.size(), rollup, e.getMessage());
            return false;
        }
    }
}
