package io.flotilla.http;

import java.util.Objects;
import java.util.Optional;

/**
 * A rollup as the node sees it now.
 *
 * @param rollup the sr1 address
 * @param headLevel level of the last L2 block, empty before the first one
 * @param headStateHashHex state hash (hex) after the head block
 * @param totalTicks ticks executed since origination, at the head
 * @param lastStoredCommitment last commitment computed and stored by the node
 * @param lastPublishedCommitment last commitment this node published on L1
 * @param lcc last cemented commitment read from L1
 * @param status {@code "running"}, {@code "stuck: <reason>"} or {@code "not originated"}
 * @param mode operating mode ({@code observer}, {@code operator}, {@code batcher}...)
 * @param originationLevel L1 level of the origination
 * @param pvmVersion e.g. {@code "2.0.0-r5"}
 * @param l1HeadLevel level of the L1 head the node follows, if any yet
 * @param l1HeadHashHex hash (hex) of that L1 head
 */
public record RollupSummary(
        String rollup,
        Optional<Integer> headLevel,
        Optional<String> headStateHashHex,
        long totalTicks,
        Optional<CommitmentRef> lastStoredCommitment,
        Optional<CommitmentRef> lastPublishedCommitment,
        Optional<CommitmentRef> lcc,
        String status,
        String mode,
        int originationLevel,
        String pvmVersion,
        Optional<Integer> l1HeadLevel,
        Optional<String> l1HeadHashHex) {

    public RollupSummary {
        Objects.requireNonNull(rollup, "rollup");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(pvmVersion, "pvmVersion");
        headLevel = headLevel == null ? Optional.empty() : headLevel;
        headStateHashHex = headStateHashHex == null ? Optional.empty() : headStateHashHex;
        lastStoredCommitment = lastStoredCommitment == null ? Optional.empty() : lastStoredCommitment;
        lastPublishedCommitment = lastPublishedCommitment == null ? Optional.empty() : lastPublishedCommitment;
        lcc = lcc == null ? Optional.empty() : lcc;
        l1HeadLevel = l1HeadLevel == null ? Optional.empty() : l1HeadLevel;
        l1HeadHashHex = l1HeadHashHex == null ? Optional.empty() : l1HeadHashHex;
    }

    public boolean stuck() {
        return status.startsWith("stuck");
    }
}
