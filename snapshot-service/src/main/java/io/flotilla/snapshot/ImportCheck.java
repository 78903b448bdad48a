package io.flotilla.snapshot;

/**
 * The import checks, in the order they run (octez-compat.md, "Snapshots"). Those {@link #keptWithNoCheck() kept
 * with --no-check} always run; {@link #ARCHIVE} stands for the archive being readable at all (a truncated or
 * corrupted file fails it whatever the options).
 */
public enum ImportCheck {
    ROLLUP_ADDRESS("rollup address", true),
    HISTORY_MODE("history mode", true),
    HEAD_NEWER("snapshot head newer than the data directory's", true),
    ARCHIVE("archive integrity (truncated or corrupted archive)", true),
    COMMITMENT_PUBLISHED("last commitment published on L1", false),
    HEADER_COMMITMENT("header commitment is the snapshot's last commitment", false),
    LCC_IN_SNAPSHOT("L1's last cemented commitment is in the snapshot", false),
    COMMITMENT_CHAIN("commitment chain back to the LCC", false),
    BLOCKS("L2 blocks: state, commitment and inbox hashes match the content", false);

    private final String title;
    private final boolean keptWithNoCheck;

    ImportCheck(String title, boolean keptWithNoCheck) {
        this.title = title;
        this.keptWithNoCheck = keptWithNoCheck;
    }

    public String title() {
        return title;
    }

    public boolean keptWithNoCheck() {
        return keptWithNoCheck;
    }
}
