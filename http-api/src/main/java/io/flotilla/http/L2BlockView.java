package io.flotilla.http;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An L2 block: what the rollup made of one L1 level.
 *
 * @param level the L1 level
 * @param l1BlockHashHex hash (hex) of the L1 block
 * @param inboxHashHex inbox hash (hex) after this level
 * @param messagesHex the inbox messages of the level (hex, as the kernel reads them)
 * @param stateHashHex PVM state hash (hex) after the level
 * @param ticks ticks executed for this level
 * @param totalTicks ticks executed since origination, after this level
 * @param outboxCount outbox messages produced at this level
 * @param kernelRuns kernel_run calls made for this level
 * @param commitmentHashHex the commitment made at this block, if any
 * @param pvmStatus PVM status after the level (Octez wording, e.g. {@code "Waiting for input message"})
 */
public record L2BlockView(
        int level,
        String l1BlockHashHex,
        String inboxHashHex,
        List<String> messagesHex,
        String stateHashHex,
        long ticks,
        long totalTicks,
        int outboxCount,
        int kernelRuns,
        Optional<String> commitmentHashHex,
        String pvmStatus) {

    public static final String WAITING = "Waiting for input message";

    public L2BlockView {
        Objects.requireNonNull(l1BlockHashHex, "l1BlockHashHex");
        Objects.requireNonNull(inboxHashHex, "inboxHashHex");
        Objects.requireNonNull(stateHashHex, "stateHashHex");
        messagesHex = List.copyOf(messagesHex);
        commitmentHashHex = commitmentHashHex == null ? Optional.empty() : commitmentHashHex;
        pvmStatus = pvmStatus == null ? WAITING : pvmStatus;
    }

    /** Without a PVM status: {@value #WAITING}. */
    public L2BlockView(int level, String l1BlockHashHex, String inboxHashHex, List<String> messagesHex,
            String stateHashHex, long ticks, long totalTicks, int outboxCount, int kernelRuns,
            Optional<String> commitmentHashHex) {
        this(level, l1BlockHashHex, inboxHashHex, messagesHex, stateHashHex, ticks, totalTicks, outboxCount,
                kernelRuns, commitmentHashHex, WAITING);
    }

    /** Ticks since origination before this level. */
    public long initialTick() {
        return totalTicks - ticks;
    }
}
