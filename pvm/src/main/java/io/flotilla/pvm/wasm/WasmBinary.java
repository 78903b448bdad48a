package io.flotilla.pvm.wasm;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A parsed kernel module as read by {@link WasmReader} (WebAssembly 1.0 plus the extensions of
 * {@link Opcodes}): the sections' contents, each
 * function body decoded into instructions with byte offsets, and the function names of the
 * {@code name} custom section. Offsets are absolute positions in {@link #bytes()}.
 */
public final class WasmBinary {
    /** External kinds of imports and exports. */
    public static final int KIND_FUNC = 0;
    public static final int KIND_TABLE = 1;
    public static final int KIND_MEMORY = 2;
    public static final int KIND_GLOBAL = 3;

    public static final int SEC_CUSTOM = 0;
    public static final int SEC_TYPE = 1;
    public static final int SEC_IMPORT = 2;
    public static final int SEC_FUNCTION = 3;
    public static final int SEC_TABLE = 4;
    public static final int SEC_MEMORY = 5;
    public static final int SEC_GLOBAL = 6;
    public static final int SEC_EXPORT = 7;
    public static final int SEC_START = 8;
    public static final int SEC_ELEMENT = 9;
    public static final int SEC_CODE = 10;
    public static final int SEC_DATA = 11;

    /** A function type; value types are the binary type bytes (see {@link Opcodes#T_I32}...). */
    public record FuncType(byte[] params, byte[] results) {
        @Override
        public boolean equals(Object o) {
            return o instanceof FuncType f && Arrays.equals(params, f.params) && Arrays.equals(results, f.results);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(params) * 31 + Arrays.hashCode(results);
        }

        @Override
        public String toString() {
            return list(params) + " -> " + list(results);
        }

        private static String list(byte[] ts) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < ts.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(Opcodes.typeName(ts[i]));
            }
            return sb.append(']').toString();
        }
    }

    /** Table or memory limits; {@code max} is -1 when absent. */
    public record Limits(long min, long max) {}

    /**
     * An import. {@code typeIndex} is set for function imports, {@code globalType} and
     * {@code globalMutable} for global imports, {@code limits} for table and memory imports.
     */
    public record Import(int offset, String module, String name, int kind, int typeIndex,
                         byte globalType, boolean globalMutable, Limits limits) {
        public String kindName() {
            return kindName(kind);
        }

        static String kindName(int kind) {
            return switch (kind) {
                case KIND_FUNC -> "function";
                case KIND_TABLE -> "table";
                case KIND_MEMORY -> "memory";
                case KIND_GLOBAL -> "global";
                default -> "kind " + kind;
            };
        }
    }

    /** A module-defined global; the init expression is bytes [initStart, initEnd) incl. its end. */
    public record Global(int offset, byte type, boolean mutable, int initStart, int initEnd) {}

    public record Export(int offset, String name, int kind, int index) {}

    /** A section: its id, and its payload's range in the module bytes. */
    public record Section(int id, int offset, int payloadStart, int payloadEnd, String customName) {}

    /** One decoded instruction. Immediates: {@code a}, {@code b} and, for br_table, {@code labels}. */
    public static final class Instruction {
        /**
         * The opcode: the byte for single-byte opcodes, {@code 0xFC00 | sub} for the 0xFC-prefixed
         * {@link Opcodes#MEMORY_COPY} and {@link Opcodes#MEMORY_FILL}.
         */
        public final int opcode;
        /** Absolute byte offset of the opcode (or of its prefix byte) in the module. */
        public final int offset;
        /** Encoded length in bytes, opcode (prefix and sub-opcode) included. */
        public final int length;
        /**
         * First immediate: label, function, type, local or global index, block type byte (or the
         * value type byte), memarg alignment, or the constant (f32/f64 as raw bits).
         */
        public final long a;
        /** Second immediate: memarg offset, or call_indirect's table index. */
        public final long b;
        /** br_table's label vector; the default label is {@link #a}. */
        public final int[] labels;

        Instruction(int opcode, int offset, int length, long a, long b, int[] labels) {
            this.opcode = opcode;
            this.offset = offset;
            this.length = length;
            this.a = a;
            this.b = b;
            this.labels = labels;
        }

        public String mnemonic() {
            return Opcodes.name(opcode);
        }

        @Override
        public String toString() {
            return mnemonic() + " @0x" + Integer.toHexString(offset);
        }
    }

    /** A module-defined function with its decoded body. */
    public static final class Function {
        /** The function index (imported functions come first). */
        public final int index;
        public final int typeIndex;
        /** Declared local groups: {@code localCounts[i]} locals of type {@code localTypes[i]}. */
        public final int[] localCounts;
        public final byte[] localTypes;
        /** Total number of declared locals (parameters excluded). */
        public final int declaredLocals;
        /** The instructions, the final {@code end} included. */
        public final List<Instruction> body;
        /** Range of the body's code entry (after its size prefix). */
        public final int bodyStart;
        public final int bodyEnd;

        Function(int index, int typeIndex, int[] localCounts, byte[] localTypes, int declaredLocals,
                 List<Instruction> body, int bodyStart, int bodyEnd) {
            this.index = index;
            this.typeIndex = typeIndex;
            this.localCounts = localCounts;
            this.localTypes = localTypes;
            this.declaredLocals = declaredLocals;
            this.body = body;
            this.bodyStart = bodyStart;
            this.bodyEnd = bodyEnd;
        }
    }

    private final byte[] bytes;
    private final List<Section> sections;
    private final List<FuncType> types;
    private final List<Import> imports;
    private final int importedFunctions;
    private final List<Limits> tables;
    private final List<Limits> memories;
    private final List<Global> globals;
    private final List<Export> exports;
    private final int start;
    private final int elementSegments;
    private final int dataSegments;
    private final List<Function> functions;
    private final Map<Integer, String> functionNames;

    WasmBinary(byte[] bytes, List<Section> sections, List<FuncType> types, List<Import> imports,
               List<Limits> tables, List<Limits> memories, List<Global> globals,
               List<Export> exports, int start, int elementSegments, int dataSegments,
               List<Function> functions, Map<Integer, String> functionNames) {
        this.bytes = bytes;
        this.sections = List.copyOf(sections);
        this.types = List.copyOf(types);
        this.imports = List.copyOf(imports);
        this.importedFunctions = (int) imports.stream().filter(i -> i.kind() == KIND_FUNC).count();
        this.tables = List.copyOf(tables);
        this.memories = List.copyOf(memories);
        this.globals = List.copyOf(globals);
        this.exports = List.copyOf(exports);
        this.start = start;
        this.elementSegments = elementSegments;
        this.dataSegments = dataSegments;
        this.functions = List.copyOf(functions);
        this.functionNames = Collections.unmodifiableMap(functionNames);
    }

    /** The module bytes (not copied: do not modify). */
    public byte[] bytes() {
        return bytes;
    }

    public List<Section> sections() {
        return sections;
    }

    /** The first section with this (non-custom) id, or null. */
    public Section section(int id) {
        for (Section s : sections) {
            if (s.id() == id) {
                return s;
            }
        }
        return null;
    }

    public List<FuncType> types() {
        return types;
    }

    public List<Import> imports() {
        return imports;
    }

    public int importedFunctionCount() {
        return importedFunctions;
    }

    /** Imported plus defined functions. */
    public int functionCount() {
        return importedFunctions + functions.size();
    }

    /** Tables defined by the module (imports excluded). */
    public List<Limits> tables() {
        return tables;
    }

    /** Memories defined by the module (imports excluded). */
    public List<Limits> memories() {
        return memories;
    }

    /** Globals defined by the module (imports excluded). */
    public List<Global> globals() {
        return globals;
    }

    public List<Export> exports() {
        return exports;
    }

    /** The start function index, or -1. */
    public int start() {
        return start;
    }

    public int elementSegmentCount() {
        return elementSegments;
    }

    public int dataSegmentCount() {
        return dataSegments;
    }

    /** The module-defined functions, in index order. */
    public List<Function> functions() {
        return functions;
    }

    /** Function names from the {@code name} custom section (empty if absent or unreadable). */
    public Map<Integer, String> functionNames() {
        return functionNames;
    }

    /** The type index of any function (imported or defined). */
    public int functionTypeIndex(int funcIndex) {
        if (funcIndex < importedFunctions) {
            int n = 0;
            for (Import i : imports) {
                if (i.kind() == KIND_FUNC && n++ == funcIndex) {
                    return i.typeIndex();
                }
            }
        }
        return functions.get(funcIndex - importedFunctions).typeIndex;
    }

    /** The type of any function (imported or defined). */
    public FuncType functionType(int funcIndex) {
        return types.get(functionTypeIndex(funcIndex));
    }

    /** "function 3 ($name)" or "function 3". */
    public String describeFunction(int funcIndex) {
        return describeFunction(funcIndex, functionNames);
    }

    static String describeFunction(int funcIndex, Map<Integer, String> names) {
        String n = names.get(funcIndex);
        return n == null ? "function " + funcIndex : "function " + funcIndex + " ($" + n + ")";
    }
}
