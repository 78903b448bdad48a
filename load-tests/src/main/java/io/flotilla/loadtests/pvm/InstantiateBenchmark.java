package io.flotilla.loadtests.pvm;

import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.engine.ChicoryEngine;
import io.flotilla.pvm.engine.PreparedKernel;
import io.flotilla.pvm.wasm.InstrumentedKernel;
import io.flotilla.pvm.wasm.Instrumenter;
import io.flotilla.pvm.wasm.KernelValidator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Instantiating the generated ~380 KB, 17-page kernel ({@link BigKernel}) once per kernel_run, as
 * the PVM does, with the compiler engine. {@code memory=plain} is Chicory's own initialisation
 * (the baseline: {@code ChicoryEngine.preparePlain}), {@code memory=image} the PVM's
 * copy-on-write memory image ({@code ChicoryEngine.prepare}).
 * {@code instantiateAndRun} adds the kernel's (tiny) kernel_run, which writes two pages, so the
 * copy-on-write cost of first writes is included.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xss4m", "-Xmx2g", "-XX:-DontCompileHugeMethods"})
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
public class InstantiateBenchmark {

    @Param({"plain", "image"})
    public String memory;

    private PreparedKernel prepared;
    private InstrumentedKernel kernel;
    private ImportValues imports;

    @Setup
    public void setup() {
        kernel = Instrumenter.instrument(KernelValidator.validate(BigKernel.wasm(), PvmVersion.DEFAULT),
                PvmVersion.DEFAULT.maxCallDepth() - 1);
        prepared = "plain".equals(memory)
                ? ChicoryEngine.COMPILER.preparePlain(kernel.wasm())
                : ChicoryEngine.COMPILER.prepare(kernel.wasm());
        imports = BenchKernel.imports(new byte[1][]);
    }

    @Benchmark
    public Instance instantiate() {
        return prepared.instantiate(imports, kernel.gasGlobal(), 1_000_000, 16_384);
    }

    @Benchmark
    public Instance instantiateAndRun() {
        Instance i = prepared.instantiate(imports, kernel.gasGlobal(), 1_000_000, 16_384);
        i.export("kernel_run").apply();
        return i;
    }
}
