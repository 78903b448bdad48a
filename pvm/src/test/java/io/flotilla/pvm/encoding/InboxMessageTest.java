package io.flotilla.pvm.encoding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.pvm.util.Hex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InboxMessageTest {
    static final String KT1 = "KT1ThEdxfUcWUwqsdergy3QnbCWGHSUHeHJq";
    static final String KT1_HEX = "d1a37c088a1221b636bb5fccb35e05181038ba7c";
    static final String TZ1 = "tz1KqTpEZ7Yob7QbPE4Hy4Wo8fHG8LhKxZSx";
    static final String TZ1_HEX = "0002298c03ed7d454a101eb7022bc95f7e5f41ac78";
    static final String SR1_ZERO = "sr163Lv22CdE8QagCwf48PWDTquk6isQwv57";
    static final String GENESIS = "BLockGenesisGenesisGenesisGenesisGenesis1db77eJNeJ9";
    static final String GENESIS_HEX = "8fcf233671b6a04fcf679d2a381c2544ea6c1ea29ba6157776ed8423e7c02934";

    private static void assertBytes(String expectedHex, InboxMessage m) {
        assertEquals(expectedHex, Hex.encode(m.encode()));
        assertEquals(m, InboxMessage.decode(Hex.decode(expectedHex)));
    }

    @Test
    void framingMessages() {
        assertBytes("0001", new InboxMessage.StartOfLevel());
        assertBytes("0002", new InboxMessage.EndOfLevel());
        // 1700000000 = 0x6553f100
        assertBytes("0003000000006553f100" + GENESIS_HEX,
                new InboxMessage.InfoPerLevel(1_700_000_000L, BlockHash.fromBase58(GENESIS)));
        assertBytes("0003ffffffffffffffff" + GENESIS_HEX,
                new InboxMessage.InfoPerLevel(-1L, BlockHash.fromBase58(GENESIS)));
        assertBytes("00040000000b70726f746f5f616c706861", new InboxMessage.ProtocolMigration("proto_alpha"));
        assertBytes("000400000000", new InboxMessage.ProtocolMigration(""));
    }

    @Test
    void transfer() {
        InboxMessage.Transfer t = InboxMessage.Transfer.of(Micheline.parse("Pair Unit False"),
                ContractHash.fromBase58(KT1), PublicKeyHash.fromBase58(TZ1), RollupAddress.fromBase58(SR1_ZERO));
        String hex = "0000" + "0707030b0303" + KT1_HEX + TZ1_HEX + "00".repeat(20);
        assertBytes(hex, t);
        assertEquals("Transfer{payload=Pair Unit False, sender=" + KT1 + ", source=" + TZ1 + ", destination="
                + SR1_ZERO + "}", t.describe());
        assertEquals(Micheline.parse("Pair Unit False"), t.payload());
        // an integer payload followed by a tz2 source
        PublicKeyHash tz2 = PublicKeyHash.of(Base58Check.Prefix.SECP256K1_PUBLIC_KEY_HASH, Hex.decode("11".repeat(20)));
        InboxMessage.Transfer t2 = InboxMessage.Transfer.of(Micheline.parse("1000"), ContractHash.zero(), tz2,
                RollupAddress.zero());
        assertBytes("0000" + "00a80f" + "00".repeat(20) + "01" + "11".repeat(20) + "00".repeat(20), t2);
    }

    @Test
    void external() {
        assertBytes("01", new InboxMessage.External(new byte[0]));
        assertBytes("01deadbeef", new InboxMessage.External(Hex.decode("deadbeef")));
        assertEquals("External{payload=deadbeef}", new InboxMessage.External(Hex.decode("deadbeef")).describe());
        byte[] max = new byte[InboxMessage.MAX_EXTERNAL_PAYLOAD];
        assertEquals(4096, new InboxMessage.External(max).encode().length);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new InboxMessage.External(new byte[4096]));
        assertTrue(e.getMessage().contains("4096 bytes exceeds the limit of 4095"), e.getMessage());
    }

    @Test
    void describeFramingMessages() {
        assertEquals("StartOfLevel", new InboxMessage.StartOfLevel().describe());
        assertEquals("EndOfLevel", new InboxMessage.EndOfLevel().describe());
        assertEquals("InfoPerLevel{predecessorTimestamp=2023-11-14T22:13:20Z (1700000000), predecessor=" + GENESIS + "}",
                new InboxMessage.InfoPerLevel(1_700_000_000L, BlockHash.fromBase58(GENESIS)).describe());
        assertEquals("ProtocolMigration{protocol=proto_alpha}", new InboxMessage.ProtocolMigration("proto_alpha").describe());
    }

    @Test
    void sizeLimits() {
        // 4096 - 2 - 20 - 21 - 20 = 4033 bytes of payload at most: a bytes literal takes 5 bytes of framing.
        byte[] payload = Micheline.bytes(new byte[4033 - 5]).encode();
        InboxMessage.Transfer t = new InboxMessage.Transfer(payload, ContractHash.zero(), PublicKeyHash.zero(),
                RollupAddress.zero());
        assertEquals(4096, t.encode().length);
        assertEquals(t, InboxMessage.decode(t.encode()));
        byte[] tooBig = Micheline.bytes(new byte[4033 - 4]).encode();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new InboxMessage.Transfer(
                tooBig, ContractHash.zero(), PublicKeyHash.zero(), RollupAddress.zero()));
        assertTrue(e.getMessage().contains("4097 bytes exceeds the 4096-byte limit"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> InboxMessage.decode(new byte[4097]));
        assertTrue(e.getMessage().contains("4097 bytes exceeds the 4096-byte limit"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new InboxMessage.ProtocolMigration("x".repeat(4091)));
        assertEquals(4096, new InboxMessage.ProtocolMigration("x".repeat(4090)).encode().length);
    }

    @Test
    void transferPayloadMustBeOneExpression() {
        assertThrows(IllegalArgumentException.class, () -> new InboxMessage.Transfer(Hex.decode("030b030b"),
                ContractHash.zero(), PublicKeyHash.zero(), RollupAddress.zero()));
        assertThrows(IllegalArgumentException.class, () -> new InboxMessage.Transfer(new byte[0],
                ContractHash.zero(), PublicKeyHash.zero(), RollupAddress.zero()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "02                  | unknown message tag 2",
        "00                  | truncated",
        "0009                | unknown internal message tag 9",
        "0005                | Dal_attested_slots",
        "000100              | 1 unexpected trailing byte",
        "0003000000006553f100 | truncated",
        "0004000000056162    | truncated",
        "0000030b            | truncated",
        "0000ff              | unknown Micheline node tag 255",
        "0000030b" + "0000000000000000000000000000000000000000" + "09" + "0000000000000000000000000000000000000000"
                + "0000000000000000000000000000000000000000 | unknown public key hash tag 9",
    })
    void decodeErrors(String hex, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InboxMessage.decode(Hex.decode(hex)));
        assertTrue(e.getMessage().startsWith("malformed inbox message: "), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void emptyInputIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> InboxMessage.decode(new byte[0]));
    }

    @Test
    void externalCarryingAnOutboxMessageFromTheDebuggerDocs() {
        InboxMessage m = InboxMessage.decode(Hex.decode(
                "01" + "0000000023030b01d1a37c088a1221b636bb5fccb35e05181038ba7c000000000764656661756c74"));
        assertInstanceOf(InboxMessage.External.class, m);
    }
}
