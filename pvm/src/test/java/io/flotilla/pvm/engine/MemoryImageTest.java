package io.flotilla.pvm.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import io.flotilla.pvm.KernelFiles;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Instances prepared with a memory image: fresh, private memory with the data segments applied. */
class MemoryImageTest {

    private static final String WAT = """
            (module
              (memory (export "memory") 3 5)
              (global $g (mut i32) (i32.const 0))
              (data (i32.const 16) "hello")
              (data (i32.const 65534) "ab-cd")          ;; crosses into page 1
              (data (i32.const 16) "J")                 ;; a later segment overwrites an earlier one
              (data "passive!")
              (func (export "poke") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
              (func (export "peek") (param i32) (result i32) (i32.load (local.get 0)))
              (func (export "init_passive") (param i32) (memory.init 3 (local.get 0) (i32.const 0) (i32.const 8)))
              (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
              (func $start (global.set $g (i32.add (global.get $g) (i32.load8_u (i32.const 17)))))
              (start $start)
              (func (export "kernel_run")))
            """;

    private static byte[] wasm(String wat) {
        return KernelFiles.fromText(wat, "test.wat");
    }

    private static Instance instance(PreparedKernel k) {
        return k.instantiate(ImportValues.empty(), -1, 0, 100);
    }

    private static String string(Instance i, int addr, int len) {
        return new String(i.memory().readBytes(addr, len), StandardCharsets.ISO_8859_1);
    }

    @Test
    void dataSegmentsArePresentInEveryInstance() {
        for (ChicoryEngine engine : ChicoryEngine.values()) {
            PreparedKernel k = engine.prepare(wasm(WAT));
            for (int n = 0; n < 3; n++) {
                Instance i = instance(k);
                assertInstanceOf(ImageMemory.class, i.memory(), engine.id());
                assertEquals("Jello", string(i, 16, 5), engine.id());
                assertEquals("ab-cd", string(i, 65534, 5), engine.id());
                assertEquals(0, i.memory().read(15));
                assertEquals(0, i.memory().read(3 * 65536 - 1));
                assertEquals(3, i.memory().pages());
            }
        }
    }

    @Test
    void instancesDoNotShareMemory() {
        for (ChicoryEngine engine : ChicoryEngine.values()) {
            PreparedKernel k = engine.prepare(wasm(WAT));
            Instance a = instance(k);
            a.export("poke").apply(16, 0x6e6e6f44); // "Donn" over "Jell"
            a.export("poke").apply(65535, 0x41424344); // a store across the page boundary
            a.export("poke").apply(2 * 65536 + 8, 12345); // a zero page
            a.memory().writeI32(100, 7); // the host writing
            assertEquals("Donno", string(a, 16, 5));
            assertEquals(12345, (int) a.export("peek").apply(2 * 65536 + 8)[0]);

            Instance b = instance(k);
            assertEquals("Jello", string(b, 16, 5), engine.id());
            assertEquals("ab-cd", string(b, 65534, 5), engine.id());
            assertEquals(0, (int) b.export("peek").apply(2 * 65536 + 8)[0], engine.id());
            assertEquals(0, b.memory().readInt(100), engine.id());
            b.export("poke").apply(20, 0x21212121);
            assertEquals("Donno", string(a, 16, 5), "b's write leaked into a");
            assertEquals(7, a.memory().readInt(100));
        }
    }

    @Test
    void copyOnWriteCopiesOnlyWrittenPages() {
        PreparedKernel k = ChicoryEngine.INTERPRETER.prepare(wasm(WAT));
        Instance i = instance(k);
        ImageMemory m = (ImageMemory) i.memory();
        assertFalse(m.owns(0));
        assertFalse(m.owns(2));
        assertEquals(0, m.readInt(2 * 65536)); // reads copy nothing
        assertFalse(m.owns(2));
        i.export("poke").apply(2 * 65536 + 4, 1);
        assertTrue(m.owns(2));
        assertFalse(m.owns(0));
        assertFalse(m.owns(1));
    }

    @Test
    void theStartFunctionSeesTheDataSegments() {
        // the start function adds the byte at 17 ('e') to $g; the PVM's instrumented kernels have
        // their start function exported instead, plain modules still run theirs at instantiation
        Instance i = instance(ChicoryEngine.INTERPRETER.prepare(wasm(WAT)));
        assertEquals('e', i.global(0).getValue());
        Instance c = instance(ChicoryEngine.COMPILER.prepare(wasm(WAT)));
        assertEquals('e', c.global(0).getValue());
    }

    @Test
    void passiveSegmentsGrowthAndBoundsBehaveAsWithoutAnImage() {
        for (ChicoryEngine engine : ChicoryEngine.values()) {
            PreparedKernel image = engine.prepare(wasm(WAT));
            PreparedKernel plain = engine.preparePlain(wasm(WAT));
            Instance i = instance(image);
            Instance p = instance(plain);
            assertFalse(p.memory() instanceof ImageMemory);
            for (Instance x : new Instance[] {i, p}) {
                x.export("init_passive").apply(65530);
                assertEquals("passive!", string(x, 65530, 8));
                assertEquals(3, (int) x.export("grow").apply(1)[0]);
                assertEquals(0, (int) x.export("peek").apply(3 * 65536 + 12)[0]);
                x.export("poke").apply(3 * 65536 + 12, 99);
                assertEquals(99, (int) x.export("peek").apply(3 * 65536 + 12)[0]);
                assertEquals(-1, (int) x.export("grow").apply(2)[0]);
                assertThrows(WasmRuntimeException.class, () -> x.export("peek").apply(4 * 65536 - 2));
                assertThrows(WasmRuntimeException.class, () -> x.export("poke").apply(4 * 65536, 1));
                assertThrows(WasmRuntimeException.class, () -> x.export("peek").apply(-4));
            }
            for (int a = 0; a < 4 * 65536; a += 4096) {
                assertEquals(p.memory().readInt(a), i.memory().readInt(a), engine.id() + " @" + a);
            }
        }
    }

    @Test
    void modulesTheImageCannotRepresentAreInstantiatedAsBefore() {
        String outOfBounds = """
                (module (memory (export "memory") 1) (data (i32.const 65534) "abc")
                  (func (export "kernel_run")))
                """;
        PreparedKernel k = ChicoryEngine.INTERPRETER.prepare(wasm(outOfBounds));
        assertThrows(KernelLoadException.class, () -> instance(k));

        String fromGlobal = """
                (module (import "env" "base" (global i32)) (memory (export "memory") 1)
                  (data (global.get 0) "abc") (func (export "kernel_run")))
                """;
        assertTrue(MemoryImage.of(com.dylibso.chicory.wasm.Parser.parse(wasm(fromGlobal))).isEmpty());
    }

    @Test
    void imagePagesAreNeverWritten() {
        PreparedKernel k = ChicoryEngine.COMPILER.prepare(wasm(WAT));
        Instance a = instance(k);
        byte[] before = a.memory().readBytes(0, 3 * 65536);
        for (int addr = 0; addr < 3 * 65536; addr += 256) {
            a.export("poke").apply(addr, -1);
        }
        Instance b = instance(k);
        assertArrayEquals(before, b.memory().readBytes(0, 3 * 65536));
        assertNotSame(a.memory(), b.memory());
    }
}
