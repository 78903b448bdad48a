package io.flotilla.loadtests.pvm;

import io.flotilla.pvm.KernelFiles;

/**
 * Generates a kernel shaped like a real (Rust-built) one for the instantiation benchmark: about
 * 400 KB of wasm with 17 initial memory pages, a quarter-megabyte of initialised data in several
 * active segments, about 1500 small functions, a function table with elements, and globals.
 * Deterministic: the same bytes every time.
 */
public final class BigKernel {
    public static final int PAGES = Integer.getInteger("big.pages", 17);
    public static final int FUNCTIONS = 1500;
    public static final int SEGMENTS = 8;
    public static final int SEGMENT_BYTES = 32 * 1024;
    public static final int TABLE = Integer.getInteger("big.table", 512);

    private BigKernel() {}

    /** Offset of data segment {@code i} (spread over the first 12 pages, 4-byte aligned). */
    public static int segmentOffset(int i) {
        return 0x1000 + i * (SEGMENT_BYTES + 0x4100 + 4 * i);
    }

    /** Byte {@code j} of data segment {@code i}. */
    public static byte segmentByte(int i, int j) {
        int x = (i + 1) * 0x9E3779B1 + j * 0x85EBCA6B;
        x ^= x >>> 15;
        x *= 0x2C1B3C6D;
        x ^= x >>> 13;
        return (byte) x;
    }

    public static String wat() {
        StringBuilder w = new StringBuilder(1 << 20);
        w.append("(module\n");
        w.append("  (type $t (func (param i32) (result i32)))\n");
        w.append("  (import \"smart_rollup_core\" \"write_output\" (func $write_output (param i32 i32) (result i32)))\n");
        w.append("  (memory (export \"memory\") ").append(PAGES).append(")\n");
        w.append("  (table ").append(TABLE).append(" funcref)\n");
        w.append("  (global $acc (mut i32) (i32.const 0))\n");
        w.append("  (global $sp (mut i32) (i32.const 1048576))\n");
        for (int f = 0; f < FUNCTIONS; f++) {
            w.append("  (func $f").append(f).append(" (type $t) (local $x i32)\n");
            w.append("    (local.set $x (i32.add (local.get 0) (i32.const ").append(f * 7 + 1).append(")))\n");
            w.append("    (if (i32.gt_u (local.get $x) (i32.const ").append(1000 + f).append("))\n");
            w.append("      (then (local.set $x (i32.xor (local.get $x) (i32.load (i32.const ")
                    .append(segmentOffset(f % SEGMENTS) + 4 * (f % 64)).append("))))))\n");
            w.append("    (i32.store (i32.const ").append(0xC0000 + 4 * (f % 1024)).append(") (local.get $x))\n");
            w.append("    (global.set $acc (i32.add (global.get $acc) (i32.rotl (local.get $x) (i32.const ")
                    .append(f % 31 + 1).append("))))\n");
            if (f > 0) {
                w.append("    (if (i32.and (local.get $x) (i32.const 1)) (then (drop (call $f")
                        .append(f - 1).append(" (i32.shr_u (local.get $x) (i32.const 1))))))\n");
            }
            w.append("    (i32.mul (local.get $x) (i32.const ").append(2 * f + 3).append(")))\n");
        }
        w.append("  (elem (i32.const 0)");
        for (int i = 0; i < TABLE; i++) {
            w.append(" $f").append((i * 3) % FUNCTIONS);
        }
        w.append(")\n");
        w.append("  (func (export \"kernel_run\")\n");
        w.append("    (i32.store (i32.const 16) (call_indirect (type $t) (i32.const 5) (i32.const 7)))\n");
        w.append("    (i32.store (i32.const 20) (i32.load (i32.const ").append(segmentOffset(3)).append(")))\n");
        w.append("    (drop (call $write_output (i32.const 16) (i32.const 8))))\n");
        for (int i = 0; i < SEGMENTS; i++) {
            w.append("  (data (i32.const ").append(segmentOffset(i)).append(") \"");
            for (int j = 0; j < SEGMENT_BYTES; j++) {
                int b = segmentByte(i, j) & 0xff;
                w.append('\\').append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 15, 16));
            }
            w.append("\")\n");
        }
        w.append(")\n");
        return w.toString();
    }

    public static byte[] wasm() {
        return KernelFiles.fromText(wat(), "big-kernel.wat");
    }
}
