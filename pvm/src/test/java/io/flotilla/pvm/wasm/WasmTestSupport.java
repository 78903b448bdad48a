package io.flotilla.pvm.wasm;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wabt.Wat2Wasm;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import io.flotilla.pvm.PvmVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/** Helpers shared by the wasm tests: WAT compilation, raw modules, engines and host stubs. */
final class WasmTestSupport {
    private WasmTestSupport() {}

    /** What host function {@code write_debug} charges, in gas units, in these tests. */
    static final long WRITE_DEBUG_COST = 100;

    enum Engine { INTERPRETER, COMPILER }

    static byte[] wat(String text) {
        return Wat2Wasm.parse(text);
    }

    static String resource(String name) {
        try (InputStream in = WasmTestSupport.class.getResourceAsStream("/wasm/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource /wasm/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] watResource(String name) {
        return wat(resource(name));
    }

    /** A minimal kernel around the given module fields (a memory export and kernel_run are added). */
    static String kernel(String fields) {
        return "(module\n" + fields + "\n (memory (export \"memory\") 1)\n (func (export \"kernel_run\")))";
    }

    /**
     * Builds a raw kernel module whose function 1 ("f", type [] -> [], named $f) has the given
     * body code bytes (the final 'end' included) and whose other sections are extra raw sections
     * inserted in id order. Function 0 is kernel_run.
     */
    static byte[] rawKernel(byte[] fBody, byte[]... extraSections) {
        WasmWriter w = new WasmWriter().header();
        List<byte[]> extras = new ArrayList<>(List.of(extraSections));
        emitExtras(w, extras, 1);
        w.section(1, new WasmWriter().u32(1).u8(0x60).u32(0).u32(0)); // type 0: [] -> []
        emitExtras(w, extras, 3);
        w.section(3, new WasmWriter().u32(2).u32(0).u32(0));
        emitExtras(w, extras, 5);
        w.section(5, new WasmWriter().u32(1).u8(0).u32(1));
        emitExtras(w, extras, 7);
        w.section(7, new WasmWriter().u32(2).name("kernel_run").u8(0).u32(0).name("memory").u8(2).u32(0));
        emitExtras(w, extras, 10);
        WasmWriter code = new WasmWriter().u32(2);
        code.u32(2).u32(0).u8(0x0B);
        code.u32(fBody.length + 1L).u32(0).bytes(fBody);
        w.section(10, code);
        emitExtras(w, extras, 0);
        WasmWriter names = new WasmWriter().name("name");
        WasmWriter fn = new WasmWriter().u32(2).u32(0).name("kernel_run").u32(1).name("f");
        names.u8(1).u32(fn.size()).bytes(fn);
        w.section(0, names);
        return w.toByteArray();
    }

    private static final List<Integer> ORDER = List.of(1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11);

    /** Emits the extra sections that come before section {@code next} (0: all that remain). */
    private static void emitExtras(WasmWriter w, List<byte[]> extras, int next) {
        for (var it = extras.iterator(); it.hasNext(); ) {
            byte[] s = it.next();
            int id = s[0] & 0xFF;
            if (next == 0 || ORDER.indexOf(id) < ORDER.indexOf(next)) {
                w.bytes(s);
                it.remove();
            }
        }
    }

    /**
     * Compiles WAT and appends a name section naming functions as in the text: every
     * {@code (func $id} in text order (imports must come first in the text).
     */
    static byte[] named(String text) {
        byte[] wasm = wat(text);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\(func(?:\\s+\\$([A-Za-z0-9_.]+))?").matcher(text);
        WasmWriter fn = new WasmWriter();
        int idx = 0;
        int count = 0;
        WasmWriter entries = new WasmWriter();
        while (m.find()) {
            if (m.group(1) != null) {
                entries.u32(idx).name(m.group(1));
                count++;
            }
            idx++;
        }
        fn.u32(count).bytes(entries);
        WasmWriter names = new WasmWriter().name("name");
        names.u8(1).u32(fn.size()).bytes(fn);
        WasmWriter out = new WasmWriter().bytes(wasm);
        out.section(0, names);
        return out.toByteArray();
    }

    static byte[] section(int id, WasmWriter payload) {
        return new WasmWriter().section(id, payload).toByteArray();
    }

    static byte[] bytes(int... v) {
        byte[] r = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = (byte) v[i];
        }
        return r;
    }

    /** Host functions for every smart_rollup_core import of the module: results are 0; write_debug charges gas. */
    static ImportValues hosts(WasmModule module, List<String> log, long writeDebugCost) {
        ImportValues.Builder b = ImportValues.builder();
        module.importSection().stream().forEach(im -> {
            if (!(im instanceof com.dylibso.chicory.wasm.types.FunctionImport fi)) {
                return;
            }
            FunctionType t = module.typeSection().getType(fi.typeIndex());
            String name = im.name();
            b.addFunction(new HostFunction(im.module(), name, t, (inst, args) -> {
                if (log != null) {
                    log.add(name);
                }
                if (name.equals("write_debug")) {
                    GlobalInstance gas = gasGlobal(inst);
                    if (gas != null) {
                        gas.setValue(gas.getValue() - writeDebugCost);
                    }
                }
                return t.returns().isEmpty() ? null : new long[t.returns().size()];
            }));
        });
        return b.build();
    }

    static GlobalInstance gasGlobal(Instance inst) {
        try {
            return inst.exports().global(InstrumentedKernel.GAS_EXPORT);
        } catch (RuntimeException e) {
            return null;
        }
    }

    static Instance instantiate(byte[] wasm, Engine engine, List<String> log) {
        return instantiate(wasm, engine, log, WRITE_DEBUG_COST);
    }

    static Instance instantiate(byte[] wasm, Engine engine, List<String> log, long writeDebugCost) {
        WasmModule module = Parser.parse(wasm);
        Instance.Builder b = Instance.builder(module).withImportValues(hosts(module, log, writeDebugCost));
        if (engine == Engine.COMPILER) {
            b.withMachineFactory(MachineFactoryCompiler.compile(module));
        }
        return b.build();
    }

    /** Runs on a thread with a 1 GiB stack (deep wasm recursion in both engines). */
    static <T> T onBigStack(Callable<T> task) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                result.set(task.call());
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "pvm", 1L << 30);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (failure.get() != null) {
            Throwable e = failure.get();
            if (e instanceof RuntimeException re) {
                throw re;
            }
            if (e instanceof Error er) {
                throw er;
            }
            throw new IllegalStateException(e);
        }
        return result.get();
    }

    static PvmVersion anyVersion() {
        return PvmVersion.DEFAULT;
    }

    static ValType[] none() {
        return new ValType[0];
    }
}
