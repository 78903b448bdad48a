package io.flotilla.pvm;

import io.flotilla.pvm.crypto.Blake2b;
import io.flotilla.pvm.engine.Engine;
import io.flotilla.pvm.engine.KernelLoadException;
import io.flotilla.pvm.engine.PreparedKernel;
import io.flotilla.pvm.host.HostFunctions;
import io.flotilla.pvm.util.Hex;
import io.flotilla.pvm.wasm.InstrumentedKernel;
import io.flotilla.pvm.wasm.Instrumenter;
import io.flotilla.pvm.wasm.KernelValidationException;
import io.flotilla.pvm.wasm.KernelValidator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Validated, instrumented and prepared kernels, keyed by kernel hash, PVM version and engine.
 * Validation, metering injection and compilation happen once per kernel; every rollup running the
 * same kernel shares the result. Refusals are cached too, so a bad kernel is not re-examined at
 * every reboot. Least recently used entries are evicted beyond {@code capacity}.
 */
public final class KernelCache {

    /**
     * A kernel ready to instantiate, or the reason it cannot be. {@code hosts} holds the host functions its runs
     * reuse (an entry is for one PVM version, so one import list fits all its runs).
     */
    public record Entry(String kernelHash, InstrumentedKernel instrumented, PreparedKernel prepared,
                        RuntimeException failure, HostFunctions.Pool hosts) {
        public boolean ok() {
            return failure == null;
        }
    }

    private record Key(String hash, PvmVersion version, String engine) {}

    private final int capacity;
    private final Map<Key, Entry> entries;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    public KernelCache(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** A cache for one JVM; 64 distinct kernels are plenty for a node. */
    public static final KernelCache SHARED = new KernelCache(64);

    public static String hashOf(byte[] kernel) {
        return Hex.encode(Blake2b.hash256(kernel));
    }

    public Entry get(byte[] kernel, PvmVersion version, Engine engine) {
        return get(hashOf(kernel), () -> kernel, version, engine);
    }

    /**
     * As {@link #get(byte[], PvmVersion, Engine)} for a kernel stored as a durable value whose Merkle hash is
     * {@code valueHash}: a value hash names its bytes, so once a kernel has been seen its hash is remembered and the
     * kernel is neither read out of the tree nor hashed again (it was, at every kernel_run: a Blake2b pass over the
     * whole module, milliseconds for a large kernel). {@code kernel} is called only for a value not seen before.
     */
    public Entry get(io.flotilla.pvm.tree.Hash valueHash, java.util.function.Supplier<byte[]> kernel,
                     PvmVersion version, Engine engine) {
        String known;
        synchronized (kernelHashes) {
            known = kernelHashes.get(valueHash);
        }
        if (known == null) {
            byte[] bytes = kernel.get();
            known = hashOf(bytes);
            synchronized (kernelHashes) {
                kernelHashes.put(valueHash, known);
            }
            return get(known, () -> bytes, version, engine);
        }
        return get(known, kernel, version, engine);
    }

    /** Kernel hashes by the Merkle hash of the durable value holding the kernel (bounded like the entries). */
    private final Map<io.flotilla.pvm.tree.Hash, String> kernelHashes = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<io.flotilla.pvm.tree.Hash, String> eldest) {
            return size() > 4 * capacity;
        }
    };

    private Entry get(String kernelHash, java.util.function.Supplier<byte[]> kernel, PvmVersion version,
                      Engine engine) {
        Key key = new Key(kernelHash, version, engine.id());
        synchronized (entries) {
            Entry e = entries.get(key);
            if (e != null) {
                hits.incrementAndGet();
                return e;
            }
        }
        misses.incrementAndGet();
        Entry e = load(key.hash, kernel.get(), version, engine);
        synchronized (entries) {
            Entry raced = entries.putIfAbsent(key, e);
            if (entries.size() > capacity) {
                var it = entries.entrySet().iterator();
                it.next();
                it.remove();
            }
            return raced != null ? raced : e;
        }
    }

    private static Entry load(String hash, byte[] kernel, PvmVersion version, Engine engine) {
        try {
            var validated = KernelValidator.validate(kernel, version);
            // Octez refuses the frame that would make the stack reach the limit
            var instrumented = Instrumenter.instrument(validated, version.maxCallDepth() - 1);
            var prepared = engine.prepare(instrumented.wasm());
            List<String> imports = new ArrayList<>();
            for (var im : validated.binary().imports()) {
                if (im.kind() == io.flotilla.pvm.wasm.WasmBinary.KIND_FUNC) {
                    imports.add(im.name()); // the validator let only this version's host functions through
                }
            }
            var hosts = new HostFunctions.Pool(version, imports, instrumented.gasGlobal(), instrumented.statusGlobal());
            return new Entry(hash, instrumented, prepared, null, hosts);
        } catch (KernelValidationException | KernelLoadException e) {
            return new Entry(hash, null, null, e, null);
        }
    }

    public long hits() {
        return hits.get();
    }

    public long misses() {
        return misses.get();
    }
}
