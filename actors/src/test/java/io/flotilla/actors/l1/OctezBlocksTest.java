package io.flotilla.actors.l1;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.flotilla.actors.rollup.Inbox;
import io.flotilla.pvm.LevelInput;
import io.flotilla.pvm.encoding.Base58Check;
import io.flotilla.pvm.encoding.Base58Check.Prefix;
import io.flotilla.pvm.util.Hex;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Octez block JSON (fixtures under octez/) read into blocks, and the inboxes L1 builds from them, byte for byte. */
class OctezBlocksTest {
    static final String SR = "sr1EZA49Ecxeq9ujJviAZ9J4Pw6YfZhkGALq";
    static final String SR2 = "sr1HPiHTHddKddvVXxuwN5B1sKvt8oyceKgp";
    static final String KT = "KT1NmhAWfXAt8vs5S6Gw9XGpULMYTRbC4nKq";
    static final String TZ = "tz1cfWXBEfy1rUfkSbguq7Q9rdCcxMjetgbu";

    static JsonNode fixture(String name) throws Exception {
        try (InputStream in = OctezBlocksTest.class.getResourceAsStream("/octez/" + name)) {
            assertNotNull(in, name);
            return L1Json.MAPPER.readTree(in);
        }
    }

    @Test
    void readsAppliedRollupOperationsInBlockOrder() throws Exception {
        L1Block b = OctezBlocks.parse(fixture("block-migration.json"));
        assertEquals(5, b.level());
        assertEquals("PsQuebecnLByd3JwTiGadoG4nGWi3HYiLXUjkibeFV8dCFeVMUg", b.protocol());
        assertEquals(1732096808L, b.timestamp());
        assertArrayEquals(Base58Check.decode(Prefix.BLOCK_HASH, "BKwzzrPfL1pa9nggewgjkG74uZPBTNdQnoLVqWiYYeNJ5X9pkXU"),
                b.predecessor());
        List<String> kinds = b.operations().stream().map(L1Operation::kind).toList();
        // the failed add_messages, the backtracked call and the failed transfer are not there
        assertEquals(List.of("add_messages", "transfer", "transfer", "originate", "cement", "add_messages"), kinds);
        var t = (L1Operation.Transfer) b.operations().get(1);
        assertEquals(TZ, t.source(), "the source is the manager operation's signer");
        assertEquals(KT, t.sender(), "the sender is the calling contract");
        assertEquals(SR, t.rollup());
        var o = (L1Operation.Originate) b.operations().get(3);
        assertEquals(SR2, o.rollup());
        assertEquals("0061736d01000000", Hex.encode(o.kernel()));
        assertEquals("bytes", o.parametersType());
        assertEquals("2.0.0-r5", o.pvmVersion(), "a rollup originated under Quebec starts at 2.0.0-r5");
        assertArrayEquals(Base58Check.decode(Prefix.SMART_ROLLUP_COMMITMENT,
                "src14MyG2oWhs1D7pgcM3rYuzDgXEfuXEHd4ZeaU2ybwTuAjc8Emse"), o.genesisCommitment());
        var c = (L1Operation.Cement) b.operations().get(4);
        assertEquals(SR, c.rollup());
        assertEquals(3, c.inboxLevel());
    }

    @Test
    void inboxIsByteForByteAsL1BuildsIt() throws Exception {
        L1Block pred = OctezBlocks.parse(fixture("block-predecessor.json"));
        L1Block b = OctezBlocks.parse(fixture("block-migration.json"));
        LevelInput in = Inbox.forRollup(SR, b, pred);
        List<String> got = in.inbox().stream().map(Hex::encode).toList();
        String predHash = Hex.encode(Base58Check.decode(Prefix.BLOCK_HASH,
                "BKwzzrPfL1pa9nggewgjkG74uZPBTNdQnoLVqWiYYeNJ5X9pkXU"));
        String kt = Hex.encode(Base58Check.decode(Prefix.CONTRACT_HASH, KT));
        String tz = "00" + Hex.encode(Base58Check.decode(Prefix.ED25519_PUBLIC_KEY_HASH, TZ));
        String sr = Hex.encode(Base58Check.decode(Prefix.SMART_ROLLUP_ADDRESS, SR));
        List<String> expected = List.of(
                "0001",                                             // Start_of_level
                "0004" + "0000000a" + Hex.encode("quebec_021".getBytes()), // Protocol_migration, before Info_per_level
                "0003" + "00000000673db320" + predHash,            // Info_per_level: 2024-11-20T10:00:00Z, predecessor
                "01" + "68656c6c6f",                                // external messages, in order
                "01" + "00ff",
                // internal transfer: Pair 42 "hi" (07 07, 00 2a, 01 00000002 6869), sender, source, destination
                "0000" + "0707" + "002a" + "01000000026869" + kt + tz + sr,
                "01" + "ff",                                        // the later add_messages comes after
                "0002");                                            // End_of_level
        assertEquals(expected, got);
    }

    @Test
    void otherRollupsSeeTheSharedMessagesAndOnlyTheirTransfers() throws Exception {
        L1Block pred = OctezBlocks.parse(fixture("block-predecessor.json"));
        L1Block b = OctezBlocks.parse(fixture("block-migration.json"));
        List<String> got = Inbox.forRollup(SR2, b, pred).messages().stream().map(Hex::encode).toList();
        String kt = Hex.encode(Base58Check.decode(Prefix.CONTRACT_HASH, KT));
        String tz = "00" + Hex.encode(Base58Check.decode(Prefix.ED25519_PUBLIC_KEY_HASH, TZ));
        String sr2 = Hex.encode(Base58Check.decode(Prefix.SMART_ROLLUP_ADDRESS, SR2));
        assertEquals(List.of("0168656c6c6f", "0100ff", "0000" + "0a00000002cafe" + kt + tz + sr2, "01ff"), got);
    }

    @Test
    void sameProtocolMeansNoMigration() throws Exception {
        L1Block b = OctezBlocks.parse(fixture("block-migration.json"));
        assertTrue(Inbox.forRollup(SR, b, b).protocolMigration().isEmpty());
    }

    @Test
    void malformedBlocksAreRefusedWithTheReason() {
        JsonNode bad = L1Json.MAPPER.createObjectNode().put("hash", "BKwzzrPfL1pa9nggewgjkG74uZPBTNdQnoLVqWiYYeNJ5X9pkXU");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OctezBlocks.parse(bad));
        assertTrue(e.getMessage().contains("no 'header'"), e.getMessage());
    }

    @Test
    void michelineJsonRoundTrips() throws Exception {
        JsonNode j = L1Json.MAPPER.readTree("{\"prim\":\"Pair\",\"args\":[{\"int\":\"-3\"},[{\"bytes\":\"00\"},"
                + "{\"string\":\"x\"}]],\"annots\":[\"%a\"]}");
        assertEquals(j, MichelineJson.toJson(MichelineJson.fromJson(j)));
        assertThrows(IllegalArgumentException.class, () -> MichelineJson.fromJson(L1Json.MAPPER.readTree("3")));
    }
}
