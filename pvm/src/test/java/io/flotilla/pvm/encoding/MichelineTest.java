package io.flotilla.pvm.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.pvm.util.Hex;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class MichelineTest {

    /**
     * Golden vectors worked out by hand from the encoding: tag byte, zarith integers, 4-byte big-endian lengths,
     * primitive codes (Unit 0x0b, Pair 0x07, False 0x03, ...).
     */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "0                         | 0000",
        "1                         | 0001",
        "-1                        | 0041",
        "63                        | 003f",
        "-63                       | 007f",
        "64                        | 008001",
        "-64                       | 00c001",
        "1000                      | 00a80f",
        "329                       | 008905",
        "18446744073709551616      | 0080808080808080808004",
        "-18446744073709551616     | 00c0808080808080808004",
        "12345678901234567890123456789 | 009584cce3adece4be8dc9d9c1fc09",
        "Unit                      | 030b",
        "True                      | 030a",
        "None                      | 0306",
        "Pair Unit False           | 0707030b0303",
        "\"abc\"                   | 0100000003616263",
        "\"\"                      | 0100000000",
        "0xdeadbeef                | 0a00000004deadbeef",
        "0x                        | 0a00000000",
        "{ 1 ; 2 }                 | 02000000040001 0002",
        "{}                        | 0200000000",
        "Some 1                    | 05090001",
        "Some (Left 5)             | 0509050500 05",
        "Right (Pair \"x\" 0x00)   | 0508 0707 010000000178 0a0000000100",
        "Elt \"a\" 1               | 0704 010000000161 0001",
        "Pair 1 2 3                | 0907 00000006 0001 0002 0003 00000000",
        "{ Elt 1 Unit ; Elt 2 Unit } | 02 0000000c 0704 0001 030b 0704 0002 030b",
        "nat                       | 0362",
        "(pair nat (list bytes))   | 0765 0362 055f 0369",
        "(pair (nat %a) (list bytes)) | 0765 0462 00000002 2561 055f 0369",
        "pair :t %x nat int        | 0865 0362 035b 00000005 3a7420 2578",
        "(option %maybe address)   | 0663 036e 00000006 256d61796265",
        "big_map string mutez      | 0761 0368 036a",
        "ticket unit               | 0587 036c",
        "contract (or int string)  | 055a 0764 035b 0368",
    })
    void goldenVectors(String text, String hex) {
        byte[] expected = Hex.decode(hex.replace(" ", ""));
        Micheline m = Micheline.parse(text);
        assertEquals(Hex.encode(expected), Hex.encode(m.encode()), "encoding of " + text);
        assertEquals(m, Micheline.decode(expected));
    }

    @Test
    void astOfParsedData() {
        assertEquals(new Micheline.Prim("Pair", List.of(Micheline.integer(1), Micheline.integer(2), Micheline.integer(3))),
                Micheline.parse("Pair 1 2 3"));
        assertEquals(Micheline.integer(new BigInteger("-42")), Micheline.parse("-42"));
        assertEquals(Micheline.integer(7), Micheline.parse("007"));
        assertEquals(Micheline.string("a\"b\\c\nd\te\rf\bg"), Micheline.parse("\"a\\\"b\\\\c\\nd\\te\\rf\\bg\""));
        assertEquals(Micheline.string("héllo ✓"), Micheline.parse("\"héllo ✓\""));
        assertEquals(Micheline.prim("Some", Micheline.prim("Pair", Micheline.prim("Unit"), Micheline.prim("True"))),
                Micheline.parse("Some (Pair Unit True)"));
        assertEquals(Micheline.seq(Micheline.seq(), Micheline.seq(Micheline.integer(1))), Micheline.parse("{ {} ; { 1 } }"));
        assertEquals(new Micheline.Prim("pair", List.of(
                        new Micheline.Prim("nat", List.of(), List.of("%amount")),
                        new Micheline.Prim("list", List.of(Micheline.prim("bytes")), List.of(":l", "@v")))),
                Micheline.parse("(pair (nat %amount) (list :l @v bytes))"));
        assertEquals(Micheline.prim("Pair", Micheline.integer(1), Micheline.integer(2)),
                Micheline.parse("  # comment\n Pair /* a /* nested */ comment */ 1\n  2 # trailing\n"));
        assertEquals(Micheline.prim("Pair", Micheline.integer(1), Micheline.integer(2)), Micheline.parse("(Pair 1 2)"));
        assertEquals(Micheline.seq(Micheline.integer(1)), Micheline.parse("{ 1 ; }"));
        assertEquals(Micheline.bytes(Hex.decode("DEADbeef")), Micheline.parse("0xDEADbeef"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "0", "-42", "\"string with \\\"quotes\\\" and \\\\ and \\n\"", "0xdeadbeef", "Unit", "True", "False",
        "Pair 1 2", "Pair 1 2 3", "Pair (Pair 1 2) (Pair 3 4)", "Left (Some 0x00)", "Right None",
        "{ Elt \"a\" 1 ; Elt \"b\" 2 }", "{}", "{ {} ; { {} } }", "Some (Pair { 1 ; 2 } \"x\")",
        "pair (nat %a) (list :l bytes)", "or (int %left) (string %right)", "map string (option address)",
        "big_map nat (ticket unit)", "contract unit", "lambda int int", "{ DUP ; CAR ; NIL operation ; PAIR }",
        "{ Pair 1 2 ; Pair 3 4 }", "unit %u @v :t", "123456789012345678901234567890", "-123456789012345678901234567890",
    })
    void roundTrips(String text) {
        Micheline m = Micheline.parse(text);
        byte[] bin = m.encode();
        Micheline back = Micheline.decode(bin);
        assertEquals(m, back);
        String printed = back.print();
        assertEquals(m, Micheline.parse(printed), "printed as " + printed);
        assertEquals(text, printed);
    }

    @Test
    void printerStyle() {
        assertEquals("Pair (Some 1) { 2 ; 3 } \"x\"", Micheline.parse("Pair ( Some 1 ) {2;3} \"x\"").print());
        assertEquals("pair (nat %a) int", Micheline.parse("(pair (nat %a) int)").print());
        assertEquals("\"a\\tb\\\"\"", Micheline.string("a\tb\"").print());
        assertEquals("0x00ff", Micheline.bytes(new byte[] {0, -1}).toString());
    }

    @Test
    void decodeReportsLengthUsedAndRejectsTrailingBytes() {
        byte[] data = Hex.decode("ff0707030b0303aabb");
        Micheline.Decoded d = Micheline.decode(data, 1);
        assertEquals(6, d.length());
        assertEquals(Micheline.parse("Pair Unit False"), d.value());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Micheline.decode(Hex.decode("030bff")));
        assertTrue(e.getMessage().contains("trailing"), e.getMessage());
    }

    @Test
    void tagNineAcceptsFewArgumentsLikeOctez() {
        // Octez decodes the generic case for any arity; we re-encode canonically.
        Micheline m = Micheline.decode(Hex.decode("090b0000000000000000"));
        assertEquals(Micheline.prim("Unit"), m);
        assertEquals("030b", Hex.encode(m.encode()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "0b              | unknown Micheline node tag 11",
        "03a1            | unknown Michelson primitive code 161",
        "03              | truncated",
        "0100000005616263 | truncated",
        "02000000040001  | truncated",
        "0080            | truncated",
        "008000          | trailing zero",
        "01000000 02c328 | not valid UTF-8",
        "040b00000003 6162 63 | malformed annotation 'abc'",
        "01 80000000     | uint30",
    })
    void decodeErrors(String hex, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Micheline.decode(Hex.decode(hex.replace(" ", ""))));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "Piar 1 2                 | unknown primitive 'Piar' at line 1, column 1",
        "Pair 1 (Sone 2)          | unknown primitive 'Sone' at line 1, column 9",
        "Pair 1 (                 | at line 1, column 9",
        "Pair 1 2)                | unexpected ')' at line 1, column 9",
        "{ 1 ; 2                  | unclosed '{' opened at line 1, column 1",
        "{ 1 2 }                  | unexpected integer '2' at line 1, column 5",
        "{ 1 ;; 2 }               | extra semicolon",
        "`\"abc`                  | unterminated string at line 1, column 1",
        "`\"a\\qb\"`              | undefined escape sequence '\\q' at line 1, column 3",
        "0xabc                    | odd number of hex digits",
        "12abc                    | missing separator after number at line 1, column 3",
        "-                        | unterminated integer",
        "-0x00                    | bytes cannot be negative",
        "1 2                      | unexpected integer '2' at line 1, column 3 after the complete expression",
        "Pair nat %a int          | annotated argument must be written in parentheses",
        "(1)                      | only a primitive application can be parenthesised",
        "`Pair\n  1 ~`            | unexpected character '~' at line 2, column 5",
        "/* never closed          | unterminated comment",
        "{ (Pair 1 2) }           | unexpected '(' at line 1, column 3 in a sequence",
    })
    void parseErrors(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Micheline.parse(text));
        assertTrue(e.getMessage().contains(message), "message was: " + e.getMessage());
    }

    @Test
    void emptyInputIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Micheline.parse("  "));
        assertEquals("empty Michelson expression", e.getMessage());
    }

    @Test
    void constructorsValidate() {
        assertThrows(IllegalArgumentException.class, () -> Micheline.prim("Foo"));
        assertThrows(IllegalArgumentException.class,
                () -> new Micheline.Prim("nat", List.of(), List.of("bad annot")));
        assertThrows(IllegalArgumentException.class,
                () -> new Micheline.Prim("nat", List.of(), List.of("%" + "a".repeat(255))));
        assertEquals(161, MichelsonPrimitives.count());
        assertEquals(11, MichelsonPrimitives.code("Unit"));
        assertEquals("GET_ADDRESS_INDEX", MichelsonPrimitives.name(160));
        assertEquals(157, MichelsonPrimitives.code("Ticket"));
    }

    /** Runs on a thread with a 1 MiB stack, the JVM default for worker threads. */
    private static void onDefaultSizedStack(Runnable r) throws Throwable {
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(null, () -> {
            try {
                r.run();
            } catch (Throwable x) {
                failure[0] = x;
            }
        }, "deep", 1 << 20);
        t.start();
        t.join();
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    @Test
    void deepNestingWithinLimitsWorks() throws Throwable {
        onDefaultSizedStack(this::deepNesting);
    }

    private static byte[] nestedSomes(int depth) {
        byte[] bin = new byte[2 * depth + 2];
        for (int i = 0; i < depth; i++) {
            bin[2 * i] = 5; // prim, 1 arg
            bin[2 * i + 1] = 9; // Some
        }
        bin[2 * depth] = 3;
        bin[2 * depth + 1] = 11; // Unit
        return bin;
    }

    private void deepNesting() {
        // The deepest value a 4096-byte message can hold: Some (Some (... Unit)).
        byte[] bin = nestedSomes(2046);
        Micheline m = Micheline.decode(bin);
        assertArrayEquals(bin, m.encode());
        assertEquals(m, Micheline.decode(bin));
        assertEquals(Micheline.decode(bin).hashCode(), m.hashCode());
        String text = m.print();
        assertTrue(text.startsWith("Some (Some (Some (Some ("), text.substring(0, 30));
        // MAX_DEPTH counts nodes on the path, the leaf included
        byte[] deepest = nestedSomes(MichelineBinary.MAX_DEPTH - 1);
        assertArrayEquals(deepest, Micheline.decode(deepest).encode());
        assertThrows(IllegalArgumentException.class, () -> Micheline.decode(nestedSomes(MichelineBinary.MAX_DEPTH)));
        // The parser accepts up to MichelineParser.MAX_DEPTH levels.
        int depth = MichelineParser.MAX_DEPTH - 1;
        String deepText = "Some (".repeat(depth) + "Some Unit" + ")".repeat(depth);
        Micheline parsed = Micheline.parse(deepText);
        assertEquals(deepText, parsed.print());
        assertArrayEquals(nestedSomes(depth + 1), parsed.encode());
        String seqs = "{ ".repeat(MichelineParser.MAX_DEPTH) + "}".repeat(MichelineParser.MAX_DEPTH);
        assertEquals(Micheline.parse(seqs), Micheline.decode(Micheline.parse(seqs).encode()));
    }

    private void tooDeep() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Micheline.decode(nestedSomes(MichelineBinary.MAX_DEPTH + 1)));
        assertTrue(e.getMessage().contains("nested deeper"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Micheline.decode(nestedSomes(1_000_000)));
        assertTrue(e.getMessage().contains("nested deeper"), e.getMessage());
        String text = "{ ".repeat(20_000) + "}".repeat(20_000);
        e = assertThrows(IllegalArgumentException.class, () -> Micheline.parse(text));
        assertTrue(e.getMessage().contains("nested deeper"), e.getMessage());
        String text2 = "Some (".repeat(MichelineParser.MAX_DEPTH + 1) + "Unit" + ")".repeat(MichelineParser.MAX_DEPTH + 1);
        assertThrows(IllegalArgumentException.class, () -> Micheline.parse(text2));
    }

    @Test
    void bytesAreCopied() {
        byte[] b = {1, 2};
        Micheline.Bytes m = new Micheline.Bytes(b);
        b[0] = 9;
        assertArrayEquals(new byte[] {1, 2}, m.value());
    }
}
