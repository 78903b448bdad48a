package io.flotilla.pvm.engine;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.runtime.TrapException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.UninstantiableException;
import com.dylibso.chicory.wasm.UnlinkableException;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.util.function.Function;

/** Chicory's two engines: the runtime compiler (JVM bytecode, the default) and the interpreter (reference). */
public enum ChicoryEngine implements Engine {
    COMPILER("compiler") {
        @Override
        Function<Instance, Machine> machineFactory(WasmModule module) {
            // A function too large for one JVM method runs in the interpreter; results are the
            // same (metering is in the wasm), only slower. Should the compiler fail on the module
            // as a whole, the interpreter runs all of it, for the same reason.
            try {
                return MachineFactoryCompiler.builder(module)
                        .withInterpreterFallback(InterpreterFallback.SILENT)
                        .compile();
            } catch (RuntimeException | StackOverflowError e) {
                System.getLogger(ChicoryEngine.class.getName()).log(System.Logger.Level.WARNING,
                        "Chicory's compiler failed on a kernel ({0}); it runs in the interpreter", e.toString());
                return null;
            }
        }
    },
    INTERPRETER("interpreter") {
        @Override
        Function<Instance, Machine> machineFactory(WasmModule module) {
            return null; // Chicory's default machine is the interpreter
        }
    };

    private final String name;

    ChicoryEngine(String name) {
        this.name = name;
    }

    abstract Function<Instance, Machine> machineFactory(WasmModule module);

    @Override
    public String id() {
        return name;
    }

    /**
     * Prepares the module with a {@link MemoryImage} when it has one: each instance's memory then
     * starts as a copy of the initialised image instead of being zeroed and filled segment by
     * segment (see {@link ImageMemory}).
     */
    @Override
    public PreparedKernel prepare(byte[] instrumentedWasm) {
        return prepare(instrumentedWasm, true);
    }

    /**
     * Prepares the module without a memory image: instances get Chicory's default memory and
     * data-segment initialisation, as before images existed. For comparisons (benchmarks, tests).
     */
    public PreparedKernel preparePlain(byte[] instrumentedWasm) {
        return prepare(instrumentedWasm, false);
    }

    private PreparedKernel prepare(byte[] instrumentedWasm, boolean withImage) {
        WasmModule module;
        Function<Instance, Machine> factory;
        try {
            module = Parser.parse(instrumentedWasm);
            factory = machineFactory(module);
        } catch (ChicoryException | IllegalArgumentException | IllegalStateException e) {
            throw new KernelLoadException("kernel does not decode: " + e.getMessage(), e);
        }
        MemoryImage image = withImage ? MemoryImage.of(module).orElse(null) : null;
        return new ChicoryKernel(module, factory, image);
    }

    private record ChicoryKernel(WasmModule module, Function<Instance, Machine> factory, MemoryImage image)
            implements PreparedKernel {
        @Override
        public Instance instantiate(ImportValues imports, int gasGlobalIndex, long gasBudget, int maxMemoryPages) {
            var memories = module.memorySection().orElseThrow(
                    () -> new KernelLoadException("kernel defines no memory"));
            MemoryLimits declared = memories.getMemory(0).limits();
            int max = Math.min(declared.maximumPages(), maxMemoryPages);
            if (declared.initialPages() > max) {
                throw new KernelLoadException("kernel memory of " + declared.initialPages()
                        + " pages exceeds the PVM limit of " + maxMemoryPages + " pages");
            }
            int[] next = {0};
            var builder = Instance.builder(module)
                    .withImportValues(imports)
                    .withMemoryLimits(new MemoryLimits(declared.initialPages(), max))
                    .withGlobalFactory((low, high, type, mutability) -> {
                        // globals are created in index order; the kernel imports none
                        long v = next[0]++ == gasGlobalIndex ? gasBudget : low;
                        return new GlobalInstance(v, high, type, mutability);
                    });
            if (factory != null) {
                builder.withMachineFactory(factory);
            }
            if (image != null) {
                builder.withMemoryFactory(limits -> new ImageMemory(limits, image));
            }
            try {
                return builder.build();
            } catch (UninstantiableException e) {
                if (e.getCause() instanceof TrapException t) {
                    throw t; // a trap in the start function: the caller classifies it like kernel_run's
                }
                throw new KernelLoadException("kernel does not initialise: " + e.getMessage(), e);
            } catch (UnlinkableException e) {
                throw new KernelLoadException("kernel does not link: " + e.getMessage(), e);
            }
        }
    }
}
