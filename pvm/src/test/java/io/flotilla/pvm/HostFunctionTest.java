package io.flotilla.pvm;

import static io.flotilla.pvm.Harness.*;
import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.pvm.KernelRunReport.Outcome;
import io.flotilla.pvm.engine.ChicoryEngine;
import io.flotilla.pvm.host.RollupMetadata;
import io.flotilla.pvm.reveal.PreimageDirectory;
import org.junit.jupiter.api.io.TempDir;
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

    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i % 251);
        }
        return b;
    }

    @ParameterizedTest
    @EnumSource(ChicoryEngine.class)
    void storeWriteReadCreateAndHash(ChicoryEngine engine) {
        var values = map("/w", "hello", "/r", pattern(3000), "/d/e", "y", "/h1/x", "1", "/h2/x", "1", "/h3/x", "2");
        LevelResult r = runOnce("store_rw", PvmVersion.V2_0_0_R5, values, engine);
        long habloXY = java.nio.ByteBuffer.wrap("habloXY\0".getBytes()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertResults(new long[] {
            // store_write order: OOB source -6 before read-only -9 before size -7 before offset -4
            -6, -9, -7, -7, -4,
            // append at offset == size, overwrite inside
            0, 0,
            // negative num_bytes → -5 first (even on a read-only key, even with a bad source); negative offset -8
            -5, -5, -5, -8,
            // key too long -1; "/a b", "/a//b", "/a/" -2
            -1, -2, -2, -2,
            // a 0-byte write creates an empty value; reading it is -4
            0, 0, -4,
            // 2048 bytes at a time, appending
            0, 2048, 0, 4096,
            // read-only key and root -9
            -9, -9,
            // /w is now "habloXY"
            7, 7, habloXY,
            // store_read: 2049 -7, 2048 ok, the tail 952, offset == size -4, last byte 1, offset -1 -4
            -7, 2048, 2047 % 251, 952, 2048 % 251, -4, 1, -4,
            // missing -3, but -7 first; negative max_bytes -8; OOB destination -6 with the in-bounds prefix written
            -3, -7, -8, -6, 10,
            // read-only keys are readable; a node without value -3; max_bytes 0 → 0; key too long -1
            8, -3, 0, -1,
            // store_create: zero-filled, bytes past the value untouched
            0, 10, 0, 0, 0xffff,
            // exists -13, negative size -5, read-only -9, negative size before read-only -5
            -13, -5, -9, -5,
            // on a node with subtrees only: creates the value, keeps them (has = 3); size 0; bad key; existing value
            0, 3, 0, 0, -2, -13,
            // __internal_store_get_hash: 32 bytes (copied to /out/h1, /out/h2), missing -10, truncated, OOB -6,
            // root, bad key, a value-only node, max_size 0
            32, 0, 32, 0, -10, 10, -6, 32, -2, 32, 0,
        }, r.state());
        byte[] h1 = bytes(r.state(), "/out/h1");
        assertArrayEquals(h1, bytes(r.state(), "/out/h2"), "equal subtrees have equal hashes");
        var d = r.state().durable();
        assertArrayEquals(d.subtreeHash(io.flotilla.pvm.durable.DurableKey.parse("/h1")).orElseThrow().bytes(), h1);
        assertNotEquals(d.subtreeHash(io.flotilla.pvm.durable.DurableKey.parse("/h3")).orElseThrow(),
                d.subtreeHash(io.flotilla.pvm.durable.DurableKey.parse("/h1")).orElseThrow());
        assertArrayEquals("habloXY".getBytes(), bytes(r.state(), "/w"));
        assertArrayEquals(new byte[3], bytes(r.state(), "/d"));
        assertFalse(has(r.state(), "/readonly/x"));
    }

    @ParameterizedTest
    @EnumSource(ChicoryEngine.class)
    void storeCopyAndMove(ChicoryEngine engine) {
        var values = map("/src", "S", "/src/sub", "T", "/dst", "D", "/dst/other", "O", "/m", "M", "/m/k", "K");
        LevelResult r = runOnce("store_copy_move", PvmVersion.V2_0_0_R5, values, engine);
        assertResults(new long[] {
            // copy: missing source -10; read-only destination -9, even before the missing source
            -10, -9, -9,
            // from key checked first, then to key: -2, -2, -1, OOB -6 on either side
            -2, -2, -1, -6, -6,
            // copying from a read-only key is allowed
            0, 8,
            // the destination node is replaced: /dst/other gone, /dst/sub there, /dst = "S"
            0, 0, 1, 3, 1, 'S',
            // root destination -9; copy into its own subtree
            -9, 0, 1, 3,
            // move: read-only source -9, read-only destination -9, missing -10, both read-only -9,
            // missing source to a read-only destination -9, bad key -2
            -9, -9, -10, -9, -9, -2,
            // /m → /m2
            0, 0, 3,
            // onto itself: unchanged
            0, 3,
            // into its own subtree: /m2 holds only "in", which holds the old /m2
            0, 2, 1, 3, 1,
            // root on either side -9
            -9, -9,
        }, r.state());
        assertArrayEquals("2.0.0-r5".getBytes(), bytes(r.state(), "/ver"));
        assertArrayEquals("T".getBytes(), bytes(r.state(), "/src/inner/sub"));
        assertFalse(r.state().durable().exists(io.flotilla.pvm.durable.DurableKey.parse("/src/inner/inner")));
        assertArrayEquals("M".getBytes(), bytes(r.state(), "/m2/in"));
        assertArrayEquals("K".getBytes(), bytes(r.state(), "/m2/in/k"));
    }

    @ParameterizedTest
    @EnumSource(ChicoryEngine.class)
    void inputOutputAndDebug(ChicoryEngine engine) {
        PvmState s = originate(TestKernels.wasm("io"), PvmVersion.V2_0_0, Map.of());
        java.util.List<byte[]> debug = new java.util.ArrayList<>();
        Pvm pvm = pvm(engine).debugSink(debug::add);
        LevelResult r = pvm.runLevel(s, LevelInput.ofExternal(5, java.util.List.of("abcdefgh".getBytes(), "xyz".getBytes())));
        assertEquals(1, r.kernelRuns(), () -> r.runs().toString());
        assertEquals(Outcome.OK, r.runs().get(0).outcome(), () -> r.runs().toString());
        assertResults(new long[] {
            // info record ending at the last byte -6 (strict <), destination ending at the end -6, negative -6
            -6, -6, -6,
            // Start_of_level: 2 bytes, info = {level 5, id 0} little-endian, payload 00 01
            2, 5, 0, 0x0100,
            // Info_per_level truncated to 10 bytes (id 1); max_bytes 0 consumes message 2
            10, 1, 0x0300, 0, 2,
            // "xyz" external: 01 78 79 7a, id 3
            4, 3, 0x7a797801,
            // max_bytes is clamped to 4096 before the bounds check: -6 at 62000, fine at 60000 (End_of_level, id 4)
            -6, 2, 4,
            // empty inbox 0; the info check still runs first; 65527 + 8 < 65536 is fine
            0, -6, 0,
            // write_output: 4097 -7, OOB -6, negative -8, 4096 bytes, the last 4 bytes of memory, empty message
            -7, -6, -8, 0, 0, 0,
            // 97 more messages (sum of results 0), the 101st -11; -7 and -6 still come first
            0, -11, -7, -6,
            // write_debug returned every time
            1,
        }, r.state());
        assertEquals(100, r.outbox().size());
        assertEquals(4096, r.outbox().get(0).length);
        assertArrayEquals(new byte[4], r.outbox().get(1));
        assertArrayEquals(new byte[0], r.outbox().get(2));
        assertArrayEquals(new byte[] {1}, r.outbox().get(99));
        assertEquals(100, r.state().outbox(5).size());
        assertEquals(java.util.List.of("hello", "Error code: -6", "", "Error code: -6"),
                debug.stream().map(Harness::ascii).toList());
    }

    static final RollupMetadata METADATA = new RollupMetadata(
            java.util.stream.IntStream.rangeClosed(1, 20).collect(java.io.ByteArrayOutputStream::new,
                    (o, i) -> o.write(i), (a, b) -> {}).toByteArray(), 1234);

    @ParameterizedTest
    @EnumSource(ChicoryEngine.class)
    void revealPreimageMetadataAndGenericReveal(ChicoryEngine engine, @TempDir java.nio.file.Path dir) {
        PreimageDirectory preimages = new PreimageDirectory(dir);
        byte[] preimage = pattern(300);
        byte[] hash = preimages.store(preimage);
        assertEquals(33, hash.length);
        PvmState s = originate(TestKernels.wasm("reveal"), PvmVersion.V2_0_0_R5, Map.of("/hash", hash));
        Pvm pvm = new Pvm(PvmConfig.defaults().withEngine(engine), preimages, METADATA);
        LevelResult r = pvm.runLevel(s, empty(5));
        assertEquals(Outcome.OK, r.runs().get(0).outcome(), () -> r.runs().toString());
        assertResults(new long[] {
            33,
            // reveal_preimage: the whole preimage, truncated to 5, a 32-byte hash reveals nothing,
            // hash size 4097 -7, hash OOB -6, destination OOB -6
            300, 0, 5, 0, -7, -6, -6,
            // reveal_metadata: 24 bytes, truncated to 10, OOB -6
            24, 0, 10, -6,
            // reveal: tag 0 = preimage, tag 1 = metadata, DAL page / DAL parameters / unknown tag → nothing
            300, 0, 24, 0, 0, 0,
            // payload 4097 -7, OOB -6, max_bytes 0; a hash with scheme tag 01 reveals nothing; empty payload
            -7, -6, 0, 0, 0,
        }, r.state());
        assertArrayEquals(preimage, bytes(r.state(), "/out/pre"));
        assertArrayEquals(preimage, bytes(r.state(), "/out/reveal"));
        byte[] meta = bytes(r.state(), "/out/meta");
        assertArrayEquals(METADATA.address(), java.util.Arrays.copyOf(meta, 20));
        assertArrayEquals(new byte[] {0, 0, 0x04, (byte) 0xd2}, java.util.Arrays.copyOfRange(meta, 20, 24),
                "origination level big-endian");
    }

    @org.junit.jupiter.api.Test
    void aMissingPreimageDecidesNothing(@TempDir java.nio.file.Path dir) {
        byte[] hash = io.flotilla.pvm.reveal.RevealHash.of("not stored".getBytes());
        PvmState s = originate(TestKernels.wasm("reveal"), PvmVersion.V2_0_0_R5, Map.of("/hash", hash));
        Pvm pvm = new Pvm(PvmConfig.defaults(), new PreimageDirectory(dir), METADATA);
        assertThrows(io.flotilla.pvm.reveal.RevealUnavailableException.class, () -> pvm.runLevel(s, empty(5)));
        // once the preimage is there, the level runs
        new PreimageDirectory(dir).store("not stored".getBytes());
        LevelResult r = pvm.runLevel(s, empty(5));
        assertEquals(10, results(r.state())[1]);
    }
}
