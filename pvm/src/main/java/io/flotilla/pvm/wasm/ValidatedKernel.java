package io.flotilla.pvm.wasm;

import io.flotilla.pvm.PvmVersion;

/**
 * A module {@link KernelValidator} accepted for a PVM version: an MVP integer-only module that
 * exports {@code kernel_run : [] -> []} and its single memory, and imports only host functions
 * this version provides with their exact signatures.
 */
public final class ValidatedKernel {
    private final WasmBinary binary;
    private final PvmVersion version;
    private final int kernelRunIndex;
    private final String memoryExport;

    ValidatedKernel(WasmBinary binary, PvmVersion version, int kernelRunIndex, String memoryExport) {
        this.binary = binary;
        this.version = version;
        this.kernelRunIndex = kernelRunIndex;
        this.memoryExport = memoryExport;
    }

    /** The parsed module (sections, decoded bodies, names). */
    public WasmBinary binary() {
        return binary;
    }

    /** The original module bytes (not copied: do not modify). */
    public byte[] bytes() {
        return binary.bytes();
    }

    public PvmVersion version() {
        return version;
    }

    /** The function index of the exported {@code kernel_run}. */
    public int kernelRunIndex() {
        return kernelRunIndex;
    }

    /** The name under which the module's memory is exported. */
    public String memoryExport() {
        return memoryExport;
    }
}
