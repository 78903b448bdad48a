package io.flotilla.pvm;

import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.pvm.engine.ChicoryEngine;
import io.flotilla.pvm.host.RollupMetadata;
import io.flotilla.pvm.reveal.PreimageSource;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EchoKernelTest {

    static Pvm pvm(ChicoryEngine engine) {
        return new Pvm(PvmConfig.defaults().withEngine(engine), PreimageSource.none(), RollupMetadata.DEFAULT);
    }

    @ParameterizedTest
    @EnumSource(ChicoryEngine.class)
    void echoesOneExternalMessagePerLevelWithOctezTicks(ChicoryEngine engine) {
        Pvm pvm = pvm(engine);
        PvmState s = PvmState.originate(TestKernels.wasm("echo"), PvmVersion.V2_0_0_R5);
        byte[] payload = "hello rollup".getBytes(StandardCharsets.UTF_8);

        LevelResult r = pvm.runLevel(s, LevelInput.ofExternal(1, List.of(payload)));

        // SOL, Info_per_level, the message, EOL: one kernel_run each
        assertEquals(4, r.kernelRuns(), () -> r.runs().toString());
        assertEquals(250_000_000_000_000L, r.ticks());
        assertEquals(1, r.outbox().size());
        assertArrayEquals(payload, r.outbox().get(0));
        assertArrayEquals(payload, r.state().outbox(1).get(0));
        assertEquals(250_000_000_000_000L, r.state().ticks());
        assertEquals(1, r.state().level().orElseThrow());
        assertFalse(r.stuck());
        // the yield sets the reboot flag for the next level and resets the counter
        assertTrue(r.state().durable().hasValue(PvmState.REBOOT_FLAG));
        assertArrayEquals(new byte[] {(byte) 0xe9, 3, 0, 0}, r.state().durable().bytes(PvmState.REBOOT_COUNTER).orElseThrow());
        // the kernel became its own fallback
        assertArrayEquals(TestKernels.wasm("echo"), r.state().durable().bytes(PvmState.FALLBACK_KERNEL).orElseThrow());

        LevelResult r2 = pvm.runLevel(r.state(), LevelInput.ofExternal(2, List.of()));
        assertEquals(3, r2.kernelRuns());
        assertEquals(450_000_000_000_000L, r2.state().ticks());
        assertTrue(r2.state().outbox(2).isEmpty());
        assertEquals(1, r2.state().outbox(1).size());
    }

    @ParameterizedTest
    @EnumSource(ChicoryEngine.class)
    void bothEnginesReachTheSameState(ChicoryEngine engine) {
        PvmState a = PvmState.originate(TestKernels.wasm("echo"), PvmVersion.V2_0_0_R5);
        PvmState b = a;
        Pvm reference = pvm(ChicoryEngine.INTERPRETER);
        Pvm other = pvm(engine);
        for (int level = 1; level <= 5; level++) {
            LevelInput in = LevelInput.ofExternal(level, List.of(("m" + level).getBytes(StandardCharsets.UTF_8),
                    new byte[] {1, 2, 3}));
            LevelResult ra = reference.runLevel(a, in);
            LevelResult rb = other.runLevel(b, in);
            a = ra.state();
            b = rb.state();
            assertEquals(a.hash(), b.hash(), "state hash at level " + level);
            for (int i = 0; i < ra.runs().size(); i++) {
                assertEquals(ra.runs().get(i).gasUsed(), rb.runs().get(i).gasUsed(), "gas of run " + i);
            }
        }
    }
}
