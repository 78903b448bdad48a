package io.flotilla.actors.l1;

import com.fasterxml.jackson.databind.JsonNode;
import io.flotilla.pvm.Commitment;
import io.flotilla.pvm.ProtocolMigrations;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.tree.Hash;
import io.flotilla.pvm.encoding.Base58Check;
import io.flotilla.pvm.util.Hex;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads blocks in the JSON of Octez's {@code GET /chains/main/blocks/<id>} (header, operations and their receipts)
 * into {@link L1Block}s, keeping what smart rollup nodes follow, in L1 order:
 * <ul>
 * <li>applied {@code smart_rollup_add_messages}: their external messages ({@link L1Operation.AddMessages});</li>
 * <li>applied transactions to an {@code sr1} address: internal transfers ({@link L1Operation.Transfer}). L1 only
 * lets contracts call rollups, so they appear among a manager operation's {@code internal_operation_results},
 * right after that operation; the sender is the calling {@code KT1}, the source the manager operation's signer, the
 * payload the receipt's {@code parameters.value} (already in the optimized form L1 hands to the inbox);</li>
 * <li>applied {@code smart_rollup_originate}, {@code smart_rollup_publish} and {@code smart_rollup_cement}, with the
 * address, hashes and levels their receipts give.</li>
 * </ul>
 * Operations that failed, were backtracked or skipped change no inbox and are left out.
 */
public final class OctezBlocks {
    private static final Logger LOG = LoggerFactory.getLogger(OctezBlocks.class);

    private OctezBlocks() {}

    /** The block a JSON answer describes; a malformed one is an {@link IllegalArgumentException} saying what. */
    public static L1Block parse(JsonNode block) {
        try {
            JsonNode header = required(block, "header");
            int level = required(header, "level").asInt();
            byte[] hash = blockHash(required(block, "hash").asText());
            byte[] predecessor = blockHash(required(header, "predecessor").asText());
            long timestamp = Instant.parse(required(header, "timestamp").asText()).getEpochSecond();
            String protocol = required(block, "protocol").asText();
            List<L1Operation> ops = new ArrayList<>();
            for (JsonNode pass : block.path("operations")) {
                for (JsonNode op : pass) {
                    for (JsonNode content : op.path("contents")) {
                        read(content, protocol, ops);
                    }
                }
            }
            return new L1Block(level, hash, predecessor, timestamp, protocol, ops);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed Octez block " + block.path("hash").asText("(no hash)") + ": "
                    + e.getMessage(), e);
        }
    }

    /** The PVM version a rollup originated under {@code protocol} starts with. */
    public static String pvmVersionAt(String protocol) {
        return ProtocolMigrations.versionFor(OctezProtocols.migrationName(protocol)).orElse(PvmVersion.DEFAULT).label();
    }

    static byte[] blockHash(String b58) {
        return Base58Check.decode(Base58Check.Prefix.BLOCK_HASH, b58);
    }

    static byte[] commitmentHash(String b58) {
        return Base58Check.decode(Base58Check.Prefix.SMART_ROLLUP_COMMITMENT, b58);
    }

    static byte[] stateHash(String b58) {
        return Base58Check.decode(Base58Check.Prefix.SMART_ROLLUP_STATE, b58);
    }

    private static void read(JsonNode content, String protocol, List<L1Operation> out) {
        String kind = content.path("kind").asText();
        JsonNode metadata = content.path("metadata");
        if (metadata.isTextual()) {
            // Octez elides receipts it considers too large unless asked for them (?metadata=always)
            LOG.warn("an Octez {} operation came without its receipt ({}); it is skipped", kind, metadata.asText());
            return;
        }
        JsonNode result = metadata.path("operation_result");
        if (applied(result)) {
            String source = content.path("source").asText();
            switch (kind) {
                case "smart_rollup_add_messages" -> {
                    List<byte[]> messages = new ArrayList<>();
                    content.path("message").forEach(m -> messages.add(Hex.decode(m.asText())));
                    out.add(new L1Operation.AddMessages(source, messages));
                }
                case "smart_rollup_originate" -> {
                    if ("wasm_2_0_0".equals(content.path("pvm_kind").asText())) {
                        out.add(new L1Operation.Originate(source, required(result, "address").asText(),
                                Hex.decode(required(content, "kernel").asText()),
                                MichelineJson.fromJson(required(content, "parameters_ty")).print(),
                                pvmVersionAt(protocol), commitmentHash(required(result, "genesis_commitment_hash")
                                        .asText())));
                    }
                }
                case "smart_rollup_cement" -> {
                    if (result.has("commitment_hash") && result.has("inbox_level")) {
                        out.add(new L1Operation.Cement(source, content.path("rollup").asText(),
                                commitmentHash(result.get("commitment_hash").asText()),
                                result.get("inbox_level").asInt()));
                    }
                }
                case "smart_rollup_publish" -> {
                    JsonNode c = required(content, "commitment");
                    Commitment commitment = new Commitment(
                            Hash.fromBytes(stateHash(required(c, "compressed_state").asText())),
                            required(c, "inbox_level").asInt(),
                            Hash.fromBytes(commitmentHash(required(c, "predecessor").asText())),
                            Long.parseLong(required(c, "number_of_ticks").asText()));
                    out.add(new L1Operation.Publish(source, content.path("rollup").asText(),
                            commitmentHash(required(result, "staked_hash").asText()), commitment.inboxLevel(),
                            commitment.encode()));
                }
                default -> { }
            }
        }
        // contract calls to rollups: the internal operations run after their manager operation, in order
        for (JsonNode internal : metadata.path("internal_operation_results")) {
            if ("transaction".equals(internal.path("kind").asText())
                    && internal.path("destination").asText().startsWith("sr1") && applied(internal.path("result"))) {
                JsonNode params = internal.path("parameters").path("value");
                byte[] payload = params.isMissingNode() ? io.flotilla.pvm.encoding.Micheline.parse("Unit").encode()
                        : MichelineJson.fromJson(params).encode();
                out.add(new L1Operation.Transfer(content.path("source").asText(), internal.path("source").asText(),
                        internal.path("destination").asText(), payload));
            }
        }
    }

    private static boolean applied(JsonNode result) {
        return "applied".equals(result.path("status").asText());
    }

    private static JsonNode required(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("no '" + field + "'");
        }
        return v;
    }
}
