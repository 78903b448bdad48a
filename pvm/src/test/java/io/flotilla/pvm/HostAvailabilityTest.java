package io.flotilla.pvm;

import static io.flotilla.pvm.Harness.*;
import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.pvm.KernelRunReport.Outcome;
import io.flotilla.pvm.engine.ChicoryEngine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which host functions each PVM version provides (octez-semantics.md §1), checked by running a
 * kernel importing each one: a name the version lacks makes the kernel fail to link — stuck for
 * good as a first kernel, the fallback after an upgrade.
 */
class HostAvailabilityTest {

    /** Signatures written out from the specification, not taken from PvmVersion. */
    static final Map<String, String> SIGNATURES = new LinkedHashMap<>();

    static {
        SIGNATURES.put("read_input", "(param i32 i32 i32) (result i32)");
        SIGNATURES.put("write_output", "(param i32 i32) (result i32)");
        SIGNATURES.put("write_debug", "(param i32 i32)");
        SIGNATURES.put("store_has", "(param i32 i32) (result i32)");
        SIGNATURES.put("store_list_size", "(param i32 i32) (result i64)");
        SIGNATURES.put("store_get_nth_key", "(param i32 i32 i64 i32 i32) (result i32)");
        SIGNATURES.put("store_delete", "(param i32 i32) (result i32)");
        SIGNATURES.put("store_copy", "(param i32 i32 i32 i32) (result i32)");
        SIGNATURES.put("store_move", "(param i32 i32 i32 i32) (result i32)");
        SIGNATURES.put("store_value_size", "(param i32 i32) (result i32)");
        SIGNATURES.put("reveal_preimage", "(param i32 i32 i32 i32) (result i32)");
        SIGNATURES.put("reveal_metadata", "(param i32 i32) (result i32)");
        SIGNATURES.put("store_read", "(param i32 i32 i32 i32 i32) (result i32)");
        SIGNATURES.put("store_write", "(param i32 i32 i32 i32 i32) (result i32)");
        SIGNATURES.put("store_delete_value", "(param i32 i32) (result i32)");
        SIGNATURES.put("__internal_store_get_hash", "(param i32 i32 i32 i32) (result i32)");
        SIGNATURES.put("store_create", "(param i32 i32 i32) (result i32)");
        SIGNATURES.put("store_exists", "(param i32 i32) (result i32)");
        SIGNATURES.put("reveal", "(param i32 i32 i32 i32) (result i32)");
    }

    static final Set<String> R1 = Set.of("store_delete_value", "__internal_store_get_hash", "store_create");

    static boolean provides(PvmVersion v, String name) {
        if (R1.contains(name)) {
            return v.ordinal() >= PvmVersion.V2_0_0_R1.ordinal();
        }
        if (name.equals("store_exists")) {
            return v.ordinal() >= PvmVersion.V2_0_0_R2.ordinal();
        }
        if (name.equals("reveal")) {
            return v.ordinal() >= PvmVersion.V2_0_0_R3.ordinal();
        }
        return true;
    }

    static byte[] importing(String name, String signature) {
        return TestKernels.compile("(module (import \"smart_rollup_core\" \"" + name + "\" (func " + signature + "))"
                + " (memory (export \"memory\") 1) (func (export \"kernel_run\")))", name);
    }

    @Test
    void eachVersionProvidesExactlyItsHostFunctions() {
        Pvm pvm = pvm(ChicoryEngine.INTERPRETER);
        List<String> wrong = new ArrayList<>();
        for (PvmVersion v : PvmVersion.values()) {
            for (var e : SIGNATURES.entrySet()) {
                LevelResult r = pvm.runLevel(PvmState.originate(importing(e.getKey(), e.getValue()), v), empty(1));
                Outcome o = r.runs().get(0).outcome();
                Outcome expected = provides(v, e.getKey()) ? Outcome.OK : Outcome.STUCK;
                if (o != expected) {
                    wrong.add(v.label() + " " + e.getKey() + ": " + o + " " + r.runs().get(0).detail());
                }
            }
        }
        assertEquals(List.of(), wrong);
        assertEquals(14, SIGNATURES.keySet().stream().filter(n -> provides(PvmVersion.V2_0_0, n)).count());
    }

    @Test
    void anUpgradeImportingALaterHostFunctionFallsBack() {
        // store_exists exists from 2.0.0-r2: on 2.0.0-r1 the new kernel does not link
        PvmState s = PvmState.originate(TestKernels.wasm("upgrade"), PvmVersion.V2_0_0_R1);
        byte[] k = importing("store_exists", SIGNATURES.get("store_exists"));
        LevelResult r = pvm(ChicoryEngine.COMPILER).runLevel(s, LevelInput.ofExternal(1, List.of(k)));
        assertEquals(Outcome.FALLBACK, r.runs().get(1).outcome(), () -> r.runs().toString());
        assertTrue(has(r.state(), "/readonly/kernel/env/upgrade_error"));
        // on 2.0.0-r2 the same upgrade works
        PvmState s2 = PvmState.originate(TestKernels.wasm("upgrade"), PvmVersion.V2_0_0_R2);
        LevelResult r2 = pvm(ChicoryEngine.COMPILER).runLevel(s2, LevelInput.ofExternal(1, List.of(k)));
        assertEquals(Outcome.OK, r2.runs().get(1).outcome(), () -> r2.runs().toString());
        assertArrayEquals(k, bytes(r2.state(), "/readonly/kernel/boot.wasm"));
    }

    @Test
    void aWrongSignatureDoesNotLinkInAnyVersion() {
        Pvm pvm = pvm(ChicoryEngine.INTERPRETER);
        for (PvmVersion v : PvmVersion.values()) {
            // store_list_size returns i64, not i32
            LevelResult r = pvm.runLevel(PvmState.originate(importing("store_list_size", "(param i32 i32) (result i32)"), v), empty(1));
            assertEquals(Outcome.STUCK, r.runs().get(0).outcome(), v.label());
        }
    }
}
