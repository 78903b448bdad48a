package io.flotilla.pvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flotilla.pvm.engine.ChicoryEngine;
import io.flotilla.pvm.host.RollupMetadata;
import io.flotilla.pvm.reveal.PreimageSource;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The kernel cache knows a stored kernel by the Merkle hash of its durable value: each kernel is prepared once, the
 * later kernel_runs are hits, and two kernels never share an entry (the states are those of a cache-less run).
 */
class KernelCacheTest {

    private static Pvm pvm(KernelCache cache) {
        PvmConfig d = PvmConfig.defaults();
        return new Pvm(new PvmConfig(ChicoryEngine.COMPILER, d.gasPerKernelRun(), d.maxMemoryPages(), cache),
                PreimageSource.none(), RollupMetadata.DEFAULT);
    }

    private static PvmState run(Pvm pvm, String kernel, int levels) {
        PvmState s = PvmState.originate(TestKernels.wasm(kernel), PvmVersion.V2_0_0_R5);
        for (int level = 1; level <= levels; level++) {
            s = pvm.runLevel(s, LevelInput.ofExternal(level,
                    List.of(("m" + level).getBytes(StandardCharsets.UTF_8)))).state();
        }
        return s;
    }

    @Test
    void eachKernelIsPreparedOnceAndKernelsNeverShareAnEntry() {
        KernelCache shared = new KernelCache(8);
        Pvm pvm = pvm(shared);
        PvmState echo = run(pvm, "echo", 3);
        PvmState counter = run(pvm, "counter", 3);
        assertEquals(2, shared.misses(), "one preparation per kernel");
        assertEquals(true, shared.hits() > 10, "every later kernel_run is a hit: " + shared.hits());

        // the same runs, each on a cache of its own, give the same states
        assertEquals(run(pvm(new KernelCache(8)), "echo", 3).hash(), echo.hash());
        assertEquals(run(pvm(new KernelCache(8)), "counter", 3).hash(), counter.hash());
        // and the byte-array form of the cache finds the entries the stored form made
        long misses = shared.misses();
        shared.get(TestKernels.wasm("echo"), PvmVersion.V2_0_0_R5, ChicoryEngine.COMPILER);
        assertEquals(misses, shared.misses());
    }
}
