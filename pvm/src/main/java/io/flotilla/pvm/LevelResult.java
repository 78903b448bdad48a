package io.flotilla.pvm;

import java.util.List;

/**
 * The outcome of evaluating one level.
 *
 * @param kernelRuns top-level periods after the inbox was collected
 * @param ticks      Octez ticks of the level: (1 + kernelRuns) x max_nb_ticks
 */
public record LevelResult(PvmState state, int level, int kernelRuns, long ticks, List<byte[]> outbox,
                          List<KernelRunReport> runs) {

    public boolean stuck() {
        return state.stuck().isPresent();
    }
}
