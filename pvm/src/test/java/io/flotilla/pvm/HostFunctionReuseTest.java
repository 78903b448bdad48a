package io.flotilla.pvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.Instance;
import io.flotilla.pvm.KernelRunReport.Outcome;
import io.flotilla.pvm.engine.ChicoryEngine;
import io.flotilla.pvm.host.RollupMetadata;
import io.flotilla.pvm.reveal.PreimageSource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The host functions (and their import list) of a prepared kernel are built once and reused by its kernel_runs, each
 * run binding its own context. Reuse must be invisible: the states are those of runs that each built fresh host
 * functions (a kernel cache of their own), across rollups, kernel upgrades, traps and concurrent runs.
 */
class HostFunctionReuseTest {

    private static Pvm pvm(ChicoryEngine engine, KernelCache cache) {
        PvmConfig d = PvmConfig.defaults();
        return new Pvm(new PvmConfig(engine, d.gasPerKernelRun(), d.maxMemoryPages(), cache),
                PreimageSource.none(), RollupMetadata.DEFAULT);
    }

    private static KernelCache.Entry entry(KernelCache cache, String kernel, ChicoryEngine engine) {
        return cache.get(TestKernels.wasm(kernel), PvmVersion.V2_0_0_R5, engine);
    }

    /** Level {@code level}'s input for a rollup: the upgrade kernel gets the counter kernel at level 3. */
    private static LevelInput input(String kernel, int level) {
        byte[] payload = kernel.equals("upgrade") && level == 3
                ? TestKernels.wasm("counter")
                : ("m" + level).getBytes(StandardCharsets.UTF_8);
        return LevelInput.ofExternal(level, List.of(payload));
    }

    @ParameterizedTest
    @EnumSource(ChicoryEngine.class)
    void rollupsInterleavedOnSharedHostFunctionsReachTheStatesOfFreshOnes(ChicoryEngine engine) {
        KernelCache shared = new KernelCache(8);
        Pvm pvm = pvm(engine, shared);
        // echo twice (two rollups on one entry), a kernel that upgrades itself to the counter, a trapping kernel
        List<String> kernels = List.of("echo", "echo", "upgrade", "trap");
        List<PvmState> states = new ArrayList<>();
        for (String k : kernels) {
            states.add(PvmState.originate(TestKernels.wasm(k), PvmVersion.V2_0_0_R5));
        }
        boolean trapped = false;
        for (int level = 1; level <= 8; level++) {
            for (int i = 0; i < kernels.size(); i++) {
                LevelInput in = input(kernels.get(i), level);
                LevelResult reused = pvm.runLevel(states.get(i), in);
                LevelResult fresh = pvm(engine, new KernelCache(8)).runLevel(states.get(i), in);
                assertEquals(fresh.state().hash(), reused.state().hash(), kernels.get(i) + " #" + i + " at level " + level);
                assertEquals(fresh.outbox().size(), reused.outbox().size());
                trapped |= reused.runs().stream().anyMatch(r -> r.outcome() == Outcome.TRAP);
                states.set(i, reused.state());
            }
        }
        assertTrue(trapped, "the trap kernel trapped");
        // the upgrade installed the counter: the counter's entry served its runs
        assertTrue(states.get(2).durable().hasValue(io.flotilla.pvm.durable.DurableKey.parse("/counter")));
        // one run at a time: each entry built its host functions once
        for (String k : List.of("echo", "upgrade", "trap", "counter")) {
            assertEquals(1, entry(shared, k, engine).hosts().created(), k);
        }
    }

    @Test
    void anInstanceKeptPastItsRunCannotReachThatRunsContext() {
        KernelCache cache = new KernelCache(8);
        Pvm pvm = pvm(ChicoryEngine.COMPILER, cache);
        PvmState s = PvmState.originate(TestKernels.wasm("echo"), PvmVersion.V2_0_0_R5);
        LevelExecution level = pvm.begin(s, LevelInput.ofExternal(1, List.of("hello".getBytes(StandardCharsets.UTF_8))))
                .keepInstance(true);
        LevelResult r = level.finish();
        Instance kept = level.lastInstance().orElseThrow();
        // the instance's imports are the entry's reused host functions, unbound once the run ended
        RuntimeException e = assertThrows(RuntimeException.class, () -> kept.export("kernel_run").apply());
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        assertInstanceOf(IllegalStateException.class, root, e.toString());
        // nothing reached the level's context: the level's outbox and the next level are as without the call
        assertEquals(1, level.outbox().size());
        LevelResult next = pvm.runLevel(r.state(), LevelInput.ofExternal(2, List.of()));
        LevelResult nextFresh = pvm(ChicoryEngine.COMPILER, new KernelCache(8)).runLevel(r.state(),
                LevelInput.ofExternal(2, List.of()));
        assertEquals(nextFresh.state().hash(), next.state().hash());
    }

    @Test
    void concurrentRunsOfOneKernelEachGetTheirOwnHostFunctions() throws Exception {
        KernelCache shared = new KernelCache(8);
        PvmThreads threads = new PvmThreads(4);
        PvmConfig d = PvmConfig.defaults();
        Pvm pvm = new Pvm(new PvmConfig(ChicoryEngine.COMPILER, d.gasPerKernelRun(), d.maxMemoryPages(), shared),
                PreimageSource.none(), RollupMetadata.DEFAULT, threads);
        int rollups = 8;
        int levels = 6;
        ExecutorService callers = Executors.newFixedThreadPool(rollups);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < rollups; i++) {
                int rollup = i;
                results.add(callers.submit(() -> {
                    PvmState s = PvmState.originate(TestKernels.wasm("echo"), PvmVersion.V2_0_0_R5);
                    for (int level = 1; level <= levels; level++) {
                        s = pvm.runLevel(s, LevelInput.ofExternal(level,
                                List.of(("rollup " + rollup + " level " + level).getBytes(StandardCharsets.UTF_8)))).state();
                    }
                    return s.hash().hex();
                }));
            }
            for (int i = 0; i < rollups; i++) {
                // the same rollup alone, with host functions of its own
                Pvm alone = pvm(ChicoryEngine.COMPILER, new KernelCache(8));
                PvmState s = PvmState.originate(TestKernels.wasm("echo"), PvmVersion.V2_0_0_R5);
                for (int level = 1; level <= levels; level++) {
                    s = alone.runLevel(s, LevelInput.ofExternal(level,
                            List.of(("rollup " + i + " level " + level).getBytes(StandardCharsets.UTF_8)))).state();
                }
                assertEquals(s.hash().hex(), results.get(i).get(2, TimeUnit.MINUTES), "rollup " + i);
            }
        } finally {
            callers.shutdownNow();
            threads.shutdown();
        }
        KernelCache.Entry echo = entry(shared, "echo", ChicoryEngine.COMPILER);
        assertNotNull(echo.hosts());
        // never more host function sets than runs at once (at most one per rollup here)
        int created = echo.hosts().created();
        assertTrue(created >= 1 && created <= rollups, "created " + created);
    }
}
