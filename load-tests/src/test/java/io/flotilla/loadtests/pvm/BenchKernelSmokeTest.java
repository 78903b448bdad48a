package io.flotilla.loadtests.pvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Quick checks that the benchmark kernels are valid and agree across engines (no timing). */
class BenchKernelSmokeTest {

    @Test
    void benchKernelValidatesAndAgreesInEveryMode() {
        BenchKernel.validated();
        int rounds = 1;
        int n = 16_384;
        byte[] expected = new BenchKernel.Runner(BenchKernel.Mode.COMPILER).run(rounds, n);
        // primes below 16384
        assertEquals(1900, ByteBuffer.wrap(expected, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
        for (BenchKernel.Mode mode : BenchKernel.Mode.values()) {
            for (boolean image : new boolean[] {true, false}) {
                BenchKernel.Runner r = new BenchKernel.Runner(mode, image);
                assertArrayEquals(expected, r.run(rounds, n), mode + " image=" + image);
                assertArrayEquals(expected, r.run(rounds, n), mode + " image=" + image + ", second run");
                if (mode != BenchKernel.Mode.COMPILER) {
                    assertTrue(r.gasUsed() > 1_000_000, "metered: " + r.gasUsed());
                }
            }
        }
    }

    @Test
    void interpreterAndMeteredCompilerCountTheSameGas() {
        var i = new BenchKernel.Runner(BenchKernel.Mode.INTERPRETER);
        var c = new BenchKernel.Runner(BenchKernel.Mode.METERED);
        i.run(1, 4096);
        c.run(1, 4096);
        assertEquals(i.gasUsed(), c.gasUsed());
    }

    @Test
    void hugeKernelCrossesTheHugeMethodLimitOnlyWhenMetered() throws Exception {
        byte[] wasm = io.flotilla.pvm.KernelFiles.fromText(HugeKernel.wat(), "huge.wat");
        var vk = io.flotilla.pvm.wasm.KernelValidator.validate(wasm, io.flotilla.pvm.PvmVersion.DEFAULT);
        byte[] metered = io.flotilla.pvm.wasm.Instrumenter.instrument(vk,
                io.flotilla.pvm.PvmVersion.DEFAULT.maxCallDepth() - 1).wasm();
        // HotSpot's huge-method limit is 8000 bytes of bytecode
        int plain = MethodSizes.funcSizes(vk.bytes(), null).get(0)[1];
        int big = MethodSizes.funcSizes(metered, null).get(0)[1];
        assertTrue(plain < 8000, "unmetered " + plain);
        assertTrue(big > 8000, "metered " + big);
        String old = System.setProperty("bench.kernel", "huge");
        try {
            byte[] expected = new BenchKernel.Runner(BenchKernel.Mode.COMPILER).run(3, 0);
            assertArrayEquals(expected, new BenchKernel.Runner(BenchKernel.Mode.METERED).run(3, 0));
            assertArrayEquals(expected, new BenchKernel.Runner(BenchKernel.Mode.INTERPRETER).run(3, 0));
        } finally {
            if (old == null) {
                System.clearProperty("bench.kernel");
            } else {
                System.setProperty("bench.kernel", old);
            }
        }
    }

    @Test
    void bigKernelValidatesAndHasItsDataSegments() {
        byte[] wasm = BigKernel.wasm();
        assertTrue(wasm.length > 300_000, "size " + wasm.length);
        var k = io.flotilla.pvm.engine.ChicoryEngine.INTERPRETER.prepare(
                io.flotilla.pvm.wasm.KernelValidator.validate(wasm, io.flotilla.pvm.PvmVersion.DEFAULT).bytes());
        var inst = k.instantiate(BenchKernel.imports(new byte[1][]), -1, 0, 64);
        assertEquals(BigKernel.PAGES, inst.memory().pages());
        for (int s = 0; s < BigKernel.SEGMENTS; s++) {
            int off = BigKernel.segmentOffset(s);
            assertEquals(BigKernel.segmentByte(s, 0), inst.memory().read(off));
            assertEquals(BigKernel.segmentByte(s, BigKernel.SEGMENT_BYTES - 1),
                    inst.memory().read(off + BigKernel.SEGMENT_BYTES - 1));
        }
    }
}
