package io.flotilla.pvm.engine;

/**
 * The one place where the PVM's execution engines differ. An engine turns an instrumented kernel
 * (see {@code io.flotilla.pvm.wasm.Instrumenter}) into a {@link PreparedKernel} once; the prepared
 * kernel is shared by every rollup that runs the same kernel and instantiated afresh for every
 * {@code kernel_run}. Metering lives in the instrumented wasm, so every engine counts the same.
 */
public interface Engine {

    /** A short name: {@code compiler} or {@code interpreter}. */
    String id();

    /**
     * Parses and (for the compiler) translates the instrumented module. Throws
     * {@link KernelLoadException} when the module cannot be prepared.
     */
    PreparedKernel prepare(byte[] instrumentedWasm);

    static Engine named(String name) {
        return switch (name) {
            case "compiler" -> ChicoryEngine.COMPILER;
            case "interpreter" -> ChicoryEngine.INTERPRETER;
            default -> throw new IllegalArgumentException(
                    "unknown PVM engine '" + name + "' (expected compiler or interpreter)");
        };
    }
}
