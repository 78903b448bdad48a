package io.flotilla.loadtests.pvm;

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
 * One {@code kernel_run} of the compute benchmark kernel on a warm instance.
 * <ul>
 *   <li>{@code mode=INTERPRETER}: Chicory's interpreter on the metered module (use few rounds);</li>
 *   <li>{@code mode=COMPILER}: Chicory's compiler on the unmetered module;</li>
 *   <li>{@code mode=METERED}: Chicory's compiler on the metered module, as the PVM runs kernels.</li>
 * </ul>
 * {@code memory=image} is the PVM's copy-on-write memory, {@code plain} Chicory's default memory.
 * Run through {@code bench-pvm.sh} (or {@code java -cp ... org.openjdk.jmh.Main KernelRunBenchmark}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xss4m", "-Xmx2g", "-XX:-DontCompileHugeMethods"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class KernelRunBenchmark {

    @Param({"METERED", "COMPILER"})
    public String mode;

    @Param({"40"})
    public int rounds;

    @Param({"262144"})
    public int n;

    @Param({"image"})
    public String memory;

    private BenchKernel.Runner runner;

    @Setup
    public void setup() {
        runner = new BenchKernel.Runner(BenchKernel.Mode.valueOf(mode), !"plain".equals(memory));
        runner.run(1, n); // compiles everything once
    }

    @Benchmark
    public byte[] kernelRun() {
        return runner.run(rounds, n);
    }
}
