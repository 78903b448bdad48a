package io.flotilla.pvm.engine;

import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;

/** A kernel ready to be instantiated; immutable and shared between threads. */
public interface PreparedKernel {

    /**
     * A fresh instance with fresh memory. The metering global {@code gasGlobalIndex} starts at
     * {@code gasBudget} so that a start function is metered like {@code kernel_run}.
     * Throws {@link KernelLoadException} when linking or initialisation fails for a reason other
     * than running out of gas; running out of gas in a start function surfaces as the trap it is.
     */
    Instance instantiate(ImportValues imports, int gasGlobalIndex, long gasBudget, int maxMemoryPages);
}
