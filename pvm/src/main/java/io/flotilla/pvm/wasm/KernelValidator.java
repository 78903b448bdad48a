package io.flotilla.pvm.wasm;

import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.wasm.KernelValidationException.Kind;
import io.flotilla.pvm.wasm.WasmBinary.Export;
import io.flotilla.pvm.wasm.WasmBinary.FuncType;
import io.flotilla.pvm.wasm.WasmBinary.Function;
import io.flotilla.pvm.wasm.WasmBinary.Import;
import io.flotilla.pvm.wasm.WasmBinary.Instruction;
import java.util.Arrays;
import java.util.Map;

/**
 * Decides whether a module is a kernel the {@code wasm_2_0_0} PVM of a given version accepts.
 *
 * <h2>Accepted instruction set</h2>
 * WebAssembly 1.0 (MVP) without floating point, plus the integer extensions that Octez's decoder
 * accepts and that current Rust toolchains emit by default for kernels built with the Tezos
 * kernel SDK:
 * <ul>
 *   <li>the sign-extension operators {@code i32.extend8_s}, {@code i32.extend16_s},
 *       {@code i64.extend8_s}, {@code i64.extend16_s}, {@code i64.extend32_s} (0xC0-0xC4; emitted
 *       by LLVM 16 and later);</li>
 *   <li>{@code memory.copy} (0xFC 10) and {@code memory.fill} (0xFC 11) on memory 0 (emitted by
 *       LLVM 20 and later, i.e. Rust 1.87 and later).</li>
 * </ul>
 * Octez's PVM decodes the whole WebAssembly 2.0 integer feature set and forbids only floating
 * point, so refusing these would refuse real kernels that Octez runs.
 *
 * <p>Still refused ({@link Kind#FORBIDDEN_FEATURE}):
 * <ul>
 *   <li>what Octez refuses too: floating point (f32/f64 value types anywhere, every float
 *       instruction, including the saturating truncations 0xFC 0-7, which need float operands
 *       anyway), and features beyond WebAssembly 2.0: threads (0xFE, shared memories), exception
 *       handling, tail calls, GC and typed function references, multi-memory, memory64;</li>
 *   <li>WebAssembly 2.0 features Flotilla does not support yet: SIMD (0xFD), reference-type
 *       instructions and types, several tables, multi-value, {@code memory.init},
 *       {@code data.drop} and the {@code table.*}/{@code elem.drop} instructions (0xFC 8, 9,
 *       12-17), passive or declarative segments and the data count section.</li>
 * </ul>
 *
 * <p>Checks, in this order: the binary is a well-formed module (magic, version 1, sections in
 * order, every index in range, blocks well nested; {@link Kind#MALFORMED}); it uses only the
 * features above ({@link Kind#FORBIDDEN_FEATURE}); it is a kernel ({@link Kind#CONTRACT}): it
 * exports {@code kernel_run : [] -> []}, defines exactly one memory and exports it once, imports
 * nothing but functions of {@code smart_rollup_core}, and exports no name reserved for
 * instrumentation ({@code __flotilla_*}); finally every import links against this version's host
 * functions with exactly their signatures ({@link Kind#LINK}).
 *
 * <p>Function bodies are scanned instruction by instruction but not type-checked: the engine's
 * validator runs on the instrumented module afterwards.
 */
public final class KernelValidator {
    public static final String KERNEL_RUN = "kernel_run";
    /** Export names starting with this are reserved for the instrumentation. */
    public static final String RESERVED_PREFIX = "__flotilla_";

    private KernelValidator() {}

    public static ValidatedKernel validate(byte[] wasm, PvmVersion version) {
        WasmBinary m = WasmReader.read(wasm);
        checkFeatures(m);
        return checkContract(m, version);
    }

    private static KernelValidationException forbidden(String msg) {
        return new KernelValidationException(Kind.FORBIDDEN_FEATURE, msg);
    }

    private static boolean isFloat(byte t) {
        return t == Opcodes.T_F32 || t == Opcodes.T_F64;
    }

    private static void checkFeatures(WasmBinary m) {
        for (int i = 0; i < m.types().size(); i++) {
            FuncType t = m.types().get(i);
            if (t.results().length > 1) {
                throw forbidden("type " + i + " " + t + " has " + t.results().length
                        + " results (multi-value, which Flotilla does not support yet)");
            }
            for (byte v : concat(t.params(), t.results())) {
                if (isFloat(v)) {
                    throw forbidden("type " + i + " " + t + " uses the floating-point type " + Opcodes.typeName(v));
                }
            }
        }
        int tables = m.tables().size();
        int memories = m.memories().size();
        for (Import im : m.imports()) {
            if (im.kind() == WasmBinary.KIND_GLOBAL && isFloat(im.globalType())) {
                throw forbidden("imported global '" + im.module() + "'.'" + im.name()
                        + "' has the floating-point type " + Opcodes.typeName(im.globalType()));
            }
            if (im.kind() == WasmBinary.KIND_TABLE) {
                tables++;
            }
            if (im.kind() == WasmBinary.KIND_MEMORY) {
                memories++;
            }
        }
        if (tables > 1) {
            throw forbidden("the module has " + tables + " tables (multiple tables are a reference-types feature, which Flotilla does not support yet)");
        }
        if (memories > 1) {
            throw forbidden("the module has " + memories + " memories (multi-memory is not part of WebAssembly 2.0)");
        }
        for (int i = 0; i < m.globals().size(); i++) {
            WasmBinary.Global g = m.globals().get(i);
            if (isFloat(g.type())) {
                throw forbidden("global " + i + " at offset " + WasmReader.hex(g.offset())
                        + " has the floating-point type " + Opcodes.typeName(g.type()));
            }
        }
        for (Function f : m.functions()) {
            for (int g = 0; g < f.localTypes.length; g++) {
                if (isFloat(f.localTypes[g])) {
                    throw forbidden(m.describeFunction(f.index) + ": local of floating-point type "
                            + Opcodes.typeName(f.localTypes[g]) + " (local group " + g + ")");
                }
            }
            for (Instruction ins : f.body) {
                if (Opcodes.isFloat(ins.opcode)) {
                    throw forbidden(m.describeFunction(f.index) + ": " + ins.mnemonic() + " at offset "
                            + WasmReader.hex(ins.offset) + " is a floating-point instruction");
                }
            }
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static ValidatedKernel checkContract(WasmBinary m, PvmVersion version) {
        for (Import im : m.imports()) {
            String what = "import '" + im.module() + "'.'" + im.name() + "'";
            if (im.kind() != WasmBinary.KIND_FUNC) {
                throw new KernelValidationException(Kind.CONTRACT, what + " at offset " + WasmReader.hex(im.offset())
                        + " is a " + im.kindName() + " import: a kernel may import only functions of "
                        + PvmVersion.HOST_MODULE);
            }
            if (!PvmVersion.HOST_MODULE.equals(im.module())) {
                throw new KernelValidationException(Kind.CONTRACT, what + " at offset " + WasmReader.hex(im.offset())
                        + " is not from module " + PvmVersion.HOST_MODULE);
            }
        }
        int kernelRun = -1;
        String memoryExport = null;
        int memoryExports = 0;
        for (Export e : m.exports()) {
            if (e.name().startsWith(RESERVED_PREFIX)) {
                throw new KernelValidationException(Kind.CONTRACT, "export '" + e.name()
                        + "' uses the prefix " + RESERVED_PREFIX + " reserved for the PVM's instrumentation");
            }
            if (e.name().equals(KERNEL_RUN)) {
                if (e.kind() != WasmBinary.KIND_FUNC) {
                    throw new KernelValidationException(Kind.CONTRACT, "export '" + KERNEL_RUN + "' is a "
                            + WasmBinary.Import.kindName(e.kind()) + ", not a function");
                }
                kernelRun = e.index();
            }
            if (e.kind() == WasmBinary.KIND_MEMORY) {
                memoryExports++;
                memoryExport = e.name();
            }
        }
        if (kernelRun < 0) {
            throw new KernelValidationException(Kind.CONTRACT, "the module does not export a function '" + KERNEL_RUN + "'");
        }
        FuncType krType = m.functionType(kernelRun);
        if (krType.params().length != 0 || krType.results().length != 0) {
            throw new KernelValidationException(Kind.CONTRACT, "'" + KERNEL_RUN + "' ("
                    + m.describeFunction(kernelRun) + ") has type " + krType + ", expected [] -> []");
        }
        if (m.memories().size() != 1) {
            throw new KernelValidationException(Kind.CONTRACT, "the module defines " + m.memories().size()
                    + " memories; a kernel defines exactly one");
        }
        if (memoryExports != 1) {
            throw new KernelValidationException(Kind.CONTRACT, "the module exports its memory " + memoryExports
                    + " times; a kernel exports it exactly once");
        }
        Map<String, PvmVersion.HostSignature> host = version.hostFunctions();
        for (Import im : m.imports()) {
            String what = "import '" + im.module() + "'.'" + im.name() + "'";
            FuncType t = m.types().get(im.typeIndex());
            PvmVersion.HostSignature sig = host.get(im.name());
            if (sig == null) {
                boolean elsewhere = PvmVersion.allHostFunctions().containsKey(im.name());
                throw new KernelValidationException(Kind.LINK, what + " is "
                        + (elsewhere ? "not provided by PVM " + version.label() + " (it exists in other versions)"
                                     : "not a host function")
                        + ": the kernel fails to link, as in Octez");
            }
            FuncType expected = new FuncType(bytes(sig.params()), bytes(sig.results()));
            if (!expected.equals(t)) {
                throw new KernelValidationException(Kind.LINK, what + " has type " + t + " but PVM "
                        + version.label() + " provides " + expected + ": the kernel fails to link, as in Octez");
            }
        }
        return new ValidatedKernel(m, version, kernelRun, memoryExport);
    }

    private static byte[] bytes(PvmVersion.ValType[] ts) {
        byte[] r = new byte[ts.length];
        for (int i = 0; i < ts.length; i++) {
            r[i] = ts[i] == PvmVersion.ValType.I32 ? Opcodes.T_I32 : Opcodes.T_I64;
        }
        return r;
    }
}
