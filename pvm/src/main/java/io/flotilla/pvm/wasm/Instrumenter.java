package io.flotilla.pvm.wasm;

import io.flotilla.pvm.wasm.WasmBinary.Export;
import io.flotilla.pvm.wasm.WasmBinary.FuncType;
import io.flotilla.pvm.wasm.WasmBinary.Function;
import io.flotilla.pvm.wasm.WasmBinary.Global;
import io.flotilla.pvm.wasm.WasmBinary.Instruction;
import io.flotilla.pvm.wasm.WasmBinary.Section;
import java.util.Arrays;
import java.util.List;

/**
 * Injects deterministic gas metering and a call-depth limit into a validated kernel.
 *
 * <h2>Protocol</h2>
 * Three module-defined, exported globals are appended after the module's own globals:
 * <ul>
 *   <li>{@code __flotilla_gas} (mut i64, init 0): the remaining gas. The host sets it before
 *       calling into the instance and reads it afterwards. Host functions may charge it directly:
 *       the instrumented code writes its local copy back before every {@code call} and
 *       {@code call_indirect} and reloads it after.</li>
 *   <li>{@code __flotilla_depth} (mut i32, init 0): the number of active wasm frames.</li>
 *   <li>{@code __flotilla_status} (mut i32, init 0): set to 1 right before trapping (with
 *       {@code unreachable}) because the gas would go below zero, and to 2 right before trapping
 *       because a call would make the depth exceed {@code maxCallDepth}.</li>
 * </ul>
 * After a trap, depth and status are not restored: the host resets them (or uses a fresh
 * instance) before the next call. Function indices do not change; the start section, if any, is
 * removed and the start function exported as {@code __flotilla_start} (see
 * {@link InstrumentedKernel#hasStartFunction()}). The {@code name} custom section is kept, other
 * custom sections are dropped.
 *
 * <h2>Metering</h2>
 * Every original instruction costs 1. Each function keeps the gas in an extra i64 local. The
 * body is cut into straight-line segments; a new segment starts after {@code loop}, {@code if},
 * {@code else}, {@code br}, {@code br_if}, {@code br_table}, {@code return}, {@code call},
 * {@code call_indirect}, after the {@code end} of an {@code if}, and after the {@code end} of a
 * {@code block} that some branch targets. ({@code block} itself and the {@code end} of a
 * {@code loop} or of an untargeted {@code block} do not start one: the code after them is only
 * reached by falling through.) At the start of each segment its cost, the number of reachable
 * original instructions in it, is charged:
 * <pre>
 *   local.get $g  i64.const cost  i64.sub  local.tee $g  i64.const 0  i64.lt_s
 *   if  local.get $g  global.set $gas  i32.const 1  global.set $status  unreachable  end
 * </pre>
 * At the function start and after a call the first {@code local.get $g} is a
 * {@code global.get $gas} (this reloads the copy). Code that cannot be reached (after
 * {@code br}, {@code br_table}, {@code return} or {@code unreachable} up to the end of the
 * enclosing construct) is not charged. A loop's header segment sits inside the loop, so every
 * iteration pays. So for a run that does not trap, the gas consumed is exactly the number of
 * original instructions executed, plus the length charges of {@code memory.copy} and
 * {@code memory.fill} below (plus whatever host functions charge).
 *
 * <h2>Bulk memory</h2>
 * {@code memory.copy} and {@code memory.fill} cost 1 like any instruction, and in addition
 * {@code ceil(n / }{@value #BULK_BYTES_PER_GAS}{@code )} where {@code n} is their length operand
 * (the i32 on top of the stack, read as unsigned). Right before the instruction:
 * <pre>
 *   local.set $n  local.get $g  local.get $n  i64.extend_i32_u  i64.const 7  i64.add
 *   i64.const 3  i64.shr_u  i64.sub  local.tee $g  i64.const 0  i64.lt_s
 *   if  local.get $g  global.set $gas  i32.const 1  global.set $status  unreachable  end
 *   local.get $n
 * </pre>
 * where {@code $n} is an extra i32 local, added only to functions that use these instructions.
 * The charge is made before the instruction runs, whether or not it then traps (out of bounds),
 * so it depends only on the operands. See {@link #BULK_BYTES_PER_GAS} for the rate.
 *
 * <h2>Call depth</h2>
 * Each function begins with
 * <pre>
 *   global.get $depth  local.tee $d  i32.const maxCallDepth  i32.ge_u
 *   if  i32.const 2  global.set $status  unreachable  end
 *   local.get $d  i32.const 1  i32.add  global.set $depth
 * </pre>
 * and its original body is wrapped in {@code block (result T) ... end}; {@code return} becomes a
 * {@code br} to that block, so returns, branches to the function's label and the fall-through all
 * reach the epilogue {@code local.get $g  global.set $gas  local.get $d  global.set $depth}. At
 * most {@code maxCallDepth} wasm frames can be active; entering frame {@code maxCallDepth + 1}
 * traps with status 2.
 *
 * <p>The result depends only on the module bytes and {@code maxCallDepth}, so the gas count is
 * the same in every engine.
 */
public final class Instrumenter {
    private Instrumenter() {}

    /**
     * Bytes of {@code memory.copy}/{@code memory.fill} per unit of gas (the charge is rounded up).
     *
     * <p>One unit of gas is one executed wasm instruction, and the default budget
     * ({@code PvmConfig.DEFAULT_GAS}) is sized at about one unit per nanosecond of compiled
     * execution. Chicory performs these instructions with {@code Arrays.fill} and
     * {@code System.arraycopy}, page by page, at several GB/s, i.e. about 8 bytes per nanosecond:
     * one unit per 8 bytes keeps gas proportional to wall-clock time, so a loop of 1 GiB fills
     * pays 2^27 per iteration and exhausts the budget in bounded time. It is also what the same
     * work costs when written as a wasm loop of {@code i64.store} (at least one instruction per 8
     * bytes), so the bulk instructions are never a cheaper way around the metering, while staying
     * far below Octez's own cost (its interpreter reduces them to one store step, several ticks,
     * per byte): a kernel that fits in Octez's tick budget is not stopped here by these charges.
     */
    public static final int BULK_BYTES_PER_GAS = 8;
    private static final int BULK_SHIFT = Integer.numberOfTrailingZeros(BULK_BYTES_PER_GAS);

    private static final int F_FUNC = 0;
    private static final int F_BLOCK = 1;
    private static final int F_LOOP = 2;
    private static final int F_IF = 3;

    public static InstrumentedKernel instrument(ValidatedKernel k, int maxCallDepth) {
        if (maxCallDepth < 0) {
            throw new IllegalArgumentException("maxCallDepth must be >= 0: " + maxCallDepth);
        }
        WasmBinary m = k.binary();
        byte[] src = m.bytes();
        int gas = m.globals().size(); // no imported globals: validated
        int depth = gas + 1;
        int status = gas + 2;
        boolean hasStart = m.start() >= 0;

        WasmWriter out = new WasmWriter(src.length + src.length / 2 + 64);
        out.header();
        boolean globalsWritten = false;
        for (Section s : m.sections()) {
            int id = s.id();
            if (id == WasmBinary.SEC_CUSTOM) {
                if ("name".equals(s.customName()) && !m.functionNames().isEmpty()) {
                    out.bytes(src, s.offset(), s.payloadEnd());
                }
                continue;
            }
            if (!globalsWritten && id >= WasmBinary.SEC_GLOBAL) {
                out.section(WasmBinary.SEC_GLOBAL, globals(m));
                globalsWritten = true;
                if (id == WasmBinary.SEC_GLOBAL) {
                    continue;
                }
            }
            switch (id) {
                case WasmBinary.SEC_EXPORT -> out.section(id, exports(m, gas, depth, status));
                case WasmBinary.SEC_START -> { } // exported instead
                case WasmBinary.SEC_CODE -> out.section(id, code(m, maxCallDepth, gas, depth, status));
                default -> out.bytes(src, s.offset(), s.payloadEnd());
            }
        }
        return new InstrumentedKernel(k, out.toByteArray(), maxCallDepth, gas, depth, status, hasStart);
    }

    private static WasmWriter globals(WasmBinary m) {
        WasmWriter w = new WasmWriter();
        byte[] src = m.bytes();
        w.u32(m.globals().size() + 3L);
        for (Global g : m.globals()) {
            w.u8(g.type()).u8(g.mutable() ? 1 : 0).bytes(src, g.initStart(), g.initEnd());
        }
        w.u8(Opcodes.T_I64).u8(1).i64Const(0).op(Opcodes.END);
        w.u8(Opcodes.T_I32).u8(1).i32Const(0).op(Opcodes.END);
        w.u8(Opcodes.T_I32).u8(1).i32Const(0).op(Opcodes.END);
        return w;
    }

    private static WasmWriter exports(WasmBinary m, int gas, int depth, int status) {
        WasmWriter w = new WasmWriter();
        boolean hasStart = m.start() >= 0;
        w.u32(m.exports().size() + 3L + (hasStart ? 1 : 0));
        for (Export e : m.exports()) {
            w.name(e.name()).u8(e.kind()).u32(e.index());
        }
        w.name(InstrumentedKernel.GAS_EXPORT).u8(WasmBinary.KIND_GLOBAL).u32(gas);
        w.name(InstrumentedKernel.DEPTH_EXPORT).u8(WasmBinary.KIND_GLOBAL).u32(depth);
        w.name(InstrumentedKernel.STATUS_EXPORT).u8(WasmBinary.KIND_GLOBAL).u32(status);
        if (hasStart) {
            w.name(InstrumentedKernel.START_EXPORT).u8(WasmBinary.KIND_FUNC).u32(m.start());
        }
        return w;
    }

    private static WasmWriter code(WasmBinary m, int maxCallDepth, int gas, int depth, int status) {
        WasmWriter w = new WasmWriter(m.bytes().length + m.bytes().length / 2);
        w.u32(m.functions().size());
        WasmWriter body = new WasmWriter(4096);
        for (Function f : m.functions()) {
            body = new WasmWriter(Math.max(64, (f.bodyEnd - f.bodyStart) * 2));
            function(m, f, body, maxCallDepth, gas, depth, status);
            w.u32(body.size()).bytes(body);
        }
        return w;
    }

    /** Per-instruction charges of one body: cost (0 = none) and whether to reload from the global. */
    static final class Plan {
        final int[] cost;
        final boolean[] fromGlobal;

        Plan(int n) {
            cost = new int[n];
            fromGlobal = new boolean[n];
        }
    }

    static Plan plan(List<Instruction> code) {
        int n = code.size();
        Plan p = new Plan(n);
        int cap = 16;
        int[] kind = new int[cap];
        boolean[] enteredLive = new boolean[cap];
        boolean[] liveExit = new boolean[cap];
        boolean[] hasElse = new boolean[cap];
        boolean[] targeted = new boolean[cap];
        int sp = 0;
        kind[sp] = F_FUNC;
        enteredLive[sp] = true;
        sp++;
        boolean dead = false;
        int seg = 0;
        int cost = 0;
        boolean segGlobal = true;
        for (int i = 0; i < n; i++) {
            Instruction ins = code.get(i);
            if (!dead) {
                cost++;
            }
            boolean split = false;
            boolean nextGlobal = false;
            switch (ins.opcode) {
                case Opcodes.BLOCK, Opcodes.LOOP, Opcodes.IF -> {
                    if (sp == cap) {
                        cap *= 2;
                        kind = Arrays.copyOf(kind, cap);
                        enteredLive = Arrays.copyOf(enteredLive, cap);
                        liveExit = Arrays.copyOf(liveExit, cap);
                        hasElse = Arrays.copyOf(hasElse, cap);
                        targeted = Arrays.copyOf(targeted, cap);
                    }
                    kind[sp] = ins.opcode == Opcodes.BLOCK ? F_BLOCK : ins.opcode == Opcodes.LOOP ? F_LOOP : F_IF;
                    enteredLive[sp] = !dead;
                    liveExit[sp] = false;
                    hasElse[sp] = false;
                    targeted[sp] = false;
                    sp++;
                    split = ins.opcode != Opcodes.BLOCK;
                }
                case Opcodes.ELSE -> {
                    int t = sp - 1;
                    if (!dead) {
                        liveExit[t] = true;
                    }
                    hasElse[t] = true;
                    dead = !enteredLive[t];
                    split = true;
                }
                case Opcodes.END -> {
                    int t = --sp;
                    if (!dead) {
                        liveExit[t] = true;
                    }
                    if (kind[t] == F_IF && !hasElse[t] && enteredLive[t]) {
                        liveExit[t] = true;
                    }
                    dead = !liveExit[t];
                    split = kind[t] == F_IF || (kind[t] == F_BLOCK && targeted[t]);
                }
                case Opcodes.BR, Opcodes.BR_IF -> {
                    if (!dead) {
                        int t = sp - 1 - (int) ins.a;
                        if (kind[t] != F_LOOP) {
                            liveExit[t] = true;
                            targeted[t] = true;
                        }
                    }
                    dead |= ins.opcode == Opcodes.BR;
                    split = true;
                }
                case Opcodes.BR_TABLE -> {
                    if (!dead) {
                        for (int l = -1; l < ins.labels.length; l++) {
                            int t = sp - 1 - (l < 0 ? (int) ins.a : ins.labels[l]);
                            if (kind[t] != F_LOOP) {
                                liveExit[t] = true;
                                targeted[t] = true;
                            }
                        }
                    }
                    dead = true;
                    split = true;
                }
                case Opcodes.RETURN -> {
                    dead = true;
                    split = true;
                }
                case Opcodes.UNREACHABLE -> dead = true;
                case Opcodes.CALL, Opcodes.CALL_INDIRECT -> {
                    split = true;
                    nextGlobal = true;
                }
                default -> { }
            }
            if (split && i + 1 < n) {
                p.cost[seg] = cost;
                p.fromGlobal[seg] = segGlobal;
                seg = i + 1;
                cost = 0;
                segGlobal = nextGlobal;
            }
        }
        p.cost[seg] = cost;
        p.fromGlobal[seg] = segGlobal;
        return p;
    }

    private static void function(WasmBinary m, Function f, WasmWriter w, int maxCallDepth,
                                 int gas, int depth, int status) {
        byte[] src = m.bytes();
        FuncType type = m.types().get(f.typeIndex);
        int g = type.params().length + f.declaredLocals;
        int d = g + 1;
        int n = d + 1;
        boolean bulk = false;
        for (Instruction ins : f.body) {
            bulk |= Opcodes.isBulkMemory(ins.opcode);
        }
        // locals: the original groups, then $g : i64, $d : i32 and, if needed, $n : i32
        w.u32(f.localCounts.length + 2L);
        for (int i = 0; i < f.localCounts.length; i++) {
            w.u32(f.localCounts[i] & 0xFFFF_FFFFL).u8(f.localTypes[i]);
        }
        w.u32(1).u8(Opcodes.T_I64);
        w.u32(bulk ? 2 : 1).u8(Opcodes.T_I32);
        // prologue: call depth
        w.globalGet(depth).localTee(d).i32Const(maxCallDepth).op(Opcodes.I32_GE_U);
        w.blockOp(Opcodes.IF, Opcodes.T_EMPTY).i32Const(InstrumentedKernel.STATUS_CALL_DEPTH).globalSet(status)
                .op(Opcodes.UNREACHABLE).op(Opcodes.END);
        w.localGet(d).i32Const(1).op(Opcodes.I32_ADD).globalSet(depth);
        // the wrapper block: every exit of the original body lands after it
        w.blockOp(Opcodes.BLOCK, type.results().length == 0 ? Opcodes.T_EMPTY : type.results()[0]);

        List<Instruction> code = f.body;
        Plan plan = plan(code);
        int open = 0;
        for (int i = 0; i < code.size(); i++) {
            int c = plan.cost[i];
            if (c > 0) {
                if (plan.fromGlobal[i]) {
                    w.globalGet(gas);
                } else {
                    w.localGet(g);
                }
                w.i64Const(c).op(Opcodes.I64_SUB);
                checkGas(w, g, gas, status);
            }
            Instruction ins = code.get(i);
            if (Opcodes.isBulkMemory(ins.opcode)) {
                // the length charge; $g is current: this segment was charged above
                w.localSet(n).localGet(g).localGet(n).op(Opcodes.I64_EXTEND_I32_U)
                        .i64Const(BULK_BYTES_PER_GAS - 1).op(Opcodes.I64_ADD)
                        .i64Const(BULK_SHIFT).op(Opcodes.I64_SHR_U).op(Opcodes.I64_SUB);
                checkGas(w, g, gas, status);
                w.localGet(n);
            }
            switch (ins.opcode) {
                case Opcodes.RETURN -> {
                    w.br(open);
                    continue;
                }
                case Opcodes.CALL, Opcodes.CALL_INDIRECT -> w.localGet(g).globalSet(gas);
                case Opcodes.BLOCK, Opcodes.LOOP, Opcodes.IF -> open++;
                case Opcodes.END -> open--;
                default -> { }
            }
            w.bytes(src, ins.offset, ins.offset + ins.length);
        }
        // epilogue (the original final 'end' closed the wrapper block)
        w.localGet(g).globalSet(gas).localGet(d).globalSet(depth).op(Opcodes.END);
    }

    /** With the new gas on the stack: store it in $g and trap with status 1 if it is negative. */
    private static void checkGas(WasmWriter w, int g, int gas, int status) {
        w.localTee(g).i64Const(0).op(Opcodes.I64_LT_S);
        w.blockOp(Opcodes.IF, Opcodes.T_EMPTY).localGet(g).globalSet(gas)
                .i32Const(InstrumentedKernel.STATUS_OUT_OF_GAS).globalSet(status)
                .op(Opcodes.UNREACHABLE).op(Opcodes.END);
    }
}
