package io.flotilla.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.rollup.RollupMode;
import io.flotilla.http.FlotillaHttpServer;
import io.flotilla.pvm.encoding.RollupAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A rollup node's configuration, read from and written to {@code config.json} with Octez' keys:
 * {@code smart-rollup-address}, {@code smart-rollup-node-operator} (purpose -> key), {@code rpc-addr},
 * {@code rpc-port}, {@code mode}, {@code history-mode}; Flotilla adds {@code l1-endpoint}.
 */
public record NodeConfig(String rollup, RollupMode mode, Map<String, String> operators, String rpcAddr, int rpcPort,
                         NodeRuntime.HistoryMode historyMode, Optional<String> l1Endpoint) {

    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    public static final String FILE = "config.json";

    public NodeConfig {
        RollupAddress.fromBase58(rollup); // validates
        operators = Map.copyOf(operators);
        l1Endpoint = l1Endpoint == null ? Optional.empty() : l1Endpoint;
    }

    /** The purposes Octez gives operator keys in each mode. */
    static List<String> purposes(RollupMode mode) {
        return switch (mode) {
            case OPERATOR -> List.of("operating", "batching", "cementing", "executing_outbox");
            case MAINTENANCE -> List.of("operating", "cementing", "executing_outbox");
            case BAILOUT -> List.of("operating", "cementing", "recovering");
            case ACCUSER -> List.of("operating");
            case BATCHER -> List.of("batching");
            case OBSERVER -> List.of();
        };
    }

    /**
     * Octez' {@code with operators K ...}: a bare key serves every purpose of the mode, {@code purpose:K}
     * one purpose. Keys may be sandbox aliases ({@code bootstrap1}).
     */
    public static Map<String, String> operators(RollupMode mode, List<String> args) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> bare = new ArrayList<>();
        Map<String, String> explicit = new LinkedHashMap<>();
        for (String a : args) {
            int i = a.indexOf(':');
            if (i > 0) {
                explicit.put(a.substring(0, i), resolveKey(a.substring(i + 1)));
            } else {
                bare.add(resolveKey(a));
            }
        }
        if (bare.size() > 1) {
            throw new IllegalArgumentException("give one default operator key, and purpose:key for the others");
        }
        if (!bare.isEmpty()) {
            for (String p : purposes(mode)) {
                out.put(p, bare.get(0));
            }
        }
        out.putAll(explicit);
        if (out.isEmpty() && mode != RollupMode.OBSERVER) {
            throw new IllegalArgumentException("mode " + mode.label() + " needs an operator key (with operators tz1...)");
        }
        return out;
    }

    /** A sandbox alias becomes its {@code tz1}; anything else must be a {@code tz1}/{@code tz2}/{@code tz3}. */
    static String resolveKey(String key) {
        Optional<SandboxAccounts.Account> a = SandboxAccounts.find(key);
        if (a.isPresent()) {
            return a.get().address();
        }
        io.flotilla.pvm.encoding.PublicKeyHash.fromBase58(key); // validates
        return key;
    }

    /** The key that signs this node's operations (Flotilla uses one key per rollup for now). */
    public String operator() {
        for (String p : List.of("operating", "batching", "cementing", "executing_outbox")) {
            if (operators.containsKey(p)) {
                return operators.get(p);
            }
        }
        return operators.values().stream().findFirst().orElse(null);
    }

    public static NodeConfig defaults(String rollup, RollupMode mode, Map<String, String> operators) {
        return new NodeConfig(rollup, mode, operators, FlotillaHttpServer.Settings.DEFAULT_HOST,
                FlotillaHttpServer.Settings.DEFAULT_PORT, NodeRuntime.HistoryMode.ARCHIVE, Optional.empty());
    }

    public JsonNode toJson() {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("smart-rollup-address", rollup);
        ObjectNode ops = o.putObject("smart-rollup-node-operator");
        operators.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> ops.put(e.getKey(), e.getValue()));
        o.put("rpc-addr", rpcAddr);
        o.put("rpc-port", rpcPort);
        o.put("mode", mode.label());
        o.put("history-mode", historyMode.label());
        l1Endpoint.ifPresent(e -> o.put("l1-endpoint", e));
        return o;
    }

    public static NodeConfig fromJson(JsonNode n) {
        String rollup = text(n, "smart-rollup-address").orElseThrow(
                () -> new IllegalArgumentException("config: smart-rollup-address is missing"));
        RollupMode mode = RollupMode.parse(text(n, "mode").orElse("observer"));
        Map<String, String> ops = new LinkedHashMap<>();
        JsonNode o = n.get("smart-rollup-node-operator");
        if (o != null && o.isObject()) {
            o.fields().forEachRemaining(e -> ops.put(e.getKey(), resolveKey(e.getValue().asText())));
        } else if (o != null && o.isTextual()) {
            operators(mode, List.of(o.asText())).forEach(ops::put);
        }
        return new NodeConfig(rollup, mode, ops,
                text(n, "rpc-addr").orElse(FlotillaHttpServer.Settings.DEFAULT_HOST),
                n.has("rpc-port") ? n.get("rpc-port").asInt() : FlotillaHttpServer.Settings.DEFAULT_PORT,
                NodeRuntime.HistoryMode.parse(text(n, "history-mode").orElse("archive")),
                text(n, "l1-endpoint"));
    }

    private static Optional<String> text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
    }

    public void write(Path file) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            MAPPER.writeValue(file.toFile(), toJson());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public static NodeConfig read(Path file) {
        try {
            return fromJson(MAPPER.readTree(file.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
