package io.flotilla.pvm;

/**
 * What one top-level period of a level did: one {@code kernel_run} call (or the fallback that
 * replaced an unloadable kernel).
 *
 * @param gasUsed     metered work of the call (not Octez ticks: each call is padded to max_nb_ticks)
 * @param nanos       wall time of the call, for profiling only (never part of the state)
 * @param inputsRead  inputs consumed so far in the level
 */
public record KernelRunReport(int run, Outcome outcome, String detail, long gasUsed, long nanos,
                              int inputsRead, boolean rebootRequested) {

    public enum Outcome {
        /** kernel_run returned. */
        OK,
        /** kernel_run trapped: the stuck flag is set, the level goes on. */
        TRAP,
        /** The kernel could not be loaded; the fallback kernel was restored and upgrade_error set. */
        FALLBACK,
        /** The PVM is stuck for good (too many ticks, no fallback kernel, call stack exhausted). */
        STUCK
    }
}
