package io.flotilla.actors.l1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flotilla.pvm.encoding.Micheline;
import io.flotilla.pvm.util.Hex;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Micheline in the JSON form of Octez's RPC: {@code {"int": "42"}}, {@code {"string": "a"}},
 * {@code {"bytes": "00ff"}}, {@code {"prim": "Pair", "args": [...], "annots": [...]}} and arrays for sequences.
 */
public final class MichelineJson {
    private MichelineJson() {}

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** The expression a JSON value denotes; anything else is an {@link IllegalArgumentException} naming the value. */
    public static Micheline fromJson(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            throw new IllegalArgumentException("no Micheline expression");
        }
        if (n.isArray()) {
            List<Micheline> items = new ArrayList<>(n.size());
            n.forEach(i -> items.add(fromJson(i)));
            return new Micheline.Seq(items);
        }
        if (!n.isObject()) {
            throw new IllegalArgumentException("not a Micheline expression: " + abbreviate(n));
        }
        if (n.has("int")) {
            return new Micheline.Int(new BigInteger(n.get("int").asText()));
        }
        if (n.has("string")) {
            return new Micheline.Str(n.get("string").asText());
        }
        if (n.has("bytes")) {
            return new Micheline.Bytes(Hex.decode(n.get("bytes").asText()));
        }
        if (n.has("prim")) {
            List<Micheline> args = new ArrayList<>();
            if (n.has("args")) {
                n.get("args").forEach(a -> args.add(fromJson(a)));
            }
            List<String> annots = new ArrayList<>();
            if (n.has("annots")) {
                n.get("annots").forEach(a -> annots.add(a.asText()));
            }
            return new Micheline.Prim(n.get("prim").asText(), args, annots);
        }
        throw new IllegalArgumentException("not a Micheline expression: " + abbreviate(n));
    }

    /** The JSON form of an expression, as Octez writes it. */
    public static JsonNode toJson(Micheline m) {
        if (m instanceof Micheline.Int i) {
            return F.objectNode().put("int", i.value().toString());
        } else if (m instanceof Micheline.Str s) {
            return F.objectNode().put("string", s.value());
        } else if (m instanceof Micheline.Bytes b) {
            return F.objectNode().put("bytes", Hex.encode(b.value()));
        } else if (m instanceof Micheline.Seq s) {
            ArrayNode a = F.arrayNode();
            s.items().forEach(i -> a.add(toJson(i)));
            return a;
        }
        Micheline.Prim p = (Micheline.Prim) m;
        ObjectNode o = F.objectNode().put("prim", p.name());
        if (!p.args().isEmpty()) {
            ArrayNode a = o.putArray("args");
            p.args().forEach(x -> a.add(toJson(x)));
        }
        if (!p.annots().isEmpty()) {
            ArrayNode a = o.putArray("annots");
            p.annots().forEach(a::add);
        }
        return o;
    }

    private static String abbreviate(JsonNode n) {
        String s = n.toString();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
