package io.flotilla.pvm;

import static io.flotilla.pvm.PvmState.*;

import com.dylibso.chicory.runtime.Instance;
import io.flotilla.pvm.KernelRunReport.Outcome;
import io.flotilla.pvm.durable.Durable;
import io.flotilla.pvm.engine.KernelLoadException;
import io.flotilla.pvm.host.HostContext;
import io.flotilla.pvm.host.HostFunctions;
import io.flotilla.pvm.host.KernelFatalException;
import io.flotilla.pvm.host.OutOfTicksException;
import io.flotilla.pvm.reveal.RevealUnavailableException;
import io.flotilla.pvm.tree.Value;
import io.flotilla.pvm.wasm.InstrumentedKernel;
import io.flotilla.pvm.wasm.KernelValidationException;
import io.flotilla.pvm.wasm.Opcodes;
import io.flotilla.pvm.wasm.WasmBinary;
import io.flotilla.pvm.wasm.WasmReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One level being evaluated, step by step, with Octez's control flow:
 * <ol>
 * <li>the inbox is collected (a Protocol_migration message switches the version at once);</li>
 * <li>at each period boundary: if {@code /kernel/env/reboot} is set and reboots are left, the flag
 *     is removed, the reboot counter decremented and {@code kernel_run} called on a fresh instance
 *     (unread inputs stay); otherwise the PVM yields: unread inputs are dropped, the flag is set
 *     again for the next level, the counter reset to 1001, and {@code too_many_reboot} set if the
 *     reboots ran out;</li>
 * <li>a trap sets {@code /readonly/kernel/env/stuck} and the level goes on; running out of gas,
 *     exhausting the call stack, or an unloadable kernel without a fallback stick the PVM for good.</li>
 * </ol>
 * Every period, the collection included, costs max_nb_ticks.
 */
public final class LevelExecution {

    /** Reboots per level (1000) plus the one that starts the level. */
    public static final int REBOOT_COUNTER_START = 1001;

    private final Pvm pvm;
    private final PvmState base;
    private final int level;
    private final HostContext ctx;
    private final List<KernelRunReport> runs = new ArrayList<>();
    private int counter = REBOOT_COUNTER_START;
    private String stuck;
    private boolean done;
    private LevelResult result;
    private boolean keepInstance;
    private Instance lastInstance;
    private final OptionalInt outboxPrunedBelow;

    LevelExecution(Pvm pvm, PvmState state, int level, List<byte[]> inbox) {
        this.pvm = pvm;
        this.base = state;
        this.level = level;
        this.stuck = state.stuck().orElse(null);
        PvmVersion version = state.version();
        Optional<Integer> lastLevel = state.level();
        // the version before any migration of this level is the one the state's own level was pruned with
        this.outboxPrunedBelow = lastLevel.isPresent()
                ? OptionalInt.of(lastLevel.get() - version.outboxValidityLevels()) : OptionalInt.empty();
        Durable durable = state.durable();
        // a PVM stuck for good ignores its inputs, migrations included
        for (byte[] m : stuck != null ? List.<byte[]>of() : inbox) {
            if (m.length >= 6 && m[0] == 0 && m[1] == 4) {
                int n = ByteBuffer.wrap(m, 2, 4).getInt();
                if (n >= 0 && n == m.length - 6) {
                    String name = new String(m, 6, n, java.nio.charset.StandardCharsets.US_ASCII);
                    Optional<PvmVersion> v = ProtocolMigrations.versionFor(name);
                    if (v.isPresent()) {
                        version = v.get();
                        durable = durable.set(WASM_VERSION, version.label());
                    }
                }
            }
        }
        this.ctx = new HostContext(durable, version, level, inbox, pvm.preimages(), pvm.metadata());
        this.ctx.debugSink(pvm.debugSink());
        // a PVM stuck for good ignores its inputs
        this.done = stuck != null;
        if (done) {
            ctx.dropInputs();
        }
    }

    public int level() {
        return level;
    }

    /** Keeps the last kernel_run's instance so its memory can be inspected (the debugger does). */
    public LevelExecution keepInstance(boolean keep) {
        this.keepInstance = keep;
        return this;
    }

    /** The instance of the last kernel_run, when {@link #keepInstance} is on. */
    public Optional<Instance> lastInstance() {
        return Optional.ofNullable(lastInstance);
    }

    public boolean done() {
        return done;
    }

    /** The durable storage as it is now (between calls, or after the last one). */
    public Durable durable() {
        return ctx.durable();
    }

    public PvmVersion version() {
        return ctx.version();
    }

    public List<byte[]> inbox() {
        return ctx.inbox();
    }

    /** Inputs not read yet. */
    public int unreadInputs() {
        return ctx.inbox().size() - ctx.nextInput();
    }

    public List<byte[]> outbox() {
        return Collections.unmodifiableList(ctx.outbox());
    }

    public List<KernelRunReport> runs() {
        return Collections.unmodifiableList(runs);
    }

    public Optional<String> stuck() {
        return Optional.ofNullable(stuck);
    }

    /**
     * Crosses one period boundary: either runs kernel_run once (returning its report) or yields,
     * ending the level (returning empty).
     */
    public Optional<KernelRunReport> step() {
        if (done) {
            throw new IllegalStateException("level " + level + " is already evaluated");
        }
        return pvm.threads().call(this::stepOnPvmThread);
    }

    private Optional<KernelRunReport> stepOnPvmThread() {
        Durable d = ctx.durable();
        boolean reboot = d.hasValue(REBOOT_FLAG);
        if (reboot && counter > 0) {
            counter--;
            ctx.durable(d.delete(REBOOT_FLAG).set(REBOOT_COUNTER, counterBytes(counter)));
            KernelRunReport r = runKernel(runs.size() + 1);
            runs.add(r);
            if (r.outcome() == Outcome.STUCK) {
                done = true;
                ctx.dropInputs();
            }
            return Optional.of(r);
        }
        d = reboot ? d.set(TOO_MANY_REBOOT, new byte[0]) : d.deleteValue(TOO_MANY_REBOOT);
        counter = REBOOT_COUNTER_START;
        ctx.durable(d.set(REBOOT_FLAG, new byte[0]).set(REBOOT_COUNTER, counterBytes(counter)));
        ctx.dropInputs();
        done = true;
        return Optional.empty();
    }

    /** Runs the remaining periods and returns the new state. */
    public LevelResult finish() {
        if (result != null) {
            return result;
        }
        while (!done) {
            step();
        }
        PvmState s = base.withDurable(ctx.durable());
        long ticks = 0;
        if (base.stuck().isEmpty()) {
            ticks = (1L + runs.size()) * ctx.version().maxTicksPerCall();
            s = s.withTicks(base.ticks() + ticks).withLevel(level);
            if (!ctx.outbox().isEmpty()) {
                s = s.withOutbox(level, ctx.outbox());
            }
            s = s.pruneOutbox(level - ctx.version().outboxValidityLevels(), outboxPrunedBelow);
            if (stuck != null) {
                s = s.withStuck(stuck);
            }
        }
        result = new LevelResult(s, level, runs.size(), ticks, List.copyOf(ctx.outbox()), List.copyOf(runs));
        return result;
    }

    private static byte[] counterBytes(int c) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(c).array();
    }

    // ------------------------------------------------------------------ one kernel_run

    private KernelRunReport runKernel(int run) {
        long t0 = System.nanoTime();
        Durable d = ctx.durable();
        Optional<Value> kernelValue = d.value(KERNEL);
        if (kernelValue.isEmpty()) {
            return fallback(run, t0, "no kernel at /kernel/boot.wasm");
        }
        Value kernelStored = kernelValue.get();
        PvmVersion version = ctx.version();
        // the kernel's bytes are read out of the tree only when the cache has not seen this value (or it failed)
        KernelCache.Entry entry = pvm.config().cache().get(kernelStored.hash(), kernelStored::toBytes, version,
                pvm.config().engine());
        if (!entry.ok()) {
            byte[] kernel = kernelStored.toBytes();
            RuntimeException f = entry.failure();
            if (f instanceof KernelValidationException kve
                    && kve.kind() == KernelValidationException.Kind.CONTRACT
                    && f.getMessage().contains("kernel_run")
                    && linksAndExportsItsMemory(kernel, version)) {
                return stuckForGood(run, t0, "Invalid_module: no kernel_run function exported", 0);
            }
            return fallback(run, t0, f.getMessage());
        }
        InstrumentedKernel ik = entry.instrumented();
        long budget = pvm.config().gasPerKernelRun();
        // the entry's host functions, bound to this run's context until the run ends, however it ends
        HostFunctions host = entry.hosts().acquire(ctx);
        try {
            Instance instance;
            try {
                instance = entry.prepared().instantiate(host.imports(), ik.gasGlobal(), budget,
                        pvm.config().maxMemoryPages());
            } catch (KernelLoadException e) {
                return fallback(run, t0, e.getMessage());
            } catch (OutOfMemoryError e) {
                throw new PvmResourceException("out of JVM memory instantiating the kernel", e);
            }
            lastInstance = keepInstance ? instance : null;
            // a kernel that initialises becomes the fallback
            Optional<Value> fb = ctx.durable().value(FALLBACK_KERNEL);
            if (fb.isEmpty() || !fb.get().hash().equals(kernelValue.get().hash())) {
                ctx.durable(ctx.durable().copy(KERNEL, FALLBACK_KERNEL).orElseThrow());
            }
            try {
                instance.global(ik.gasGlobal()).setValue(budget);
                if (ik.hasStartFunction()) {
                    instance.export(InstrumentedKernel.START_EXPORT).apply();
                }
                instance.export("kernel_run").apply();
            } catch (Throwable t) {
                return afterFailure(run, t0, instance, ik, budget, t);
            }
            ctx.durable(ctx.durable().deleteValue(STUCK_FLAG).deleteValue(UPGRADE_ERROR));
            return report(run, Outcome.OK, "", used(instance, ik, budget), t0);
        } finally {
            entry.hosts().release(host);
        }
    }

    /**
     * Octez looks for kernel_run only once the module has linked and initialised; a module that
     * also fails to link (an import other than a host function of this version with its exact
     * type) or to initialise (its memory not exported) gets the fallback, not the stuck state.
     */
    private static boolean linksAndExportsItsMemory(byte[] kernel, PvmVersion version) {
        WasmBinary m;
        try {
            m = WasmReader.read(kernel);
        } catch (RuntimeException e) {
            return false;
        }
        for (WasmBinary.Import im : m.imports()) {
            PvmVersion.HostSignature sig = version.hostFunctions().get(im.name());
            if (im.kind() != WasmBinary.KIND_FUNC || !PvmVersion.HOST_MODULE.equals(im.module()) || sig == null) {
                return false;
            }
            WasmBinary.FuncType t = m.types().get(im.typeIndex());
            if (!Arrays.equals(t.params(), typeCodes(sig.params())) || !Arrays.equals(t.results(), typeCodes(sig.results()))) {
                return false;
            }
        }
        long memoryExports = m.exports().stream().filter(e -> e.kind() == WasmBinary.KIND_MEMORY).count();
        return m.memories().size() == 1 && memoryExports == 1;
    }

    private static byte[] typeCodes(PvmVersion.ValType[] ts) {
        byte[] r = new byte[ts.length];
        for (int i = 0; i < ts.length; i++) {
            r[i] = ts[i] == PvmVersion.ValType.I32 ? Opcodes.T_I32 : Opcodes.T_I64;
        }
        return r;
    }

    private KernelRunReport afterFailure(int run, long t0, Instance instance, InstrumentedKernel ik, long budget,
                                         Throwable t) {
        Throwable root = t;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof RevealUnavailableException r) {
                throw r; // nothing is decided: the level is retried once the preimage can be had
            }
            if (c instanceof OutOfTicksException || c instanceof KernelFatalException) {
                root = c;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        if (root instanceof OutOfMemoryError oom) {
            throw new PvmResourceException("out of JVM memory running the kernel", oom);
        }
        long status = instance.global(ik.statusGlobal()).getValue();
        long gas = used(instance, ik, budget);
        if (status == InstrumentedKernel.STATUS_OUT_OF_GAS || root instanceof OutOfTicksException) {
            return stuckForGood(run, t0, "Too_many_ticks", gas);
        }
        if (status == InstrumentedKernel.STATUS_CALL_DEPTH) {
            return stuckForGood(run, t0, "Eval_error: call stack exhausted", gas);
        }
        if (root instanceof KernelFatalException) {
            return stuckForGood(run, t0, "Eval_error: " + root.getMessage(), gas);
        }
        if (root instanceof StackOverflowError) {
            // the injected depth limit should always come first; if the JVM stack ran out anyway,
            // the outcome would depend on the machine, so nothing is decided
            throw new PvmResourceException("JVM stack exhausted before the PVM call-depth limit", root);
        }
        if (root instanceof Error e && !(root instanceof StackOverflowError)) {
            throw new PvmResourceException("engine failure: " + e, e);
        }
        ctx.durable(ctx.durable().set(STUCK_FLAG, new byte[0]));
        String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return report(run, Outcome.TRAP, msg, gas, t0);
    }

    private static long used(Instance instance, InstrumentedKernel ik, long budget) {
        long left = instance.global(ik.gasGlobal()).getValue();
        return Math.min(budget, budget - left);
    }

    private KernelRunReport fallback(int run, long t0, String reason) {
        Durable d = ctx.durable();
        Optional<Value> fb = d.value(FALLBACK_KERNEL);
        Optional<Value> cur = d.value(KERNEL);
        if (fb.isPresent() && (cur.isEmpty() || !fb.get().hash().equals(cur.get().hash()))) {
            ctx.durable(d.copy(FALLBACK_KERNEL, KERNEL).orElseThrow().set(UPGRADE_ERROR, new byte[0]));
            return report(run, Outcome.FALLBACK, "kernel refused (" + reason + "); fallback kernel restored", 0, t0);
        }
        return stuckForGood(run, t0, "No_fallback_kernel: " + reason, 0);
    }

    private KernelRunReport stuckForGood(int run, long t0, String reason, long gas) {
        stuck = reason;
        return report(run, Outcome.STUCK, reason, gas, t0);
    }

    private KernelRunReport report(int run, Outcome o, String detail, long gas, long t0) {
        return new KernelRunReport(run, o, detail, gas, System.nanoTime() - t0, ctx.nextInput(),
                ctx.durable().hasValue(REBOOT_FLAG));
    }

    @Override
    public String toString() {
        return "LevelExecution{level=" + level + ", runs=" + runs.size() + ", done=" + done
                + ", inbox=" + ctx.inbox().size() + ", unread=" + unreadInputs() + "}";
    }
}
