package io.flotilla.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code metadata.json}, the first entry of a snapshot's tar archive: what the snapshot holds and what the
 * import needs to rebuild the rollup entity. Hashes of the rollup domain are in their Base58Check forms
 * ({@code sr1}, {@code src1}, {@code srs1}); L1 block hashes and the kernel hash in hex. Keys are snake_case.
 *
 * @param formatVersion           layout of the archive: {@link #FORMAT_VERSION}, or {@link #COMPACT_FORMAT_VERSION} for a
 *                                compact archive that holds only its first L2 block
 * @param rollupAddress           {@code sr1...}
 * @param historyMode             {@code archive} or {@code full}
 * @param headLevel               the last L2 block in the snapshot
 * @param firstLevel              the first L2 block in the snapshot (origination + 1 for a whole archive)
 * @param lastCommitment          the last commitment at or below the head (the header's), {@code src1}
 * @param lastCommitmentLevel     its inbox level
 * @param lastCommitmentTotalTicks ticks since origination at that level
 * @param lcc                     last cemented commitment when exported, {@code src1}
 * @param lccLevel                its inbox level
 * @param compact                 whether the context holds only the state of {@code firstLevel}
 * @param created                 ISO-8601 time of the export
 * @param originationLevel        L1 level of the rollup's origination
 * @param pvmVersion              e.g. {@code 2.0.0-r5}
 * @param kernelHash              hex of Blake2b-256 of the origination kernel
 * @param genesisState            state hash after origination, {@code srs1}
 * @param genesisCommitment       genesis commitment, {@code src1}
 * @param baseCommitment          the commitment before {@code firstLevel} (the predecessor of the first one in
 *                                the snapshot), {@code src1}
 * @param baseCommitmentLevel     its inbox level
 * @param baseCommitmentTotalTicks ticks since origination at that level
 * @param headL1Hash              hex hash of the L1 block of the head level
 * @param headState               state hash at the head, {@code srs1}
 * @param totalTicks              ticks since origination at the head
 * @param lastPublishedLevel      highest inbox level of the exporting node's commitments seen on L1, -1 if none
 * @param outboxHandledLevel      outbox messages up to this level were already submitted for execution
 * @param stuck                   why the PVM is stuck at the head, or null
 * @param l1Genesis               hex hash of the L1 chain's block 0 (the chain the snapshot belongs to)
 * @param blocks                  number of L2 blocks in {@code chain/blocks} (1 in a compact archive of format 2: the
 *                                import rebuilds the others by replaying the level inputs)
 * @param contextNodes            number of tree nodes in {@code context/nodes}
 * @param levelInputs             number of level inputs in {@code inboxes/levels}
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record SnapshotMetadata(int formatVersion, String rollupAddress, String historyMode, int headLevel,
                               int firstLevel, String lastCommitment, int lastCommitmentLevel,
                               long lastCommitmentTotalTicks, String lcc, int lccLevel, boolean compact,
                               String created, int originationLevel, String pvmVersion, String kernelHash,
                               String genesisState, String genesisCommitment, String baseCommitment,
                               int baseCommitmentLevel, long baseCommitmentTotalTicks, String headL1Hash,
                               String headState, long totalTicks, int lastPublishedLevel, int outboxHandledLevel,
                               String stuck, String l1Genesis, long blocks, long contextNodes, long levelInputs) {

    /** The archive layout of full archives (and of compact ones written before format 2), written and read. */
    public static final int FORMAT_VERSION = 1;
    /**
     * Compact archives since: {@code chain/blocks} holds only the first block (the one whose state is in the
     * context); the import rebuilds every later block from the replay of its level input, and the commitments
     * and head state it meets are asserted. Format 1 compact archives (every block stored) are still read.
     */
    public static final int COMPACT_FORMAT_VERSION = 2;
    /** The name of the first tar entry. */
    public static final String ENTRY = "metadata.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            // newer exporters may add keys; what this reader needs is checked by validate()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write metadata.json: " + e.getMessage(), e);
        }
    }

    /** Parses and validates {@code metadata.json}; a missing or ill-typed field is a format error that names it. */
    public static SnapshotMetadata fromJson(byte[] json) {
        SnapshotMetadata m;
        try {
            m = JSON.readValue(json, SnapshotMetadata.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new SnapshotFormatException("metadata.json cannot be read: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new SnapshotFormatException("metadata.json cannot be read: " + e.getMessage(), e);
        }
        m.validate();
        return m;
    }

    /** Fails with a {@link SnapshotFormatException} naming every missing or inconsistent field. */
    public void validate() {
        List<String> problems = new ArrayList<>();
        if (formatVersion != FORMAT_VERSION && formatVersion != COMPACT_FORMAT_VERSION) {
            problems.add("format_version " + formatVersion + " (this node reads " + FORMAT_VERSION + " and "
                    + COMPACT_FORMAT_VERSION + ")");
        } else if (formatVersion == COMPACT_FORMAT_VERSION && (!compact || blocks != 1)) {
            problems.add("format_version " + COMPACT_FORMAT_VERSION + " is for compact archives holding one L2 block"
                    + " (compact " + compact + ", blocks " + blocks + ")");
        }
        require(problems, "rollup_address", rollupAddress);
        require(problems, "history_mode", historyMode);
        require(problems, "last_commitment", lastCommitment);
        require(problems, "lcc", lcc);
        require(problems, "pvm_version", pvmVersion);
        require(problems, "genesis_state", genesisState);
        require(problems, "genesis_commitment", genesisCommitment);
        require(problems, "base_commitment", baseCommitment);
        require(problems, "head_l1_hash", headL1Hash);
        require(problems, "head_state", headState);
        if (firstLevel > headLevel + 1 || firstLevel <= originationLevel) {
            problems.add("first_level " + firstLevel + " is not within (origination_level " + originationLevel
                    + ", head_level " + headLevel + "]");
        }
        if (!problems.isEmpty()) {
            throw new SnapshotFormatException("metadata.json is invalid: " + String.join(", ", problems));
        }
    }

    private static void require(List<String> problems, String key, String value) {
        if (value == null || value.isBlank()) {
            problems.add(key + " is missing");
        }
    }

    /** Whether the import rebuilds the blocks after the first from the replay (compact, format 2). */
    public boolean rebuildsBlocks() {
        return compact && formatVersion >= COMPACT_FORMAT_VERSION;
    }

    public HistoryMode mode() {
        return HistoryMode.fromLabel(historyMode);
    }
}
