package io.flotilla.pvm.wasm;

import static io.flotilla.pvm.wasm.WasmTestSupport.bytes;
import static io.flotilla.pvm.wasm.WasmTestSupport.kernel;
import static io.flotilla.pvm.wasm.WasmTestSupport.named;
import static io.flotilla.pvm.wasm.WasmTestSupport.rawKernel;
import static io.flotilla.pvm.wasm.WasmTestSupport.section;
import static io.flotilla.pvm.wasm.WasmTestSupport.wat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.wasm.KernelValidationException.Kind;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class KernelValidatorTest {
    static final PvmVersion V = PvmVersion.DEFAULT;

    static KernelValidationException reject(byte[] wasm, Kind kind) {
        return reject(wasm, V, kind);
    }

    static KernelValidationException reject(byte[] wasm, PvmVersion v, Kind kind) {
        KernelValidationException e = assertThrows(KernelValidationException.class, () -> KernelValidator.validate(wasm, v));
        assertEquals(kind, e.kind(), () -> "wrong kind: " + e.getMessage());
        return e;
    }

    /** The message names the function and the instruction, whose offset points at its opcode. */
    static void assertNamesInstruction(KernelValidationException e, byte[] wasm, String function, String mnemonic, int opcode) {
        String msg = e.getMessage();
        assertTrue(msg.startsWith(function + ": "), () -> "message does not name " + function + ": " + msg);
        Matcher m = Pattern.compile(Pattern.quote(mnemonic) + " at offset 0x([0-9a-f]+)").matcher(msg);
        assertTrue(m.find(), () -> "message does not name " + mnemonic + " with its offset: " + msg);
        int offset = Integer.parseInt(m.group(1), 16);
        assertEquals(opcode, wasm[offset] & 0xFF, () -> "offset does not point at the opcode: " + msg);
    }

    // ------------------------------------------------------------------ accepted

    @Test
    void acceptsMinimalKernel() {
        byte[] wasm = wat("(module (memory (export \"memory\") 1) (func (export \"kernel_run\")))");
        ValidatedKernel k = KernelValidator.validate(wasm, V);
        assertEquals(0, k.kernelRunIndex());
        assertEquals("memory", k.memoryExport());
        assertEquals(1, k.binary().functions().size());
    }

    @Test
    void acceptsKernelWithHostImportsTablesGlobalsAndData() {
        byte[] wasm = named("""
            (module
              (import "smart_rollup_core" "read_input" (func $read (param i32 i32 i32) (result i32)))
              (import "smart_rollup_core" "write_debug" (func $dbg (param i32 i32)))
              (import "smart_rollup_core" "store_list_size" (func $lsz (param i32 i32) (result i64)))
              (memory (export "mem") 2 10)
              (global $g (mut i32) (i32.const 7))
              (global $h i64 (i64.const -1))
              (table 2 funcref)
              (elem (i32.const 0) $a $b)
              (data (i32.const 16) "hello")
              (func $a (result i32) i32.const 1)
              (func $b (result i32) i32.const 2)
              (func (export "kernel_run")
                (drop (call $read (i32.const 0) (i32.const 0) (i32.const 0)))
                (call $dbg (i32.const 16) (i32.const 5))
                (drop (call_indirect (result i32) (i32.const 1)))
                (drop (call $lsz (i32.const 0) (i32.const 0)))))
            """);
        ValidatedKernel k = KernelValidator.validate(wasm, PvmVersion.V2_0_0);
        assertEquals(5, k.kernelRunIndex());
        assertEquals(3, k.binary().importedFunctionCount());
        assertEquals("a", k.binary().functionNames().get(3));
    }

    @Test
    void readerDecodesInstructionsWithOffsetsAndImmediates() {
        byte[] wasm = named("""
            (module (memory (export "memory") 1)
              (func $kernel_run (export "kernel_run")
                (block $out (loop $l (br_table $out $l (i32.const 1))))
                (i64.store offset=8 (i32.const 0) (i64.const -5))))
            """);
        WasmBinary m = WasmReader.read(wasm);
        var body = m.functions().get(0).body;
        String mnemonics = body.stream().map(WasmBinary.Instruction::mnemonic).reduce((a, b) -> a + " " + b).orElseThrow();
        assertEquals("block loop i32.const br_table end end i32.const i64.const i64.store end", mnemonics);
        for (var ins : body) {
            assertEquals(ins.opcode, wasm[ins.offset] & 0xFF);
        }
        var brTable = body.get(3);
        assertEquals(1, brTable.labels.length);
        assertEquals(1, brTable.labels[0]);
        assertEquals(0, brTable.a);
        assertEquals(-5, body.get(7).a);
        assertEquals(8, body.get(8).b);
        assertEquals("kernel_run", m.functionNames().get(0));
        // the canonical re-encoding of each instruction is its original encoding here
        for (var ins : body) {
            byte[] enc = new WasmWriter().instruction(ins).toByteArray();
            assertEquals(ins.length, enc.length, ins.toString());
        }
    }

    // ------------------------------------------------------------------ floating point

    static Stream<Arguments> floatInstructions() {
        return Stream.of(
            Arguments.of("(func $compute (result i32) (drop (f32.add (f32.const 1) (f32.const 2))) (i32.const 0))", "f32.const", 0x43),
            Arguments.of("(func $compute unreachable f32.add drop)", "f32.add", 0x92),
            Arguments.of("(func $compute unreachable f64.const 1.5 drop)", "f64.const", 0x44),
            Arguments.of("(func $compute (drop (f32.load (i32.const 0))))", "f32.load", 0x2a),
            Arguments.of("(func $compute unreachable f64.store)", "f64.store", 0x39),
            Arguments.of("(func $compute unreachable f64.lt drop)", "f64.lt", 0x63),
            Arguments.of("(func $compute unreachable f32.eq drop)", "f32.eq", 0x5b),
            Arguments.of("(func $compute unreachable f64.sqrt drop)", "f64.sqrt", 0x9f),
            Arguments.of("(func $compute unreachable i32.trunc_f32_s drop)", "i32.trunc_f32_s", 0xa8),
            Arguments.of("(func $compute unreachable i64.trunc_f64_u drop)", "i64.trunc_f64_u", 0xb1),
            Arguments.of("(func $compute unreachable f64.convert_i64_s drop)", "f64.convert_i64_s", 0xb9),
            Arguments.of("(func $compute unreachable f32.demote_f64 drop)", "f32.demote_f64", 0xb6),
            Arguments.of("(func $compute unreachable f64.promote_f32 drop)", "f64.promote_f32", 0xbb),
            Arguments.of("(func $compute (drop (i32.reinterpret_f32 (f32.const 0))))", "f32.const", 0x43),
            Arguments.of("(func $compute unreachable i64.reinterpret_f64 drop)", "i64.reinterpret_f64", 0xbd),
            Arguments.of("(func $compute unreachable f32.reinterpret_i32 drop)", "f32.reinterpret_i32", 0xbe));
    }

    @ParameterizedTest
    @MethodSource("floatInstructions")
    void rejectsFloatInstructions(String func, String mnemonic, int opcode) {
        byte[] wasm = named(kernel(func));
        KernelValidationException e = reject(wasm, Kind.FORBIDDEN_FEATURE);
        assertNamesInstruction(e, wasm, "function 0 ($compute)", mnemonic, opcode);
        assertTrue(e.getMessage().contains("is a floating-point instruction"), e.getMessage());
    }

    @Test
    void rejectsFloatInstructionInSecondFunctionNamingIt() {
        byte[] wasm = named("""
            (module (memory (export "memory") 1)
              (func $kernel_run (export "kernel_run"))
              (func $compute (result i32) (i32.const 1) unreachable f32.add drop))
            """);
        KernelValidationException e = reject(wasm, Kind.FORBIDDEN_FEATURE);
        assertNamesInstruction(e, wasm, "function 1 ($compute)", "f32.add", 0x92);
        assertTrue(e.getMessage().matches("function 1 \\(\\$compute\\): f32\\.add at offset 0x[0-9a-f]+ is a floating-point instruction"),
                e.getMessage());
    }

    @Test
    void functionWithoutNameIsNamedByIndex() {
        byte[] wasm = rawKernel(bytes(0x00, 0x92, 0x1A, 0x0B));
        // strip the name section: it is the last section, starting at its id byte 0
        WasmBinary m = WasmReader.read(wasm);
        var names = m.sections().get(m.sections().size() - 1);
        byte[] noNames = java.util.Arrays.copyOf(wasm, names.offset());
        KernelValidationException e = reject(noNames, Kind.FORBIDDEN_FEATURE);
        assertNamesInstruction(e, noNames, "function 1", "f32.add", 0x92);
    }

    @Test
    void rejectsFloatTypes() {
        assertTrue(reject(wat(kernel("(func (param f32))")), Kind.FORBIDDEN_FEATURE).getMessage().contains("f32"));
        assertTrue(reject(wat(kernel("(func (result f64) unreachable)")), Kind.FORBIDDEN_FEATURE).getMessage().contains("f64"));
        KernelValidationException local = reject(named(kernel("(func $loc (local i32 f64))")), Kind.FORBIDDEN_FEATURE);
        assertTrue(local.getMessage().startsWith("function 0 ($loc): local of floating-point type f64"), local.getMessage());
        KernelValidationException global = reject(wat(kernel("(global f32 (f32.const 0))")), Kind.FORBIDDEN_FEATURE);
        assertTrue(global.getMessage().contains("f32"), global.getMessage());
        KernelValidationException mglobal = reject(wat(kernel("(global (mut f64) (f64.const 0))")), Kind.FORBIDDEN_FEATURE);
        assertTrue(mglobal.getMessage().contains("f64"), mglobal.getMessage());
    }

    // ------------------------------------------------------------------ post-MVP instructions

    static Stream<Arguments> postMvpInstructions() {
        return Stream.of(
            // 0xFC: saturating truncation, the rest of bulk memory, table ops
            Arguments.of(bytes(0x00, 0xFC, 0x00, 0x1A, 0x0B), "i32.trunc_sat_f32_s", 0xFC, "saturating"),
            Arguments.of(bytes(0x00, 0xFC, 0x07, 0x1A, 0x0B), "i64.trunc_sat_f64_u", 0xFC, "saturating"),
            Arguments.of(bytes(0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 0x08, 0x00, 0x00, 0x0B), "memory.init", 0xFC, "does not support yet"),
            Arguments.of(bytes(0xFC, 0x09, 0x00, 0x0B), "data.drop", 0xFC, "does not support yet"),
            Arguments.of(bytes(0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 0x0C, 0x00, 0x00, 0x0B), "table.init", 0xFC, "does not support yet"),
            Arguments.of(bytes(0xFC, 0x0D, 0x00, 0x0B), "elem.drop", 0xFC, "does not support yet"),
            Arguments.of(bytes(0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 0x0E, 0x00, 0x00, 0x0B), "table.copy", 0xFC, "does not support yet"),
            Arguments.of(bytes(0x00, 0xFC, 0x0F, 0x00, 0x1A, 0x0B), "table.grow", 0xFC, "does not support yet"),
            Arguments.of(bytes(0x00, 0xFC, 0x10, 0x00, 0x1A, 0x0B), "table.size", 0xFC, "table"),
            Arguments.of(bytes(0x00, 0xFC, 0x11, 0x00, 0x0B), "table.fill", 0xFC, "reference-types"),
            Arguments.of(bytes(0x00, 0xFC, 0x12, 0x0B), "0xFC 18", 0xFC, "unknown 0xFC"),
            // memory.copy / memory.fill on another memory
            Arguments.of(bytes(0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 0x0B, 0x01, 0x0B), "memory.fill", 0xFC, "multi-memory"),
            Arguments.of(bytes(0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 0x0A, 0x00, 0x01, 0x0B), "memory.copy", 0xFC, "multi-memory"),
            Arguments.of(bytes(0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 0x0A, 0x02, 0x00, 0x0B), "memory.copy", 0xFC, "multi-memory"),
            // SIMD, threads
            Arguments.of(bytes(0x00, 0xFD, 0x0C, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x1A, 0x0B), "0xFD-prefixed (SIMD) instruction", 0xFD, "SIMD"),
            Arguments.of(bytes(0x41, 0, 0x41, 0, 0xFE, 0x00, 0x02, 0x00, 0x1A, 0x0B), "0xFE-prefixed (threads) instruction", 0xFE, "threads"),
            // reference types
            Arguments.of(bytes(0xD0, 0x70, 0x1A, 0x0B), "ref.null", 0xD0, "reference-types"),
            Arguments.of(bytes(0x00, 0xD1, 0x1A, 0x0B), "ref.is_null", 0xD1, "reference-types"),
            Arguments.of(bytes(0xD2, 0x00, 0x1A, 0x0B), "ref.func", 0xD2, "reference-types"),
            Arguments.of(bytes(0x41, 1, 0x41, 2, 0x41, 0, 0x1C, 0x01, 0x7F, 0x1A, 0x0B), "select (typed)", 0x1C, "reference-types"),
            Arguments.of(bytes(0x41, 0, 0x25, 0x00, 0x1A, 0x0B), "table.get", 0x25, "reference-types"),
            Arguments.of(bytes(0x00, 0x26, 0x00, 0x0B), "table.set", 0x26, "reference-types"),
            // exception handling, tail calls
            Arguments.of(bytes(0x06, 0x40, 0x07, 0x00, 0x0B, 0x0B), "try", 0x06, "exception-handling"),
            Arguments.of(bytes(0x08, 0x00, 0x0B), "throw", 0x08, "exception-handling"),
            Arguments.of(bytes(0x1F, 0x40, 0x00, 0x0B, 0x0B), "try_table", 0x1F, "exception-handling"),
            Arguments.of(bytes(0x12, 0x00, 0x0B), "return_call", 0x12, "tail-call"),
            Arguments.of(bytes(0x41, 0, 0x13, 0x00, 0x00, 0x0B), "return_call_indirect", 0x13, "tail-call"));
    }

    @ParameterizedTest
    @MethodSource("postMvpInstructions")
    void rejectsPostMvpInstructions(byte[] body, String mnemonic, int opcode, String feature) {
        byte[] wasm = rawKernel(body);
        KernelValidationException e = reject(wasm, Kind.FORBIDDEN_FEATURE);
        assertNamesInstruction(e, wasm, "function 1 ($f)", mnemonic, opcode);
        assertTrue(e.getMessage().contains(feature), e.getMessage());
    }

    @Test
    void rejectsPostMvpInstructionsFromWat() {
        byte[] sat = named(kernel("(func $sat (result i32) unreachable i32.trunc_sat_f32_s)"));
        assertNamesInstruction(reject(sat, Kind.FORBIDDEN_FEATURE), sat, "function 0 ($sat)", "i32.trunc_sat_f32_s", 0xFC);
        byte[] sel = named(kernel("(func $sel (result i32) (select (result i32) (i32.const 1) (i32.const 2) (i32.const 0)))"));
        assertNamesInstruction(reject(sel, Kind.FORBIDDEN_FEATURE), sel, "function 0 ($sel)", "select (typed)", 0x1C);
        byte[] size = named(kernel("(table 1 funcref) (func $tsize (result i32) (table.size 0))"));
        KernelValidationException e = reject(size, Kind.FORBIDDEN_FEATURE);
        assertNamesInstruction(e, size, "function 0 ($tsize)", "table.size", 0xFC);
        assertTrue(e.getMessage().contains("Flotilla does not support yet"), e.getMessage());
        // memory.init needs a passive segment and so a data count section, refused first
        byte[] init = named(kernel("(data $d \"abc\") (func $init (memory.init $d (i32.const 0) (i32.const 0) (i32.const 3)))"));
        KernelValidationException di = reject(init, Kind.FORBIDDEN_FEATURE);
        assertTrue(di.getMessage().contains("data count section") && di.getMessage().contains("does not support yet"), di.getMessage());
        byte[] simd = named(kernel("(func $simd (drop (i32x4.splat (i32.const 1))))"));
        assertNamesInstruction(reject(simd, Kind.FORBIDDEN_FEATURE), simd, "function 0 ($simd)", "0xFD-prefixed (SIMD) instruction", 0xFD);
    }

    // ------------------------------------------------------------------ accepted extensions

    static Stream<Arguments> acceptedExtensions() {
        return Stream.of(
            Arguments.of("(func $ext (result i32) (i32.extend8_s (i32.const 200)))", "i32.extend8_s", 0xC0),
            Arguments.of("(func $ext (result i32) (i32.extend16_s (i32.const 40000)))", "i32.extend16_s", 0xC1),
            Arguments.of("(func $ext (result i64) (i64.extend8_s (i64.const 200)))", "i64.extend8_s", 0xC2),
            Arguments.of("(func $ext (result i64) (i64.extend16_s (i64.const 40000)))", "i64.extend16_s", 0xC3),
            Arguments.of("(func $ext (result i64) (i64.extend32_s (i64.const 0x80000000)))", "i64.extend32_s", 0xC4),
            Arguments.of("(func $ext (memory.copy (i32.const 0) (i32.const 8) (i32.const 16)))", "memory.copy", Opcodes.MEMORY_COPY),
            Arguments.of("(func $ext (memory.fill (i32.const 0) (i32.const 8) (i32.const 16)))", "memory.fill", Opcodes.MEMORY_FILL));
    }

    @ParameterizedTest
    @MethodSource("acceptedExtensions")
    void acceptsSignExtensionAndMemoryCopyFill(String func, String mnemonic, int opcode) {
        byte[] wasm = named(kernel(func));
        ValidatedKernel k = KernelValidator.validate(wasm, V);
        var body = k.binary().functions().get(0).body;
        var ins = body.stream().filter(i -> i.opcode == opcode).findFirst().orElseThrow();
        assertEquals(mnemonic, ins.mnemonic());
        assertEquals(opcode > 0xFF ? 0xFC : opcode, wasm[ins.offset] & 0xFF);
        // the canonical re-encoding is the original encoding
        byte[] enc = new WasmWriter().instruction(ins).toByteArray();
        assertEquals(java.util.HexFormat.of().formatHex(wasm, ins.offset, ins.offset + ins.length),
                java.util.HexFormat.of().formatHex(enc));
        // and the instrumented module is valid for Chicory
        com.dylibso.chicory.wasm.Parser.parse(Instrumenter.instrument(k, 10).wasm());
    }

    @Test
    void acceptsExtensionsInEveryVersionAndInBodiesOfAnyShape() {
        byte[] wasm = named("""
            (module (memory (export "memory") 1)
              (func $kernel_run (export "kernel_run")
                (local $x i32)
                (block $b
                  (loop $l
                    (memory.fill (local.get $x) (i32.extend8_s (local.get $x)) (i32.const 3))
                    (if (i32.eqz (local.get $x)) (then (br $b)))
                    (memory.copy (i32.const 100) (local.get $x) (i32.const 3))
                    (local.set $x (i32.sub (local.get $x) (i32.const 1)))
                    (br $l)))
                (drop (i64.extend32_s (i64.extend16_s (i64.extend8_s (i64.const -1)))))
                (drop (i32.extend16_s (i32.const 1)))))
            """);
        for (PvmVersion v : PvmVersion.values()) {
            KernelValidator.validate(wasm, v);
        }
    }

    @Test
    void rejectsMultiValue() {
        byte[] blockType = named(kernel("(func $mv (i32.const 1) (block (param i32) drop))"));
        KernelValidationException e = reject(blockType, Kind.FORBIDDEN_FEATURE);
        assertNamesInstruction(e, blockType, "function 0 ($mv)", "block", 0x02);
        assertTrue(e.getMessage().contains("multi-value"), e.getMessage());
        KernelValidationException two = reject(wat(kernel("(func (result i32 i32) (i32.const 1) (i32.const 2))")), Kind.FORBIDDEN_FEATURE);
        assertTrue(two.getMessage().contains("2 results"), two.getMessage());
    }

    // ------------------------------------------------------------------ post-MVP module structure

    @Test
    void rejectsDataCountSection() {
        byte[] wasm = rawKernel(bytes(0x0B), section(12, new WasmWriter().u32(0)));
        String msg = reject(wasm, Kind.FORBIDDEN_FEATURE).getMessage();
        assertTrue(msg.contains("data count") && msg.contains("Flotilla does not support yet"), msg);
    }

    @Test
    void rejectsPassiveAndDeclarativeSegments() {
        assertTrue(reject(wat(kernel("(data \"abc\")")), Kind.FORBIDDEN_FEATURE).getMessage().contains("passive"));
        byte[] passiveData = rawKernel(bytes(0x0B), section(11, new WasmWriter().u32(1).u32(1).u32(1).u8('x')));
        String passive = reject(passiveData, Kind.FORBIDDEN_FEATURE).getMessage();
        assertTrue(passive.contains("data segment 0 is passive") && passive.contains("Flotilla does not support yet"), passive);
        assertTrue(reject(wat(kernel("(func $e) (elem func $e)")), Kind.FORBIDDEN_FEATURE).getMessage().contains("element segment 0"));
        assertTrue(reject(wat(kernel("(func $e) (elem declare func $e)")), Kind.FORBIDDEN_FEATURE).getMessage().contains("element segment 0"));
        byte[] flags2 = rawKernel(bytes(0x0B),
                section(4, new WasmWriter().u32(1).u8(0x70).u8(0).u32(1)),
                section(9, new WasmWriter().u32(1).u32(2).u32(0).u8(0x41).u8(0).u8(0x0B).u8(0).u32(0)));
        assertTrue(reject(flags2, Kind.FORBIDDEN_FEATURE).getMessage().contains("flags 2"));
    }

    @Test
    void rejectsSharedAnd64BitLimits() {
        byte[] shared = rawKernel(bytes(0x0B), section(4, new WasmWriter().u32(1).u8(0x70).u8(3).u32(1).u32(2)));
        assertTrue(reject(shared, Kind.FORBIDDEN_FEATURE).getMessage().contains("shared"));
        // the memory section of rawKernel is fixed, so build the memory limits by hand
        byte[] sharedMem = wasmWithMemory(bytes(0x03, 0x01, 0x02));
        assertTrue(reject(sharedMem, Kind.FORBIDDEN_FEATURE).getMessage().contains("shared memory"));
        byte[] mem64 = wasmWithMemory(bytes(0x04, 0x01));
        assertTrue(reject(mem64, Kind.FORBIDDEN_FEATURE).getMessage().contains("memory64"));
    }

    private static byte[] wasmWithMemory(byte[] limits) {
        WasmWriter w = new WasmWriter().header();
        w.section(1, new WasmWriter().u32(1).u8(0x60).u32(0).u32(0));
        w.section(3, new WasmWriter().u32(1).u32(0));
        w.section(5, new WasmWriter().u32(1).bytes(limits));
        w.section(7, new WasmWriter().u32(2).name("kernel_run").u8(0).u32(0).name("memory").u8(2).u32(0));
        w.section(10, new WasmWriter().u32(1).u32(2).u32(0).u8(0x0B));
        return w.toByteArray();
    }

    @Test
    void rejectsSeveralTablesOrMemories() {
        KernelValidationException t = reject(wat(kernel("(table 1 funcref) (table 1 funcref)")), Kind.FORBIDDEN_FEATURE);
        assertTrue(t.getMessage().contains("2 tables"), t.getMessage());
        KernelValidationException m = reject(wasmWithMemory(bytes(0x00, 0x01, 0x00, 0x01)).length > 0
                ? twoMemories() : null, Kind.FORBIDDEN_FEATURE);
        assertTrue(m.getMessage().contains("2 memories"), m.getMessage());
    }

    private static byte[] twoMemories() {
        WasmWriter w = new WasmWriter().header();
        w.section(1, new WasmWriter().u32(1).u8(0x60).u32(0).u32(0));
        w.section(3, new WasmWriter().u32(1).u32(0));
        w.section(5, new WasmWriter().u32(2).u8(0).u32(1).u8(0).u32(1));
        w.section(7, new WasmWriter().u32(2).name("kernel_run").u8(0).u32(0).name("memory").u8(2).u32(0));
        w.section(10, new WasmWriter().u32(1).u32(2).u32(0).u8(0x0B));
        return w.toByteArray();
    }

    @Test
    void rejectsNonFunctionImports() {
        String mem = "(module (import \"smart_rollup_core\" \"mem\" (memory 1)) (export \"memory\" (memory 0)) (func (export \"kernel_run\")))";
        assertTrue(reject(wat(mem), Kind.CONTRACT).getMessage().contains("memory import"));
        String table = "(module (import \"smart_rollup_core\" \"t\" (table 1 funcref)) (memory (export \"memory\") 1) (func (export \"kernel_run\")))";
        assertTrue(reject(wat(table), Kind.CONTRACT).getMessage().contains("table import"));
        String global = "(module (import \"smart_rollup_core\" \"g\" (global i32)) (memory (export \"memory\") 1) (func (export \"kernel_run\")))";
        assertTrue(reject(wat(global), Kind.CONTRACT).getMessage().contains("global import"));
    }

    // ------------------------------------------------------------------ kernel contract

    @Test
    void rejectsMissingOrMistypedKernelRun() {
        assertTrue(reject(wat("(module (memory (export \"memory\") 1) (func (export \"run\")))"), Kind.CONTRACT)
                .getMessage().contains("does not export a function 'kernel_run'"));
        assertTrue(reject(wat("(module (memory (export \"memory\") 1) (func (export \"kernel_run\") (param i32)))"), Kind.CONTRACT)
                .getMessage().contains("expected [] -> []"));
        assertTrue(reject(wat("(module (memory (export \"memory\") 1) (func (export \"kernel_run\") (result i32) i32.const 0))"), Kind.CONTRACT)
                .getMessage().contains("expected [] -> []"));
        assertTrue(reject(wat("(module (memory (export \"kernel_run\") 1))"), Kind.CONTRACT)
                .getMessage().contains("not a function"));
    }

    @Test
    void rejectsMemoryContractViolations() {
        assertTrue(reject(wat("(module (func (export \"kernel_run\")))"), Kind.CONTRACT).getMessage().contains("0 memories"));
        assertTrue(reject(wat("(module (memory 1) (func (export \"kernel_run\")))"), Kind.CONTRACT).getMessage().contains("0 times"));
        assertTrue(reject(wat("(module (memory (export \"a\") (export \"b\") 1) (func (export \"kernel_run\")))"), Kind.CONTRACT)
                .getMessage().contains("2 times"));
    }

    @Test
    void rejectsOtherImportModulesAndReservedExports() {
        KernelValidationException e = reject(wat(kernel("(import \"env\" \"read_input\" (func (param i32 i32 i32) (result i32)))")), Kind.CONTRACT);
        assertTrue(e.getMessage().contains("'env'.'read_input'"), e.getMessage());
        assertTrue(reject(wat(kernel("(global (export \"__flotilla_gas\") i64 (i64.const 0))")), Kind.CONTRACT)
                .getMessage().contains("reserved"));
    }

    // ------------------------------------------------------------------ linking

    @Test
    void rejectsImportsThatDoNotLink() {
        String storeExists = kernel("(import \"smart_rollup_core\" \"store_exists\" (func (param i32 i32) (result i32)))");
        KernelValidator.validate(wat(storeExists), PvmVersion.V2_0_0_R2);
        KernelValidationException v0 = reject(wat(storeExists), PvmVersion.V2_0_0, Kind.LINK);
        assertTrue(v0.getMessage().contains("not provided by PVM 2.0.0") && v0.getMessage().contains("fails to link"), v0.getMessage());
        KernelValidationException r1 = reject(wat(storeExists), PvmVersion.V2_0_0_R1, Kind.LINK);
        assertTrue(r1.getMessage().contains("2.0.0-r1"), r1.getMessage());

        String reveal = kernel("(import \"smart_rollup_core\" \"reveal\" (func (param i32 i32 i32 i32) (result i32)))");
        KernelValidator.validate(wat(reveal), PvmVersion.V2_0_0_R3);
        reject(wat(reveal), PvmVersion.V2_0_0_R2, Kind.LINK);

        KernelValidationException sig = reject(wat(kernel("(import \"smart_rollup_core\" \"read_input\" (func (param i32 i32) (result i32)))")), Kind.LINK);
        assertTrue(sig.getMessage().contains("[i32, i32] -> [i32]") && sig.getMessage().contains("[i32, i32, i32] -> [i32]"), sig.getMessage());
        reject(wat(kernel("(import \"smart_rollup_core\" \"store_list_size\" (func (param i32 i32) (result i32)))")), Kind.LINK);
        KernelValidationException unknown = reject(wat(kernel("(import \"smart_rollup_core\" \"launch_missiles\" (func))")), Kind.LINK);
        assertTrue(unknown.getMessage().contains("not a host function"), unknown.getMessage());
    }
}
