package io.flotilla.pvm.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.pvm.util.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DebuggerInputsTest {

    private static String resource(String name) throws IOException {
        try (InputStream in = DebuggerInputsTest.class.getResourceAsStream("/encoding/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theDocumentedExample() throws IOException {
        List<List<InboxMessage>> levels = DebuggerInputs.parse(resource("debugger-inputs-docs.json"));
        assertEquals(2, levels.size());
        assertEquals(List.of(new InboxMessage.External(
                Hex.decode("0000000023030b01d1a37c088a1221b636bb5fccb35e05181038ba7c000000000764656661756c74"))),
                levels.get(0));
        assertEquals(2, levels.get(1).size());
        InboxMessage.Transfer first = (InboxMessage.Transfer) levels.get(1).get(0);
        assertEquals(Micheline.parse("0"), first.payload());
        assertEquals("KT1ThEdxfUcWUwqsdergy3QnbCWGHSUHeHJq", first.sender().toBase58());
        assertEquals("tz1RjtZUVeLhADFHDL8UwDZA6vjWWhojpu5w", first.source().toBase58());
        assertEquals("sr1RYurGZtN8KNSpkMcCt9CgWeUaNkzsAfXf", first.destination().toBase58());
        assertEquals("00000000" + "d1a37c088a1221b636bb5fccb35e05181038ba7c",
                Hex.encode(first.encode()).substring(0, 48));
        // defaults documented for the debugger
        assertEquals("Transfer{payload=Pair Unit False, sender=KT18amZmM5W7qDWVt2pH6uj7sCEd3kbzLrHT, "
                + "source=tz1Ke2h7sDdakHJQh8WX4Z372du1KChsksyU, destination=sr163Lv22CdE8QagCwf48PWDTquk6isQwv57}",
                levels.get(1).get(1).describe());
        assertEquals("0000" + "0707030b0303" + "00".repeat(20 + 21 + 20), Hex.encode(levels.get(1).get(1).encode()));
    }

    @Test
    void rollupOptionReplacesTheDefaultDestinationOnly() {
        RollupAddress rollup = RollupAddress.fromBase58("sr1RYurGZtN8KNSpkMcCt9CgWeUaNkzsAfXf");
        List<List<InboxMessage>> levels = DebuggerInputs.parse(
                "[[{\"payload\":\"Unit\"},{\"payload\":\"Unit\",\"destination\":\"sr163Lv22CdE8QagCwf48PWDTquk6isQwv57\"}]]",
                DebuggerInputs.Defaults.OCTEZ.withDestination(rollup));
        InboxMessage.Transfer a = (InboxMessage.Transfer) levels.get(0).get(0);
        InboxMessage.Transfer b = (InboxMessage.Transfer) levels.get(0).get(1);
        assertEquals(rollup, a.destination());
        assertEquals(ContractHash.zero(), a.sender());
        assertEquals(PublicKeyHash.zero(), a.source());
        assertEquals(RollupAddress.zero(), b.destination());
    }

    @Test
    void emptyLevelsAndSerializedMessages() {
        List<List<InboxMessage>> levels = DebuggerInputs.parse(
                "[[], [{\"serialized\":\"0001\"}, {\"external\":\"\"}, {\"serialized\":\"01ff\"}], []]");
        assertEquals(3, levels.size());
        assertEquals(List.of(), levels.get(0));
        assertEquals(List.of(new InboxMessage.StartOfLevel(), new InboxMessage.External(new byte[0]),
                new InboxMessage.External(new byte[] {(byte) 0xff})), levels.get(1));
        assertEquals(List.of(), DebuggerInputs.parse("[]"));
    }

    @Test
    void serializedBytesArePassedThroughRaw() {
        List<List<byte[]>> raw = DebuggerInputs.parseSerialized(
                "[[{\"serialized\":\"0009ffff\"},{\"external\":\"abcd\"},{\"payload\":\"1\"}]]", DebuggerInputs.Defaults.OCTEZ);
        assertArrayEquals(Hex.decode("0009ffff"), raw.get(0).get(0));
        assertArrayEquals(Hex.decode("01abcd"), raw.get(0).get(1));
        assertArrayEquals(Hex.decode("00000001" + "00".repeat(61)), raw.get(0).get(2));
    }

    @Test
    void readsFiles(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("inputs.json");
        Files.writeString(f, "[[{\"external\":\"0x0102\"}]]");
        assertEquals(List.of(List.of(new InboxMessage.External(new byte[] {1, 2}))),
                DebuggerInputs.read(f, DebuggerInputs.Defaults.OCTEZ));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "`[[{\"payload\":\"0\"}],[{\"payload\":\"Pair 1\"},{\"payload\":\"Piar 1 2\"}]]` | level 1, message 1: payload: unknown primitive 'Piar' at line 1, column 1",
        "`[[{\"external\":\"abc\"}]]`          | level 0, message 0: external: hex string has an odd number of digits",
        "`[[{\"external\":\"zz\"}]]`           | level 0, message 0: external: not a hex digit",
        "`[[{\"payload\":\"0\",\"sender\":\"KT1ThEdxfUcWUwqsdergy3QnbCWGHSUHeHJr\"}]]` | level 0, message 0: sender: not a valid KT1 contract hash: bad checksum",
        "`[[{\"payload\":\"0\",\"source\":\"KT1ThEdxfUcWUwqsdergy3QnbCWGHSUHeHJq\"}]]` | level 0, message 0: source: not a valid public key hash",
        "`[[{\"payload\":\"0\",\"destination\":\"sr163Lv22CdE8QagCwf48PWDTquk6isQwv58\"}]]` | level 0, message 0: destination: not a valid sr1 address: bad checksum",
        "`[[{\"payload\":0}]]`                 | level 0, message 0: \"payload\" must be a string, got a number",
        "`[[{\"payload\":\"0\",\"amount\":1}]]` | level 0, message 0: unexpected field \"amount\" in a transfer",
        "`[[{\"external\":\"00\",\"payload\":\"0\"}]]` | level 0, message 0: unexpected field \"external\" in a transfer",
        "`[[{\"foo\":\"00\"}]]`                | level 0, message 0: expected an object with \"payload\", \"external\" or \"serialized\", got fields foo",
        "`[[{}],[]]`                           | level 0, message 0: expected an object",
        "`[[\"00\"]]`                          | level 0, message 0: expected an object with \"payload\", \"external\" or \"serialized\", got a string",
        "`[[],{\"external\":\"00\"}]`          | level 1: expected an array of messages, got an object",
        "`{\"levels\":[]}`                     | inputs must be a JSON array of levels",
        "`[[{\"serialized\":\"0009\"}]]`       | level 0, message 0: serialized: malformed inbox message: unknown internal message tag 9",
        "`[[ {\"external\":\"00\"} ]`          | inputs are not valid JSON",
        "`[[]] []`                             | inputs are not valid JSON",
        "`[[{\"external\":\"00\",\"external\":\"01\"}]]` | inputs are not valid JSON",
        "``                                    | inputs are empty",
    })
    void errorsNameTheLevelAndMessage(String json, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DebuggerInputs.parse(json));
        assertTrue(e.getMessage().startsWith(message), "message was: " + e.getMessage());
    }

    @Test
    void sizeLimitsApply() {
        String big = "00".repeat(4096);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DebuggerInputs.parse("[[{\"external\":\"" + big + "\"}]]"));
        assertTrue(e.getMessage().startsWith("level 0, message 0: External message payload of 4096 bytes"), e.getMessage());
        String payload = "0x" + "00".repeat(4029);
        e = assertThrows(IllegalArgumentException.class,
                () -> DebuggerInputs.parse("[[{\"payload\":\"" + payload + "\"}]]"));
        assertTrue(e.getMessage().startsWith("level 0, message 0: Transfer message of 4097 bytes exceeds"), e.getMessage());
        assertEquals(1, DebuggerInputs.parse("[[{\"payload\":\"0x" + "00".repeat(4028) + "\"}]]").get(0).size());
    }
}
