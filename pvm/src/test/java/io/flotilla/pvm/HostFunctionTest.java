package io.flotilla.pvm;

import static io.flotilla.pvm.Harness.*;
import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.pvm.KernelRunReport.Outcome;
import io.flotilla.pvm.engine.ChicoryEngine;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every host function's success and error paths, with the exact Octez return codes
 * (/tmp/research/octez-semantics.md §1–§4). Each kernel records its return values under
 * /results; the expectations below follow the kernel's calls one for one.
 */
class HostFunctionTest {

    static LevelResult runOnce(String kernel, PvmVersion version, Map<String, ?> values, ChicoryEngine engine) {
        PvmState s = originate(TestKernels.wasm(kernel), version, values);
        LevelResult r = pvm(engine).runLevel(s, empty(5));
        assertEquals(1, r.kernelRuns(), () -> r.runs().toString());
        assertEquals(Outcome.OK, r.runs().get(0).outcome(), () -> r.runs().toString());
        return r;
    }

    static void assertResults(long[] expected, PvmState s) {
        long[] actual = results(s);
        for (int i = 0; i < Math.min(expected.length, actual.length); i++) {
            int n = i;
            assertEquals(expected[i], actual[i], () -> "result #" + (n + 1) + " (1-based), all: " + Arrays.toString(actual));
        }
        assertEquals(expected.length, actual.length, () -> "number of results: " + Arrays.toString(actual));
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @ParameterizedTest
    @EnumSource(ChicoryEngine.class)
    void storeQueriesAndDeletes(ChicoryEngine engine) {
        var values = map("/a", "v", "/a/b", "x", "/a/c", "", "/d/e", "y", "/f", "zz", "/g/longname", "1",
                "/h", "H", "/h/-", "1", "/h/0", "1", "/h/Z", "1", "/h/_", "1", "/h/a", "1",
                "/k", "K", "/k/s", "S");
        LevelResult r = runOnce("store_basic", PvmVersion.V2_0_0_R5, values, engine);
        assertResults(new long[] {
            // store_has: value+subtrees 3, subtrees 2, value 1, nothing 0, /a/b, root, readonly keys
            3, 2, 1, 0, 1, 2, 1, 2,
            // 241-byte key -1 (even with bad memory), "a" "/a/" "//a" "/a@" "/" -2, OOB -6, len -1 -8, "/a b" -2
            -1, -1, -2, -2, -2, -2, -2, -6, -8, -2,
            // store_list_size counts the "@" value child: /a 3, /d 1, /f 1, /nope 0, /a/c (empty value) 1, /h 6
            3, 1, 1, 0, 1, 6, -2, -1, -6,
            // store_get_nth_key on /a: "@" → empty name 0; "b"; "c"; index 3 -12; missing node -10
            0, 1, 'b', 1, 'c', -12, -10,
            // /h in byte order: "-" "0" "@" "Z" "_" "a"
            1, '-', 1, '0', 0, 1, 'Z', 1, '_', 1, 'a',
            // /g/longname truncated to 4 ("long"), full 8, max 0 → 0, dst at 65534 → -6 with "lo" written
            4, 0x676e6f6cL, 8, 0, -6, 0x6f6c, -12, -2,
            // /readonly is readable: its second child is "wasm_version"
            12,
            // store_exists
            1, 1, 0, 1, 1, -2,
            // store_value_size: 1, empty 0, node without value -3, missing -3, "2.0.0-r5" 8, too long -1
            1, 0, -3, -3, 8, -1,
            // store_delete: readonly key, root, /readonly -9; missing 0; /readonlyX is writable; /a and its subtree
            -9, -9, -9, 0, 0, 0, 0, 0, -2,
            // store_delete_value: /d (no value) 0 and keeps /d/e; /f gone; /k keeps /k/s; readonly -9; missing 0
            0, 2, 0, 0, 0, 2, 1, -9, 0,
        }, r.state());
        assertFalse(has(r.state(), "/a/b"));
        assertArrayEquals("S".getBytes(), bytes(r.state(), "/k/s"));
        assertArrayEquals("2.0.0-r5".getBytes(), bytes(r.state(), "/readonly/wasm_version"));
    }
}
