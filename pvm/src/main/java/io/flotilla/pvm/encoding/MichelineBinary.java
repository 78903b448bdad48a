package io.flotilla.pvm.encoding;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary Micheline as in Octez: one tag byte then
 * <pre>
 *  0 int: zarith            1 string: uint32 len + bytes     2 seq: uint32 byte len + items
 *  3 prim, no args, no annots: code            4 prim, no args, annots: code + annots
 *  5 prim, 1 arg: code + arg                    6 prim, 1 arg, annots: code + arg + annots
 *  7 prim, 2 args: code + arg + arg             8 prim, 2 args, annots: code + args + annots
 *  9 prim, any args: code + uint32 byte len + args + annots     10 bytes: uint32 len + bytes
 * </pre>
 * where annots is one uint32-length-prefixed string of space-separated annotations.
 */
final class MichelineBinary {
    /**
     * Nesting limit of the decoder. A 4096-byte message cannot nest deeper than about 2048 levels. Encoder,
     * decoder and printer are iterative; the limit keeps the (recursive) record equals/hashCode of decoded
     * values within a default 1 MiB thread stack.
     */
    static final int MAX_DEPTH = 4096;

    private MichelineBinary() {}

    static byte[] encode(Micheline m) {
        ByteWriter w = new ByteWriter();
        write(m, w);
        return w.toByteArray();
    }

    /** Pending work of the (iterative) encoder. */
    private record CloseLength(int at) {}

    private record Annots(List<String> annots) {}

    /** Writes {@code root}; iterative, so nesting depth is bounded by memory, not by the thread stack. */
    static void write(Micheline root, ByteWriter w) {
        ArrayDeque<Object> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            Object task = todo.pop();
            if (task instanceof CloseLength c) {
                w.endLength(c.at());
            } else if (task instanceof Annots a) {
                writeAnnots(a.annots(), w);
            } else if (task instanceof Micheline.Int i) {
                w.u8(0);
                writeZarith(i.value(), w);
            } else if (task instanceof Micheline.Str s) {
                w.u8(1).sized(s.value().getBytes(StandardCharsets.UTF_8));
            } else if (task instanceof Micheline.Bytes b) {
                w.u8(10).sized(b.value());
            } else if (task instanceof Micheline.Seq s) {
                w.u8(2);
                todo.push(new CloseLength(w.beginLength()));
                pushReversed(s.items(), todo);
            } else if (task instanceof Micheline.Prim p) {
                int code = MichelsonPrimitives.code(p.name());
                boolean annotated = !p.annots().isEmpty();
                int n = p.args().size();
                if (n <= 2) {
                    w.u8(3 + 2 * n + (annotated ? 1 : 0)).u8(code);
                    if (annotated) {
                        todo.push(new Annots(p.annots()));
                    }
                } else {
                    w.u8(9).u8(code);
                    todo.push(new Annots(p.annots()));
                    todo.push(new CloseLength(w.beginLength()));
                }
                pushReversed(p.args(), todo);
            } else {
                throw new IllegalStateException("unknown node " + task);
            }
        }
    }

    private static void pushReversed(List<Micheline> items, ArrayDeque<Object> todo) {
        for (int k = items.size() - 1; k >= 0; k--) {
            todo.push(items.get(k));
        }
    }

    private static void writeAnnots(List<String> annots, ByteWriter w) {
        w.sized(String.join(" ", annots).getBytes(StandardCharsets.UTF_8));
    }

    /** Zarith: sign in bit 6 of the first byte, 6 then 7 value bits per byte, continuation in bit 7. */
    static void writeZarith(BigInteger v, ByteWriter w) {
        BigInteger abs = v.abs();
        int first = abs.intValue() & 0x3f;
        if (v.signum() < 0) {
            first |= 0x40;
        }
        abs = abs.shiftRight(6);
        if (abs.signum() == 0) {
            w.u8(first);
            return;
        }
        w.u8(first | 0x80);
        while (true) {
            int chunk = abs.intValue() & 0x7f;
            abs = abs.shiftRight(7);
            if (abs.signum() == 0) {
                w.u8(chunk);
                return;
            }
            w.u8(chunk | 0x80);
        }
    }

    static BigInteger readZarith(ByteReader r) {
        int start = r.position();
        int first = r.u8("integer");
        boolean negative = (first & 0x40) != 0;
        BigInteger value = BigInteger.valueOf(first & 0x3f);
        if ((first & 0x80) != 0) {
            int shift = 6;
            int b;
            do {
                b = r.u8("integer continuation");
                value = value.or(BigInteger.valueOf(b & 0x7f).shiftLeft(shift));
                shift += 7;
            } while ((b & 0x80) != 0);
            if (b == 0) {
                throw new IllegalArgumentException("non-canonical integer: trailing zero byte (integer starts at byte offset "
                        + start + ")");
            }
        }
        return negative ? value.negate() : value;
    }

    /** A node whose children are still being read. */
    private static final class Open {
        final int tag;
        final String name; // null for sequences
        final int arity; // fixed arity for tags 3..8, -1 when the children fill a length-prefixed body
        final ByteReader body; // where the children are read from
        final List<Micheline> children = new ArrayList<>();

        Open(int tag, String name, int arity, ByteReader body) {
            this.tag = tag;
            this.name = name;
            this.arity = arity;
            this.body = body;
        }

        boolean complete() {
            return arity >= 0 ? children.size() == arity : body.atEnd();
        }
    }

    /**
     * Reads one node and its children. Iterative, so a hostile input cannot exhaust the thread stack; nesting
     * deeper than {@link #MAX_DEPTH} is rejected anyway.
     */
    static Micheline read(ByteReader r) {
        ArrayDeque<Open> open = new ArrayDeque<>();
        ByteReader current = r;
        while (true) {
            Micheline done = null;
            int tagAt = current.position();
            int tag = current.u8("Micheline node tag");
            switch (tag) {
                case 0:
                    done = new Micheline.Int(readZarith(current));
                    break;
                case 1:
                    done = new Micheline.Str(utf8(current.bytes(current.length("string"), "string"), tagAt));
                    break;
                case 10:
                    done = new Micheline.Bytes(current.bytes(current.length("bytes"), "bytes"));
                    break;
                case 2:
                    open.push(new Open(2, null, -1, current.slice(current.length("sequence"), "sequence")));
                    break;
                case 3: case 4: case 5: case 6: case 7: case 8:
                    open.push(new Open(tag, primName(current), (tag - 3) / 2, current));
                    break;
                case 9: {
                    String name = primName(current);
                    open.push(new Open(9, name, -1,
                            current.slice(current.length("primitive arguments"), "primitive arguments")));
                    break;
                }
                default:
                    throw new IllegalArgumentException("unknown Micheline node tag " + tag + " at byte offset " + tagAt
                            + " (expected 0..10)");
            }
            if (open.size() > MAX_DEPTH) {
                throw current.error("Micheline expression nested deeper than " + MAX_DEPTH);
            }
            // Close every node that is now complete, handing each to its parent.
            while (true) {
                if (done == null) {
                    Open top = open.peek();
                    if (!top.complete()) {
                        break;
                    }
                    open.pop();
                    done = close(top, open.isEmpty() ? r : open.peek().body);
                }
                if (open.isEmpty()) {
                    return done;
                }
                open.peek().children.add(done);
                done = null;
            }
            current = open.peek().body;
        }
    }

    /** Finishes a node; trailing annotations of tags 4, 6, 8, 9 are read from the reader that held the node. */
    private static Micheline close(Open node, ByteReader outer) {
        if (node.tag == 2) {
            return new Micheline.Seq(node.children);
        }
        ByteReader annotsFrom = node.tag == 9 ? outer : node.body;
        List<String> annots = (node.tag == 9 || node.tag % 2 == 0) ? readAnnots(annotsFrom) : List.of();
        return new Micheline.Prim(node.name, node.children, annots);
    }

    private static String primName(ByteReader r) {
        int at = r.position();
        int code = r.u8("primitive code");
        try {
            return MichelsonPrimitives.name(code);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " at byte offset " + at, e);
        }
    }

    private static List<String> readAnnots(ByteReader r) {
        int at = r.position();
        String s = utf8(r.bytes(r.length("annotations"), "annotations"), at);
        if (s.isEmpty()) {
            return List.of();
        }
        List<String> annots = List.of(s.split(" ", -1));
        for (String a : annots) {
            if (!MichelineParser.isWellFormedAnnotation(a)) {
                throw new IllegalArgumentException("malformed annotation '" + a + "' at byte offset " + at);
            }
        }
        return annots;
    }

    private static String utf8(byte[] b, int at) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("string at byte offset " + at + " is not valid UTF-8", e);
        }
    }
}
