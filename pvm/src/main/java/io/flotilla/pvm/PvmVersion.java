package io.flotilla.pvm;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The versions of the {@code wasm_2_0_0} PVM. A version fixes which host functions a kernel may
 * import, the tick padding of a top-level call, the call-stack limit and the outbox validity.
 */
public enum PvmVersion {
    V2_0_0("2.0.0", 11_000_000_000L, 300, 80_640),
    V2_0_0_R1("2.0.0-r1", 11_000_000_000L, 60_000, 80_640),
    V2_0_0_R2("2.0.0-r2", 11_000_000_000L, 60_000, 80_640),
    V2_0_0_R3("2.0.0-r3", 11_000_000_000L, 60_000, 80_640),
    V2_0_0_R4("2.0.0-r4", 50_000_000_000_000L, 60_000, 241_920),
    V2_0_0_R5("2.0.0-r5", 50_000_000_000_000L, 60_000, 241_920);

    /** Flotilla's default for new rollups. */
    public static final PvmVersion DEFAULT = V2_0_0_R5;

    /** The host module every import must come from. */
    public static final String HOST_MODULE = "smart_rollup_core";

    /** WebAssembly value types of host function signatures. */
    public enum ValType { I32, I64 }

    /** A host function's name and WebAssembly signature. */
    public record HostSignature(String name, ValType[] params, ValType[] results) {
        @Override
        public String toString() {
            return name + Arrays.toString(params) + "->" + Arrays.toString(results);
        }
    }

    private static final ValType I = ValType.I32;
    private static final ValType L = ValType.I64;

    private static HostSignature sig(String name, ValType[] params, ValType... results) {
        return new HostSignature(name, params, results);
    }

    private static ValType[] p(ValType... v) {
        return v;
    }

    private static final Map<String, HostSignature> V0 = new LinkedHashMap<>();
    private static final Map<String, HostSignature> R1 = new LinkedHashMap<>();
    private static final Map<String, HostSignature> R2 = new LinkedHashMap<>();
    private static final Map<String, HostSignature> R3 = new LinkedHashMap<>();

    static {
        for (HostSignature s : new HostSignature[] {
            sig("read_input", p(I, I, I), I),
            sig("write_output", p(I, I), I),
            sig("write_debug", p(I, I)),
            sig("store_has", p(I, I), I),
            sig("store_list_size", p(I, I), L),
            sig("store_get_nth_key", p(I, I, L, I, I), I),
            sig("store_delete", p(I, I), I),
            sig("store_copy", p(I, I, I, I), I),
            sig("store_move", p(I, I, I, I), I),
            sig("store_value_size", p(I, I), I),
            sig("reveal_preimage", p(I, I, I, I), I),
            sig("reveal_metadata", p(I, I), I),
            sig("store_read", p(I, I, I, I, I), I),
            sig("store_write", p(I, I, I, I, I), I),
        }) {
            V0.put(s.name(), s);
        }
        R1.putAll(V0);
        for (HostSignature s : new HostSignature[] {
            sig("store_delete_value", p(I, I), I),
            sig("__internal_store_get_hash", p(I, I, I, I), I),
            sig("store_create", p(I, I, I), I),
        }) {
            R1.put(s.name(), s);
        }
        R2.putAll(R1);
        R2.put("store_exists", sig("store_exists", p(I, I), I));
        R3.putAll(R2);
        R3.put("reveal", sig("reveal", p(I, I, I, I), I));
    }

    private final String label;
    private final long maxTicksPerCall;
    private final int maxCallDepth;
    private final int outboxValidityLevels;

    PvmVersion(String label, long maxTicksPerCall, int maxCallDepth, int outboxValidityLevels) {
        this.label = label;
        this.maxTicksPerCall = maxTicksPerCall;
        this.maxCallDepth = maxCallDepth;
        this.outboxValidityLevels = outboxValidityLevels;
    }

    /** The ASCII string stored at {@code /readonly/wasm_version}. */
    public String label() {
        return label;
    }

    /** {@code max_nb_ticks}: every top-level call is padded to this many ticks. */
    public long maxTicksPerCall() {
        return maxTicksPerCall;
    }

    /** The deterministic call-stack limit, in wasm frames. */
    public int maxCallDepth() {
        return maxCallDepth;
    }

    /** How many levels an outbox message stays executable after its level is cemented. */
    public int outboxValidityLevels() {
        return outboxValidityLevels;
    }

    /** The host functions a kernel of this version may import, by name. */
    public Map<String, HostSignature> hostFunctions() {
        Map<String, HostSignature> m = switch (this) {
            case V2_0_0 -> V0;
            case V2_0_0_R1 -> R1;
            case V2_0_0_R2 -> R2;
            default -> R3;
        };
        return Collections.unmodifiableMap(m);
    }

    /** Every host function of every version (for tools that must know a name exists at all). */
    public static Map<String, HostSignature> allHostFunctions() {
        return Collections.unmodifiableMap(R3);
    }

    public static Optional<PvmVersion> fromLabel(String label) {
        for (PvmVersion v : values()) {
            if (v.label.equals(label)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    public static PvmVersion parse(String label) {
        return fromLabel(label).orElseThrow(() -> new IllegalArgumentException(
                "unknown PVM version '" + label + "' (expected one of 2.0.0, 2.0.0-r1 ... 2.0.0-r5)"));
    }
}
