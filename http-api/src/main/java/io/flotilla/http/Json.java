package io.flotilla.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flotilla.pvm.encoding.Base58Check;
import io.flotilla.pvm.encoding.Base58Check.Prefix;
import io.flotilla.pvm.util.Hex;
import java.util.List;
import java.util.Optional;

/**
 * JSON shapes of the API, following Octez's data-encoding conventions: int32 values are numbers;
 * int64, Z and N values (ticks, lengths) are strings; hashes are base58check with their Octez
 * prefix; bytes are lower-case hex.
 */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final JsonNodeFactory F = JsonNodeFactory.instance;

    private Json() {}

    static ObjectNode obj() {
        return F.objectNode();
    }

    static ArrayNode arr() {
        return F.arrayNode();
    }

    static byte[] bytes(JsonNode n) {
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Base58check of a hex hash; stays hex if the bytes do not fit the prefix (a backend bug, shown rather than hidden). */
    static String b58(Prefix prefix, String hex) {
        try {
            return Base58Check.encode(prefix, Hex.decode(hex));
        } catch (IllegalArgumentException e) {
            return hex;
        }
    }

    static String stateHash(String hex) {
        return b58(Prefix.SMART_ROLLUP_STATE, hex);
    }

    static String commitmentHash(String hex) {
        return b58(Prefix.SMART_ROLLUP_COMMITMENT, hex);
    }

    static String inboxHash(String hex) {
        return b58(Prefix.SMART_ROLLUP_INBOX, hex);
    }

    static String blockHash(String hex) {
        return b58(Prefix.BLOCK_HASH, hex);
    }

    static JsonNode error(String message, String kind) {
        return obj().put("error", message).put("kind", kind);
    }

    /** Octez {@code Commitment.encoding}. */
    static ObjectNode commitment(CommitmentView c) {
        return obj()
                .put("compressed_state", stateHash(c.stateHashHex()))
                .put("inbox_level", c.inboxLevel())
                .put("predecessor", commitmentHash(c.predecessorHex()))
                .put("number_of_ticks", Long.toString(c.ticks()));
    }

    /** Octez {@code commitment_with_hash_and_level_infos}. */
    static ObjectNode commitmentWithInfos(CommitmentView c) {
        ObjectNode o = obj();
        o.set("commitment", commitment(c));
        o.put("hash", commitmentHash(c.hashHex()));
        c.publishedAtLevel().ifPresent(l -> {
            o.put("first_published_at_level", l);
            o.put("published_at_level", l);
        });
        return o;
    }

    /** The header part of an Octez {@code Sc_rollup_block}, with Flotilla's {@code total_ticks}. */
    static ObjectNode blockHeader(int level, String l1Hash, Optional<String> commitment, String inboxHash,
            long ticks, long totalTicks, String stateHash) {
        ObjectNode o = obj();
        o.put("block_hash", blockHash(l1Hash));
        o.put("level", level);
        if (commitment.isPresent()) {
            o.put("commitment_hash", commitmentHash(commitment.get()));
        } else {
            o.putNull("commitment_hash");
        }
        o.put("inbox_hash", inboxHash(inboxHash));
        o.put("initial_tick", Long.toString(totalTicks - ticks));
        o.put("num_ticks", Long.toString(ticks));
        o.put("total_ticks", Long.toString(totalTicks));
        o.put("state_hash", stateHash(stateHash));
        return o;
    }

    static ObjectNode block(L2BlockView b) {
        ObjectNode o = blockHeader(b.level(), b.l1BlockHashHex(), b.commitmentHashHex(), b.inboxHashHex(), b.ticks(),
                b.totalTicks(), b.stateHashHex());
        ArrayNode msgs = o.putArray("messages");
        b.messagesHex().forEach(msgs::add);
        o.put("pvm_status", b.pvmStatus());
        o.put("outbox_count", b.outboxCount());
        o.put("kernel_runs", b.kernelRuns());
        return o;
    }

    static ObjectNode blockEvent(BlockEvent e) {
        ObjectNode o = blockHeader(e.level(), e.l1BlockHashHex(), e.commitmentHashHex(), e.inboxHashHex(), e.ticks(),
                e.totalTicks(), e.stateHashHex());
        o.put("rollup", e.rollup());
        return o;
    }

    /** Octez {@code Sc_rollup.output_encoding}, with the message as hex. */
    static ArrayNode outbox(int outboxLevel, List<byte[]> messages) {
        ArrayNode a = arr();
        for (int i = 0; i < messages.size(); i++) {
            a.addObject()
                    .put("outbox_level", outboxLevel)
                    .put("message_index", Integer.toString(i))
                    .put("message", Hex.encode(messages.get(i)));
        }
        return a;
    }

    static ObjectNode gcInfo(GcInfo g) {
        ObjectNode o = obj().put("first_available_level", g.firstAvailableLevel());
        g.lastGcStartedAt().ifPresent(l -> o.put("last_gc_started_at", l));
        g.lastContextSplitLevel().ifPresent(l -> o.put("last_context_split_level", l));
        g.lastSuccessfulGcTarget().ifPresent(l -> o.put("last_successful_gc_target", l));
        return o;
    }
}
