package io.flotilla.pvm.wasm;

/**
 * The opcodes a kernel may use, with their mnemonics and immediate kinds: WebAssembly 1.0 (MVP),
 * the five sign-extension operators (0xC0-0xC4) and the two bulk-memory operators
 * {@code memory.copy} and {@code memory.fill} (see {@link KernelValidator} for why exactly these),
 * plus the names of the post-MVP opcodes that are refused, for messages.
 *
 * <p>An opcode is an int: the byte itself for single-byte opcodes, {@code 0xFC00 | sub} for the
 * 0xFC-prefixed ones ({@link #MEMORY_COPY}, {@link #MEMORY_FILL}).
 */
public final class Opcodes {
    private Opcodes() {}

    /** Immediate kinds of accepted instructions. */
    public enum Imm {
        /** Not an accepted opcode. */
        INVALID,
        NONE,
        BLOCK_TYPE,
        LABEL,
        BR_TABLE,
        FUNC,
        CALL_INDIRECT,
        LOCAL,
        GLOBAL,
        MEMARG,
        /** One memory index byte, which must be 0 (memory.size, memory.grow, memory.fill). */
        MEMORY,
        /** Two memory index bytes, both 0 (memory.copy: destination then source). */
        MEMORY2,
        I32,
        I64,
        F32,
        F64
    }

    public static final int UNREACHABLE = 0x00;
    public static final int NOP = 0x01;
    public static final int BLOCK = 0x02;
    public static final int LOOP = 0x03;
    public static final int IF = 0x04;
    public static final int ELSE = 0x05;
    public static final int END = 0x0B;
    public static final int BR = 0x0C;
    public static final int BR_IF = 0x0D;
    public static final int BR_TABLE = 0x0E;
    public static final int RETURN = 0x0F;
    public static final int CALL = 0x10;
    public static final int CALL_INDIRECT = 0x11;
    public static final int DROP = 0x1A;
    public static final int SELECT = 0x1B;
    public static final int LOCAL_GET = 0x20;
    public static final int LOCAL_SET = 0x21;
    public static final int LOCAL_TEE = 0x22;
    public static final int GLOBAL_GET = 0x23;
    public static final int GLOBAL_SET = 0x24;
    public static final int I32_CONST = 0x41;
    public static final int I64_CONST = 0x42;
    public static final int F32_CONST = 0x43;
    public static final int F64_CONST = 0x44;
    public static final int I32_GE_U = 0x4F;
    public static final int I64_LT_S = 0x53;
    public static final int I32_ADD = 0x6A;
    public static final int I64_ADD = 0x7C;
    public static final int I64_SUB = 0x7D;
    public static final int I64_SHR_U = 0x88;
    public static final int I64_EXTEND_I32_U = 0xAD;
    /** The 0xFC prefix byte (saturating truncation, bulk memory, table instructions). */
    public static final int PREFIX_FC = 0xFC;
    /** memory.copy: 0xFC 10, then two memory index bytes. */
    public static final int MEMORY_COPY = 0xFC0A;
    /** memory.fill: 0xFC 11, then one memory index byte. */
    public static final int MEMORY_FILL = 0xFC0B;

    /** Value type bytes. */
    public static final byte T_I32 = 0x7F;
    public static final byte T_I64 = 0x7E;
    public static final byte T_F32 = 0x7D;
    public static final byte T_F64 = 0x7C;
    /** The empty block type. */
    public static final byte T_EMPTY = 0x40;

    private static final String[] NAMES = new String[256];
    private static final Imm[] IMMS = new Imm[256];

    private static void op(int code, String name, Imm imm) {
        NAMES[code] = name;
        IMMS[code] = imm;
    }

    static {
        java.util.Arrays.fill(IMMS, Imm.INVALID);
        op(0x00, "unreachable", Imm.NONE);
        op(0x01, "nop", Imm.NONE);
        op(0x02, "block", Imm.BLOCK_TYPE);
        op(0x03, "loop", Imm.BLOCK_TYPE);
        op(0x04, "if", Imm.BLOCK_TYPE);
        op(0x05, "else", Imm.NONE);
        op(0x0B, "end", Imm.NONE);
        op(0x0C, "br", Imm.LABEL);
        op(0x0D, "br_if", Imm.LABEL);
        op(0x0E, "br_table", Imm.BR_TABLE);
        op(0x0F, "return", Imm.NONE);
        op(0x10, "call", Imm.FUNC);
        op(0x11, "call_indirect", Imm.CALL_INDIRECT);
        op(0x1A, "drop", Imm.NONE);
        op(0x1B, "select", Imm.NONE);
        op(0x20, "local.get", Imm.LOCAL);
        op(0x21, "local.set", Imm.LOCAL);
        op(0x22, "local.tee", Imm.LOCAL);
        op(0x23, "global.get", Imm.GLOBAL);
        op(0x24, "global.set", Imm.GLOBAL);
        String[] mem = {
            "i32.load", "i64.load", "f32.load", "f64.load", "i32.load8_s", "i32.load8_u",
            "i32.load16_s", "i32.load16_u", "i64.load8_s", "i64.load8_u", "i64.load16_s",
            "i64.load16_u", "i64.load32_s", "i64.load32_u", "i32.store", "i64.store", "f32.store",
            "f64.store", "i32.store8", "i32.store16", "i64.store8", "i64.store16", "i64.store32"
        };
        for (int i = 0; i < mem.length; i++) {
            op(0x28 + i, mem[i], Imm.MEMARG);
        }
        op(0x3F, "memory.size", Imm.MEMORY);
        op(0x40, "memory.grow", Imm.MEMORY);
        op(0x41, "i32.const", Imm.I32);
        op(0x42, "i64.const", Imm.I64);
        op(0x43, "f32.const", Imm.F32);
        op(0x44, "f64.const", Imm.F64);
        String[] plain = {
            // 0x45
            "i32.eqz", "i32.eq", "i32.ne", "i32.lt_s", "i32.lt_u", "i32.gt_s", "i32.gt_u",
            "i32.le_s", "i32.le_u", "i32.ge_s", "i32.ge_u",
            // 0x50
            "i64.eqz", "i64.eq", "i64.ne", "i64.lt_s", "i64.lt_u", "i64.gt_s", "i64.gt_u",
            "i64.le_s", "i64.le_u", "i64.ge_s", "i64.ge_u",
            // 0x5b
            "f32.eq", "f32.ne", "f32.lt", "f32.gt", "f32.le", "f32.ge",
            "f64.eq", "f64.ne", "f64.lt", "f64.gt", "f64.le", "f64.ge",
            // 0x67
            "i32.clz", "i32.ctz", "i32.popcnt", "i32.add", "i32.sub", "i32.mul", "i32.div_s",
            "i32.div_u", "i32.rem_s", "i32.rem_u", "i32.and", "i32.or", "i32.xor", "i32.shl",
            "i32.shr_s", "i32.shr_u", "i32.rotl", "i32.rotr",
            // 0x79
            "i64.clz", "i64.ctz", "i64.popcnt", "i64.add", "i64.sub", "i64.mul", "i64.div_s",
            "i64.div_u", "i64.rem_s", "i64.rem_u", "i64.and", "i64.or", "i64.xor", "i64.shl",
            "i64.shr_s", "i64.shr_u", "i64.rotl", "i64.rotr",
            // 0x8b
            "f32.abs", "f32.neg", "f32.ceil", "f32.floor", "f32.trunc", "f32.nearest", "f32.sqrt",
            "f32.add", "f32.sub", "f32.mul", "f32.div", "f32.min", "f32.max", "f32.copysign",
            // 0x99
            "f64.abs", "f64.neg", "f64.ceil", "f64.floor", "f64.trunc", "f64.nearest", "f64.sqrt",
            "f64.add", "f64.sub", "f64.mul", "f64.div", "f64.min", "f64.max", "f64.copysign",
            // 0xa7
            "i32.wrap_i64", "i32.trunc_f32_s", "i32.trunc_f32_u", "i32.trunc_f64_s",
            "i32.trunc_f64_u", "i64.extend_i32_s", "i64.extend_i32_u", "i64.trunc_f32_s",
            "i64.trunc_f32_u", "i64.trunc_f64_s", "i64.trunc_f64_u", "f32.convert_i32_s",
            "f32.convert_i32_u", "f32.convert_i64_s", "f32.convert_i64_u", "f32.demote_f64",
            "f64.convert_i32_s", "f64.convert_i32_u", "f64.convert_i64_s", "f64.convert_i64_u",
            "f64.promote_f32", "i32.reinterpret_f32", "i64.reinterpret_f64",
            "f32.reinterpret_i32", "f64.reinterpret_i64"
        };
        for (int i = 0; i < plain.length; i++) {
            op(0x45 + i, plain[i], Imm.NONE);
        }
        if (0x45 + plain.length != 0xC0) {
            throw new AssertionError("opcode table misaligned");
        }
        // sign-extension operators (WebAssembly 2.0): plain integer operators
        op(0xC0, "i32.extend8_s", Imm.NONE);
        op(0xC1, "i32.extend16_s", Imm.NONE);
        op(0xC2, "i64.extend8_s", Imm.NONE);
        op(0xC3, "i64.extend16_s", Imm.NONE);
        op(0xC4, "i64.extend32_s", Imm.NONE);
    }

    /** Whether an opcode is one of the 0xFC-prefixed ones ({@code 0xFC00 | sub}). */
    public static boolean isPrefixed(int opcode) {
        return (opcode >>> 8) == PREFIX_FC;
    }

    /** Whether an opcode is memory.copy or memory.fill, whose cost depends on their length operand. */
    public static boolean isBulkMemory(int opcode) {
        return opcode == MEMORY_COPY || opcode == MEMORY_FILL;
    }

    /** The immediate kind of an accepted opcode, or {@link Imm#INVALID}. */
    public static Imm imm(int opcode) {
        if (opcode == MEMORY_COPY) {
            return Imm.MEMORY2;
        }
        if (opcode == MEMORY_FILL) {
            return Imm.MEMORY;
        }
        return opcode >= 0 && opcode <= 0xFF ? IMMS[opcode] : Imm.INVALID;
    }

    /** The mnemonic of an opcode (or a description of a refused one). */
    public static String name(int opcode) {
        if (isPrefixed(opcode)) {
            return fcName(opcode & 0xFF);
        }
        String n = NAMES[opcode & 0xFF];
        return n != null ? n : postMvpName(opcode & 0xFF);
    }

    /** Whether an accepted single-byte opcode operates on or produces f32/f64 values. */
    public static boolean isFloat(int opcode) {
        if (opcode < 0 || opcode > 0xFF) {
            return false;
        }
        String n = NAMES[opcode];
        return n != null && (n.contains("f32") || n.contains("f64"));
    }

    /** The mnemonic of a refused single-byte opcode, or null if unknown. */
    static String postMvpName(int b) {
        return switch (b) {
            case 0x06 -> "try";
            case 0x07 -> "catch";
            case 0x08 -> "throw";
            case 0x09 -> "rethrow";
            case 0x0A -> "throw_ref";
            case 0x18 -> "delegate";
            case 0x19 -> "catch_all";
            case 0x1F -> "try_table";
            case 0x12 -> "return_call";
            case 0x13 -> "return_call_indirect";
            case 0x14 -> "call_ref";
            case 0x15 -> "return_call_ref";
            case 0x1C -> "select (typed)";
            case 0x25 -> "table.get";
            case 0x26 -> "table.set";
            case 0xD0 -> "ref.null";
            case 0xD1 -> "ref.is_null";
            case 0xD2 -> "ref.func";
            case 0xD3, 0xD4, 0xD5, 0xD6 -> "typed function reference instruction";
            case 0xFB -> "0xFB-prefixed (GC) instruction";
            case 0xFC -> "0xFC-prefixed instruction";
            case 0xFD -> "0xFD-prefixed (SIMD) instruction";
            case 0xFE -> "0xFE-prefixed (threads) instruction";
            default -> null;
        };
    }

    /** The proposal a refused single-byte opcode belongs to, or null if the byte is unknown. */
    static String postMvpFeature(int b) {
        return switch (b) {
            case 0x06, 0x07, 0x08, 0x09, 0x0A, 0x18, 0x19, 0x1F -> "an exception-handling instruction";
            case 0x12, 0x13, 0x15 -> "a tail-call instruction";
            case 0x14, 0xD3, 0xD4, 0xD5, 0xD6 -> "a typed-function-references instruction";
            case 0x1C, 0x25, 0x26, 0xD0, 0xD1, 0xD2 -> "a reference-types instruction";
            case 0xFB -> "a garbage-collection instruction";
            case 0xFD -> "a SIMD instruction";
            case 0xFE -> "a threads (atomic) instruction";
            default -> null;
        };
    }

    /** The mnemonic of a 0xFC-prefixed instruction. */
    static String fcName(long sub) {
        String[] n = {
            "i32.trunc_sat_f32_s", "i32.trunc_sat_f32_u", "i32.trunc_sat_f64_s",
            "i32.trunc_sat_f64_u", "i64.trunc_sat_f32_s", "i64.trunc_sat_f32_u",
            "i64.trunc_sat_f64_s", "i64.trunc_sat_f64_u", "memory.init", "data.drop",
            "memory.copy", "memory.fill", "table.init", "elem.drop", "table.copy", "table.grow",
            "table.size", "table.fill"
        };
        return sub >= 0 && sub < n.length ? n[(int) sub] : "0xFC " + sub;
    }

    /** Why a 0xFC-prefixed instruction other than memory.copy and memory.fill is refused. */
    static String fcFeature(long sub) {
        if (sub >= 0 && sub <= 7) {
            return "a saturating float-to-int instruction (floating point is forbidden)";
        }
        if (sub == 8 || sub == 9) {
            return "a bulk-memory instruction on passive data segments, which Flotilla does not support yet";
        }
        if (sub >= 12 && sub <= 14) {
            return "a bulk-memory table instruction, which Flotilla does not support yet";
        }
        if (sub >= 15 && sub <= 17) {
            return "a reference-types table instruction, which Flotilla does not support yet";
        }
        return "an unknown 0xFC-prefixed instruction";
    }

    /** A value type byte's name. */
    public static String typeName(byte t) {
        return switch (t) {
            case T_I32 -> "i32";
            case T_I64 -> "i64";
            case T_F32 -> "f32";
            case T_F64 -> "f64";
            case 0x7B -> "v128";
            case 0x70 -> "funcref";
            case 0x6F -> "externref";
            case T_EMPTY -> "empty";
            default -> String.format("0x%02x", t & 0xFF);
        };
    }
}
