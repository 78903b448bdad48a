package io.flotilla.actors.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.pvm.util.Hex;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The RocksDB journal's keys and values, byte for byte: data directories written by one build are read by the next,
 * so a change of layout must be a new format version, never an accident. The expected bytes are spelled out from
 * the layout documented in {@link RocksJournalStore}.
 */
class RocksJournalLayoutTest {

    private static final String PID = "RollupEntity|sr1";

    @Test
    void eventKeysAreKindLengthPrefixedIdAndBigEndianSequenceNumber() {
        assertEquals("45" + "00000010" + Hex.encode(PID.getBytes()) + "0000000000000102",
                Hex.encode(RocksJournalStore.key(RocksJournalStore.EVENT, PID, 258)));
        assertEquals("53" + "00000010" + Hex.encode(PID.getBytes()) + "0000000000000001",
                Hex.encode(RocksJournalStore.key(RocksJournalStore.SNAPSHOT, PID, 1)));
        assertEquals("48" + "00000010" + Hex.encode(PID.getBytes()),
                Hex.encode(RocksJournalStore.highestKey(PID)));
    }

    @Test
    void keysSortBySequenceNumberWithinAnIdAndNeverInterleaveIds() {
        byte[] k255 = RocksJournalStore.key(RocksJournalStore.EVENT, PID, 255);
        byte[] k256 = RocksJournalStore.key(RocksJournalStore.EVENT, PID, 256);
        // RocksDB's default comparator: unsigned bytewise
        assertTrue(Arrays.compareUnsigned(k255, k256) < 0);
        // "…|sr1" is a prefix of "…|sr10": the length prefix keeps every key of one before every key of the other
        byte[] last = RocksJournalStore.key(RocksJournalStore.EVENT, PID, Long.MAX_VALUE);
        byte[] other = RocksJournalStore.key(RocksJournalStore.EVENT, PID + "0", 1);
        assertTrue(Arrays.compareUnsigned(last, other) < 0);
    }

    @Test
    void eventAndSnapshotValuesAreFormat1Records() {
        var payload = new RocksJournalStore.Payload(7321, "m", new byte[] {1, 2, 3});
        assertEquals("01" + "0000018bcfe56800" + "00001c99" + "0001" + "6d" + "0002" + "6576" + "0001" + "77" + "010203",
                Hex.encode(RocksJournalStore.eventValue(1_700_000_000_000L, "ev", "w", payload)));
        assertEquals("01" + "0000018bcfe56800" + "00001c99" + "0001" + "6d" + "010203",
                Hex.encode(RocksJournalStore.snapshotValue(1_700_000_000_000L, payload)));
        assertArrayEquals(new byte[] {1, 0, 0, 1, -117, -49, -27, 104, 0, 0, 0, 28, -103, 0, 0},
                RocksJournalStore.snapshotValue(1_700_000_000_000L, new RocksJournalStore.Payload(7321, "", new byte[0])));
    }

    @Test
    void aManifestLongerThanItsLengthFieldIsRefusedNotTruncated() {
        var payload = new RocksJournalStore.Payload(1, "x".repeat(70_000), new byte[0]);
        assertThrows(IllegalArgumentException.class, () -> RocksJournalStore.snapshotValue(0, payload));
    }
}
