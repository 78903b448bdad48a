package io.flotilla.loadtests.pvm;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import io.flotilla.pvm.KernelFiles;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.engine.ChicoryEngine;
import io.flotilla.pvm.engine.PreparedKernel;
import io.flotilla.pvm.wasm.InstrumentedKernel;
import io.flotilla.pvm.wasm.Instrumenter;
import io.flotilla.pvm.wasm.KernelValidator;
import io.flotilla.pvm.wasm.ValidatedKernel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

/**
 * The compute benchmark kernel ({@code /bench/bench.wat}) and the ways the benchmarks run it.
 * The kernel reads its workload size (rounds, sieve bytes) from memory words 0 and 4 and publishes
 * a 12-byte result with {@code write_output}; see the WAT file for the algorithm.
 */
public final class BenchKernel {

    /** Rounds and sieve size the native/V8/compiler runs use (about 60 ms natively). */
    public static final int DEFAULT_ROUNDS = 40;
    public static final int DEFAULT_N = 262_144;

    /** How the kernel is run. */
    public enum Mode {
        /** Chicory's interpreter on the instrumented (metered) module, as the PVM's reference engine runs it. */
        INTERPRETER,
        /** Chicory's compiler on the validated but uninstrumented module: no metering. */
        COMPILER,
        /** Chicory's compiler on the instrumented module, as the PVM runs kernels. */
        METERED
    }

    private static final long BUDGET = Long.MAX_VALUE / 2;

    private BenchKernel() {}

    public static String source() {
        try (InputStream in = BenchKernel.class.getResourceAsStream("/bench/bench.wat")) {
            if (in == null) {
                throw new IllegalStateException("bench/bench.wat missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The kernel as written (no metering): what gcc's and V8's numbers compare against.
     * {@code -Dbench.kernel=huge} selects {@link HugeKernel} instead (one function above the JVM's
     * huge-method limit once compiled; not for gcc/node).
     */
    public static byte[] wasm() {
        if ("huge".equals(System.getProperty("bench.kernel"))) {
            return KernelFiles.fromText(HugeKernel.wat(), "huge.wat");
        }
        return KernelFiles.fromText(source(), "bench.wat");
    }

    public static ValidatedKernel validated() {
        return KernelValidator.validate(wasm(), PvmVersion.DEFAULT);
    }

    public static InstrumentedKernel instrumented() {
        return Instrumenter.instrument(validated(), PvmVersion.DEFAULT.maxCallDepth() - 1);
    }

    /** One instance of the kernel in the given mode, ready for repeated {@link #run}s. */
    public static final class Runner {
        private final Mode mode;
        private final Instance instance;
        private final int gasGlobal;
        private final byte[][] output = new byte[1][];

        public Runner(Mode mode) {
            this(mode, true);
        }

        /**
         * @param memoryImage run on the PVM's copy-on-write image memory ({@code ChicoryEngine.prepare})
         *                    rather than Chicory's default memory ({@code preparePlain})
         */
        public Runner(Mode mode, boolean memoryImage) {
            this.mode = mode;
            PreparedKernel prepared;
            byte[] module;
            ChicoryEngine engine = mode == Mode.INTERPRETER ? ChicoryEngine.INTERPRETER : ChicoryEngine.COMPILER;
            if (mode == Mode.COMPILER) {
                module = validated().bytes();
                gasGlobal = -1;
            } else {
                InstrumentedKernel ik = instrumented();
                module = ik.wasm();
                gasGlobal = ik.gasGlobal();
            }
            prepared = memoryImage ? engine.prepare(module) : engine.preparePlain(module);
            instance = prepared.instantiate(imports(output), gasGlobal, BUDGET, 64);
        }

        public Mode mode() {
            return mode;
        }

        /** Runs kernel_run once and returns the 12 bytes it published. */
        public byte[] run(int rounds, int n) {
            instance.memory().writeI32(0, rounds);
            instance.memory().writeI32(4, n);
            if (gasGlobal >= 0) {
                instance.global(gasGlobal).setValue(BUDGET);
            }
            output[0] = null;
            instance.export("kernel_run").apply();
            if (output[0] == null) {
                throw new IllegalStateException("kernel_run published nothing");
            }
            return output[0];
        }

        /** Gas used by the last run (metered modes only). */
        public long gasUsed() {
            return gasGlobal < 0 ? -1 : BUDGET - instance.global(gasGlobal).getValue();
        }
    }

    /** {@code write_output} captures its bytes; every other host function is absent. */
    static ImportValues imports(byte[][] sink) {
        var writeOutput = new HostFunction(PvmVersion.HOST_MODULE, "write_output",
                FunctionType.of(List.of(ValType.I32, ValType.I32), List.of(ValType.I32)),
                (inst, args) -> {
                    sink[0] = inst.memory().readBytes((int) args[0], (int) args[1]);
                    return new long[] {0};
                });
        return ImportValues.builder().addFunction(writeOutput).build();
    }

    public static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /**
     * {@code BenchKernel write FILE}: writes the uninstrumented kernel (for node).
     * {@code BenchKernel run MODE [rounds] [n] [repeats]}: quick timing without JMH.
     */
    public static void main(String[] args) throws IOException {
        if (args.length >= 2 && args[0].equals("write")) {
            Files.write(Path.of(args[1]), wasm());
            return;
        }
        if (args.length >= 2 && args[0].equals("run")) {
            Mode mode = Mode.valueOf(args[1].toUpperCase());
            int rounds = args.length > 2 ? Integer.parseInt(args[2]) : DEFAULT_ROUNDS;
            int n = args.length > 3 ? Integer.parseInt(args[3]) : DEFAULT_N;
            int repeats = args.length > 4 ? Integer.parseInt(args[4]) : 10;
            Runner r = new Runner(mode, !Boolean.getBoolean("bench.plainMemory"));
            for (int i = 0; i < repeats; i++) {
                long t0 = System.nanoTime();
                byte[] out = r.run(rounds, n);
                System.out.printf("%s %s %.3f ms gas=%d%n", mode, hex(out), (System.nanoTime() - t0) / 1e6, r.gasUsed());
            }
            return;
        }
        System.err.println("usage: BenchKernel write FILE | run MODE [rounds] [n] [repeats]");
        System.exit(2);
    }
}
