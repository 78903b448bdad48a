package io.flotilla.pvm.wasm;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable encoder of WebAssembly binary constructs (LEB128, names, sections, instructions). */
public final class WasmWriter {
    private byte[] buf;
    private int size;

    public WasmWriter() {
        this(256);
    }

    public WasmWriter(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    private void ensure(int extra) {
        if (size + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
        }
    }

    public int size() {
        return size;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    public WasmWriter u8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
        return this;
    }

    /** An unsigned LEB128 of at most 32 bits. */
    public WasmWriter u32(long v) {
        if (v < 0 || v > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("not a u32: " + v);
        }
        ensure(5);
        do {
            int b = (int) (v & 0x7F);
            v >>>= 7;
            buf[size++] = (byte) (v != 0 ? b | 0x80 : b);
        } while (v != 0);
        return this;
    }

    /** A signed LEB128 (used for s32 and s64). */
    public WasmWriter s64(long v) {
        ensure(10);
        while (true) {
            int b = (int) (v & 0x7F);
            v >>= 7;
            if ((v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0)) {
                buf[size++] = (byte) b;
                return this;
            }
            buf[size++] = (byte) (b | 0x80);
        }
    }

    public WasmWriter s32(int v) {
        return s64(v);
    }

    public WasmWriter bytes(byte[] src) {
        return bytes(src, 0, src.length);
    }

    public WasmWriter bytes(byte[] src, int from, int to) {
        int n = to - from;
        ensure(n);
        System.arraycopy(src, from, buf, size, n);
        size += n;
        return this;
    }

    public WasmWriter bytes(WasmWriter other) {
        return bytes(other.buf, 0, other.size);
    }

    public WasmWriter name(String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        return u32(u.length).bytes(u);
    }

    /** The 8-byte preamble: magic and version 1. */
    public WasmWriter header() {
        return bytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
    }

    /** A section: id, payload size, payload. */
    public WasmWriter section(int id, WasmWriter payload) {
        return u8(id).u32(payload.size).bytes(payload);
    }

    // ------------------------------------------------------------ instructions

    public WasmWriter op(int opcode) {
        return u8(opcode);
    }

    public WasmWriter localGet(int i) {
        return u8(Opcodes.LOCAL_GET).u32(i);
    }

    public WasmWriter localSet(int i) {
        return u8(Opcodes.LOCAL_SET).u32(i);
    }

    public WasmWriter localTee(int i) {
        return u8(Opcodes.LOCAL_TEE).u32(i);
    }

    public WasmWriter globalGet(int i) {
        return u8(Opcodes.GLOBAL_GET).u32(i);
    }

    public WasmWriter globalSet(int i) {
        return u8(Opcodes.GLOBAL_SET).u32(i);
    }

    public WasmWriter i32Const(int v) {
        return u8(Opcodes.I32_CONST).s32(v);
    }

    public WasmWriter i64Const(long v) {
        return u8(Opcodes.I64_CONST).s64(v);
    }

    /** block/loop/if with a block type byte (0x40 for none, or a value type). */
    public WasmWriter blockOp(int opcode, byte blockType) {
        return u8(opcode).u8(blockType);
    }

    public WasmWriter br(int label) {
        return u8(Opcodes.BR).u32(label);
    }

    /** Encodes a decoded instruction canonically from its immediates. */
    public WasmWriter instruction(WasmBinary.Instruction ins) {
        if (Opcodes.isPrefixed(ins.opcode)) {
            u8(Opcodes.PREFIX_FC).u32(ins.opcode & 0xFF);
        } else {
            u8(ins.opcode);
        }
        switch (Opcodes.imm(ins.opcode)) {
            case NONE -> { }
            case BLOCK_TYPE -> u8((int) ins.a);
            case LABEL, FUNC, LOCAL, GLOBAL -> u32(ins.a);
            case BR_TABLE -> {
                u32(ins.labels.length);
                for (int l : ins.labels) {
                    u32(l);
                }
                u32(ins.a);
            }
            case CALL_INDIRECT -> u32(ins.a).u8(0);
            case MEMARG -> u32(ins.a).u32(ins.b);
            case MEMORY -> u8(0);
            case MEMORY2 -> u8(0).u8(0);
            case I32 -> s32((int) ins.a);
            case I64 -> s64(ins.a);
            case F32 -> {
                for (int i = 0; i < 4; i++) {
                    u8((int) (ins.a >>> (8 * i)));
                }
            }
            case F64 -> {
                for (int i = 0; i < 8; i++) {
                    u8((int) (ins.a >>> (8 * i)));
                }
            }
            default -> throw new IllegalArgumentException("not an accepted instruction: " + ins);
        }
        return this;
    }
}
