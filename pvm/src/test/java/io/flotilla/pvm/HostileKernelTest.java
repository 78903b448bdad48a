package io.flotilla.pvm;

import static io.flotilla.pvm.Harness.*;
import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.pvm.KernelRunReport.Outcome;
import io.flotilla.pvm.engine.ChicoryEngine;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Hostile kernels are contained: each ends in a clear outcome and none takes the JVM down. */
class HostileKernelTest {

    @ParameterizedTest
    @EnumSource(ChicoryEngine.class)
    void anInfiniteLoopIsStuckWithTooManyTicks(ChicoryEngine engine) {
        Pvm pvm = pvm(PvmConfig.defaults().withEngine(engine).withGas(1_000_000));
        LevelResult r = pvm.runLevel(PvmState.originate(TestKernels.wasm("loop"), PvmVersion.V2_0_0_R5), empty(1));
        assertEquals(1, r.kernelRuns());
        KernelRunReport run = r.runs().get(0);
        assertEquals(Outcome.STUCK, run.outcome());
        assertEquals("Too_many_ticks", run.detail());
        assertEquals(Optional.of("Too_many_ticks"), r.state().stuck());
        assertEquals(1_000_000, run.gasUsed());
        // later levels do nothing
        LevelResult r2 = pvm.runLevel(r.state(), empty(2));
        assertEquals(0, r2.kernelRuns());
        assertEquals(r.state().hash(), r2.state().hash());
    }

    static LevelResult recurse(ChicoryEngine engine, PvmVersion version, int depth) {
        PvmState s = originate(TestKernels.wasm("recursion"), version, Map.of("/depth", le32(depth)));
        return pvm(engine).runLevel(s, empty(1));
    }

    /** kernel_run + $down(D) ... $down(0): D + 2 frames; Octez refuses the frame that reaches the limit. */
    @ParameterizedTest
    @EnumSource(ChicoryEngine.class)
    void callStackLimitIs300FramesIn2_0_0(ChicoryEngine engine) {
        LevelResult ok = recurse(engine, PvmVersion.V2_0_0, 297);
        assertEquals(Outcome.OK, ok.runs().get(0).outcome(), () -> ok.runs().toString());
        assertArrayEquals(le32(297), bytes(ok.state(), "/reached"));

        LevelResult deep = recurse(engine, PvmVersion.V2_0_0, 298);
        assertEquals(Outcome.STUCK, deep.runs().get(0).outcome());
        assertEquals(Optional.of("Eval_error: call stack exhausted"), deep.state().stuck());
        assertFalse(has(deep.state(), "/reached"));
    }

    @ParameterizedTest
    @EnumSource(ChicoryEngine.class)
    void callStackLimitIs60000FramesFrom2_0_0_r1WithoutJvmStackOverflow(ChicoryEngine engine) {
        LevelResult ok = recurse(engine, PvmVersion.V2_0_0_R1, 59_997);
        assertEquals(Outcome.OK, ok.runs().get(0).outcome(), () -> ok.runs().toString());
        assertArrayEquals(le32(59_997), bytes(ok.state(), "/reached"));

        LevelResult deep = recurse(engine, PvmVersion.V2_0_0_R5, 59_998);
        assertEquals(Outcome.STUCK, deep.runs().get(0).outcome(), () -> deep.runs().toString());
        assertEquals(Optional.of("Eval_error: call stack exhausted"), deep.state().stuck());

        LevelResult endless = recurse(engine, PvmVersion.V2_0_0_R5, -1);
        assertEquals(Optional.of("Eval_error: call stack exhausted"), endless.state().stuck());
    }

    @ParameterizedTest
    @EnumSource(ChicoryEngine.class)
    void memoryGrowStopsAtTheConfiguredLimit(ChicoryEngine engine) {
        Pvm pvm = pvm(PvmConfig.defaults().withEngine(engine).withMaxMemoryPages(64));
        LevelResult r = pvm.runLevel(PvmState.originate(TestKernels.wasm("memgrow"), PvmVersion.V2_0_0_R5), empty(1));
        assertEquals(Outcome.OK, r.runs().get(0).outcome(), () -> r.runs().toString());
        assertArrayEquals(new long[] {63, 64, -1, -1, 64}, results(r.state()));
    }

    static final String GROW = "(module (import \"smart_rollup_core\" \"store_write\" (func $store_write (param i32 i32 i32 i32 i32) (result i32)))"
            + " (memory (export \"memory\") %s)\n" + TestKernels.source("include/results")
            + " (func (export \"kernel_run\") %s))";

    @ParameterizedTest
    @EnumSource(ChicoryEngine.class)
    void hugeGrowRequestsFailWithoutAllocating(ChicoryEngine engine) {
        // the default limit (1 GiB): asking for it all, or for Octez's 4 GiB, returns -1 at once
        byte[] k = TestKernels.compile(GROW.formatted("1", "(call $r32 (memory.grow (i32.const 16384)))"
                + " (call $r32 (memory.grow (i32.const 65536))) (call $r32 (memory.grow (i32.const 65535)))"
                + " (call $r32 (memory.size))"), "grow");
        LevelResult r = pvm(engine).runLevel(PvmState.originate(k, PvmVersion.V2_0_0_R5), empty(1));
        assertArrayEquals(new long[] {-1, -1, -1, 1}, results(r.state()));
    }

    @ParameterizedTest
    @EnumSource(ChicoryEngine.class)
    void theModulesDeclaredMaximumAlsoBindsGrow(ChicoryEngine engine) {
        byte[] k = TestKernels.compile(GROW.formatted("1 2", "(call $r32 (memory.grow (i32.const 2)))"
                + " (call $r32 (memory.grow (i32.const 1))) (call $r32 (memory.grow (i32.const 1)))"), "grow2");
        LevelResult r = pvm(engine).runLevel(PvmState.originate(k, PvmVersion.V2_0_0_R5), empty(1));
        assertArrayEquals(new long[] {-1, 1, -1}, results(r.state()));
    }

    @Test
    void anInitialMemoryBeyondTheLimitIsRefused() {
        byte[] k = TestKernels.compile("(module (memory (export \"memory\") 100) (func (export \"kernel_run\")))", "big");
        Pvm pvm = pvm(PvmConfig.defaults().withMaxMemoryPages(64));
        LevelResult r = pvm.runLevel(PvmState.originate(k, PvmVersion.V2_0_0_R5), empty(1));
        assertEquals(Outcome.STUCK, r.runs().get(0).outcome());
        assertTrue(r.state().stuck().orElseThrow().startsWith("No_fallback_kernel"));
    }

    /** A kernel_run of 100,001 instructions: too large for one JVM method, so the compiler falls back. */
    static byte[] huge() {
        StringBuilder wat = new StringBuilder("(module (import \"smart_rollup_core\" \"store_write\" "
                + "(func $w (param i32 i32 i32 i32 i32) (result i32))) (memory (export \"memory\") 1)"
                + " (data (i32.const 0) \"/sum\") (func (export \"kernel_run\") (i32.store (i32.const 16) (i32.const 0)");
        for (int i = 0; i < 50_000; i++) {
            wat.append(" i32.const 1 i32.add");
        }
        wat.append(") (drop (call $w (i32.const 0) (i32.const 4) (i32.const 0) (i32.const 16) (i32.const 4)))))");
        // written as a flat instruction sequence: the store's value is 0 + 1 + 1 ...
        return TestKernels.compile(wat.toString().replace("(i32.store (i32.const 16) (i32.const 0)",
                "i32.const 16 i32.const 0").replace("i32.add) (drop", "i32.add i32.store (drop"), "huge");
    }

    @Test
    void aHugeFunctionRunsAlikeInBothEngines() {
        byte[] k = huge();
        PvmState s = PvmState.originate(k, PvmVersion.V2_0_0_R5);
        LevelResult a = pvm(ChicoryEngine.INTERPRETER).runLevel(s, empty(1));
        LevelResult b = pvm(ChicoryEngine.COMPILER).runLevel(s, empty(1));
        assertEquals(Outcome.OK, a.runs().get(0).outcome(), () -> a.runs().toString());
        assertEquals(Outcome.OK, b.runs().get(0).outcome(), () -> b.runs().toString());
        assertArrayEquals(le32(50_000), bytes(a.state(), "/sum"));
        assertEquals(a.state().hash(), b.state().hash());
        assertEquals(a.runs().get(0).gasUsed(), b.runs().get(0).gasUsed());
        assertTrue(a.runs().get(0).gasUsed() > 100_000);
    }

    /** Mutated kernels and random bytes: whatever they do, both engines agree and nothing escapes. */
    @Test
    void mutatedAndRandomKernelsAreContainedAndEnginesAgree() {
        byte[] echo = TestKernels.wasm("echo");
        Random rnd = new Random(7);
        Pvm interp = pvm(PvmConfig.defaults().withEngine(ChicoryEngine.INTERPRETER).withGas(2_000_000));
        Pvm comp = pvm(PvmConfig.defaults().withEngine(ChicoryEngine.COMPILER).withGas(2_000_000));
        for (int i = 0; i < 40; i++) {
            byte[] k;
            if (i < 30) {
                k = echo.clone();
                for (int j = 0; j <= i % 3; j++) {
                    k[8 + rnd.nextInt(k.length - 8)] = (byte) rnd.nextInt(256);
                }
            } else {
                k = new byte[8 + rnd.nextInt(500)];
                rnd.nextBytes(k);
                System.arraycopy(echo, 0, k, 0, 8); // a valid header, random sections
            }
            PvmState s = PvmState.originate(k, PvmVersion.V2_0_0_R5);
            LevelInput in = LevelInput.ofExternal(1, List.of(new byte[] {1, 2, 3}));
            LevelResult a = interp.runLevel(s, in);
            LevelResult b = comp.runLevel(s, in);
            int n = i;
            assertEquals(a.state().hash(), b.state().hash(), () -> "kernel " + n + ": " + a.runs() + " vs " + b.runs());
            assertEquals(a.runs().stream().map(KernelRunReport::gasUsed).toList(),
                    b.runs().stream().map(KernelRunReport::gasUsed).toList());
        }
    }
}
