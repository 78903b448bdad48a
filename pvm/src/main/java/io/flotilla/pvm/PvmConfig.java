package io.flotilla.pvm;

import io.flotilla.pvm.engine.ChicoryEngine;
import io.flotilla.pvm.engine.Engine;

/**
 * How the PVM runs kernels.
 *
 * @param engine          the execution engine (the compiler by default; the interpreter is the reference)
 * @param gasPerKernelRun metered work one kernel_run may do before the PVM is stuck with too many ticks
 * @param maxMemoryPages  the most wasm pages a kernel may grow to (memory.grow beyond returns -1)
 * @param cache           where prepared kernels are shared
 */
public record PvmConfig(Engine engine, long gasPerKernelRun, int maxMemoryPages, KernelCache cache) {

    /**
     * About a minute of compiled execution: generous for real kernels, yet a stuck loop ends.
     * Octez pads every call to max_nb_ticks whatever it did, so this budget is our own bound.
     */
    public static final long DEFAULT_GAS = 50_000_000_000L;

    /**
     * Octez allows 65,536 pages (4 GiB); the JVM engine holds at most 32,767, and a node runs many
     * kernels at once, so Flotilla caps a kernel at 1 GiB by default.
     */
    public static final int DEFAULT_MAX_MEMORY_PAGES = 16_384;

    public PvmConfig {
        if (gasPerKernelRun <= 0) {
            throw new IllegalArgumentException("gas per kernel_run must be positive");
        }
        if (maxMemoryPages < 1 || maxMemoryPages > 32_767) {
            throw new IllegalArgumentException("max memory pages must be within 1..32767");
        }
    }

    public static PvmConfig defaults() {
        return new PvmConfig(ChicoryEngine.COMPILER, DEFAULT_GAS, DEFAULT_MAX_MEMORY_PAGES, KernelCache.SHARED);
    }

    public PvmConfig withEngine(Engine e) {
        return new PvmConfig(e, gasPerKernelRun, maxMemoryPages, cache);
    }

    public PvmConfig withGas(long gas) {
        return new PvmConfig(engine, gas, maxMemoryPages, cache);
    }

    public PvmConfig withMaxMemoryPages(int pages) {
        return new PvmConfig(engine, gasPerKernelRun, pages, cache);
    }
}
