package io.flotilla.pvm.wasm;

/**
 * A kernel was refused: its bytes are not a well-formed WebAssembly module, it uses a feature
 * the {@code wasm_2_0_0} PVM does not support, it breaks the kernel contract, or it would not link
 * against the host functions of the PVM version.
 */
public final class KernelValidationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a kernel was refused. */
    public enum Kind {
        /** The bytes are not a well-formed (or not a valid) WebAssembly binary. */
        MALFORMED,
        /** Floating point, or a post-MVP feature outside the accepted extensions (see {@link KernelValidator}). */
        FORBIDDEN_FEATURE,
        /** The module is valid WebAssembly but is not a kernel (exports, memory, imports). */
        CONTRACT,
        /** An import of {@code smart_rollup_core} that this PVM version does not provide as typed. */
        LINK
    }

    private final Kind kind;

    public KernelValidationException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public KernelValidationException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public String toString() {
        return "KernelValidationException[" + kind + "]: " + getMessage();
    }
}
