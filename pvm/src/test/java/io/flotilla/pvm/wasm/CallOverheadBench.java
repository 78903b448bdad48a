package io.flotilla.pvm.wasm;

import com.dylibso.chicory.runtime.Instance;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.wasm.WasmTestSupport.Engine;

/**
 * A manual micro benchmark of the instrumentation's per-call overhead (not a unit test: run its
 * main with the test class path). Times fib(25) (about 243,000 wasm calls) uninstrumented and
 * instrumented, and 1,000,000 calls of a leaf function in a loop, in Chicory's compiler and
 * interpreter, and prints the best of several runs.
 */
final class CallOverheadBench {
    private CallOverheadBench() {}

    static final String FIB = """
        (module (memory (export "memory") 1)
          (func (export "kernel_run"))
          (func $fib (export "fib") (param $n i32) (result i32)
            (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
              (then (local.get $n))
              (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                             (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
          (func $leaf (param $x i32) (result i32) (i32.xor (i32.add (local.get $x) (i32.const 7)) (i32.const 3)))
          ;; n calls of a leaf function in a loop
          (func (export "leafloop") (param $n i32) (result i32)
            (local $acc i32)
            (loop $l
              (local.set $acc (call $leaf (local.get $acc)))
              (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
            (local.get $acc)))
        """;

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 25;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        // args[2], optional: COMPILER or INTERPRETER (default: both)
        byte[] plain = WasmTestSupport.wat(FIB);
        byte[] instrumented = Instrumenter.instrument(KernelValidator.validate(plain, PvmVersion.DEFAULT),
                PvmVersion.DEFAULT.maxCallDepth() - 1).wasm();
        Engine[] engines = args.length > 2 ? new Engine[] {Engine.valueOf(args[2])} : Engine.values();
        for (Engine e : engines) {
            int r = e == Engine.INTERPRETER ? Math.max(3, reps / 6) : reps;
            double p = time(plain, e, "fib", n, r, false);
            double i = time(instrumented, e, "fib", n, r, true);
            System.out.printf("%-11s fib(%d):        plain %8.2f ms, instrumented %8.2f ms (x%.2f)%n", e, n, p, i, i / p);
            p = time(plain, e, "leafloop", 1_000_000, r, false);
            i = time(instrumented, e, "leafloop", 1_000_000, r, true);
            System.out.printf("%-11s leafloop(1e6): plain %8.2f ms, instrumented %8.2f ms (x%.2f)%n", e, p, i, i / p);
        }
    }

    private static double time(byte[] wasm, Engine e, String fn, int n, int reps, boolean metered) {
        Instance inst = WasmTestSupport.instantiate(wasm, e, null);
        long best = Long.MAX_VALUE;
        long check = 0;
        for (int r = 0; r < reps; r++) {
            if (metered) {
                inst.exports().global(InstrumentedKernel.GAS_EXPORT).setValue(Long.MAX_VALUE / 2);
                inst.exports().global(InstrumentedKernel.DEPTH_EXPORT).setValue(0);
            }
            long t0 = System.nanoTime();
            check += inst.export(fn).apply(n)[0];
            best = Math.min(best, System.nanoTime() - t0);
        }
        if (check == 0) {
            throw new AssertionError();
        }
        return best / 1e6;
    }
}
