package io.flotilla.actors.l1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flotilla.actors.l1.L1Source.CementedCommitment;
import io.flotilla.actors.l1.L1Source.OperationResult;
import io.flotilla.actors.l1.L1Source.PublishedCommitment;
import io.flotilla.actors.l1.L1Source.RollupInfo;
import io.flotilla.actors.l1.L1Source.SandboxConstants;
import io.flotilla.pvm.encoding.Base58Check;
import io.flotilla.pvm.encoding.BlockHash;
import io.flotilla.pvm.encoding.CommitmentHash;
import io.flotilla.pvm.util.Hex;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON form of the sandbox's values, shared by {@link SandboxL1Server} and {@link RemoteSandboxL1}.
 * Byte strings are lower-case hex; hashes also come in their base58 form ({@code *_b58}) for reading.
 * Field names are snake_case, as in Octez RPCs. Decoding errors are IllegalArgumentExceptions naming the field.
 */
public final class L1Json {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private L1Json() {}

    // ------------------------------------------------------------------ blocks

    public static ObjectNode block(L1Block b) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("level", b.level());
        n.put("hash", Hex.encode(b.hash()));
        n.put("hash_b58", new BlockHash(b.hash()).toBase58());
        n.put("predecessor", Hex.encode(b.predecessor()));
        n.put("timestamp", b.timestamp());
        n.put("protocol", b.protocol());
        ArrayNode ops = n.putArray("operations");
        for (L1Operation op : b.operations()) {
            ops.add(operation(op));
        }
        return n;
    }

    public static L1Block toBlock(JsonNode n) {
        List<L1Operation> ops = new ArrayList<>();
        for (JsonNode o : array(n, "operations")) {
            ops.add(toOperation(o, null));
        }
        return new L1Block(integer(n, "level"), hex(n, "hash"), hex(n, "predecessor"), n.path("timestamp").asLong(),
                string(n, "protocol"), ops);
    }

    // ------------------------------------------------------------------ operations

    public static ObjectNode operation(L1Operation op) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("kind", L1Operation.kind(op));
        n.put("source", op.source());
        if (op instanceof L1Operation.Originate x) {
            n.put("rollup", x.rollup());
            putHex(n, "kernel", x.kernel());
            n.put("parameters_type", x.parametersType());
            n.put("pvm_version", x.pvmVersion());
            putHex(n, "genesis_commitment", x.genesisCommitment());
        } else if (op instanceof L1Operation.AddMessages x) {
            ArrayNode a = n.putArray("messages");
            x.messages().forEach(m -> a.add(Hex.encode(m)));
        } else if (op instanceof L1Operation.Transfer x) {
            n.put("sender", x.sender());
            n.put("rollup", x.rollup());
            putHex(n, "parameters", x.parametersMicheline());
        } else if (op instanceof L1Operation.Publish x) {
            n.put("rollup", x.rollup());
            putHex(n, "commitment_hash", x.commitmentHash());
            n.put("inbox_level", x.inboxLevel());
            putHex(n, "commitment", x.commitment());
        } else if (op instanceof L1Operation.Cement x) {
            n.put("rollup", x.rollup());
            putHex(n, "commitment_hash", x.commitmentHash());
            n.put("inbox_level", x.inboxLevel());
        } else if (op instanceof L1Operation.ExecuteOutbox x) {
            n.put("rollup", x.rollup());
            putHex(n, "cemented_commitment", x.cementedCommitment());
            putHex(n, "output_proof", x.outputProof());
        }
        return n;
    }

    /**
     * Reads an operation. {@code kind} is the kind implied by the caller (an injection URL), or null to read
     * it from the {@code kind} field; when both are given they must agree. Derived fields may be absent.
     */
    public static L1Operation toOperation(JsonNode n, String kind) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("an operation must be a JSON object");
        }
        String k = n.hasNonNull("kind") ? n.get("kind").asText() : kind;
        if (k == null) {
            throw new IllegalArgumentException("missing field 'kind' (originate, add_messages, transfer, publish, "
                    + "cement or execute_outbox)");
        }
        if (kind != null && !kind.equals(k)) {
            throw new IllegalArgumentException("field 'kind' is '" + k + "' but the request is for '" + kind + "'");
        }
        String source = string(n, "source");
        switch (k) {
            case "originate":
                return new L1Operation.Originate(source, optString(n, "rollup"), hex(n, "kernel"),
                        optString(n, "parameters_type"), optString(n, "pvm_version"), optHex(n, "genesis_commitment"));
            case "add_messages": {
                List<byte[]> msgs = new ArrayList<>();
                int i = 0;
                for (JsonNode m : array(n, "messages")) {
                    msgs.add(hexValue(m, "messages[" + i++ + "]"));
                }
                return new L1Operation.AddMessages(source, msgs);
            }
            case "transfer":
                return new L1Operation.Transfer(source, string(n, "sender"), string(n, "rollup"), hex(n, "parameters"));
            case "publish":
                return new L1Operation.Publish(source, string(n, "rollup"), optHex(n, "commitment_hash"),
                        n.hasNonNull("inbox_level") ? integer(n, "inbox_level") : -1, hex(n, "commitment"));
            case "cement":
                return new L1Operation.Cement(source, string(n, "rollup"), hex(n, "commitment_hash"),
                        n.hasNonNull("inbox_level") ? integer(n, "inbox_level") : -1);
            case "execute_outbox":
                return new L1Operation.ExecuteOutbox(source, string(n, "rollup"), hex(n, "cemented_commitment"),
                        hex(n, "output_proof"));
            default:
                throw new IllegalArgumentException("unknown operation kind '" + k + "' (expected originate, "
                        + "add_messages, transfer, publish, cement or execute_outbox)");
        }
    }

    public static ObjectNode result(OperationResult r) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("ok", r.ok());
        if (r.ok()) {
            n.put("level", r.level());
            n.put("index", r.index());
            n.set("operation", operation(r.operation()));
            r.rollup().ifPresent(a -> n.put("rollup", a));
            r.genesisCommitment().ifPresent(g -> {
                n.put("genesis_commitment", Hex.encode(g));
                n.put("genesis_commitment_b58", new CommitmentHash(g).toBase58());
            });
        } else {
            n.put("error", r.error());
        }
        return n;
    }

    public static OperationResult toResult(JsonNode n) {
        if (!n.path("ok").asBoolean(false)) {
            return OperationResult.refused(n.path("error").asText("refused"));
        }
        return OperationResult.applied(integer(n, "level"), integer(n, "index"), toOperation(n.get("operation"), null));
    }

    public static ObjectNode error(String message) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("ok", false);
        n.put("error", message);
        return n;
    }

    // ------------------------------------------------------------------ rollups

    public static ObjectNode rollup(RollupInfo r) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("address", r.address());
        n.put("origination_level", r.originationLevel());
        putHex(n, "kernel", r.kernel());
        n.put("pvm_version", r.pvmVersion());
        n.put("parameters_type", r.parametersType());
        putHex(n, "genesis_commitment", r.genesisCommitment());
        n.put("genesis_commitment_b58", new CommitmentHash(r.genesisCommitment()).toBase58());
        return n;
    }

    public static RollupInfo toRollup(JsonNode n) {
        return new RollupInfo(string(n, "address"), integer(n, "origination_level"), hex(n, "kernel"),
                string(n, "pvm_version"), string(n, "parameters_type"), hex(n, "genesis_commitment"));
    }

    public static ObjectNode lcc(CementedCommitment c) {
        ObjectNode n = MAPPER.createObjectNode();
        putHex(n, "hash", c.hash());
        n.put("hash_b58", new CommitmentHash(c.hash()).toBase58());
        n.put("inbox_level", c.inboxLevel());
        putHex(n, "state_hash", c.stateHash());
        n.put("state_hash_b58", Base58Check.encode(Base58Check.Prefix.SMART_ROLLUP_STATE, c.stateHash()));
        return n;
    }

    public static CementedCommitment toLcc(JsonNode n) {
        return new CementedCommitment(hex(n, "hash"), integer(n, "inbox_level"), hex(n, "state_hash"));
    }

    public static ObjectNode commitment(PublishedCommitment c) {
        ObjectNode n = MAPPER.createObjectNode();
        putHex(n, "hash", c.hash());
        n.put("hash_b58", new CommitmentHash(c.hash()).toBase58());
        putHex(n, "state_hash", c.stateHash());
        n.put("inbox_level", c.inboxLevel());
        putHex(n, "predecessor", c.predecessor());
        n.put("number_of_ticks", c.ticks());
        n.put("published_level", c.publishedLevel());
        ArrayNode s = n.putArray("stakers");
        c.stakers().forEach(s::add);
        n.put("conflicted", c.conflicted());
        n.put("cemented", c.cemented());
        return n;
    }

    public static PublishedCommitment toCommitment(JsonNode n) {
        List<String> stakers = new ArrayList<>();
        array(n, "stakers").forEach(s -> stakers.add(s.asText()));
        return new PublishedCommitment(hex(n, "hash"), hex(n, "state_hash"), integer(n, "inbox_level"),
                hex(n, "predecessor"), n.path("number_of_ticks").asLong(), integer(n, "published_level"), stakers,
                n.path("conflicted").asBoolean(), n.path("cemented").asBoolean());
    }

    public static ObjectNode constants(SandboxConstants c) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("commitment_period", c.commitmentPeriod());
        n.put("challenge_window", c.challengeWindow());
        n.put("block_time_ms", c.blockTime().toMillis());
        return n;
    }

    public static SandboxConstants toConstants(JsonNode n) {
        return new SandboxConstants(integer(n, "commitment_period"), integer(n, "challenge_window"),
                Duration.ofMillis(n.path("block_time_ms").asLong()));
    }

    public static ObjectNode call(ContractCall c) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("destination", c.destination());
        n.put("entrypoint", c.entrypoint());
        n.put("parameters", c.parameters());
        n.put("level", c.level());
        return n;
    }

    public static ContractCall toCall(JsonNode n) {
        return new ContractCall(string(n, "destination"), string(n, "entrypoint"), string(n, "parameters"),
                integer(n, "level"));
    }

    // ------------------------------------------------------------------ helpers

    private static void putHex(ObjectNode n, String field, byte[] b) {
        if (b == null) {
            n.putNull(field);
        } else {
            n.put(field, Hex.encode(b));
        }
    }

    private static String string(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' must be a string");
        }
        return v.asText();
    }

    private static String optString(JsonNode n, String field) {
        return n.hasNonNull(field) ? string(n, field) : null;
    }

    private static int integer(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException("field '" + field + "' must be a 32-bit integer");
        }
        return v.asInt();
    }

    private static byte[] hex(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        return hexValue(v, field);
    }

    private static byte[] optHex(JsonNode n, String field) {
        return n.hasNonNull(field) ? hex(n, field) : null;
    }

    private static byte[] hexValue(JsonNode v, String field) {
        if (!v.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' must be a hex string");
        }
        try {
            return Hex.decode(v.asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("field '" + field + "' is not hex: " + e.getMessage(), e);
        }
    }

    private static JsonNode array(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isArray()) {
            throw new IllegalArgumentException("field '" + field + "' must be an array");
        }
        return v;
    }
}
