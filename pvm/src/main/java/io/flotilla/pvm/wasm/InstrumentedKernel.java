package io.flotilla.pvm.wasm;

/**
 * A kernel rewritten by {@link Instrumenter}: the new module bytes and where the metering state
 * lives. See {@link Instrumenter} for the protocol between the host and the instrumented code.
 */
public final class InstrumentedKernel {
    /** Exported mutable i64: the remaining gas; the host sets it before a call and reads it after. */
    public static final String GAS_EXPORT = "__flotilla_gas";
    /** Exported mutable i32: the current wasm call depth (0 when no wasm frame is active). */
    public static final String DEPTH_EXPORT = "__flotilla_depth";
    /** Exported mutable i32: why the instrumentation trapped ({@link #STATUS_OK} otherwise). */
    public static final String STATUS_EXPORT = "__flotilla_status";
    /** Exported function: the module's start function, if it had one (the start section is removed). */
    public static final String START_EXPORT = "__flotilla_start";

    public static final int STATUS_OK = 0;
    /** The kernel trapped because the gas would have gone below zero. */
    public static final int STATUS_OUT_OF_GAS = 1;
    /** The kernel trapped because a call would have exceeded the maximum call depth. */
    public static final int STATUS_CALL_DEPTH = 2;

    private final ValidatedKernel source;
    private final byte[] wasm;
    private final int maxCallDepth;
    private final int gasGlobal;
    private final int depthGlobal;
    private final int statusGlobal;
    private final boolean hasStart;

    InstrumentedKernel(ValidatedKernel source, byte[] wasm, int maxCallDepth, int gasGlobal,
                       int depthGlobal, int statusGlobal, boolean hasStart) {
        this.source = source;
        this.wasm = wasm;
        this.maxCallDepth = maxCallDepth;
        this.gasGlobal = gasGlobal;
        this.depthGlobal = depthGlobal;
        this.statusGlobal = statusGlobal;
        this.hasStart = hasStart;
    }

    public ValidatedKernel source() {
        return source;
    }

    /** The instrumented module (a fresh copy). */
    public byte[] wasm() {
        return wasm.clone();
    }

    /** The instrumented module's size in bytes. */
    public int size() {
        return wasm.length;
    }

    public int maxCallDepth() {
        return maxCallDepth;
    }

    /** Global index of {@link #GAS_EXPORT}. */
    public int gasGlobal() {
        return gasGlobal;
    }

    /** Global index of {@link #DEPTH_EXPORT}. */
    public int depthGlobal() {
        return depthGlobal;
    }

    /** Global index of {@link #STATUS_EXPORT}. */
    public int statusGlobal() {
        return statusGlobal;
    }

    /**
     * Whether the original module had a start function. It is then exported as
     * {@link #START_EXPORT} and the host must call it (with gas set) once on each fresh instance,
     * before anything else.
     */
    public boolean hasStartFunction() {
        return hasStart;
    }
}
