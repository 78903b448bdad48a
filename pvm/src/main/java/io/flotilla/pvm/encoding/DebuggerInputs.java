package io.flotilla.pvm.encoding;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the {@code --inputs} file of {@code octez-smart-rollup-wasm-debugger} (Octez
 * {@code src/lib_wasm_debugger/messages.ml}): a JSON array of levels, each an array of messages, each one of
 * <pre>
 *   { "payload": "&lt;Michelson data&gt;", "sender": "KT1...", "source": "tz1...", "destination": "sr1..." }
 *   { "external": "&lt;hex&gt;" }
 *   { "serialized": "&lt;hex of an already serialized inbox message&gt;" }
 * </pre>
 * In a transfer only {@code payload} is required; missing fields take the debugger's defaults
 * ({@link Defaults#OCTEZ}: the all-zero {@code KT18amZmM5W7qDWVt2pH6uj7sCEd3kbzLrHT},
 * {@code tz1Ke2h7sDdakHJQh8WX4Z372du1KChsksyU} and {@code sr163Lv22CdE8QagCwf48PWDTquk6isQwv57}; the
 * debugger's {@code --rollup} option replaces the default destination, see {@link Defaults#withDestination}).
 * The result holds each level's messages in order, without the Start_of_level / Info_per_level /
 * End_of_level framing the debugger adds around them.
 *
 * <p>Stricter than Octez: unknown fields, invalid hex (Octez silently turns it into an empty message) and
 * Michelson syntax errors (Octez recovers from them) are errors. Every error is an IllegalArgumentException
 * whose message starts with {@code "level L, message M: "} (both counted from 0, as the debugger counts levels).
 */
public final class DebuggerInputs {

    /** Values used for the fields a transfer leaves out. */
    public record Defaults(ContractHash sender, PublicKeyHash source, RollupAddress destination) {
        /** The debugger's defaults: the all-zero contract, tz1 and rollup address. */
        public static final Defaults OCTEZ = new Defaults(ContractHash.zero(), PublicKeyHash.zero(), RollupAddress.zero());

        public Defaults {
            if (sender == null || source == null || destination == null) {
                throw new IllegalArgumentException("defaults need a sender, a source and a destination");
            }
        }

        /** As the debugger's {@code --rollup} option: another default destination. */
        public Defaults withDestination(RollupAddress rollup) {
            return new Defaults(sender, source, rollup);
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Set<String> TRANSFER_FIELDS = Set.of("payload", "sender", "source", "destination");

    private DebuggerInputs() {}

    /** Parses with the debugger's defaults. */
    public static List<List<InboxMessage>> parse(String json) {
        return parse(json, Defaults.OCTEZ);
    }

    /** Parses with the given defaults. {@code serialized} entries must decode as inbox messages. */
    public static List<List<InboxMessage>> parse(String json, Defaults defaults) {
        return walk(json, defaults, (entry) -> {
            if (entry.serialized != null) {
                try {
                    return InboxMessage.decode(entry.serialized);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("serialized: " + e.getMessage(), e);
                }
            }
            return entry.message;
        });
    }

    /**
     * Parses into the bytes the debugger feeds the kernel: transfers and external messages serialized,
     * {@code serialized} entries passed through unchanged even when they are not a valid inbox message.
     */
    public static List<List<byte[]>> parseSerialized(String json, Defaults defaults) {
        return walk(json, defaults, (entry) -> entry.serialized != null ? entry.serialized : entry.message.encode());
    }

    /** Reads and parses an inputs file with the given defaults. */
    public static List<List<InboxMessage>> read(Path file, Defaults defaults) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), defaults);
    }

    // ------------------------------------------------------------------ internals

    /** One parsed entry: either a message or raw serialized bytes. */
    private static final class Entry {
        InboxMessage message;
        byte[] serialized;
    }

    private static <T> List<List<T>> walk(String json, Defaults defaults, Function<Entry, T> convert) {
        if (defaults == null) {
            throw new IllegalArgumentException("no defaults given");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("inputs are not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr()), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new IllegalArgumentException("inputs are empty; expected a JSON array of levels");
        }
        if (!root.isArray()) {
            throw new IllegalArgumentException("inputs must be a JSON array of levels (arrays of messages), got "
                    + kind(root));
        }
        List<List<T>> levels = new ArrayList<>();
        for (int level = 0; level < root.size(); level++) {
            JsonNode messages = root.get(level);
            if (!messages.isArray()) {
                throw new IllegalArgumentException("level " + level + ": expected an array of messages, got "
                        + kind(messages));
            }
            List<T> out = new ArrayList<>();
            for (int index = 0; index < messages.size(); index++) {
                try {
                    out.add(convert.apply(entry(messages.get(index), defaults)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("level " + level + ", message " + index + ": " + e.getMessage(), e);
                }
            }
            levels.add(List.copyOf(out));
        }
        return List.copyOf(levels);
    }

    private static Entry entry(JsonNode node, Defaults defaults) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("expected an object with \"payload\", \"external\" or \"serialized\", got "
                    + kind(node));
        }
        Entry entry = new Entry();
        if (node.has("payload")) {
            checkFields(node, TRANSFER_FIELDS, "a transfer");
            String text = string(node, "payload");
            Micheline payload;
            try {
                payload = Micheline.parse(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("payload: " + e.getMessage(), e);
            }
            ContractHash sender = node.has("sender")
                    ? field(node, "sender", ContractHash::fromBase58) : defaults.sender();
            PublicKeyHash source = node.has("source")
                    ? field(node, "source", PublicKeyHash::fromBase58) : defaults.source();
            RollupAddress destination = node.has("destination")
                    ? field(node, "destination", RollupAddress::fromBase58) : defaults.destination();
            entry.message = InboxMessage.Transfer.of(payload, sender, source, destination);
        } else if (node.has("external")) {
            checkFields(node, Set.of("external"), "an external message");
            entry.message = new InboxMessage.External(hex(node, "external"));
        } else if (node.has("serialized")) {
            checkFields(node, Set.of("serialized"), "a serialized message");
            entry.serialized = hex(node, "serialized");
            if (entry.serialized.length > InboxMessage.MAX_SIZE) {
                throw new IllegalArgumentException("serialized message of " + entry.serialized.length
                        + " bytes exceeds the " + InboxMessage.MAX_SIZE + "-byte limit");
            }
        } else {
            throw new IllegalArgumentException("expected an object with \"payload\", \"external\" or \"serialized\", got "
                    + "fields " + fieldNames(node));
        }
        return entry;
    }

    private static void checkFields(JsonNode node, Set<String> allowed, String what) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                throw new IllegalArgumentException("unexpected field \"" + name + "\" in " + what + " (allowed: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String string(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (!v.isTextual()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a string, got " + kind(v));
        }
        return v.textValue();
    }

    private static <T> T field(JsonNode node, String field, Function<String, T> parse) {
        String s = string(node, field);
        try {
            return parse.apply(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
    }

    private static byte[] hex(JsonNode node, String field) {
        String s = string(node, field);
        try {
            return io.flotilla.pvm.util.Hex.decode(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
    }

    private static String fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    private static String kind(JsonNode n) {
        if (n.isArray()) {
            return "an array";
        }
        if (n.isObject()) {
            return "an object";
        }
        if (n.isTextual()) {
            return "a string";
        }
        if (n.isNumber()) {
            return "a number";
        }
        if (n.isBoolean()) {
            return "a boolean";
        }
        if (n.isNull()) {
            return "null";
        }
        return n.getNodeType().toString().toLowerCase();
    }
}
