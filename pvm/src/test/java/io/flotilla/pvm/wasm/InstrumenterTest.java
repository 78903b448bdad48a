package io.flotilla.pvm.wasm;

import static io.flotilla.pvm.wasm.WasmTestSupport.instantiate;
import static io.flotilla.pvm.wasm.WasmTestSupport.onBigStack;
import static io.flotilla.pvm.wasm.WasmTestSupport.watResource;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.wasm.WasmTestSupport.Engine;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class InstrumenterTest {
    static final int MAX_DEPTH = 1000;
    static final long BUDGET = 1_000_000_000L;
    static final byte[] PROGRAMS = watResource("programs.wat");
    static final InstrumentedKernel KERNEL =
            Instrumenter.instrument(KernelValidator.validate(PROGRAMS, PvmVersion.DEFAULT), MAX_DEPTH);

    /** The outcome of one call in one engine. */
    record Run(long[] result, long gasLeft, int depth, int status, int counter, List<String> hostCalls, RuntimeException trap) {}

    static Run run(byte[] wasm, Engine engine, long budget, long writeDebugCost, String fn, long... args) {
        return onBigStack(() -> {
            List<String> log = new ArrayList<>();
            Instance inst = instantiate(wasm, engine, log, writeDebugCost);
            boolean instrumented = WasmTestSupport.gasGlobal(inst) != null;
            if (instrumented) {
                inst.exports().global(InstrumentedKernel.GAS_EXPORT).setValue(budget);
            }
            long[] result = null;
            RuntimeException trap = null;
            try {
                result = inst.export(fn).apply(args);
            } catch (RuntimeException e) {
                trap = e;
            }
            int counter = (int) inst.exports().global("counter").getValue();
            if (!instrumented) {
                return new Run(result, 0, 0, 0, counter, log, trap);
            }
            return new Run(result,
                    inst.exports().global(InstrumentedKernel.GAS_EXPORT).getValue(),
                    (int) inst.exports().global(InstrumentedKernel.DEPTH_EXPORT).getValue(),
                    (int) inst.exports().global(InstrumentedKernel.STATUS_EXPORT).getValue(),
                    counter, log, trap);
        });
    }

    static Map<Engine, Run> runBoth(InstrumentedKernel k, long budget, String fn, long... args) {
        Map<Engine, Run> r = new EnumMap<>(Engine.class);
        for (Engine e : Engine.values()) {
            r.put(e, run(k.wasm(), e, budget, WasmTestSupport.WRITE_DEBUG_COST, fn, args));
        }
        return r;
    }

    static Stream<Arguments> calls() {
        List<Arguments> a = new ArrayList<>();
        for (long n : new long[] {0, 1, 2, 100, 5000}) {
            a.add(Arguments.of("sum", new long[] {n}));
        }
        for (long x = 0; x <= 12; x++) {
            a.add(Arguments.of("classify", new long[] {x}));
        }
        for (long x : new long[] {0, 1, 2, 5, -1}) {
            a.add(Arguments.of("brtab_fn", new long[] {x}));
        }
        for (long n : new long[] {0, 1, 2, 49, 50, 10000}) {
            a.add(Arguments.of("find", new long[] {n}));
        }
        for (long n : new long[] {0, 1, 2, 10, 20}) {
            a.add(Arguments.of("fib", new long[] {n}));
        }
        for (long n : new long[] {0, 1, 500, MAX_DEPTH - 1}) {
            a.add(Arguments.of("down", new long[] {n}));
        }
        for (long f = 0; f < 4; f++) {
            a.add(Arguments.of("apply", new long[] {f, 9}));
        }
        for (long n : new long[] {0, 1, 7}) {
            a.add(Arguments.of("log", new long[] {n}));
        }
        for (long x : new long[] {0, 1, 49, 50, 51, 100, 101, 1000}) {
            a.add(Arguments.of("misc", new long[] {x}));
        }
        for (long x : new long[] {0, 1, 7}) {
            a.add(Arguments.of("outer", new long[] {x}));
        }
        for (long x : new long[] {0, 1, 127, 128, 255, 0x7FFF, 0x8000, 0xFFFF, 0x7FFF_FFFFL, 0x8000_0000L,
                                  -1, 0x1234_5678_9ABC_DEF0L, 0x8080_8080_8080_8080L}) {
            a.add(Arguments.of("sext", new long[] {x}));
        }
        for (long[] f : new long[][] {{0, 0xAB, 0}, {10, 0x1FF, 100}, {65536 - 16, 3, 16}, {0, 1, 65536}, {65536, 9, 0}, {7, -2, 1}}) {
            a.add(Arguments.of("fill", f));
        }
        for (long[] c : new long[][] {{100, 0, 200}, {0, 100, 200}, {50, 0, 300}, {0, 50, 300}, {300, 200, 100}, {0, 0, 0}, {65000, 0, 536}}) {
            a.add(Arguments.of("copy", c));
        }
        for (long k : new long[] {0, 1, 2, 5, 30}) {
            a.add(Arguments.of("bulkmix", new long[] {k}));
        }
        a.add(Arguments.of("three", new long[0]));
        a.add(Arguments.of("count", new long[] {5}));
        a.add(Arguments.of("kernel_run", new long[0]));
        return a.stream();
    }

    @ParameterizedTest(name = "{0}{1}")
    @MethodSource("calls")
    void instrumentedRunsLikeOriginalInBothEngines(String fn, long[] args) {
        Run original = run(PROGRAMS, Engine.INTERPRETER, 0, 0, fn, args);
        if (original.trap() != null) {
            throw original.trap();
        }
        Map<Engine, Run> runs = runBoth(KERNEL, BUDGET, fn, args);
        for (Map.Entry<Engine, Run> e : runs.entrySet()) {
            Run r = e.getValue();
            if (r.trap() != null) {
                throw new AssertionError(e.getKey() + " trapped", r.trap());
            }
            assertArrayEquals(original.result(), r.result(), e.getKey() + " result");
            assertEquals(original.counter(), r.counter(), e.getKey() + " module global");
            assertEquals(original.hostCalls(), r.hostCalls(), e.getKey() + " host calls");
            assertEquals(0, r.depth(), e.getKey() + " depth after return");
            assertEquals(InstrumentedKernel.STATUS_OK, r.status(), e.getKey() + " status");
            assertTrue(r.gasLeft() < BUDGET, e.getKey() + " charged nothing");
        }
        assertEquals(runs.get(Engine.INTERPRETER).gasLeft(), runs.get(Engine.COMPILER).gasLeft(), "gas differs between engines");
    }

    @Test
    void gasIsTheNumberOfInstructionsExecuted() {
        for (Engine e : Engine.values()) {
            assertEquals(4, BUDGET - run(KERNEL.wasm(), e, BUDGET, 0, "three").gasLeft(), e.name());
            for (int n = 1; n <= 20; n++) {
                assertEquals(6L * n + 3, BUDGET - run(KERNEL.wasm(), e, BUDGET, 0, "count", n).gasLeft(), e + " count " + n);
            }
            assertEquals(1, BUDGET - run(KERNEL.wasm(), e, BUDGET, 0, "kernel_run").gasLeft(), e.name());
        }
    }

    @Test
    void hostFunctionsChargeTheGasGlobal() {
        for (Engine e : Engine.values()) {
            long free = run(KERNEL.wasm(), e, BUDGET, 0, "log", 7).gasLeft();
            long charged = run(KERNEL.wasm(), e, BUDGET, 1000, "log", 7).gasLeft();
            assertEquals(7 * 1000, free - charged, e.name());
        }
    }

    @Test
    void hostChargeBelowZeroStopsAtTheNextSegment() {
        for (Engine e : Engine.values()) {
            Run r = run(KERNEL.wasm(), e, 500, 1000, "log", 7);
            assertNotNull(r.trap(), e.name());
            assertEquals(InstrumentedKernel.STATUS_OUT_OF_GAS, r.status(), e.name());
            assertEquals(1, r.hostCalls().size(), e.name());
            assertTrue(r.gasLeft() < 0, e.name());
        }
    }

    @Test
    void infiniteLoopRunsOutOfGasIdenticallyInBothEngines() {
        for (long budget : new long[] {0, 1, 2, 1000, 123_457}) {
            Map<Engine, Run> runs = runBoth(KERNEL, budget, "spin");
            for (Map.Entry<Engine, Run> e : runs.entrySet()) {
                Run r = e.getValue();
                assertNotNull(r.trap(), e.getKey() + " did not trap");
                assertEquals(InstrumentedKernel.STATUS_OUT_OF_GAS, r.status(), e.getKey().name());
                // every iteration costs 1 (the br); the loop header costs 1: the trap leaves -1
                assertEquals(-1, r.gasLeft(), e.getKey().name());
                assertEquals(1, r.depth(), e.getKey() + ": depth is left as it was at the trap");
            }
        }
    }

    @Test
    void outOfGasInTheMiddleOfRecursionIsDeterministic() {
        Map<Engine, Run> runs = runBoth(KERNEL, 10_000, "fib", 25);
        Run i = runs.get(Engine.INTERPRETER);
        Run c = runs.get(Engine.COMPILER);
        assertNotNull(i.trap());
        assertNotNull(c.trap());
        assertEquals(InstrumentedKernel.STATUS_OUT_OF_GAS, i.status());
        assertEquals(InstrumentedKernel.STATUS_OUT_OF_GAS, c.status());
        assertEquals(i.gasLeft(), c.gasLeft());
        assertEquals(i.depth(), c.depth());
        assertTrue(i.gasLeft() < 0);
    }

    @Test
    void deepRecursionStopsAtMaxCallDepthPlusOneFrames() {
        Map<Engine, Run> runs = runBoth(KERNEL, BUDGET, "rec");
        for (Map.Entry<Engine, Run> e : runs.entrySet()) {
            Run r = e.getValue();
            assertNotNull(r.trap(), e.getKey().name());
            assertEquals(InstrumentedKernel.STATUS_CALL_DEPTH, r.status(), e.getKey().name());
            assertEquals(MAX_DEPTH, r.counter(), e.getKey() + ": frames that passed the prologue");
            assertEquals(MAX_DEPTH, r.depth(), e.getKey().name());
        }
        assertEquals(runs.get(Engine.INTERPRETER).gasLeft(), runs.get(Engine.COMPILER).gasLeft());
        // down(n) needs n + 1 frames
        for (Engine e : Engine.values()) {
            Run ok = run(KERNEL.wasm(), e, BUDGET, 0, "down", MAX_DEPTH - 1);
            assertEquals(MAX_DEPTH - 1, ok.result()[0], e.name());
            assertEquals(0, ok.depth());
            Run tooDeep = run(KERNEL.wasm(), e, BUDGET, 0, "down", MAX_DEPTH);
            assertNotNull(tooDeep.trap(), e.name());
            assertEquals(InstrumentedKernel.STATUS_CALL_DEPTH, tooDeep.status(), e.name());
        }
    }

    @Test
    void versionCallDepthLimitIsEnforcedInBothEngines() {
        int limit = PvmVersion.DEFAULT.maxCallDepth();
        InstrumentedKernel k = Instrumenter.instrument(KernelValidator.validate(PROGRAMS, PvmVersion.DEFAULT), limit);
        for (Engine e : Engine.values()) {
            Run r = run(k.wasm(), e, BUDGET, 0, "rec");
            assertEquals(InstrumentedKernel.STATUS_CALL_DEPTH, r.status(), e.name());
            assertEquals(limit, r.counter(), e.name());
            Run ok = run(k.wasm(), e, BUDGET, 0, "down", limit - 1);
            assertEquals(limit - 1, ok.result()[0], e.name());
            assertEquals(0, ok.depth(), e.name());
        }
    }

    @Test
    void zeroCallDepthTrapsOnEntry() {
        InstrumentedKernel k = Instrumenter.instrument(KernelValidator.validate(PROGRAMS, PvmVersion.DEFAULT), 0);
        for (Engine e : Engine.values()) {
            Run r = run(k.wasm(), e, BUDGET, 0, "kernel_run");
            assertEquals(InstrumentedKernel.STATUS_CALL_DEPTH, r.status(), e.name());
            assertEquals(BUDGET, r.gasLeft(), e.name());
        }
    }

    @Test
    void instrumentedModuleKeepsIndicesExportsAndNames() {
        byte[] named = WasmTestSupport.named(WasmTestSupport.resource("programs.wat"));
        InstrumentedKernel k = Instrumenter.instrument(KernelValidator.validate(named, PvmVersion.DEFAULT), 10);
        WasmBinary before = WasmReader.read(named);
        WasmBinary after = WasmReader.read(k.wasm());
        assertEquals(before.functionCount(), after.functionCount());
        assertEquals(before.imports(), after.imports());
        assertEquals(before.functionNames(), after.functionNames());
        for (int i = 0; i < before.functionCount(); i++) {
            assertEquals(before.functionType(i), after.functionType(i));
        }
        assertEquals(before.globals().size() + 3, after.globals().size());
        assertEquals(k.gasGlobal(), before.globals().size());
        List<String> exports = after.exports().stream().map(WasmBinary.Export::name).toList();
        assertTrue(exports.containsAll(List.of("kernel_run", "memory", "__flotilla_gas", "__flotilla_depth", "__flotilla_status")));
        assertFalse(k.hasStartFunction());
        // the instrumented module passes Chicory's validator, and our own reader/validator again
        Parser.parse(k.wasm());
        assertThrows(KernelValidationException.class, () -> KernelValidator.validate(k.wasm(), PvmVersion.DEFAULT),
                "the instrumented module exports reserved names");
    }

    @Test
    void instrumentationIsAPureFunctionOfBytesAndDepth() {
        ValidatedKernel v = KernelValidator.validate(PROGRAMS, PvmVersion.DEFAULT);
        assertArrayEquals(Instrumenter.instrument(v, 77).wasm(), Instrumenter.instrument(v, 77).wasm());
        assertArrayEquals(KERNEL.wasm(),
                Instrumenter.instrument(KernelValidator.validate(PROGRAMS.clone(), PvmVersion.V2_0_0), MAX_DEPTH).wasm());
    }

    @Test
    void startFunctionIsExportedForTheHostToCall() {
        byte[] wasm = WasmTestSupport.wat("""
            (module (memory (export "memory") 1)
              (global $g (export "counter") (mut i32) (i32.const 0))
              (func $init (global.set $g (i32.const 42)))
              (start $init)
              (func (export "kernel_run")))
            """);
        InstrumentedKernel k = Instrumenter.instrument(KernelValidator.validate(wasm, PvmVersion.DEFAULT), 10);
        assertTrue(k.hasStartFunction());
        for (Engine e : Engine.values()) {
            Instance inst = instantiate(k.wasm(), e, null);
            assertEquals(0, inst.exports().global("counter").getValue(), "start did not run at instantiation");
            inst.exports().global(InstrumentedKernel.GAS_EXPORT).setValue(100);
            inst.export(InstrumentedKernel.START_EXPORT).apply();
            assertEquals(42, inst.exports().global("counter").getValue());
            assertEquals(100 - 3, inst.exports().global(InstrumentedKernel.GAS_EXPORT).getValue());
        }
    }

    // ------------------------------------------------------------------ bulk memory

    static long bulkCharge(long n) {
        return (n + Instrumenter.BULK_BYTES_PER_GAS - 1) / Instrumenter.BULK_BYTES_PER_GAS;
    }

    @Test
    void memoryFillAndCopyCostOnePlusOnePerEightBytesRoundedUp() {
        assertEquals(8, Instrumenter.BULK_BYTES_PER_GAS);
        for (Engine e : Engine.values()) {
            for (long n : new long[] {0, 1, 7, 8, 9, 15, 16, 17, 1000, 65535, 65536}) {
                // i32.const, i32.const, local.get, memory.fill, end: 5, plus ceil(n / 8)
                assertEquals(5 + bulkCharge(n), BUDGET - run(KERNEL.wasm(), e, BUDGET, 0, "filln", n).gasLeft(), e + " fill " + n);
                assertEquals(5 + bulkCharge(n), BUDGET - run(KERNEL.wasm(), e, BUDGET, 0, "copyn", n).gasLeft(), e + " copy " + n);
            }
        }
    }

    @Test
    void bulkLengthIsChargedAsUnsignedBeforeTheInstructionRuns() {
        // length 0xFFFFFFFF: 2^29 gas, charged before the (out of bounds) fill would trap
        long budget = 1L << 28;
        Map<Engine, Run> runs = runBoth(KERNEL, budget, "filln", -1);
        for (Map.Entry<Engine, Run> e : runs.entrySet()) {
            Run r = e.getValue();
            assertNotNull(r.trap(), e.getKey().name());
            assertEquals(InstrumentedKernel.STATUS_OUT_OF_GAS, r.status(), e.getKey().name());
            assertEquals(budget - 5 - (1L << 29), r.gasLeft(), e.getKey().name());
        }
        // with enough gas the charge passes and the engine traps (out of bounds), not the metering
        for (Engine e : Engine.values()) {
            Run r = run(KERNEL.wasm(), e, BUDGET, 0, "filln", -1);
            assertNotNull(r.trap(), e.name());
            assertEquals(InstrumentedKernel.STATUS_OK, r.status(), e.name());
            // memory.copy of 1 GiB in a 64 KiB memory: out of gas when the budget is below 2^27
            Run c = run(KERNEL.wasm(), e, 1000, 0, "copyn", 1 << 30);
            assertEquals(InstrumentedKernel.STATUS_OUT_OF_GAS, c.status(), e.name());
            assertEquals(1000 - 5 - (1L << 27), c.gasLeft(), e.name());
        }
    }

    static final byte[] FILL_LOOP = WasmTestSupport.wat("""
        (module
          (memory (export "memory") 256)
          (global $c (export "counter") (mut i32) (i32.const 0))
          (func (export "kernel_run"))
          ;; fills the whole 16 MiB memory again and again
          (func (export "fillloop")
            (loop $l
              (global.set $c (i32.add (global.get $c) (i32.const 1)))
              (memory.fill (i32.const 0) (global.get $c) (i32.const 16777216))
              (br $l))))
        """);

    @Test
    void loopOfLargeFillsRunsOutOfGasInProportionToTheBytes() {
        InstrumentedKernel k = Instrumenter.instrument(KernelValidator.validate(FILL_LOOP, PvmVersion.DEFAULT), MAX_DEPTH);
        long perFill = bulkCharge(16L << 20); // 2^21
        for (long budget : new long[] {0, 100, perFill, 10_000_000, 50_000_000}) {
            // the model: 'loop' costs 1 on entry; each iteration costs 9 (its segment), then the fill's length
            long gas = budget - 1;
            int fills = 0;
            if (gas >= 0) {
                while (true) {
                    gas -= 9;
                    if (gas < 0) {
                        break;
                    }
                    fills++; // the counter is incremented before the fill's charge
                    gas -= perFill;
                    if (gas < 0) {
                        break;
                    }
                }
            }
            Map<Engine, Run> runs = runBoth(k, budget, "fillloop");
            for (Map.Entry<Engine, Run> e : runs.entrySet()) {
                Run r = e.getValue();
                String what = e.getKey() + " budget " + budget;
                assertNotNull(r.trap(), what);
                assertEquals(InstrumentedKernel.STATUS_OUT_OF_GAS, r.status(), what);
                assertEquals(gas, r.gasLeft(), what);
                assertEquals(fills, r.counter(), what);
            }
            assertTrue(budget < 10_000_000 || fills >= 4, "several 16 MiB fills ran");
        }
    }
}
