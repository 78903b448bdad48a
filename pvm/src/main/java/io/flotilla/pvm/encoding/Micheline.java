package io.flotilla.pvm.encoding;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;

/**
 * A Michelson expression as Micheline: integers, strings, byte strings, primitive applications (with
 * arguments and annotations) and sequences. Values are immutable.
 *
 * <ul>
 *   <li>{@link #parse(String)} reads the text syntax of octez-client (data such as {@code Pair 1 "a"},
 *       types such as {@code (pair (nat %amount) (list bytes))});
 *   <li>{@link #encode()} / {@link #decode(byte[])} are the binary encoding of Octez
 *       ({@code Micheline_encoding.canonical_encoding} with the michelson_v1 primitives), without the
 *       {@code 05} PACK prefix;
 *   <li>{@link #print()} writes the text syntax back on one line, in the style of Octez's printer.
 * </ul>
 */
public sealed interface Micheline permits Micheline.Int, Micheline.Str, Micheline.Bytes, Micheline.Prim, Micheline.Seq {

    /** An integer literal of any size. */
    record Int(BigInteger value) implements Micheline {
        public Int {
            if (value == null) {
                throw new IllegalArgumentException("null integer");
            }
        }

        @Override
        public String toString() {
            return print();
        }
    }

    /** A string literal (encoded as UTF-8). */
    record Str(String value) implements Micheline {
        public Str {
            if (value == null) {
                throw new IllegalArgumentException("null string");
            }
        }

        @Override
        public String toString() {
            return print();
        }
    }

    /** A byte string literal, {@code 0x...} in text. */
    record Bytes(byte[] value) implements Micheline {
        public Bytes {
            if (value == null) {
                throw new IllegalArgumentException("null bytes");
            }
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes b && Arrays.equals(value, b.value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return print();
        }
    }

    /**
     * A primitive application such as {@code Pair 1 2} or {@code nat %amount}. The name must be a known
     * Michelson primitive and every annotation well formed ({@code %field}, {@code :type}, {@code @var}, ...).
     */
    record Prim(String name, List<Micheline> args, List<String> annots) implements Micheline {
        public Prim {
            if (name == null || !MichelsonPrimitives.isKnown(name)) {
                throw new IllegalArgumentException("unknown Michelson primitive '" + name + "'");
            }
            args = List.copyOf(args);
            annots = List.copyOf(annots);
            for (String a : annots) {
                if (!MichelineParser.isWellFormedAnnotation(a)) {
                    throw new IllegalArgumentException("malformed annotation '" + a + "' on " + name);
                }
            }
        }

        public Prim(String name, List<Micheline> args) {
            this(name, args, List.of());
        }

        /** Structural equality, computed without recursion (values can nest thousands of levels deep). */
        @Override
        public boolean equals(Object o) {
            return o instanceof Prim p && p.name.equals(name) && p.args.size() == args.size()
                    && p.annots.equals(annots) && Arrays.equals(p.encode(), encode());
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(encode());
        }

        @Override
        public String toString() {
            return print();
        }
    }

    /** A sequence {@code { a ; b ; ... }}. */
    record Seq(List<Micheline> items) implements Micheline {
        public Seq {
            items = List.copyOf(items);
        }

        /** Structural equality, computed without recursion (values can nest thousands of levels deep). */
        @Override
        public boolean equals(Object o) {
            return o instanceof Seq s && s.items.size() == items.size() && Arrays.equals(s.encode(), encode());
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(encode());
        }

        @Override
        public String toString() {
            return print();
        }
    }

    /** A decoded expression and the number of bytes it occupied. */
    record Decoded(Micheline value, int length) {}

    // ----- construction helpers -----

    static Micheline integer(long v) {
        return new Int(BigInteger.valueOf(v));
    }

    static Micheline integer(BigInteger v) {
        return new Int(v);
    }

    static Micheline string(String s) {
        return new Str(s);
    }

    static Micheline bytes(byte[] b) {
        return new Bytes(b);
    }

    static Micheline prim(String name, Micheline... args) {
        return new Prim(name, List.of(args), List.of());
    }

    static Micheline seq(Micheline... items) {
        return new Seq(List.of(items));
    }

    // ----- text -----

    /**
     * Parses one expression in the Michelson text syntax. Errors are IllegalArgumentExceptions whose message
     * names the line and column, e.g. {@code "unknown primitive 'Piar' at line 1, column 1"}.
     */
    static Micheline parse(String text) {
        return new MichelineParser(text).parseExpression();
    }

    /** The expression on one line in Octez's text syntax; {@code parse(print())} gives it back. */
    default String print() {
        StringBuilder sb = new StringBuilder();
        MichelinePrinter.printUnwrapped(this, sb, 0);
        return sb.toString();
    }

    // ----- binary -----

    /** The binary Micheline encoding (no {@code 05} prefix). */
    default byte[] encode() {
        return MichelineBinary.encode(this);
    }

    /** Decodes exactly one expression occupying all of {@code data}. */
    static Micheline decode(byte[] data) {
        ByteReader r = new ByteReader(data);
        Micheline m = MichelineBinary.read(r);
        r.expectEnd("after the Micheline expression");
        return m;
    }

    /** Decodes one expression starting at {@code offset}, reporting how many bytes it used. */
    static Decoded decode(byte[] data, int offset) {
        ByteReader r = new ByteReader(data, offset, data.length);
        Micheline m = MichelineBinary.read(r);
        return new Decoded(m, r.position() - offset);
    }
}
