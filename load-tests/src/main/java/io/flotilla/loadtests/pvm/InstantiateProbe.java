package io.flotilla.loadtests.pvm;

import com.dylibso.chicory.runtime.ImportValues;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.engine.ChicoryEngine;
import io.flotilla.pvm.engine.PreparedKernel;
import io.flotilla.pvm.wasm.InstrumentedKernel;
import io.flotilla.pvm.wasm.Instrumenter;
import io.flotilla.pvm.wasm.KernelValidator;

/** Quick, JMH-free look at instantiation cost: {@code InstantiateProbe [iterations]}. */
public final class InstantiateProbe {
    private InstantiateProbe() {}

    public static void main(String[] args) {
        int iters = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        byte[] wasm = BigKernel.wasm();
        InstrumentedKernel ik = Instrumenter.instrument(KernelValidator.validate(wasm, PvmVersion.DEFAULT),
                PvmVersion.DEFAULT.maxCallDepth() - 1);
        System.out.printf("kernel %d bytes, instrumented %d bytes%n", wasm.length, ik.size());
        long t0 = System.nanoTime();
        PreparedKernel pk = ChicoryEngine.COMPILER.prepare(ik.wasm());
        System.out.printf("prepare %.1f ms%n", (System.nanoTime() - t0) / 1e6);
        ImportValues imports = BenchKernel.imports(new byte[1][]);
        for (int round = 0; round < 5; round++) {
            long s = System.nanoTime();
            for (int i = 0; i < iters; i++) {
                pk.instantiate(imports, ik.gasGlobal(), 1_000_000, 16_384);
            }
            System.out.printf("instantiate %.1f us%n", (System.nanoTime() - s) / 1e3 / iters);
        }
    }
}
