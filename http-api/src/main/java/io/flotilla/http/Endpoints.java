package io.flotilla.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The endpoint table: documents the routes and produces the OpenAPI 3 description served at {@code /openapi}. */
public final class Endpoints {

    public enum Scope {
        /** Served once per node, at the root. */
        NODE,
        /** Served under {@code /rollups/{rollup}} and, when the node serves exactly one rollup, at the root too. */
        ROLLUP
    }

    /** A query parameter. */
    public record Query(String name, boolean required, String type, String description) {}

    /**
     * One endpoint. {@code path} uses OpenAPI templates ({@code {block_id}}, {@code {level}}, {@code {hash}});
     * {@code kind} is {@code json}, {@code stream}, {@code text} or {@code binary}.
     */
    public record Endpoint(String method, Scope scope, String path, String summary, String kind, List<Query> query) {}

    private static final String BLOCK = "/global/block/{block_id}";
    private static final Query KEY = new Query("key", false, "string",
            "Durable storage key, e.g. /kernel/boot.wasm (default: the root)");

    public static final List<Endpoint> ALL = List.of(
            node("GET", "/health", "Node health: every rollup's status and how far behind L1 it is", "json"),
            node("GET", "/version", "Node version", "json"),
            node("GET", "/openapi", "This OpenAPI 3 description", "json"),
            node("GET", "/metrics", "Prometheus metrics of the node and of the HTTP API", "text"),
            node("GET", "/rollups", "The rollups served by this node, with head, LCC and status", "json"),
            node("GET", "/rollups/{rollup}", "One rollup: head, LCC, status, mode", "json"),
            r("GET", "/health", "Health of this rollup (Octez shape)", "json"),
            r("GET", "/global/smart_rollup_address", "The rollup's sr1 address", "json"),
            r("GET", "/global/tezos_head", "Hash of the last L1 block processed (or null)", "json"),
            r("GET", "/global/tezos_level", "Level of the last L1 block processed (or null)", "json"),
            r("GET", "/global/last_stored_commitment", "Last commitment computed by the node (or null)", "json"),
            r("GET", "/global/last_cemented_commitment", "Last cemented commitment: hash, level, commitment", "json"),
            r("GET", "/global/monitor_blocks", "Stream of new L2 heads: one JSON object per line", "stream"),
            r("GET", "/global/monitor_finalized_blocks", "Stream of newly finalized L2 blocks: one JSON object per line",
                    "stream"),
            r("GET", BLOCK, "The L2 block", "json", new Query("outbox", false, "boolean",
                    "also list the outbox messages produced at this level")),
            r("GET", BLOCK + "/hash", "Hash of the L1 block", "json"),
            r("GET", BLOCK + "/level", "Level of the block", "json"),
            r("GET", BLOCK + "/inbox", "Inbox of the block (level, hash, number of messages)", "json"),
            r("GET", BLOCK + "/ticks", "Ticks executed for this level (string)", "json"),
            r("GET", BLOCK + "/total_ticks", "Ticks executed since origination (string)", "json"),
            r("GET", BLOCK + "/num_messages", "Number of inbox messages of this level (string)", "json"),
            r("GET", BLOCK + "/state_hash", "PVM state hash after the block", "json"),
            r("GET", BLOCK + "/status", "PVM status after the block", "json"),
            r("GET", BLOCK + "/outbox", "Outbox messages of a level in this block's state", "json",
                    new Query("outbox_level", true, "integer", "outbox level")),
            r("GET", BLOCK + "/outbox/{level}/messages", "Outbox messages of a level in this block's state", "json"),
            r("GET", BLOCK + "/durable/wasm_2_0_0/value", "Value at a durable key (hex); 404 when absent", "json", KEY),
            r("GET", BLOCK + "/durable/wasm_2_0_0/length", "Length of the value at a durable key (string)", "json", KEY),
            r("GET", BLOCK + "/durable/wasm_2_0_0/subkeys", "Steps directly under a durable key", "json", KEY),
            r("GET", BLOCK + "/durable/wasm_2_0_0/values", "Values directly under a durable key: [{key, value}]", "json",
                    KEY),
            r("GET", BLOCK + "/helpers/proofs/outbox/{level}/messages",
                    "Proof of an outbox message against this block's state", "json",
                    new Query("index", true, "integer", "message index in the outbox level")),
            r("GET", "/local/last_published_commitment", "Last commitment published by this node (or null)", "json"),
            r("GET", "/local/commitments/{hash}", "A commitment computed by this node (src1 hash)", "json"),
            r("GET", "/local/outbox/pending", "Outbox messages not executed yet, with their status", "json",
                    new Query("outbox_level", false, "integer", "only this outbox level")),
            r("GET", "/local/outbox/pending/executable", "Pending outbox messages that can be executed", "json",
                    new Query("outbox_level", false, "integer", "only this outbox level")),
            r("GET", "/local/outbox/pending/unexecutable", "Pending outbox messages that cannot be executed yet",
                    "json", new Query("outbox_level", false, "integer", "only this outbox level")),
            r("GET", "/local/gc_info", "Garbage collection information", "json"),
            r("GET", "/local/synchronized", "Whether the rollup has caught up with the L1 head", "json"),
            r("POST", "/local/batcher/injection", "Queue L2 messages (JSON list of hex) in the batcher; returns ids",
                    "json"),
            r("GET", "/local/batcher/queue", "Messages waiting in the batcher's queue", "json"),
            r("POST", "/admin/cancel_gc", "Cancel a running GC (loopback clients only); true when one was running",
                    "json"));

    private Endpoints() {}

    private static Endpoint node(String method, String path, String summary, String kind) {
        return new Endpoint(method, Scope.NODE, path, summary, kind, List.of());
    }

    private static Endpoint r(String method, String path, String summary, String kind, Query... query) {
        return new Endpoint(method, Scope.ROLLUP, path, summary, kind, List.of(query));
    }

    private static final Pattern TEMPLATE = Pattern.compile("\\{([a-z_]+)}");

    /** The OpenAPI 3 document. */
    public static ObjectNode openApi(String version) {
        ObjectNode doc = Json.obj();
        doc.put("openapi", "3.0.3");
        doc.putObject("info")
                .put("title", "Flotilla smart rollup node")
                .put("version", version)
                .put("description", "Octez-compatible rollup node endpoints. Every rollup endpoint is served under "
                        + "/rollups/{rollup}; when the node serves exactly one rollup it is also served at the root. "
                        + "Errors are JSON objects {\"error\": ..., \"kind\": ...}. int64/Z values (ticks, lengths) "
                        + "are strings; hashes are base58check (srs1, src1, srib1, B); bytes are hex.");
        ObjectNode paths = doc.putObject("paths");
        for (Endpoint e : ALL) {
            if (e.scope() == Scope.NODE) {
                operation(paths, e.path(), e, false);
            } else {
                operation(paths, "/rollups/{rollup}" + e.path(), e, true);
                operation(paths, e.path(), e, false);
            }
        }
        ObjectNode schemas = doc.putObject("components").putObject("schemas");
        ObjectNode err = schemas.putObject("Error").put("type", "object");
        err.putArray("required").add("error").add("kind");
        ObjectNode props = err.putObject("properties");
        props.putObject("error").put("type", "string");
        props.putObject("kind").put("type", "string");
        return doc;
    }

    private static void operation(ObjectNode paths, String path, Endpoint e, boolean underRollup) {
        ObjectNode item = paths.has(path) ? (ObjectNode) paths.get(path) : paths.putObject(path);
        ObjectNode op = item.putObject(e.method().toLowerCase(java.util.Locale.ROOT));
        op.put("summary", e.summary());
        op.put("operationId", (e.method() + path).replaceAll("[^A-Za-z0-9]+", "_"));
        ArrayNode params = op.putArray("parameters");
        List<String> names = new ArrayList<>();
        Matcher m = TEMPLATE.matcher(path);
        while (m.find()) {
            names.add(m.group(1));
        }
        for (String n : names) {
            ObjectNode p = params.addObject().put("name", n).put("in", "path").put("required", true);
            p.putObject("schema").put("type", n.equals("level") ? "integer" : "string");
            p.put("description", switch (n) {
                case "rollup" -> "sr1 address of the rollup";
                case "block_id" -> "head, finalized (head - 2), cemented (LCC level), a level, or an L1 block hash (B...)";
                case "level" -> "outbox level";
                case "hash" -> "commitment hash (src1...)";
                default -> n;
            });
        }
        for (Query q : e.query()) {
            ObjectNode p = params.addObject().put("name", q.name()).put("in", "query").put("required", q.required());
            p.putObject("schema").put("type", q.type());
            p.put("description", q.description());
        }
        if (e.method().equals("POST") && e.path().endsWith("/injection")) {
            ObjectNode schema = op.putObject("requestBody").put("required", true).putObject("content")
                    .putObject("application/json").putObject("schema").put("type", "array");
            schema.putObject("items").put("type", "string").put("pattern", "^([0-9a-fA-F]{2})*$");
        }
        ObjectNode responses = op.putObject("responses");
        ObjectNode ok = responses.putObject("200").put("description", e.summary());
        String mediaType = e.kind().equals("text") ? "text/plain" : "application/json";
        ObjectNode schema = ok.putObject("content").putObject(mediaType).putObject("schema");
        if (e.kind().equals("text")) {
            schema.put("type", "string");
        }
        for (String code : underRollup || e.scope() == Scope.ROLLUP ? List.of("400", "404") : List.of("400")) {
            responses.putObject(code).put("description", code.equals("404") ? "Not found" : "Bad request")
                    .putObject("content").putObject("application/json").putObject("schema")
                    .put("$ref", "#/components/schemas/Error");
        }
        if (e.path().startsWith("/admin")) {
            responses.putObject("403").put("description", "Not a loopback client").putObject("content")
                    .putObject("application/json").putObject("schema").put("$ref", "#/components/schemas/Error");
        }
    }
}
