package io.flotilla.pvm.encoding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.pvm.util.Hex;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OutboxMessageTest {
    // Byte vectors of the Octez kernel SDK's outbox tests (src/kernel_sdk/encoding/src/outbox.rs).
    static final String TX_ONE = "07070a0000001601d1a37c088a1221b636bb5fccb35e05181038ba7c0007070100000003726564"
            + "000101246667a931fe0bd2fb1cb604f714601e88284550000000000764656661756c74";
    static final String TX_TWO = "07070a0000001601246667a931fe0bd2fb1cb604f714601e88284550000707010000000679656c6c6f77"
            + "0089050115edad279f55e2fe4011de6d2c24fdf51bf225c50000000007616e6f74686572";
    static final String TX_THREE = "0a00000001ff0115edad279f55e2fe4011de6d2c24fdf51bf225c500000000057468726565";

    static OutboxMessage.Transaction txOne() {
        return new OutboxMessage.Transaction(
                Micheline.parse("Pair 0x01d1a37c088a1221b636bb5fccb35e05181038ba7c00 (Pair \"red\" 1)"),
                ContractHash.fromBase58("KT1BuEZtb68c1Q4yjtckcNjGELqWt56Xyesc"), "default");
    }

    static OutboxMessage.Transaction txTwo() {
        return new OutboxMessage.Transaction(
                Micheline.parse("Pair 0x01246667a931fe0bd2fb1cb604f714601e8828455000 (Pair \"yellow\" 329)"),
                ContractHash.fromBase58("KT1AaiUqbT3NmQts2w7ofY4vJviVchztiW4y"), "another");
    }

    static OutboxMessage.Transaction txThree() {
        return new OutboxMessage.Transaction(Micheline.bytes(new byte[] {(byte) 0xff}),
                ContractHash.fromBase58("KT1AaiUqbT3NmQts2w7ofY4vJviVchztiW4y"), "three");
    }

    private static void assertBytes(String hex, OutboxMessage m) {
        assertEquals(hex, Hex.encode(m.encode()));
        assertEquals(m, OutboxMessage.decode(Hex.decode(hex)));
    }

    @Test
    void untypedBatchesMatchTheKernelSdkVectors() {
        assertEquals(74 * 2, TX_ONE.length());
        assertEquals(78 * 2, TX_TWO.length());
        assertBytes("00" + "00000098" + TX_ONE + TX_TWO,
                new OutboxMessage.AtomicTransactionBatch(List.of(txOne(), txTwo())));
        assertBytes("00" + "0000006f" + TX_THREE + TX_ONE,
                new OutboxMessage.AtomicTransactionBatch(List.of(txThree(), txOne())));
        assertBytes("0000000000", new OutboxMessage.AtomicTransactionBatch(List.of()));
    }

    @Test
    void theDebuggerDocsExample() {
        // The external message of the wasm debugger's documented inputs file is this outbox message.
        OutboxMessage m = OutboxMessage.decode(
                Hex.decode("0000000023030b01d1a37c088a1221b636bb5fccb35e05181038ba7c000000000764656661756c74"));
        assertEquals(new OutboxMessage.AtomicTransactionBatch(List.of(new OutboxMessage.Transaction(
                Micheline.parse("Unit"), ContractHash.fromBase58("KT1ThEdxfUcWUwqsdergy3QnbCWGHSUHeHJq")))), m);
        assertEquals("AtomicTransactionBatch[Transaction{destination=KT1ThEdxfUcWUwqsdergy3QnbCWGHSUHeHJq, "
                + "entrypoint=default, parameters=Unit}]", m.describe());
    }

    @Test
    void typedBatch() {
        OutboxMessage.TypedTransaction t = new OutboxMessage.TypedTransaction(Micheline.parse("Pair 1 \"a\""),
                Micheline.parse("pair nat string"), ContractHash.fromBase58("KT1ThEdxfUcWUwqsdergy3QnbCWGHSUHeHJq"),
                "mint");
        // params 0707 0001 0100000001 61 (10 B); type 0765 0362 0368 (6 B); dest 22 B; entrypoint 4 + 4 B = 46
        String hex = "01" + "0000002e" + "07070001010000000161" + "076503620368" + "01"
                + "d1a37c088a1221b636bb5fccb35e05181038ba7c" + "00" + "00000004" + "6d696e74";
        assertBytes(hex, new OutboxMessage.AtomicTransactionBatchTyped(List.of(t)));
        assertEquals("AtomicTransactionBatchTyped[TypedTransaction{destination=KT1ThEdxfUcWUwqsdergy3QnbCWGHSUHeHJq, "
                + "entrypoint=mint, type=pair nat string, parameters=Pair 1 \"a\"}]",
                new OutboxMessage.AtomicTransactionBatchTyped(List.of(t)).describe());
    }

    @Test
    void whitelistUpdates() {
        List<PublicKeyHash> keys = List.of(PublicKeyHash.fromBase58("tz1KqTpEZ7Yob7QbPE4Hy4Wo8fHG8LhKxZSx"),
                PublicKeyHash.fromBase58("tz1gjaF81ZRRvdzjobyfVNsAeSC6PScjfQwN"));
        assertBytes("02ff0000002a" + "0002298c03ed7d454a101eb7022bc95f7e5f41ac78"
                + "00e7670f32038107a59a2b9cfefae36ea21f5aa63c", new OutboxMessage.WhitelistUpdate(Optional.of(keys)));
        assertBytes("0200", new OutboxMessage.WhitelistUpdate(Optional.empty()));
        assertEquals("WhitelistUpdate{whitelist=none}", new OutboxMessage.WhitelistUpdate(Optional.empty()).describe());
        assertEquals("WhitelistUpdate{whitelist=[tz1KqTpEZ7Yob7QbPE4Hy4Wo8fHG8LhKxZSx, tz1gjaF81ZRRvdzjobyfVNsAeSC6PScjfQwN]}",
                new OutboxMessage.WhitelistUpdate(Optional.of(keys)).describe());
        // 194 keys fit (6 + 194 * 21 = 4080), 195 do not (4101)
        List<PublicKeyHash> many = new ArrayList<>(Collections.nCopies(194, PublicKeyHash.zero()));
        assertEquals(4080, new OutboxMessage.WhitelistUpdate(Optional.of(many)).encode().length);
        many.add(PublicKeyHash.zero());
        assertThrows(IllegalArgumentException.class, () -> new OutboxMessage.WhitelistUpdate(Optional.of(many)));
    }

    @Test
    void canonicalRollupSignal() {
        assertBytes("0300000002abcd", new OutboxMessage.CanonicalRollupSignal(Hex.decode("abcd")));
    }

    @Test
    void entrypoints() {
        ContractHash kt1 = ContractHash.zero();
        assertEquals("default", new OutboxMessage.Transaction(Micheline.parse("Unit"), kt1, "").entrypoint());
        assertEquals("a".repeat(31), new OutboxMessage.Transaction(Micheline.parse("Unit"), kt1, "a".repeat(31)).entrypoint());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new OutboxMessage.Transaction(Micheline.parse("Unit"), kt1, "a".repeat(32)));
        assertTrue(e.getMessage().contains("at most 31"), e.getMessage());
        // an empty entrypoint on the wire decodes as "default", as in Octez
        OutboxMessage m = OutboxMessage.decode(Hex.decode("000000001c030b01" + "00".repeat(20) + "00" + "00000000"));
        assertEquals("default", ((OutboxMessage.AtomicTransactionBatch) m).transactions().get(0).entrypoint());
    }

    @Test
    void sizeLimit() {
        // tag 1 + length 4 + (bytes 5 + n + dest 22 + entrypoint 4 + 7) <= 4096  =>  n <= 4053
        ContractHash kt1 = ContractHash.zero();
        OutboxMessage ok = new OutboxMessage.AtomicTransactionBatch(
                List.of(new OutboxMessage.Transaction(Micheline.bytes(new byte[4053]), kt1)));
        assertEquals(4096, ok.encode().length);
        assertEquals(ok, OutboxMessage.decode(ok.encode()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new OutboxMessage.AtomicTransactionBatch(
                        List.of(new OutboxMessage.Transaction(Micheline.bytes(new byte[4054]), kt1))));
        assertTrue(e.getMessage().contains("4097 bytes exceeds the 4096-byte limit"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "09                  | unknown outbox message tag 9",
        "00000000            | truncated",
        "0000000010030b      | truncated",
        "0000000003030b01    | truncated",
        "000000001c030b00" + "0002298c03ed7d454a101eb7022bc95f7e5f41ac78" + "00000000 | implicit account",
        "000000001c030b07" + "0002298c03ed7d454a101eb7022bc95f7e5f41ac78" + "00000000 | unknown contract tag 7",
        "000000003c030b01" + "0000000000000000000000000000000000000000" + "00" + "00000020"
                + "6161616161616161616161616161616161616161616161616161616161616161 | at most 31",
        "000000000003          | unexpected trailing",
        "0201                  | invalid whitelist presence flag 1",
        "02ff00000015" + "05" + "0000000000000000000000000000000000000000 | unknown public key hash tag 5",
        "02ff00000014" + "00" + "00000000000000000000000000000000000000 | truncated",
        "0300000005abcd        | truncated",
    })
    void decodeErrors(String hex, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OutboxMessage.decode(Hex.decode(hex)));
        assertTrue(e.getMessage().startsWith("malformed outbox message: "), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void tooLargeOrEmptyInput() {
        assertThrows(IllegalArgumentException.class, () -> OutboxMessage.decode(new byte[0]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OutboxMessage.decode(new byte[4097]));
        assertTrue(e.getMessage().contains("4096-byte limit"), e.getMessage());
    }

    @Test
    void paddingByteIsIgnoredOnDecodeLikeOctez() {
        OutboxMessage m = OutboxMessage.decode(Hex.decode("000000001c030b01" + "00".repeat(20) + "ff" + "00000000"));
        // re-encoded with a zero padding byte and the entrypoint spelled out
        assertEquals("0000000023030b01" + "00".repeat(20) + "00" + "00000007" + "64656661756c74", Hex.encode(m.encode()));
    }
}
