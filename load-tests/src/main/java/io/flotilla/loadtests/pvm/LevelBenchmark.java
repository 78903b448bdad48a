package io.flotilla.loadtests.pvm;

import io.flotilla.pvm.LevelInput;
import io.flotilla.pvm.LevelResult;
import io.flotilla.pvm.Pvm;
import io.flotilla.pvm.PvmConfig;
import io.flotilla.pvm.PvmState;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.host.RollupMetadata;
import io.flotilla.pvm.reveal.PreimageSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
 * One bare echo level ({@code Pvm.runLevel}: Start_of_level, Info_per_level, one external message, End_of_level,
 * i.e. four kernel_runs, and the message written to the outbox) on a state that already keeps {@code kept} outbox
 * levels (one message each, as a long run of the echo kernel leaves). The state hash is not computed (as in the
 * fleet's bare baseline). Run with
 * {@code java -cp ... org.openjdk.jmh.Main LevelBenchmark} (the classpath of {@code bench-pvm.sh}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xss4m", "-Xmx2g", "-XX:-DontCompileHugeMethods"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LevelBenchmark {

    @Param({"10", "3000"})
    public int kept;

    private Pvm pvm;
    private PvmState state;
    private LevelInput next;

    @Setup
    public void setup() throws IOException {
        pvm = new Pvm(PvmConfig.defaults(), PreimageSource.none(), RollupMetadata.DEFAULT);
        state = LevelLoop.run(pvm, LevelLoop.kernel("echo"), kept, 1, 0, null);
        next = LevelInput.ofExternal(kept + 1, List.of(("level " + (kept + 1)).getBytes(StandardCharsets.UTF_8)));
    }

    @Benchmark
    public LevelResult echoLevel() {
        return pvm.runLevel(state, next);
    }
}
