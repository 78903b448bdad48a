package io.flotilla.pvm;

import static io.flotilla.pvm.Harness.*;
import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.pvm.KernelRunReport.Outcome;
import io.flotilla.pvm.engine.ChicoryEngine;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The PVM control loop: upgrades and fallback, reboots and their counter, traps, protocol migration. */
class ControlFlowTest {

    static final PvmState UPGRADE = PvmState.originate(TestKernels.wasm("upgrade"), PvmVersion.V2_0_0_R5);

    static LevelInput withExternal(int level, byte[] payload) {
        return LevelInput.ofExternal(level, List.of(payload));
    }

    // ------------------------------------------------------------------ upgrade

    @ParameterizedTest
    @EnumSource(ChicoryEngine.class)
    void upgradeInstallsTheNewKernelWhichRunsAfterTheReboot(ChicoryEngine engine) {
        Pvm pvm = pvm(engine);
        byte[] counter = TestKernels.wasm("counter");
        LevelResult r = pvm.runLevel(UPGRADE, withExternal(1, counter));
        assertEquals(2, r.kernelRuns(), () -> r.runs().toString());
        assertEquals(Outcome.OK, r.runs().get(0).outcome());
        assertTrue(r.runs().get(0).rebootRequested());
        assertEquals(Outcome.OK, r.runs().get(1).outcome());
        assertArrayEquals(counter, bytes(r.state(), "/kernel/boot.wasm"));
        assertArrayEquals(counter, bytes(r.state(), "/readonly/kernel/boot.wasm"), "the new kernel became the fallback");
        assertArrayEquals(le64(1), bytes(r.state(), "/counter"));
        assertFalse(has(r.state(), "/readonly/kernel/env/upgrade_error"));

        LevelResult r2 = pvm.runLevel(r.state(), empty(2));
        assertEquals(1, r2.kernelRuns());
        assertArrayEquals(le64(2), bytes(r2.state(), "/counter"));
    }

    /** A kernel larger than one store_write (two chunks) and than one 2048-byte read. */
    @Test
    void upgradeToAKernelOfMoreThan2048Bytes() {
        StringBuilder wat = new StringBuilder("(module (import \"smart_rollup_core\" \"store_write\" "
                + "(func $w (param i32 i32 i32 i32 i32) (result i32))) (memory (export \"memory\") 1)"
                + " (data (i32.const 0) \"/big\") (data (i32.const 16) \"");
        wat.append("x".repeat(3000)).append("\") (func (export \"kernel_run\") "
                + "(drop (call $w (i32.const 0) (i32.const 4) (i32.const 0) (i32.const 16) (i32.const 3)))))");
        byte[] big = TestKernels.compile(wat.toString(), "big");
        assertTrue(big.length > 3000 && big.length < 4095);
        LevelResult r = pvm(ChicoryEngine.INTERPRETER).runLevel(UPGRADE, withExternal(1, big));
        assertEquals(Outcome.OK, r.runs().get(1).outcome(), () -> r.runs().toString());
        assertArrayEquals(big, bytes(r.state(), "/readonly/kernel/boot.wasm"));
        assertArrayEquals("xxx".getBytes(), bytes(r.state(), "/big"));
    }

    static Stream<Arguments> invalidKernels() {
        byte[] random = new byte[600];
        new Random(42).nextBytes(random);
        byte[] counter = TestKernels.wasm("counter");
        return Stream.of(
                Arguments.of("float", TestKernels.compile("(module (memory (export \"memory\") 1) (func (export \"kernel_run\")"
                        + " (drop (f32.add (f32.const 1) (f32.const 2)))))", "float")),
                Arguments.of("f64 local", TestKernels.compile("(module (memory (export \"memory\") 1) (func (export \"kernel_run\")"
                        + " (local f64)))", "f64local")),
                Arguments.of("simd", TestKernels.compile("(module (memory (export \"memory\") 1) (func (export \"kernel_run\")"
                        + " (drop (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4)))))", "simd")),
                Arguments.of("import from another module", TestKernels.compile("(module (import \"env\" \"read_input\""
                        + " (func (param i32 i32 i32) (result i32))) (memory (export \"memory\") 1) (func (export \"kernel_run\")))", "env")),
                Arguments.of("unknown host function", TestKernels.compile("(module (import \"smart_rollup_core\" \"nope\""
                        + " (func)) (memory (export \"memory\") 1) (func (export \"kernel_run\")))", "nope")),
                Arguments.of("wrong signature", TestKernels.compile("(module (import \"smart_rollup_core\" \"read_input\""
                        + " (func (param i32 i32) (result i32))) (memory (export \"memory\") 1) (func (export \"kernel_run\")))", "sig")),
                Arguments.of("memory not exported", TestKernels.compile("(module (memory 1) (func (export \"kernel_run\")))", "nomem")),
                Arguments.of("no memory", TestKernels.compile("(module (func (export \"kernel_run\")))", "nomem2")),
                // no kernel_run either: Octez fails to link / initialise first, so this is a fallback too
                Arguments.of("no kernel_run and an unknown host function", TestKernels.compile("(module (import \"smart_rollup_core\""
                        + " \"nope\" (func)) (memory (export \"memory\") 1) (func (export \"other\")))", "nope2")),
                Arguments.of("no kernel_run and memory not exported", TestKernels.compile("(module (memory 1)"
                        + " (func (export \"other\")))", "nomem3")),
                Arguments.of("kernel_run imported from another module", TestKernels.compile("(module (import \"env\""
                        + " \"kernel_run\" (func)) (memory (export \"memory\") 1) (func (export \"kernel_run\")))", "envkr")),
                Arguments.of("random bytes", random),
                Arguments.of("truncated module", java.util.Arrays.copyOf(counter, counter.length / 2)),
                Arguments.of("empty", new byte[0]),
                Arguments.of("bad magic", new byte[] {0, 'a', 's', 'n', 1, 0, 0, 0}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidKernels")
    void anUpgradeToAnInvalidKernelFallsBackToTheOldOne(String what, byte[] bad) {
        Pvm pvm = pvm(ChicoryEngine.COMPILER);
        LevelResult r = pvm.runLevel(UPGRADE, withExternal(1, bad));
        assertEquals(2, r.kernelRuns(), () -> r.runs().toString());
        assertEquals(Outcome.FALLBACK, r.runs().get(1).outcome(), () -> r.runs().toString());
        assertFalse(r.stuck());
        byte[] upgrade = TestKernels.wasm("upgrade");
        assertArrayEquals(upgrade, bytes(r.state(), "/kernel/boot.wasm"));
        assertArrayEquals(upgrade, bytes(r.state(), "/readonly/kernel/boot.wasm"));
        assertTrue(has(r.state(), "/readonly/kernel/env/upgrade_error"));

        // the old kernel runs at the next level; a successful run clears upgrade_error
        LevelResult r2 = pvm.runLevel(r.state(), empty(2));
        assertEquals(1, r2.kernelRuns());
        assertEquals(Outcome.OK, r2.runs().get(0).outcome());
        assertFalse(has(r2.state(), "/readonly/kernel/env/upgrade_error"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidKernels")
    void anInvalidFirstKernelIsStuckForGood(String what, byte[] bad) {
        LevelResult r = pvm(ChicoryEngine.INTERPRETER).runLevel(PvmState.originate(bad, PvmVersion.V2_0_0_R5), empty(1));
        assertEquals(1, r.kernelRuns());
        assertEquals(Outcome.STUCK, r.runs().get(0).outcome());
        assertTrue(r.state().stuck().orElseThrow().startsWith("No_fallback_kernel"), r.state().stuck().get());
    }

    @ParameterizedTest
    @EnumSource(ChicoryEngine.class)
    void anUpgradeWithoutKernelRunIsStuckForGood(ChicoryEngine engine) {
        Pvm pvm = pvm(engine);
        byte[] noRun = TestKernels.compile("(module (memory (export \"memory\") 1) (func (export \"other\")))", "norun");
        LevelResult r = pvm.runLevel(UPGRADE, withExternal(1, noRun));
        assertEquals(2, r.kernelRuns());
        assertEquals(Outcome.STUCK, r.runs().get(1).outcome());
        assertEquals(Optional.of("Invalid_module: no kernel_run function exported"), r.state().stuck());
        assertTrue(r.stuck());

        // stuck for good: later levels change nothing
        LevelResult r2 = pvm.runLevel(r.state(), withExternal(2, TestKernels.wasm("counter")));
        assertEquals(0, r2.kernelRuns());
        assertEquals(0, r2.ticks());
        assertEquals(r.state().hash(), r2.state().hash());
    }

    // ------------------------------------------------------------------ reboots

    static List<Integer> log(PvmState s) {
        ByteBuffer b = ByteBuffer.wrap(bytes(s, "/log")).order(ByteOrder.LITTLE_ENDIAN);
        List<Integer> out = new java.util.ArrayList<>();
        while (b.hasRemaining()) {
            out.add(b.getInt());
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(ChicoryEngine.class)
    void rebootCounterStartsAt1000AndDecreases(ChicoryEngine engine) {
        PvmState s = originate(TestKernels.wasm("reboot"), PvmVersion.V2_0_0_R5, Map.of("/threshold", le32(997)));
        Pvm pvm = pvm(engine);
        LevelResult r = pvm.runLevel(s, empty(1));
        assertEquals(4, r.kernelRuns());
        assertEquals(List.of(1000, 999, 998, 997), log(r.state()));
        assertEquals(5 * 50_000_000_000_000L, r.ticks());
        assertArrayEquals(le32(1001), bytes(r.state(), "/readonly/kernel/env/reboot_counter"));
        assertFalse(has(r.state(), "/readonly/kernel/env/too_many_reboot"));
        LevelResult r2 = pvm.runLevel(r.state(), empty(2));
        assertEquals(List.of(1000, 999, 998, 997, 1000, 999, 998, 997), log(r2.state()));
    }

    @ParameterizedTest
    @EnumSource(ChicoryEngine.class)
    void tooManyRebootsForceAYieldAfter1001Runs(ChicoryEngine engine) {
        PvmState s = PvmState.originate(TestKernels.wasm("reboot"), PvmVersion.V2_0_0_R5);
        Pvm pvm = pvm(engine);
        LevelResult r = pvm.runLevel(s, LevelInput.ofExternal(1, List.of(new byte[] {1, 2, 3})));
        assertEquals(1001, r.kernelRuns());
        assertTrue(r.runs().stream().allMatch(k -> k.outcome() == Outcome.OK && k.rebootRequested()));
        List<Integer> log = log(r.state());
        assertEquals(1001, log.size());
        assertEquals(1000, log.get(0));
        assertEquals(0, log.get(1000));
        assertEquals(1002 * 50_000_000_000_000L, r.ticks());
        assertTrue(has(r.state(), "/readonly/kernel/env/too_many_reboot"));
        assertTrue(has(r.state(), "/kernel/env/reboot"), "the next level boots");
        assertArrayEquals(le32(1001), bytes(r.state(), "/readonly/kernel/env/reboot_counter"));
        assertFalse(r.stuck());

        // the next level: the kernel stops at 998; the yield removes too_many_reboot
        PvmState next = r.state().withDurable(r.state().durable()
                .set(io.flotilla.pvm.durable.DurableKey.parse("/threshold"), le32(998)));
        LevelResult r2 = pvm.runLevel(next, empty(2));
        assertEquals(3, r2.kernelRuns());
        assertFalse(has(r2.state(), "/readonly/kernel/env/too_many_reboot"));
    }

    // ------------------------------------------------------------------ traps

    @ParameterizedTest
    @EnumSource(ChicoryEngine.class)
    void aTrapKeepsEarlierWritesSetsTheStuckFlagAndTheLevelGoesOn(ChicoryEngine engine) {
        Pvm pvm = pvm(engine);
        PvmState s = PvmState.originate(TestKernels.wasm("trap"), PvmVersion.V2_0_0_R5);
        for (int level = 1; level <= 8; level++) {
            LevelResult r = pvm.runLevel(s, empty(level));
            s = r.state();
            int l = level;
            assertFalse(r.stuck(), "a trap is not stuck for good");
            assertArrayEquals(le32(level), bytes(s, "/trap/level"), "write before the trap kept at level " + level);
            if (level == 7) {
                assertEquals(2, r.kernelRuns(), () -> r.runs().toString());
                assertEquals(Outcome.TRAP, r.runs().get(0).outcome());
                assertTrue(r.runs().get(0).rebootRequested());
                assertEquals(Outcome.OK, r.runs().get(1).outcome());
                assertFalse(has(s, "/readonly/kernel/env/stuck"), "cleared by the successful second run");
            } else if (level % 2 == 1) {
                assertEquals(1, r.kernelRuns());
                assertEquals(Outcome.TRAP, r.runs().get(0).outcome(), () -> "level " + l + ": " + r.runs());
                assertTrue(has(s, "/readonly/kernel/env/stuck"));
                assertArrayEquals(new byte[0], bytes(s, "/readonly/kernel/env/stuck"));
            } else {
                assertEquals(Outcome.OK, r.runs().get(0).outcome());
                assertFalse(has(s, "/readonly/kernel/env/stuck"), "removed after a successful call");
            }
        }
    }

    // ------------------------------------------------------------------ protocol migration

    static String in(PvmState s, char id) {
        byte[] b = bytes(s, "/in/" + id);
        return b == null ? null : io.flotilla.pvm.util.Hex.encode(b);
    }

    @ParameterizedTest
    @EnumSource(ChicoryEngine.class)
    void parisMigrationSwitchesTo2_0_0_r4And50TTicks(ChicoryEngine engine) {
        PvmState s = PvmState.originate(TestKernels.wasm("inbox"), PvmVersion.V2_0_0_R3);
        Pvm pvm = pvm(engine);
        LevelResult before = pvm.runLevel(s, empty(1));
        assertEquals(2 * 11_000_000_000L, before.ticks());

        LevelInput mig = new LevelInput(2, 7, new byte[32], Optional.of("paris_019"), List.of(LevelInput.external(new byte[] {9})));
        LevelResult r = pvm.runLevel(before.state(), mig);
        assertEquals(PvmVersion.V2_0_0_R4, r.state().version());
        assertArrayEquals("2.0.0-r4".getBytes(), bytes(r.state(), "/readonly/wasm_version"));
        assertEquals(1, r.kernelRuns());
        assertEquals(2 * 50_000_000_000_000L, r.ticks(), "the migration level already uses 50T per period");
        assertEquals(2 * 11_000_000_000L + 2 * 50_000_000_000_000L, r.state().ticks());
        // the kernel saw: SOL, the migration (00 04 + length BE + name), Info, the message, EOL
        assertEquals("0001", in(r.state(), 'a'));
        assertEquals("0004" + "00000009" + io.flotilla.pvm.util.Hex.encode("paris_019".getBytes()), in(r.state(), 'b'));
        assertEquals("0003" + "0000000000000007" + "00".repeat(32), in(r.state(), 'c'));
        assertEquals("0109", in(r.state(), 'd'));
        assertEquals("0002", in(r.state(), 'e'));
    }

    @Test
    void anUnknownMigrationChangesNothing() {
        PvmState s = PvmState.originate(TestKernels.wasm("inbox"), PvmVersion.V2_0_0_R3);
        LevelInput mig = new LevelInput(1, 0, new byte[32], Optional.of("zurich_099"), List.of());
        LevelResult r = pvm(ChicoryEngine.INTERPRETER).runLevel(s, mig);
        assertEquals(PvmVersion.V2_0_0_R3, r.state().version());
        assertEquals(2 * 11_000_000_000L, r.ticks());
        assertEquals("0004" + "0000000a" + io.flotilla.pvm.util.Hex.encode("zurich_099".getBytes()), in(r.state(), 'b'));
    }

    @Test
    void aStuckPvmIgnoresMigrations() {
        Pvm pvm = pvm(ChicoryEngine.INTERPRETER);
        LevelResult r = pvm.runLevel(PvmState.originate(new byte[] {1, 2, 3}, PvmVersion.V2_0_0_R3), empty(1));
        assertTrue(r.stuck());
        LevelResult r2 = pvm.runLevel(r.state(), new LevelInput(2, 0, new byte[32], Optional.of("paris_019"), List.of()));
        assertEquals(PvmVersion.V2_0_0_R3, r2.state().version());
        assertEquals(r.state().hash(), r2.state().hash());
    }

    static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }
}
