package io.flotilla.pvm.wasm;

import static io.flotilla.pvm.wasm.WasmTestSupport.bytes;
import static io.flotilla.pvm.wasm.WasmTestSupport.rawKernel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.dylibso.chicory.wasm.Parser;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.wasm.KernelValidationException.Kind;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Malformed, truncated, random and mutated inputs give a KernelValidationException and nothing else. */
class WasmReaderRobustnessTest {
    static final PvmVersion V = PvmVersion.DEFAULT;
    static final byte[] RICH = WasmTestSupport.named(WasmTestSupport.resource("programs.wat"));

    static KernelValidationException malformed(byte[] wasm) {
        KernelValidationException e = assertThrows(KernelValidationException.class, () -> KernelValidator.validate(wasm, V));
        assertEquals(Kind.MALFORMED, e.kind(), e::getMessage);
        return e;
    }

    /** Validates, and instruments when accepted; only KernelValidationException may escape. */
    static KernelValidationException validateAndInstrument(byte[] wasm) {
        try {
            ValidatedKernel k = KernelValidator.validate(wasm, V);
            InstrumentedKernel ik = Instrumenter.instrument(k, 100);
            WasmReader.read(ik.wasm());
            return null;
        } catch (KernelValidationException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
            return e;
        } catch (Throwable t) {
            throw new AssertionError("unexpected " + t + " for " + Arrays.toString(wasm), t);
        }
    }

    @Test
    void rejectsBadHeaders() {
        assertTrue(malformed(new byte[0]).getMessage().contains("not a WebAssembly module"));
        assertTrue(malformed(bytes(0, 'a', 's')).getMessage().contains("not a WebAssembly module"));
        assertTrue(malformed(bytes(0, 'a', 's', 'n', 1, 0, 0, 0)).getMessage().contains("magic"));
        assertTrue(malformed(bytes(0, 'a', 's', 'm', 2, 0, 0, 0)).getMessage().contains("version"));
        assertTrue(malformed(bytes(0, 'a', 's', 'm', 1, 0, 0, 0, 1)).getMessage().contains("unexpected end"));
        assertThrows(KernelValidationException.class, () -> KernelValidator.validate(null, V));
    }

    @Test
    void rejectsHugeCountsWithoutAllocating() {
        // a type section announcing 2^32 - 1 types in 6 bytes
        byte[] types = bytes(0, 'a', 's', 'm', 1, 0, 0, 0, 1, 5, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F);
        assertTrue(malformed(types).getMessage().contains("count 4294967295 exceeds"), malformed(types)::getMessage);
        // a section announcing more bytes than there are
        byte[] section = bytes(0, 'a', 's', 'm', 1, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F);
        assertTrue(malformed(section).getMessage().contains("exceeds"));
        // a body declaring 2^32 - 1 locals
        byte[] locals = bodyWithLocals(new WasmWriter().u32(1).u32(0xFFFF_FFFFL).u8(0x7F).u8(0x0B));
        assertTrue(malformed(locals).getMessage().contains("too many locals"));
        byte[] manyGroups = bodyWithLocals(new WasmWriter().u32(2).u32(30_000).u8(0x7F).u32(30_000).u8(0x7E).u8(0x0B));
        assertTrue(malformed(manyGroups).getMessage().contains("too many locals"));
        // br_table with a huge label count
        byte[] brTable = rawKernel(bytes(0x41, 0, 0x0E, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, 0x0B));
        assertTrue(malformed(brTable).getMessage().contains("br_table label count"));
    }

    private static byte[] bodyWithLocals(WasmWriter body) {
        WasmWriter w = new WasmWriter().header();
        w.section(1, new WasmWriter().u32(1).u8(0x60).u32(0).u32(0));
        w.section(3, new WasmWriter().u32(1).u32(0));
        w.section(10, new WasmWriter().u32(1).u32(body.size()).bytes(body));
        return w.toByteArray();
    }

    @Test
    void rejectsBadLeb128() {
        // u32 with 6 bytes, and with bits beyond 32 set
        byte[] tooLong = bytes(0, 'a', 's', 'm', 1, 0, 0, 0, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
        assertTrue(malformed(tooLong).getMessage().contains("integer representation too long"));
        byte[] tooLarge = bytes(0, 'a', 's', 'm', 1, 0, 0, 0, 1, 0x81, 0x80, 0x80, 0x80, 0x10);
        assertTrue(malformed(tooLarge).getMessage().contains("integer too large"));
        // i32.const with an s32 that does not fit
        byte[] s32 = rawKernel(bytes(0x41, 0xFF, 0xFF, 0xFF, 0xFF, 0x4F, 0x1A, 0x0B));
        assertTrue(malformed(s32).getMessage().contains("integer too large"));
        // i64.const with 11 bytes
        byte[] s64 = rawKernel(bytes(0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x1A, 0x0B));
        assertTrue(malformed(s64).getMessage().contains("too long"));
        // valid extremes decode
        WasmBinary m = WasmReader.read(rawKernel(new WasmWriter().i32Const(Integer.MIN_VALUE).op(0x1A)
                .i64Const(Long.MIN_VALUE).op(0x1A).i64Const(Long.MAX_VALUE).op(0x1A).i32Const(-1).op(0x1A).op(0x0B).toByteArray()));
        var body = m.functions().get(1).body;
        assertEquals(Integer.MIN_VALUE, body.get(0).a);
        assertEquals(Long.MIN_VALUE, body.get(2).a);
        assertEquals(Long.MAX_VALUE, body.get(4).a);
        assertEquals(-1, body.get(6).a);
    }

    @Test
    void rejectsOutOfRangeIndicesAndBadNesting() {
        assertTrue(malformed(rawKernel(bytes(0x20, 0x00, 0x1A, 0x0B))).getMessage().contains("unknown local 0"));
        // global.get of an index the instrumenter would give to its own globals
        assertTrue(malformed(rawKernel(bytes(0x42, 0x00, 0x24, 0x00, 0x0B))).getMessage().contains("unknown global 0"));
        assertTrue(malformed(rawKernel(bytes(0x10, 0x07, 0x0B))).getMessage().contains("unknown function 7"));
        assertTrue(malformed(rawKernel(bytes(0x0C, 0x01, 0x0B))).getMessage().contains("unknown label 1"));
        assertTrue(malformed(rawKernel(bytes(0x41, 0, 0x11, 0x05, 0x00, 0x0B))).getMessage().contains("unknown type 5"));
        assertTrue(malformed(rawKernel(bytes(0x05, 0x0B))).getMessage().contains("'else' without"));
        assertTrue(malformed(rawKernel(bytes(0x02, 0x40, 0x0B))).getMessage().contains("without 'end'"));
        assertTrue(malformed(rawKernel(bytes(0x0B, 0x01))).getMessage().contains("after the end"));
        assertTrue(malformed(rawKernel(bytes(0xFF, 0x0B))).getMessage().contains("unknown opcode 0xff"));
        KernelValidationException e = malformed(rawKernel(bytes(0x20, 0x00, 0x1A, 0x0B)));
        assertTrue(e.getMessage().startsWith("function 1 ($f): "), e.getMessage());
    }

    @Test
    void rejectsSectionOrderAndCountMismatch() {
        byte[] dup = bytes(0, 'a', 's', 'm', 1, 0, 0, 0, 1, 1, 0, 1, 1, 0);
        assertTrue(malformed(dup).getMessage().contains("out of order or duplicated"));
        byte[] order = bytes(0, 'a', 's', 'm', 1, 0, 0, 0, 3, 1, 0, 1, 1, 0);
        assertTrue(malformed(order).getMessage().contains("out of order"));
        byte[] unknown = bytes(0, 'a', 's', 'm', 1, 0, 0, 0, 14, 0);
        assertTrue(malformed(unknown).getMessage().contains("unknown section id 14"));
        byte[] noCode = bytes(0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0);
        assertTrue(malformed(noCode).getMessage().contains("inconsistent lengths"));
        byte[] sizeMismatch = bytes(0, 'a', 's', 'm', 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 0, 0);
        assertTrue(malformed(sizeMismatch).getMessage().contains("size mismatch"));
        byte[] badUtf8 = bytes(0, 'a', 's', 'm', 1, 0, 0, 0, 7, 4, 1, 1, 0xC3, 0);
        assertTrue(malformed(badUtf8).getMessage().contains("UTF-8"));
    }

    @Test
    void unreadableNameSectionIsIgnored() {
        byte[] wasm = WasmTestSupport.wat(WasmTestSupport.kernel(""));
        byte[] bad = new WasmWriter().bytes(wasm).section(0, new WasmWriter().name("name").u8(1).u32(200).u8(5)).toByteArray();
        ValidatedKernel k = KernelValidator.validate(bad, V);
        assertTrue(k.binary().functionNames().isEmpty());
        Parser.parse(Instrumenter.instrument(k, 10).wasm());
    }

    @Test
    void everyTruncationIsRejectedAsMalformed() {
        WasmBinary full = WasmReader.read(RICH);
        Set<Integer> boundaries = new HashSet<>();
        boundaries.add(8);
        for (WasmBinary.Section s : full.sections()) {
            boundaries.add(s.payloadEnd());
        }
        for (int len = 0; len < RICH.length; len++) {
            byte[] cut = Arrays.copyOf(RICH, len);
            KernelValidationException e = validateAndInstrument(cut);
            if (!boundaries.contains(len)) {
                if (e == null) {
                    fail("truncation to " + len + " bytes was accepted");
                }
                assertEquals(Kind.MALFORMED, e.kind(), "truncation to " + len + ": " + e.getMessage());
            }
        }
    }

    @Test
    void randomBytesAreRejected() {
        Random rnd = new Random(20240601L);
        byte[] header = bytes(0, 'a', 's', 'm', 1, 0, 0, 0);
        for (int i = 0; i < 20_000; i++) {
            byte[] r = new byte[rnd.nextInt(200)];
            rnd.nextBytes(r);
            if (i % 2 == 0 && r.length >= 8) {
                System.arraycopy(header, 0, r, 0, 8);
            }
            if (validateAndInstrument(r) == null) {
                fail("random bytes accepted: " + Arrays.toString(r));
            }
        }
    }

    @Test
    void randomSectionsAfterAValidHeaderAreRejected() {
        Random rnd = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            WasmWriter w = new WasmWriter().header();
            int sections = 1 + rnd.nextInt(4);
            for (int s = 0; s < sections; s++) {
                byte[] payload = new byte[rnd.nextInt(40)];
                rnd.nextBytes(payload);
                w.u8(rnd.nextInt(13)).u32(payload.length).bytes(payload);
            }
            assertTrue(validateAndInstrument(w.toByteArray()) != null);
        }
    }

    /**
     * Mutated kernels: whatever the validator accepts is instrumented, and the instrumented module
     * is accepted by Chicory whenever the original is.
     */
    @Test
    void mutatedKernelsNeverCrashAndInstrumentValidModules() {
        Random rnd = new Random(42);
        int accepted = 0;
        for (int i = 0; i < 3_000; i++) {
            byte[] m = RICH.clone();
            int flips = 1 + rnd.nextInt(3);
            for (int f = 0; f < flips; f++) {
                int at = 8 + rnd.nextInt(m.length - 8);
                m[at] = rnd.nextInt(3) == 0 ? (byte) (m[at] ^ (1 << rnd.nextInt(8))) : (byte) rnd.nextInt(256);
            }
            if (validateAndInstrument(m) != null) {
                continue;
            }
            accepted++;
            boolean originalValid;
            try {
                Parser.parse(m);
                originalValid = true;
            } catch (RuntimeException e) {
                originalValid = false;
            }
            if (originalValid) {
                byte[] instrumented = Instrumenter.instrument(KernelValidator.validate(m, V), 100).wasm();
                try {
                    Parser.parse(instrumented);
                } catch (RuntimeException e) {
                    throw new AssertionError("Chicory accepts the mutant but not its instrumentation", e);
                }
            }
        }
        assertTrue(accepted > 0, "no mutant was accepted: the test does not exercise the instrumenter");
    }
}
