package io.flotilla.pvm.wasm;

import io.flotilla.pvm.wasm.KernelValidationException.Kind;
import io.flotilla.pvm.wasm.WasmBinary.Export;
import io.flotilla.pvm.wasm.WasmBinary.FuncType;
import io.flotilla.pvm.wasm.WasmBinary.Function;
import io.flotilla.pvm.wasm.WasmBinary.Global;
import io.flotilla.pvm.wasm.WasmBinary.Import;
import io.flotilla.pvm.wasm.WasmBinary.Instruction;
import io.flotilla.pvm.wasm.WasmBinary.Limits;
import io.flotilla.pvm.wasm.WasmBinary.Section;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a WebAssembly binary (version 1) into a {@link WasmBinary}. It decodes WebAssembly 1.0
 * (MVP) plus the sign-extension operators and the bulk-memory operators {@code memory.copy} and
 * {@code memory.fill} (memory 0); see {@link KernelValidator} for why exactly these. Bytes that
 * are not a well-formed module give {@link Kind#MALFORMED}; encodings of other post-MVP features
 * that the reader recognises (other prefixed opcodes, reference types, multi-value block types,
 * passive segments, the data count section, shared or 64-bit limits...) give
 * {@link Kind#FORBIDDEN_FEATURE}. Nothing else is ever thrown. Counts read from the input are
 * checked against the bytes that remain before anything is sized from them.
 *
 * <p>Beyond decoding, the reader checks every index a body or section refers to (functions,
 * types, locals, globals, labels) and the nesting of blocks, so that later stages may rely on them.
 * Full type checking is left to the engine's validator.
 */
public final class WasmReader {
    /** Parameters plus declared locals of one function (one slot is kept for instrumentation). */
    public static final int MAX_LOCALS = 49_000;

    private final byte[] b;
    private int pos;
    private int limit;
    /** Describes the function being decoded, for messages; null outside code. */
    private String where;

    private final List<Section> sections = new ArrayList<>();
    private final List<FuncType> types = new ArrayList<>();
    private final List<Import> imports = new ArrayList<>();
    private final List<Integer> funcTypes = new ArrayList<>();
    private final List<Limits> tables = new ArrayList<>();
    private final List<Limits> memories = new ArrayList<>();
    private final List<Global> globals = new ArrayList<>();
    private final List<Export> exports = new ArrayList<>();
    private final List<int[]> codeRanges = new ArrayList<>();
    private final Map<Integer, String> names = new HashMap<>();
    private int importedFuncs;
    private int importedTables;
    private int importedMemories;
    private int importedGlobals;
    private int start = -1;
    private int elementSegments;
    private int dataSegments;

    private WasmReader(byte[] bytes) {
        this.b = bytes;
        this.limit = bytes.length;
    }

    /** Reads a module; throws only {@link KernelValidationException}. */
    public static WasmBinary read(byte[] bytes) {
        if (bytes == null) {
            throw new KernelValidationException(Kind.MALFORMED, "no module bytes");
        }
        try {
            return new WasmReader(bytes).module();
        } catch (KernelValidationException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw new KernelValidationException(Kind.MALFORMED, "unreadable module: " + e, e);
        }
    }

    // ---------------------------------------------------------------- errors

    private KernelValidationException malformed(String msg) {
        return malformedAt(pos, msg);
    }

    private KernelValidationException malformedAt(int at, String msg) {
        String prefix = where == null ? "" : where + ": ";
        return new KernelValidationException(Kind.MALFORMED,
                prefix + msg + " at offset " + hex(at) + " (malformed module)");
    }

    /** Ends every FORBIDDEN_FEATURE message of the reader. */
    static final String SUPPORTED =
            " (Flotilla accepts WebAssembly 1.0 with sign extension, memory.copy and memory.fill only)";

    private KernelValidationException forbidden(int at, String msg) {
        String prefix = where == null ? "" : where + ": ";
        return new KernelValidationException(Kind.FORBIDDEN_FEATURE,
                prefix + msg + " at offset " + hex(at) + SUPPORTED);
    }

    private KernelValidationException forbiddenInstr(int at, String mnemonic, String what) {
        String prefix = where == null ? "" : where + ": ";
        return new KernelValidationException(Kind.FORBIDDEN_FEATURE,
                prefix + mnemonic + " at offset " + hex(at) + " " + what + SUPPORTED);
    }

    static String hex(int offset) {
        return "0x" + Integer.toHexString(offset);
    }

    // ---------------------------------------------------------------- primitives

    private int u8() {
        if (pos >= limit) {
            throw malformed("unexpected end");
        }
        return b[pos++] & 0xFF;
    }

    private long u32() {
        long result = 0;
        for (int i = 0; i < 5; i++) {
            int x = u8();
            result |= (long) (x & 0x7F) << (7 * i);
            if ((x & 0x80) == 0) {
                if (i == 4 && (x & 0x70) != 0) {
                    throw malformed("integer too large");
                }
                return result;
            }
        }
        throw malformed("integer representation too long");
    }

    private long signed(int bits) {
        int maxBytes = (bits + 6) / 7;
        long result = 0;
        int shift = 0;
        for (int i = 0; i < maxBytes; i++) {
            int x = u8();
            result |= (long) (x & 0x7F) << shift;
            shift += 7;
            if ((x & 0x80) == 0) {
                if (i == maxBytes - 1) {
                    int used = bits - 7 * (maxBytes - 1);
                    int mask = (0x7F >> (used - 1)) << (used - 1);
                    int v = x & mask;
                    if (v != 0 && v != mask) {
                        throw malformed("integer too large");
                    }
                }
                if (shift < 64 && (x & 0x40) != 0) {
                    result |= -1L << shift;
                }
                return result;
            }
        }
        throw malformed("integer representation too long");
    }

    /** A vector count, checked against the bytes that remain (each element takes at least one). */
    private int count(String what) {
        int at = pos;
        long n = u32();
        if (n > limit - pos) {
            throw malformedAt(at, what + " count " + n + " exceeds the remaining " + (limit - pos) + " bytes");
        }
        return (int) n;
    }

    /** An index below {@code bound}. */
    private int index(String what, long bound) {
        int at = pos;
        long i = u32();
        if (i >= bound) {
            throw malformedAt(at, "unknown " + what + " " + i);
        }
        return (int) i;
    }

    private String name() {
        int n = count("name byte");
        int at = pos;
        pos += n;
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, at, n)).toString();
        } catch (CharacterCodingException e) {
            throw malformedAt(at, "name is not valid UTF-8");
        }
    }

    private void skip(int n) {
        if (n > limit - pos) {
            throw malformed("unexpected end");
        }
        pos += n;
    }

    private byte valType(String what) {
        int at = pos;
        int t = u8();
        switch (t) {
            case 0x7F, 0x7E, 0x7D, 0x7C:
                return (byte) t;
            case 0x7B:
                throw forbidden(at, what + " of type v128 is a SIMD type");
            case 0x70, 0x6F:
                throw forbidden(at, what + " of type " + Opcodes.typeName((byte) t) + " is a reference type");
            case 0x64, 0x63, 0x6E, 0x6D, 0x6C, 0x6B, 0x6A, 0x69, 0x71, 0x72, 0x73, 0x74:
                throw forbidden(at, what + " of heap-reference type " + hex(t) + " is a GC/typed-reference type");
            default:
                throw malformedAt(at, "invalid value type " + hex(t) + " for " + what);
        }
    }

    private Limits limits(String what) {
        int at = pos;
        int flags = u8();
        switch (flags) {
            case 0:
                return new Limits(u32(), -1);
            case 1:
                return new Limits(u32(), u32());
            case 2, 3:
                throw forbidden(at, what + " limits flag " + flags + " declares a shared " + what + " (threads)");
            case 4, 5, 6, 7:
                throw forbidden(at, what + " limits flag " + flags + " declares a 64-bit " + what + " (memory64)");
            default:
                if (flags < 0x10) {
                    throw forbidden(at, what + " limits flag " + flags + " uses a post-MVP extension");
                }
                throw malformedAt(at, "invalid " + what + " limits flag " + hex(flags));
        }
    }

    private Limits tableType() {
        int at = pos;
        int t = u8();
        if (t == 0x6F) {
            throw forbidden(at, "a table of externref is a reference type");
        }
        if (t != 0x70) {
            if (t == 0x64 || t == 0x63 || t == 0x40) {
                throw forbidden(at, "table type " + hex(t) + " is a post-MVP table type");
            }
            throw malformedAt(at, "invalid table element type " + hex(t));
        }
        return limits("table");
    }

    /**
     * A constant expression; {@code globalBound} is how many globals it may read. Returns the
     * position of its first byte.
     */
    private int constExpr(String what, int globalBound) {
        int at = pos;
        int op = u8();
        switch (op) {
            case 0x41 -> signed(32);
            case 0x42 -> signed(64);
            case 0x43, 0x44 -> throw new KernelValidationException(Kind.FORBIDDEN_FEATURE,
                    what + ": " + Opcodes.name(op) + " at offset " + hex(at) + " is a floating-point instruction");
            case 0x23 -> index("global", globalBound);
            case 0xD0, 0xD2 -> throw forbidden(at, what + ": " + Opcodes.name(op) + " is a reference-types instruction");
            default -> throw malformedAt(at, "invalid constant instruction " + hex(op) + " in " + what);
        }
        int endAt = pos;
        int e = u8();
        if (e != Opcodes.END) {
            if (Opcodes.imm(e) != Opcodes.Imm.INVALID) {
                throw forbidden(endAt, what + ": " + Opcodes.name(e) + " in a constant expression (extended constant expressions)");
            }
            throw malformedAt(endAt, "constant expression of " + what + " does not end");
        }
        return at;
    }

    // ---------------------------------------------------------------- module

    private WasmBinary module() {
        if (b.length < 8) {
            throw malformedAt(0, "not a WebAssembly module: only " + b.length + " bytes");
        }
        if (b[0] != 0 || b[1] != 'a' || b[2] != 's' || b[3] != 'm') {
            throw malformedAt(0, "not a WebAssembly module: bad magic number");
        }
        if (b[4] != 1 || b[5] != 0 || b[6] != 0 || b[7] != 0) {
            throw malformedAt(4, "unsupported WebAssembly binary version (only version 1 is accepted)");
        }
        pos = 8;
        int lastId = 0;
        while (pos < b.length) {
            limit = b.length;
            int secAt = pos;
            int id = u8();
            int size = count("section byte");
            int payload = pos;
            int end = pos + size;
            if (id == 12) {
                throw forbidden(secAt, "the data count section (bulk memory), which Flotilla does not support yet,");
            }
            if (id == 13) {
                throw forbidden(secAt, "the tag section (exception handling)");
            }
            if (id > 13) {
                throw malformedAt(secAt, "unknown section id " + id);
            }
            if (id != 0) {
                if (id <= lastId) {
                    throw malformedAt(secAt, "section " + id + " is out of order or duplicated");
                }
                lastId = id;
            }
            limit = end;
            String customName = null;
            switch (id) {
                case 0 -> customName = custom();
                case 1 -> typeSection();
                case 2 -> importSection();
                case 3 -> functionSection();
                case 4 -> tableSection();
                case 5 -> memorySection();
                case 6 -> globalSection();
                case 7 -> exportSection();
                case 8 -> start = index("function", functionCount());
                case 9 -> elementSection();
                case 10 -> codeSection();
                case 11 -> dataSection();
                default -> throw new IllegalStateException();
            }
            if (id != 0 && pos != end) {
                throw malformedAt(pos, "section " + id + " size mismatch");
            }
            pos = end;
            sections.add(new Section(id, secAt, payload, end, customName));
        }
        limit = b.length;
        if (funcTypes.size() != codeRanges.size()) {
            throw malformedAt(b.length, "function and code section have inconsistent lengths ("
                    + funcTypes.size() + " functions, " + codeRanges.size() + " bodies)");
        }
        List<Function> functions = new ArrayList<>(funcTypes.size());
        for (int i = 0; i < funcTypes.size(); i++) {
            int[] r = codeRanges.get(i);
            functions.add(body(importedFuncs + i, funcTypes.get(i), r[0], r[1]));
        }
        where = null;
        return new WasmBinary(b, sections, types, imports, tables, memories, globals, exports, start,
                elementSegments, dataSegments, functions, names);
    }

    private int functionCount() {
        return importedFuncs + funcTypes.size();
    }

    private String custom() {
        String n = name();
        if (n.equals("name")) {
            int save = pos;
            int saveLimit = limit;
            try {
                nameSection();
            } catch (KernelValidationException e) {
                names.clear(); // an unreadable name section is ignored, as engines do
            }
            pos = save;
            limit = saveLimit;
        }
        pos = limit;
        return n;
    }

    private void nameSection() {
        int end = limit;
        while (pos < end) {
            int id = u8();
            int size = count("name subsection byte");
            int subEnd = pos + size;
            if (id == 1) {
                limit = subEnd;
                int n = count("function name");
                for (int i = 0; i < n; i++) {
                    int idx = (int) Math.min(u32(), Integer.MAX_VALUE);
                    names.put(idx, name());
                }
                limit = end;
            }
            pos = subEnd;
        }
    }

    private void typeSection() {
        int n = count("type");
        for (int i = 0; i < n; i++) {
            int at = pos;
            int form = u8();
            if (form != 0x60) {
                if (form == 0x5E || form == 0x5F || form == 0x4E || form == 0x50 || form == 0x4F) {
                    throw forbidden(at, "type " + i + " is a GC composite type");
                }
                throw malformedAt(at, "invalid function type form " + hex(form));
            }
            int np = count("parameter");
            byte[] params = new byte[np];
            for (int j = 0; j < np; j++) {
                params[j] = valType("type " + i + " parameter " + j);
            }
            int nr = count("result");
            byte[] results = new byte[nr];
            for (int j = 0; j < nr; j++) {
                results[j] = valType("type " + i + " result " + j);
            }
            types.add(new FuncType(params, results));
        }
    }

    private void importSection() {
        int n = count("import");
        for (int i = 0; i < n; i++) {
            int at = pos;
            String module = name();
            String field = name();
            int kindAt = pos;
            int kind = u8();
            switch (kind) {
                case WasmBinary.KIND_FUNC -> {
                    int t = index("type", types.size());
                    imports.add(new Import(at, module, field, kind, t, (byte) 0, false, null));
                    importedFuncs++;
                }
                case WasmBinary.KIND_TABLE -> {
                    imports.add(new Import(at, module, field, kind, -1, (byte) 0, false, tableType()));
                    importedTables++;
                }
                case WasmBinary.KIND_MEMORY -> {
                    imports.add(new Import(at, module, field, kind, -1, (byte) 0, false, limits("memory")));
                    importedMemories++;
                }
                case WasmBinary.KIND_GLOBAL -> {
                    byte t = valType("imported global '" + module + "'.'" + field + "'");
                    boolean mut = mutability();
                    imports.add(new Import(at, module, field, kind, -1, t, mut, null));
                    importedGlobals++;
                }
                case 4 -> throw forbidden(kindAt, "import '" + module + "'.'" + field + "' is a tag (exception handling)");
                default -> throw malformedAt(kindAt, "invalid import kind " + kind);
            }
        }
    }

    private boolean mutability() {
        int at = pos;
        int m = u8();
        if (m > 1) {
            throw malformedAt(at, "invalid global mutability " + m);
        }
        return m == 1;
    }

    private void functionSection() {
        int n = count("function");
        for (int i = 0; i < n; i++) {
            funcTypes.add(index("type", types.size()));
        }
    }

    private void tableSection() {
        int n = count("table");
        for (int i = 0; i < n; i++) {
            tables.add(tableType());
        }
    }

    private void memorySection() {
        int n = count("memory");
        for (int i = 0; i < n; i++) {
            memories.add(limits("memory"));
        }
    }

    private void globalSection() {
        int n = count("global");
        for (int i = 0; i < n; i++) {
            int at = pos;
            byte t = valType("global " + (importedGlobals + i));
            boolean mut = mutability();
            int init = constExpr("global " + (importedGlobals + i), importedGlobals + i);
            globals.add(new Global(at, t, mut, init, pos));
        }
    }

    private void exportSection() {
        int n = count("export");
        for (int i = 0; i < n; i++) {
            int at = pos;
            String field = name();
            int kindAt = pos;
            int kind = u8();
            long bound = switch (kind) {
                case WasmBinary.KIND_FUNC -> functionCount();
                case WasmBinary.KIND_TABLE -> importedTables + tables.size();
                case WasmBinary.KIND_MEMORY -> importedMemories + memories.size();
                case WasmBinary.KIND_GLOBAL -> importedGlobals + globals.size();
                case 4 -> throw forbidden(kindAt, "export '" + field + "' is a tag (exception handling)");
                default -> throw malformedAt(kindAt, "invalid export kind " + kind);
            };
            int idx = index(WasmBinary.Import.kindName(kind), bound);
            exports.add(new Export(at, field, kind, idx));
        }
    }

    private void elementSection() {
        int n = count("element segment");
        elementSegments = n;
        for (int i = 0; i < n; i++) {
            int at = pos;
            long flags = u32();
            if (flags != 0) {
                throw forbidden(at, "element segment " + i + " has flags " + flags
                        + " (passive, declarative or expression-based element segments, which Flotilla does not support yet)");
            }
            constExpr("element segment " + i + " offset", importedGlobals + globals.size());
            int m = count("element");
            for (int j = 0; j < m; j++) {
                index("function", functionCount());
            }
        }
    }

    private void dataSection() {
        int n = count("data segment");
        dataSegments = n;
        for (int i = 0; i < n; i++) {
            int at = pos;
            long flags = u32();
            if (flags == 1) {
                throw forbidden(at, "data segment " + i
                        + " is passive (bulk memory), which Flotilla does not support yet,");
            }
            if (flags != 0) {
                throw forbidden(at, "data segment " + i + " has flags " + flags + " (explicit memory index)");
            }
            constExpr("data segment " + i + " offset", importedGlobals + globals.size());
            skip(count("data byte"));
        }
    }

    private void codeSection() {
        int n = count("code entry");
        for (int i = 0; i < n; i++) {
            int size = count("body byte");
            codeRanges.add(new int[] {pos, pos + size});
            pos += size;
        }
    }

    // ---------------------------------------------------------------- function bodies

    private Function body(int funcIndex, int typeIndex, int start, int end) {
        where = WasmBinary.describeFunction(funcIndex, names);
        pos = start;
        limit = end;
        FuncType type = types.get(typeIndex);
        int groups = count("local group");
        int[] counts = new int[groups];
        byte[] ltypes = new byte[groups];
        long total = type.params().length;
        for (int g = 0; g < groups; g++) {
            int at = pos;
            long c = u32();
            total += c;
            if (total > MAX_LOCALS) {
                throw malformedAt(at, "too many locals (more than " + MAX_LOCALS + ")");
            }
            counts[g] = (int) c;
            ltypes[g] = valType("local");
        }
        int numLocals = (int) total;
        int declared = numLocals - type.params().length;
        long globalBound = importedGlobals + globals.size();
        long funcBound = functionCount();

        List<Instruction> code = new ArrayList<>(Math.max(4, (end - pos) / 2));
        int[] ctrl = new int[16];
        int depth = 1;
        ctrl[0] = -1; // the function's own frame
        while (true) {
            if (pos >= end) {
                throw malformedAt(pos, "function body ends without 'end'");
            }
            int at = pos;
            int op = u8();
            if (op == Opcodes.PREFIX_FC) {
                op = prefixed(at);
            }
            long a = 0;
            long bb = 0;
            int[] labels = null;
            switch (Opcodes.imm(op)) {
                case INVALID -> throw postMvp(at, op);
                case NONE -> {
                    if (op == Opcodes.ELSE) {
                        if (ctrl[depth - 1] != Opcodes.IF) {
                            throw malformedAt(at, "'else' without a matching 'if'");
                        }
                        ctrl[depth - 1] = Opcodes.ELSE;
                    } else if (op == Opcodes.END) {
                        depth--;
                    }
                }
                case BLOCK_TYPE -> {
                    a = blockType(op);
                    if (depth == ctrl.length) {
                        ctrl = java.util.Arrays.copyOf(ctrl, depth * 2);
                    }
                    ctrl[depth++] = op;
                }
                case LABEL -> a = label(depth);
                case BR_TABLE -> {
                    int n = count("br_table label");
                    labels = new int[n];
                    for (int i = 0; i < n; i++) {
                        labels[i] = label(depth);
                    }
                    a = label(depth);
                }
                case FUNC -> a = index("function", funcBound);
                case CALL_INDIRECT -> {
                    a = index("type", types.size());
                    int table = u8();
                    if (table != 0) {
                        throw forbiddenInstr(at, "call_indirect", "uses table index byte " + hex(table) + " (reference types)");
                    }
                }
                case LOCAL -> a = index("local", numLocals);
                case GLOBAL -> a = index("global", globalBound);
                case MEMARG -> {
                    a = u32();
                    if (a >= 64) {
                        throw forbiddenInstr(at, Opcodes.name(op), "has memarg flags " + a + " (multi-memory)");
                    }
                    bb = u32();
                }
                case MEMORY -> memoryIndex(at, op);
                case MEMORY2 -> {
                    memoryIndex(at, op);
                    memoryIndex(at, op);
                }
                case I32 -> a = signed(32);
                case I64 -> a = signed(64);
                case F32 -> {
                    skip(4);
                    a = (b[pos - 4] & 0xFFL) | (b[pos - 3] & 0xFFL) << 8 | (b[pos - 2] & 0xFFL) << 16
                            | (b[pos - 1] & 0xFFL) << 24;
                }
                case F64 -> {
                    skip(8);
                    for (int i = 0; i < 8; i++) {
                        a |= (b[pos - 8 + i] & 0xFFL) << (8 * i);
                    }
                }
                default -> throw new IllegalStateException();
            }
            code.add(new Instruction(op, at, pos - at, a, bb, labels));
            if (depth == 0) {
                if (pos != end) {
                    throw malformedAt(pos, "bytes after the end of the function body");
                }
                break;
            }
        }
        return new Function(funcIndex, typeIndex, counts, ltypes, declared, code, start, end);
    }

    private int label(int depth) {
        int at = pos;
        long l = u32();
        if (l >= depth) {
            throw malformedAt(at, "unknown label " + l);
        }
        return (int) l;
    }

    private long blockType(int op) {
        int opAt = pos - 1;
        int at = pos;
        int t = u8();
        switch (t) {
            case 0x40, 0x7F, 0x7E, 0x7D, 0x7C:
                return t;
            case 0x7B:
                throw forbiddenInstr(opAt, Opcodes.name(op), "has block type v128 (SIMD)");
            case 0x70, 0x6F:
                throw forbiddenInstr(opAt, Opcodes.name(op), "has block type " + Opcodes.typeName((byte) t) + " (reference types)");
            default:
                pos = at;
                long idx = signed(33);
                if (idx >= 0) {
                    throw forbiddenInstr(opAt, Opcodes.name(op), "has a type-index block type (type " + idx + ", multi-value)");
                }
                throw malformedAt(at, "invalid block type " + hex(t));
        }
    }

    /** A memory index byte, which must be 0. */
    private void memoryIndex(int opAt, int op) {
        int m = u8();
        if (m != 0) {
            throw forbiddenInstr(opAt, Opcodes.name(op), "uses memory index byte " + hex(m) + " (multi-memory)");
        }
    }

    /**
     * After a 0xFC prefix at {@code at}: the sub-opcode. memory.copy and memory.fill give
     * {@link Opcodes#MEMORY_COPY} and {@link Opcodes#MEMORY_FILL}; every other one is refused.
     */
    private int prefixed(int at) {
        long sub;
        try {
            sub = u32();
        } catch (KernelValidationException e) {
            sub = -1;
        }
        if (sub == (Opcodes.MEMORY_COPY & 0xFF) || sub == (Opcodes.MEMORY_FILL & 0xFF)) {
            return Opcodes.PREFIX_FC << 8 | (int) sub;
        }
        throw forbiddenInstr(at, Opcodes.fcName(sub), "is " + Opcodes.fcFeature(sub));
    }

    private KernelValidationException postMvp(int at, int op) {
        String feature = Opcodes.postMvpFeature(op);
        if (feature != null) {
            return forbiddenInstr(at, Opcodes.postMvpName(op), "is " + feature);
        }
        return malformedAt(at, "unknown opcode " + hex(op));
    }
}
