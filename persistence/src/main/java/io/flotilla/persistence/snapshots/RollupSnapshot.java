package io.flotilla.persistence.snapshots;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A snapshot of a rollup entity's state: the small metadata the events build up (the PVM state itself lives in the
 * context store under {@link #headStateHash32}). Written by the entity every N events so that recovery replays at
 * most N events; registered in {@link io.flotilla.persistence.serialization.FlotillaKryo} and versioned like the
 * events. Levels are -1 and hashes/strings null where the entity has no value yet (before origination).
 *
 * @param originated                whether {@code RollupOriginated} was applied
 * @param originationLevel          L1 level of the origination
 * @param pvmVersion                PVM version of the rollup
 * @param genesisStateHash32        state hash after origination
 * @param genesisCommitmentHash32   hash of the genesis commitment
 * @param headLevel                 the last evaluated level
 * @param headL1BlockHash32         hash of the L1 block of {@code headLevel}
 * @param headStateHash32           state hash at {@code headLevel}
 * @param totalTicks                ticks since origination at {@code headLevel}
 * @param lastCommitmentLevel       level of the last commitment made
 * @param lastCommitmentHash32      its hash
 * @param lastCommitmentTotalTicks  ticks since origination at that level
 * @param lastPublishedLevel        highest inbox level of a commitment of ours seen published on L1
 * @param lccLevel                  inbox level of the last cemented commitment
 * @param lccHash32                 the last cemented commitment
 * @param stuck                     why the PVM is stuck, or null
 * @param outboxHandledLevel        outbox messages up to this level were submitted for execution
 */
public record RollupSnapshot(boolean originated, int originationLevel, String pvmVersion, byte[] genesisStateHash32,
                             byte[] genesisCommitmentHash32, int headLevel, byte[] headL1BlockHash32,
                             byte[] headStateHash32, long totalTicks, int lastCommitmentLevel,
                             byte[] lastCommitmentHash32, long lastCommitmentTotalTicks, int lastPublishedLevel,
                             int lccLevel, byte[] lccHash32, String stuck, int outboxHandledLevel) {
    private static final HexFormat HEX = HexFormat.of();

    public RollupSnapshot {
        hash32OrNull("genesisStateHash32", genesisStateHash32);
        hash32OrNull("genesisCommitmentHash32", genesisCommitmentHash32);
        hash32OrNull("headL1BlockHash32", headL1BlockHash32);
        hash32OrNull("headStateHash32", headStateHash32);
        hash32OrNull("lastCommitmentHash32", lastCommitmentHash32);
        hash32OrNull("lccHash32", lccHash32);
        if (totalTicks < 0 || lastCommitmentTotalTicks < 0) {
            throw new IllegalArgumentException("negative totalTicks/lastCommitmentTotalTicks");
        }
    }

    private static void hash32OrNull(String field, byte[] b) {
        if (b != null && b.length != 32) {
            throw new IllegalArgumentException(field + " must be 32 bytes, got " + b.length);
        }
    }

    private static String hex(byte[] b) {
        return b == null ? "null" : HEX.formatHex(b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RollupSnapshot s && originated == s.originated && originationLevel == s.originationLevel
                && Objects.equals(pvmVersion, s.pvmVersion) && Arrays.equals(genesisStateHash32, s.genesisStateHash32)
                && Arrays.equals(genesisCommitmentHash32, s.genesisCommitmentHash32) && headLevel == s.headLevel
                && Arrays.equals(headL1BlockHash32, s.headL1BlockHash32)
                && Arrays.equals(headStateHash32, s.headStateHash32) && totalTicks == s.totalTicks
                && lastCommitmentLevel == s.lastCommitmentLevel
                && Arrays.equals(lastCommitmentHash32, s.lastCommitmentHash32)
                && lastCommitmentTotalTicks == s.lastCommitmentTotalTicks && lastPublishedLevel == s.lastPublishedLevel
                && lccLevel == s.lccLevel && Arrays.equals(lccHash32, s.lccHash32) && Objects.equals(stuck, s.stuck)
                && outboxHandledLevel == s.outboxHandledLevel;
    }

    @Override
    public int hashCode() {
        return Objects.hash(originated, originationLevel, pvmVersion, Arrays.hashCode(genesisStateHash32),
                Arrays.hashCode(genesisCommitmentHash32), headLevel, Arrays.hashCode(headL1BlockHash32),
                Arrays.hashCode(headStateHash32), totalTicks, lastCommitmentLevel,
                Arrays.hashCode(lastCommitmentHash32), lastCommitmentTotalTicks, lastPublishedLevel, lccLevel,
                Arrays.hashCode(lccHash32), stuck, outboxHandledLevel);
    }

    @Override
    public String toString() {
        return "RollupSnapshot[originated=" + originated + ", originationLevel=" + originationLevel + ", pvmVersion="
                + pvmVersion + ", genesisState=" + hex(genesisStateHash32) + ", genesisCommitment="
                + hex(genesisCommitmentHash32) + ", headLevel=" + headLevel + ", headL1Block=" + hex(headL1BlockHash32)
                + ", headState=" + hex(headStateHash32) + ", totalTicks=" + totalTicks + ", lastCommitmentLevel="
                + lastCommitmentLevel + ", lastCommitment=" + hex(lastCommitmentHash32) + ", lastCommitmentTotalTicks="
                + lastCommitmentTotalTicks + ", lastPublishedLevel=" + lastPublishedLevel + ", lccLevel=" + lccLevel
                + ", lcc=" + hex(lccHash32) + ", stuck=" + stuck + ", outboxHandledLevel=" + outboxHandledLevel + "]";
    }
}
