package io.flotilla.pvm.host;

/** Error codes host functions return to kernels, as in Octez's {@code smart_rollup_core}. */
public final class HostError {
    private HostError() {}

    public static final int STORE_KEY_TOO_LARGE = -1;
    public static final int STORE_INVALID_KEY = -2;
    public static final int STORE_NOT_A_VALUE = -3;
    public static final int STORE_INVALID_ACCESS = -4;
    public static final int STORE_VALUE_SIZE_EXCEEDED = -5;
    public static final int MEMORY_INVALID_ACCESS = -6;
    public static final int INPUT_OUTPUT_TOO_LARGE = -7;
    public static final int GENERIC_INVALID_ACCESS = -8;
    public static final int STORE_READONLY_VALUE = -9;
    public static final int STORE_NOT_A_NODE = -10;
    public static final int FULL_OUTBOX = -11;
    public static final int STORE_INVALID_SUBKEY_INDEX = -12;
    public static final int STORE_VALUE_ALREADY_EXISTS = -13;

    /** A readable name for an error code, for the debugger and logs. */
    public static String describe(long code) {
        return switch ((int) code) {
            case STORE_KEY_TOO_LARGE -> "key too large";
            case STORE_INVALID_KEY -> "invalid key";
            case STORE_NOT_A_VALUE -> "no value under key";
            case STORE_INVALID_ACCESS -> "invalid offset/length access";
            case STORE_VALUE_SIZE_EXCEEDED -> "value size exceeded";
            case MEMORY_INVALID_ACCESS -> "invalid memory access";
            case INPUT_OUTPUT_TOO_LARGE -> "input/output too large";
            case GENERIC_INVALID_ACCESS -> "generic invalid access";
            case STORE_READONLY_VALUE -> "key is read-only";
            case STORE_NOT_A_NODE -> "key has no tree";
            case FULL_OUTBOX -> "outbox full";
            case STORE_INVALID_SUBKEY_INDEX -> "invalid subkey index";
            case STORE_VALUE_ALREADY_EXISTS -> "value already exists";
            default -> "ok";
        };
    }
}
