package io.flotilla.loadtests.pvm;

/**
 * A kernel with one hot, straight-line-heavy function, to see what happens when a wasm function
 * compiles to a JVM method above HotSpot's 8000-bytecode "huge method" limit
 * ({@code -XX:+DontCompileHugeMethods}, the default, leaves such methods in the JVM interpreter).
 * {@code $big} runs a loop whose body is {@code STEPS} unrolled mixing steps with a branch every
 * 8 steps (so the metering adds a gas update per block, as it does in compiler-generated code).
 * kernel_run reads the iteration count from memory word 0 and publishes the 4-byte result.
 */
public final class HugeKernel {
    public static final int STEPS = Integer.getInteger("huge.steps", 400);

    private HugeKernel() {}

    public static String wat() {
        StringBuilder w = new StringBuilder(1 << 16);
        w.append("(module\n");
        w.append("  (import \"smart_rollup_core\" \"write_output\" (func $write_output (param i32 i32) (result i32)))\n");
        w.append("  (memory (export \"memory\") 1)\n");
        w.append("  (func $big (param $x i32) (param $k i32) (result i32)\n");
        w.append("    (block $done (loop $next\n");
        w.append("      (br_if $done (i32.eqz (local.get $k)))\n");
        for (int i = 0; i < STEPS; i++) {
            int c = 0x9E3779B1 * (i + 1) | 1;
            w.append("      (local.set $x (i32.xor (i32.mul (local.get $x) (i32.const ").append(c)
                    .append(")) (i32.shr_u (local.get $x) (i32.const ").append(i % 29 + 1).append("))))\n");
            if (i % 8 == 7) {
                w.append("      (if (i32.and (local.get $x) (i32.const 1)) (then (local.set $x (i32.add (local.get $x) (i32.const ")
                        .append(i).append(")))))\n");
            }
        }
        w.append("      (local.set $k (i32.sub (local.get $k) (i32.const 1)))\n");
        w.append("      (br $next)))\n");
        w.append("    (local.get $x))\n");
        w.append("  (func (export \"kernel_run\")\n");
        w.append("    (i32.store (i32.const 16) (call $big (i32.const 12345) (i32.load (i32.const 0))))\n");
        w.append("    (drop (call $write_output (i32.const 16) (i32.const 4))))\n");
        w.append(")\n");
        return w.toString();
    }
}
