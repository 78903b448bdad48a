package io.flotilla.pvm.host;

import static io.flotilla.pvm.host.HostError.*;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.PvmVersion.HostSignature;
import io.flotilla.pvm.durable.Durable;
import io.flotilla.pvm.durable.DurableKey;
import io.flotilla.pvm.reveal.RevealHash;
import io.flotilla.pvm.reveal.RevealUnavailableException;
import io.flotilla.pvm.tree.Hash;
import io.flotilla.pvm.tree.Value;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The host functions of {@code smart_rollup_core}, with Octez's return values, limits, error codes
 * and order of checks. Host functions never trap on bad pointers: they return
 * {@link HostError#MEMORY_INVALID_ACCESS}. Each call charges the metering budget a base cost plus
 * one unit per byte it moves, through the instrumented kernel's gas global.
 */
public final class HostFunctions {

    /** Metering: every host call costs this much, plus one unit per byte moved. */
    public static final long BASE_COST = 100;

    private static final long U32 = 0xffff_ffffL;
    private static final int[] NO_RESULT = new int[0];

    private final int gasGlobal;
    private final int statusGlobal;
    private final ImportValues imports;
    /** The context of the kernel_run these functions serve now; null between runs. */
    private HostContext ctx;

    /**
     * Host functions of {@code version} for the kernels whose instrumentation put the gas and status globals at
     * these indices. The import list is built once; each kernel_run {@link #bind binds} its context, so one
     * instance serves many runs, one at a time (see {@link Pool}).
     *
     * @param gasGlobal    index of the instrumented kernel's remaining-gas global (i64)
     * @param statusGlobal index of its status global (i32; 1 = out of gas)
     */
    public HostFunctions(PvmVersion version, int gasGlobal, int statusGlobal) {
        this(version, version.hostFunctions().keySet(), gasGlobal, statusGlobal);
    }

    /**
     * As {@link #HostFunctions(PvmVersion, int, int)}, offering only the functions named, in that order (names
     * the version lacks are left out, so a kernel importing one does not link). Chicory links each import by a
     * linear search of the offered functions: offering a kernel exactly its imports, in its import order, makes
     * every search stop at the first candidate.
     */
    public HostFunctions(PvmVersion version, java.util.Collection<String> names, int gasGlobal, int statusGlobal) {
        this.gasGlobal = gasGlobal;
        this.statusGlobal = statusGlobal;
        var signatures = version.hostFunctions();
        List<HostFunction> fns = new ArrayList<>();
        for (String name : new java.util.LinkedHashSet<>(names)) {
            HostSignature s = signatures.get(name);
            if (s != null) {
                fns.add(new HostFunction(PvmVersion.HOST_MODULE, s.name(), type(s), handler(s.name())));
            }
        }
        this.imports = ImportValues.builder().addFunction(fns.toArray(new HostFunction[0])).build();
    }

    /** The imports offered (see the constructors); they call into whatever context is bound. */
    public ImportValues imports() {
        return imports;
    }

    /** Makes the host functions act on {@code ctx} until {@link #unbind}. */
    public void bind(HostContext ctx) {
        this.ctx = java.util.Objects.requireNonNull(ctx);
    }

    /** Detaches the context: a call now (an instance kept past its run) fails instead of touching another run. */
    public void unbind() {
        this.ctx = null;
    }

    /**
     * Reusable host functions of one prepared kernel: building the import list (17-19 functions with their types)
     * at every kernel_run cost about as much as instantiating the kernel. A run takes one with {@link #acquire},
     * which binds its context, and gives it back with {@link #release}, which unbinds it, whatever the run's
     * outcome; concurrent runs of the same kernel (several rollups) each get their own.
     */
    public static final class Pool {
        private final PvmVersion version;
        private final List<String> names;
        private final int gasGlobal;
        private final int statusGlobal;
        private final java.util.concurrent.ConcurrentLinkedQueue<HostFunctions> idle =
                new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final java.util.concurrent.atomic.AtomicInteger created = new java.util.concurrent.atomic.AtomicInteger();

        /**
         * @param imports the names of the host functions the kernel imports, in its import order (see
         *                {@link HostFunctions#HostFunctions(PvmVersion, java.util.Collection, int, int)})
         */
        public Pool(PvmVersion version, List<String> imports, int gasGlobal, int statusGlobal) {
            this.version = version;
            this.names = List.copyOf(imports);
            this.gasGlobal = gasGlobal;
            this.statusGlobal = statusGlobal;
        }

        /** Host functions bound to {@code ctx}, reused when one is idle. */
        public HostFunctions acquire(HostContext ctx) {
            HostFunctions h = idle.poll();
            if (h == null) {
                h = new HostFunctions(version, names, gasGlobal, statusGlobal);
                created.incrementAndGet();
            }
            h.bind(ctx);
            return h;
        }

        /** How many host function sets were built: at most the number of runs of this kernel at once. */
        public int created() {
            return created.get();
        }

        /** Unbinds {@code h} and keeps it for the next run. */
        public void release(HostFunctions h) {
            h.unbind();
            idle.add(h);
        }
    }

    private HostContext ctx() {
        HostContext c = ctx;
        if (c == null) {
            throw new IllegalStateException("host function called outside a kernel_run");
        }
        return c;
    }

    private static FunctionType type(HostSignature s) {
        return FunctionType.of(vt(s.params()), vt(s.results()));
    }

    private static ValType[] vt(PvmVersion.ValType[] ts) {
        ValType[] out = new ValType[ts.length];
        for (int i = 0; i < ts.length; i++) {
            out[i] = ts[i] == PvmVersion.ValType.I32 ? ValType.I32 : ValType.I64;
        }
        return out;
    }

    private com.dylibso.chicory.runtime.WasmFunctionHandle handler(String name) {
        return switch (name) {
            case "read_input" -> (in, a) -> i32(readInput(in, (int) a[0], (int) a[1], (int) a[2]));
            case "write_output" -> (in, a) -> i32(writeOutput(in, (int) a[0], (int) a[1]));
            case "write_debug" -> (in, a) -> {
                writeDebug(in, (int) a[0], (int) a[1]);
                return null;
            };
            case "store_has" -> (in, a) -> i32(storeHas(in, (int) a[0], (int) a[1]));
            case "store_list_size" -> (in, a) -> new long[] {storeListSize(in, (int) a[0], (int) a[1])};
            case "store_get_nth_key" -> (in, a) -> i32(storeGetNthKey(in, (int) a[0], (int) a[1], a[2], (int) a[3], (int) a[4]));
            case "store_delete" -> (in, a) -> i32(storeDelete(in, (int) a[0], (int) a[1], false));
            case "store_delete_value" -> (in, a) -> i32(storeDelete(in, (int) a[0], (int) a[1], true));
            case "store_copy" -> (in, a) -> i32(storeCopy(in, (int) a[0], (int) a[1], (int) a[2], (int) a[3], false));
            case "store_move" -> (in, a) -> i32(storeCopy(in, (int) a[0], (int) a[1], (int) a[2], (int) a[3], true));
            case "store_value_size" -> (in, a) -> i32(storeValueSize(in, (int) a[0], (int) a[1]));
            case "store_read" -> (in, a) -> i32(storeRead(in, (int) a[0], (int) a[1], (int) a[2], (int) a[3], (int) a[4]));
            case "store_write" -> (in, a) -> i32(storeWrite(in, (int) a[0], (int) a[1], (int) a[2], (int) a[3], (int) a[4]));
            case "store_create" -> (in, a) -> i32(storeCreate(in, (int) a[0], (int) a[1], (int) a[2]));
            case "store_exists" -> (in, a) -> i32(storeExists(in, (int) a[0], (int) a[1]));
            case "__internal_store_get_hash" -> (in, a) -> i32(storeGetHash(in, (int) a[0], (int) a[1], (int) a[2], (int) a[3]));
            case "reveal_preimage" -> (in, a) -> i32(revealPreimage(in, (int) a[0], (int) a[1], (int) a[2], (int) a[3]));
            case "reveal_metadata" -> (in, a) -> i32(revealMetadata(in, (int) a[0], (int) a[1]));
            case "reveal" -> (in, a) -> i32(reveal(in, (int) a[0], (int) a[1], (int) a[2], (int) a[3]));
            default -> throw new IllegalArgumentException("no host function " + name);
        };
    }

    private static long[] i32(int v) {
        return new long[] {v};
    }

    // ---------------------------------------------------------------- metering

    private void charge(Instance in, long bytes) {
        var g = in.global(gasGlobal);
        long left = g.getValue() - BASE_COST - Math.max(0, bytes);
        g.setValue(left);
        if (left < 0) {
            in.global(statusGlobal).setValue(1);
            throw new OutOfTicksException();
        }
    }

    // ---------------------------------------------------------------- memory

    private static long memSize(Memory m) {
        return (long) m.pages() * Memory.PAGE_SIZE;
    }

    /** Bytes at [addr, addr+len) or null when out of bounds. */
    private static byte[] load(Memory m, int addr, int len) {
        long a = addr & U32;
        if (len < 0 || a + len > memSize(m)) {
            return null;
        }
        return m.readBytes((int) a, len);
    }

    /** Writes as much as fits (Octez stores byte by byte); false when some byte was out of bounds. */
    private static boolean store(Memory m, int addr, byte[] data, int len) {
        long a = addr & U32;
        long size = memSize(m);
        long fit = Math.max(0, Math.min(len, size - a));
        if (fit > 0) {
            m.write((int) a, data, 0, (int) fit);
        }
        return fit == len;
    }

    /** A parsed key, or an error code. */
    private record KeyOrError(DurableKey key, int error) {}

    /** Bytes read from memory, or an error code. */
    private record BytesOrError(byte[] bytes, int error) {}

    /**
     * An outbox message or reveal payload: at most {@link HostContext#MAX_IO_SIZE} bytes (-7), a
     * negative size is Octez's uncaught exception turned into -8, out of bounds is -6.
     */
    private static BytesOrError loadIo(Memory m, int addr, int size) {
        if (size > HostContext.MAX_IO_SIZE) {
            return new BytesOrError(null, INPUT_OUTPUT_TOO_LARGE);
        }
        if (size < 0) {
            return new BytesOrError(null, GENERIC_INVALID_ACCESS);
        }
        byte[] b = load(m, addr, size);
        return b == null ? new BytesOrError(null, MEMORY_INVALID_ACCESS) : new BytesOrError(b, 0);
    }

    private static KeyOrError key(Memory m, int ptr, int len) {
        if (len > DurableKey.MAX_LENGTH) {
            return new KeyOrError(null, STORE_KEY_TOO_LARGE);
        }
        if (len < 0) {
            return new KeyOrError(null, GENERIC_INVALID_ACCESS);
        }
        byte[] raw = load(m, ptr, len);
        if (raw == null) {
            return new KeyOrError(null, MEMORY_INVALID_ACCESS);
        }
        try {
            return new KeyOrError(DurableKey.parse(raw), 0);
        } catch (DurableKey.InvalidKeyException e) {
            return new KeyOrError(null, e.tooLarge() ? STORE_KEY_TOO_LARGE : STORE_INVALID_KEY);
        }
    }

    // ---------------------------------------------------------------- inbox / outbox / debug

    int readInput(Instance in, int info, int dst, int maxBytes) {
        Memory m = in.memory();
        long size = memSize(m);
        charge(in, 0);
        if (!((info & U32) + 8 < size)) {
            return MEMORY_INVALID_ACCESS;
        }
        int max = Math.min(HostContext.MAX_IO_SIZE, maxBytes);
        if (max < 0 || !((dst & U32) + max < size)) {
            return MEMORY_INVALID_ACCESS;
        }
        int id = ctx().nextInput();
        byte[] msg = ctx().takeInput();
        if (msg == null) {
            return 0;
        }
        int n = Math.min(max, msg.length);
        charge(in, n);
        store(m, dst, msg, n);
        byte[] rec = new byte[8];
        putIntLE(rec, 0, ctx().level());
        putIntLE(rec, 4, id);
        store(m, info, rec, 8);
        return n;
    }

    int writeOutput(Instance in, int src, int numBytes) {
        charge(in, Math.max(0, Math.min(numBytes, HostContext.MAX_IO_SIZE)));
        BytesOrError msg = loadIo(in.memory(), src, numBytes);
        if (msg.bytes == null) {
            return msg.error;
        }
        return ctx().appendOutput(msg.bytes) ? 0 : FULL_OUTBOX;
    }

    void writeDebug(Instance in, int src, int numBytes) {
        // the cost does not depend on whether debug output is shown, so metering stays deterministic
        Memory m = in.memory();
        long len = Math.min(numBytes & U32, memSize(m));
        charge(in, len);
        var sink = ctx().debugSink();
        if (sink != null) {
            byte[] data = load(m, src, (int) Math.min(numBytes & U32, Integer.MAX_VALUE));
            sink.accept(data != null ? data : ("Error code: " + MEMORY_INVALID_ACCESS).getBytes(StandardCharsets.US_ASCII));
        }
    }

    // ---------------------------------------------------------------- durable storage

    int storeHas(Instance in, int ptr, int len) {
        charge(in, len);
        KeyOrError k = key(in.memory(), ptr, len);
        if (k.key == null) {
            return k.error;
        }
        Durable d = ctx().durable();
        boolean v = d.hasValue(k.key);
        long n = d.childCount(k.key);
        if (!v && n == 0) {
            return 0;
        }
        if (v && n == 1) {
            return 1;
        }
        if (!v) {
            return 2;
        }
        return 3;
    }

    long storeListSize(Instance in, int ptr, int len) {
        charge(in, len);
        KeyOrError k = key(in.memory(), ptr, len);
        if (k.key == null) {
            return k.error;
        }
        return ctx().durable().childCount(k.key);
    }

    int storeGetNthKey(Instance in, int ptr, int len, long index, int dst, int maxSize) {
        charge(in, len);
        Memory m = in.memory();
        KeyOrError k = key(m, ptr, len);
        if (k.key == null) {
            return k.error;
        }
        Durable d = ctx().durable();
        if (!d.exists(k.key) && !k.key.isRoot()) {
            return STORE_NOT_A_NODE;
        }
        Optional<String> child = index < 0 ? Optional.empty() : d.childName(k.key, index);
        if (child.isEmpty()) {
            return STORE_INVALID_SUBKEY_INDEX;
        }
        String name = child.get().equals(Durable.VALUE_STEP) ? "" : child.get();
        return writeTruncated(in, name.getBytes(StandardCharsets.US_ASCII), dst, maxSize, "store_get_nth_key");
    }

    int storeDelete(Instance in, int ptr, int len, boolean valueOnly) {
        charge(in, len);
        KeyOrError k = key(in.memory(), ptr, len);
        if (k.key == null) {
            return k.error;
        }
        if (k.key.isReadonly() || k.key.isRoot()) {
            return STORE_READONLY_VALUE;
        }
        Durable d = ctx().durable();
        ctx().durable(valueOnly ? d.deleteValue(k.key) : d.delete(k.key));
        return 0;
    }

    int storeCopy(Instance in, int fromPtr, int fromLen, int toPtr, int toLen, boolean move) {
        charge(in, (long) Math.max(0, fromLen) + Math.max(0, toLen));
        Memory m = in.memory();
        KeyOrError from = key(m, fromPtr, fromLen);
        if (from.key == null) {
            return from.error;
        }
        KeyOrError to = key(m, toPtr, toLen);
        if (to.key == null) {
            return to.error;
        }
        if (move && (from.key.isReadonly() || from.key.isRoot())) {
            return STORE_READONLY_VALUE;
        }
        if (to.key.isReadonly() || to.key.isRoot()) {
            return STORE_READONLY_VALUE;
        }
        Durable d = ctx().durable();
        var sub = d.tree().subtree(from.key.steps());
        if (sub.isEmpty() || sub.get().isEmpty()) {
            return STORE_NOT_A_NODE;
        }
        if (move) {
            d = d.delete(from.key);
        }
        ctx().durable(new Durable(d.tree().set(to.key.steps(), sub.get())));
        return 0;
    }

    int storeValueSize(Instance in, int ptr, int len) {
        charge(in, len);
        KeyOrError k = key(in.memory(), ptr, len);
        if (k.key == null) {
            return k.error;
        }
        return ctx().durable().value(k.key).map(v -> (int) v.size()).orElse(STORE_NOT_A_VALUE);
    }

    int storeRead(Instance in, int ptr, int len, int offset, int dst, int maxBytes) {
        charge(in, len);
        Memory m = in.memory();
        KeyOrError k = key(m, ptr, len);
        if (k.key == null) {
            return k.error;
        }
        if (maxBytes > HostContext.MAX_STORE_IO) {
            return INPUT_OUTPUT_TOO_LARGE;
        }
        Optional<Value> v = ctx().durable().value(k.key);
        if (v.isEmpty()) {
            return STORE_NOT_A_VALUE;
        }
        long size = v.get().size();
        if (offset < 0 || offset >= size) {
            return STORE_INVALID_ACCESS;
        }
        if (maxBytes < 0) {
            return GENERIC_INVALID_ACCESS;
        }
        int n = (int) (Math.min((long) offset + maxBytes, size) - offset);
        charge(in, n);
        byte[] data = v.get().read(offset, n);
        return store(m, dst, data, n) ? n : MEMORY_INVALID_ACCESS;
    }

    int storeWrite(Instance in, int ptr, int len, int offset, int src, int numBytes) {
        charge(in, len);
        Memory m = in.memory();
        KeyOrError k = key(m, ptr, len);
        if (k.key == null) {
            return k.error;
        }
        Durable d = ctx().durable();
        Optional<Value> current = d.value(k.key);
        int size = current.map(v -> (int) v.size()).orElse(0);
        if (size > size + numBytes) { // int32 wrap-around: negative size or past 2^31-1
            return STORE_VALUE_SIZE_EXCEEDED;
        }
        long srcAddr = src & U32;
        if (srcAddr + numBytes > memSize(m)) {
            return MEMORY_INVALID_ACCESS;
        }
        if (k.key.isReadonly() || k.key.isRoot()) {
            return STORE_READONLY_VALUE;
        }
        if (numBytes > HostContext.MAX_STORE_IO) {
            return INPUT_OUTPUT_TOO_LARGE;
        }
        if (offset > size) {
            return STORE_INVALID_ACCESS;
        }
        if (offset < 0) {
            return GENERIC_INVALID_ACCESS;
        }
        charge(in, numBytes);
        byte[] data = load(m, src, numBytes);
        Value v = current.orElse(Value.EMPTY).write(offset, data, 0, numBytes);
        ctx().durable(d.set(k.key, v));
        return 0;
    }

    int storeCreate(Instance in, int ptr, int len, int size) {
        charge(in, len);
        KeyOrError k = key(in.memory(), ptr, len);
        if (k.key == null) {
            return k.error;
        }
        if (size < 0) {
            return STORE_VALUE_SIZE_EXCEEDED;
        }
        if (k.key.isReadonly() || k.key.isRoot()) {
            return STORE_READONLY_VALUE;
        }
        Durable d = ctx().durable();
        if (d.hasValue(k.key)) {
            return STORE_VALUE_ALREADY_EXISTS;
        }
        ctx().durable(d.set(k.key, Value.zeros(size)));
        return 0;
    }

    int storeExists(Instance in, int ptr, int len) {
        charge(in, len);
        KeyOrError k = key(in.memory(), ptr, len);
        if (k.key == null) {
            return k.error;
        }
        return ctx().durable().exists(k.key) ? 1 : 0;
    }

    int storeGetHash(Instance in, int ptr, int len, int dst, int maxSize) {
        charge(in, len);
        Memory m = in.memory();
        KeyOrError k = key(m, ptr, len);
        if (k.key == null) {
            return k.error;
        }
        Optional<Hash> h = ctx().durable().subtreeHash(k.key);
        if (h.isEmpty() || (!k.key.isRoot() && !ctx().durable().exists(k.key))) {
            return STORE_NOT_A_NODE;
        }
        return writeTruncated(in, h.get().bytes(), dst, maxSize, "__internal_store_get_hash");
    }

    // ---------------------------------------------------------------- reveal

    /** reveal_preimage: the generic reveal of a raw-data request, {@code 00} followed by the kernel's hash. */
    int revealPreimage(Instance in, int hashAddr, int hashSize, int dst, int maxBytes) {
        return reveal(in, hashAddr, hashSize, dst, maxBytes, true);
    }

    int revealMetadata(Instance in, int dst, int maxBytes) {
        charge(in, 0);
        return answer(in, ctx().metadata().encode(), dst, maxBytes);
    }

    int reveal(Instance in, int payloadAddr, int payloadSize, int dst, int maxBytes) {
        return reveal(in, payloadAddr, payloadSize, dst, maxBytes, false);
    }

    private int reveal(Instance in, int addr, int size, int dst, int maxBytes, boolean rawData) {
        charge(in, 0);
        BytesOrError payload = loadIo(in.memory(), addr, size);
        if (payload.bytes == null) {
            return payload.error;
        }
        byte[] loaded = payload.bytes;
        byte[] request = loaded;
        if (rawData) {
            request = new byte[loaded.length + 1];
            System.arraycopy(loaded, 0, request, 1, loaded.length);
        }
        return answer(in, respond(request), dst, maxBytes);
    }

    /**
     * The answer to a reveal request: {@code 00 ++ reveal hash} reveals a preimage, {@code 01} the
     * metadata. DAL pages and parameters: Flotilla follows no DAL, so as for an unattested slot or an
     * undecodable request (including a malformed hash), the answer is empty.
     */
    private byte[] respond(byte[] request) {
        if (request.length == 1 + RevealHash.SIZE && request[0] == 0) {
            byte[] hash = Arrays.copyOfRange(request, 1, request.length);
            if (!RevealHash.isWellFormed(hash)) {
                return new byte[0];
            }
            return ctx().preimages().find(hash).orElseThrow(() -> new RevealUnavailableException(
                    "preimage " + RevealHash.fileName(hash) + " not found", null));
        }
        if (request.length == 1 && request[0] == 1) {
            return ctx().metadata().encode();
        }
        return new byte[0];
    }

    private int answer(Instance in, byte[] response, int dst, int maxBytes) {
        return writeTruncated(in, response, dst, maxBytes, "reveal");
    }

    /**
     * Writes at most {@code max} bytes of {@code data} at {@code dst} and returns how many. A negative
     * {@code max} is an exception Octez's host functions do not catch: the PVM is stuck for good.
     */
    private int writeTruncated(Instance in, byte[] data, int dst, int max, String function) {
        if (max < 0) {
            throw new KernelFatalException(function + " called with a negative maximum size (" + max + ")");
        }
        int n = Math.min(data.length, max);
        charge(in, n);
        return store(in.memory(), dst, data, n) ? n : MEMORY_INVALID_ACCESS;
    }

    private static void putIntLE(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }
}
