package io.flotilla.pvm.debugger;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import io.flotilla.pvm.KernelRunReport;
import io.flotilla.pvm.LevelExecution;
import io.flotilla.pvm.LevelInput;
import io.flotilla.pvm.LevelResult;
import io.flotilla.pvm.Pvm;
import io.flotilla.pvm.PvmConfig;
import io.flotilla.pvm.PvmState;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.durable.Durable;
import io.flotilla.pvm.durable.DurableKey;
import io.flotilla.pvm.encoding.InboxMessage;
import io.flotilla.pvm.encoding.OutboxMessage;
import io.flotilla.pvm.host.RollupMetadata;
import io.flotilla.pvm.reveal.PreimageDirectory;
import io.flotilla.pvm.reveal.RevealHash;
import io.flotilla.pvm.reveal.RevealUnavailableException;
import io.flotilla.pvm.tree.Value;
import io.flotilla.pvm.util.Hex;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel debugger's core, like Octez's {@code octez-smart-rollup-wasm-debugger}: a PVM state, a
 * list of inboxes to feed it (inbox i at level i, from 0), and commands that step through levels
 * and kernel_run calls and inspect durable storage, memory and the outbox. Front ends (the
 * interactive prompt, scripts, stdin) just pass command lines to {@link #execute}.
 */
public final class Debugger {

    private final Pvm pvm;
    private final List<List<byte[]>> inputs;
    private final PreimageDirectory preimages;
    private final PrintStream out;
    private PvmState state;
    private LevelExecution current;
    private int nextLevel;
    private long levelTicks;
    private byte[] pendingReveal;
    private boolean stopped;

    /**
     * @param inputs serialized messages of each inbox level, without Start/Info/End of level
     */
    public Debugger(byte[] kernel, PvmVersion version, List<List<byte[]>> inputs, RollupMetadata metadata,
                    PreimageDirectory preimages, PvmConfig config, PrintStream out) {
        this.preimages = preimages;
        this.out = out;
        this.inputs = List.copyOf(inputs);
        this.pvm = new Pvm(config, preimages, metadata).debugSink(bytes -> {
            out.print(new String(bytes, StandardCharsets.UTF_8));
            out.flush();
        });
        this.state = PvmState.originate(kernel, version);
    }

    public PvmState state() {
        return state;
    }

    public boolean stopped() {
        return stopped;
    }

    public static final String HELP = String.join("\n",
            "Commands:",
            "  load inputs                          load the next inbox (levels start at 0)",
            "  step kernel_run | step result        run one kernel_run call (loading the next inbox if waiting)",
            "  step inbox                           run the whole next inbox, until the kernel yields",
            "  show status                          PVM status",
            "  show inbox                           the unread messages of the current level",
            "  show outbox at level N               outbox messages of level N",
            "  show key KEY [as hex|string|i32|i64|u16|u32|u64|u128|u256]",
            "  show keys KEY | show subkeys [KEY] | ls [KEY]   direct subkeys of KEY",
            "  show memory at P for L bytes [as string]        memory of the last kernel_run",
            "  show durable storage                 every key with its value (hex)",
            "  profile                              run the next inbox, with gas and time per kernel_run",
            "  reveal preimage [of HEX]             show the requested preimage, or provide one (hex)",
            "  reveal metadata                      the rollup metadata kernels receive",
            "  help | stop");

    /** Runs one command line, printing its output. Returns false once {@code stop} was given. */
    public boolean execute(String line) {
        String cmd = line.strip().replaceAll("\\s+", " ");
        if (cmd.isEmpty() || cmd.startsWith("#")) {
            return !stopped;
        }
        try {
            dispatch(cmd);
        } catch (RevealUnavailableException e) {
            out.println("The kernel asked for a preimage that is not available: " + e.getMessage());
            out.println("Provide it with `reveal preimage of <hex of the preimage>` and step again.");
        } catch (IllegalArgumentException | IllegalStateException e) {
            out.println("Error: " + e.getMessage());
        }
        out.flush();
        return !stopped;
    }

    private static final Pattern MEMORY = Pattern.compile("show memory at (\\S+) for (\\S+) bytes?( as string)?");
    private static final Pattern OUTBOX = Pattern.compile("show outbox at level (\\S+)");
    private static final Pattern KEY = Pattern.compile("show key (\\S+)( as (\\S+))?");

    private void dispatch(String cmd) {
        Matcher m;
        switch (cmd) {
            case "help", "man" -> out.println(HELP);
            case "stop", "quit", "exit" -> stopped = true;
            case "load inputs" -> loadInputs();
            case "step kernel_run", "step result" -> stepKernelRun();
            case "step inbox" -> stepInbox(false);
            case "profile" -> stepInbox(true);
            case "show status" -> showStatus();
            case "show inbox" -> showInbox();
            case "show durable storage" -> showDurable(DurableKey.ROOT);
            case "reveal metadata" -> revealMetadata();
            case "reveal preimage" -> revealPreimage(null);
            case "ls", "show subkeys" -> showKeys("/");
            default -> {
                if ((m = MEMORY.matcher(cmd)).matches()) {
                    showMemory(parseLong(m.group(1)), parseLong(m.group(2)), m.group(3) != null);
                } else if ((m = OUTBOX.matcher(cmd)).matches()) {
                    showOutbox((int) parseLong(m.group(1)));
                } else if ((m = KEY.matcher(cmd)).matches()) {
                    showKey(m.group(1), m.group(3) == null ? "hex" : m.group(3));
                } else if (cmd.startsWith("show keys ") || cmd.startsWith("show subkeys ") || cmd.startsWith("ls ")) {
                    showKeys(cmd.substring(cmd.lastIndexOf(' ') + 1));
                } else if (cmd.startsWith("reveal preimage of ")) {
                    revealPreimage(cmd.substring("reveal preimage of ".length()));
                } else if (cmd.startsWith("reveal preimage ")) {
                    revealPreimage(cmd.substring("reveal preimage ".length()));
                } else {
                    out.println("Unknown command `" + cmd + "` (try `help`)");
                }
            }
        }
    }

    private static long parseLong(String s) {
        try {
            return s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number: " + s);
        }
    }

    // ---------------------------------------------------------------- stepping

    private boolean waitingForInput() {
        return current == null || current.done();
    }

    /** Loads the next inbox; false when there is none. */
    private boolean loadInputs() {
        if (!waitingForInput()) {
            out.println("The PVM is evaluating level " + current.level()
                    + "; finish it with `step inbox` before loading new inputs.");
            return false;
        }
        if (nextLevel >= inputs.size()) {
            out.println("No more inputs at level " + nextLevel);
            return false;
        }
        List<byte[]> inbox = new ArrayList<>();
        inbox.add(LevelInput.START_OF_LEVEL.clone());
        inbox.add(LevelInput.infoPerLevel(0, new byte[32]));
        inbox.addAll(inputs.get(nextLevel));
        inbox.add(LevelInput.END_OF_LEVEL.clone());
        current = pvm.beginWithInbox(state, nextLevel, inbox).keepInstance(true);
        levelTicks = current.version().maxTicksPerCall(); // the collection period
        out.println("Loaded " + inputs.get(nextLevel).size() + " inputs at level " + nextLevel);
        nextLevel++;
        return true;
    }

    private void stepKernelRun() {
        if (waitingForInput() && !loadInputs()) {
            return;
        }
        Optional<KernelRunReport> r = current.step();
        if (r.isPresent()) {
            levelTicks += current.version().maxTicksPerCall();
            printRun(r.get());
        }
        if (current.done()) {
            commit();
        }
        out.println("Evaluation took " + levelTicks + " ticks so far");
        showStatus();
    }

    private void stepInbox(boolean profile) {
        if (waitingForInput() && !loadInputs()) {
            return;
        }
        long gas = 0;
        long nanos = 0;
        int n = 0;
        while (!current.done()) {
            Optional<KernelRunReport> r = current.step();
            if (r.isPresent()) {
                levelTicks += current.version().maxTicksPerCall();
                n++;
                gas += r.get().gasUsed();
                nanos += r.get().nanos();
                if (profile) {
                    out.printf(Locale.ROOT, "kernel_run #%d: %,d gas, %.3f ms, %s%n", r.get().run(),
                            r.get().gasUsed(), r.get().nanos() / 1e6, r.get().outcome());
                } else if (r.get().outcome() != KernelRunReport.Outcome.OK) {
                    printRun(r.get());
                }
            }
        }
        commit();
        if (profile) {
            out.printf(Locale.ROOT, "Level %d: %d kernel_run calls, %,d gas, %.3f ms, %,d ticks%n",
                    current.level(), n, gas, nanos / 1e6, levelTicks);
        }
        out.println("Evaluation took " + levelTicks + " ticks so far");
        showStatus();
    }

    private void printRun(KernelRunReport r) {
        switch (r.outcome()) {
            case OK -> { }
            case TRAP -> out.println("kernel_run #" + r.run() + " trapped: " + r.detail());
            case FALLBACK -> out.println("kernel_run #" + r.run() + ": " + r.detail());
            case STUCK -> out.println("kernel_run #" + r.run() + ": PVM stuck: " + r.detail());
        }
    }

    private void commit() {
        LevelResult res = current.finish();
        state = res.state();
    }

    // ---------------------------------------------------------------- inspection

    private Durable durable() {
        return current != null && !current.done() ? current.durable() : state.durable();
    }

    private void showStatus() {
        Optional<String> stuck = current != null ? current.stuck() : state.stuck();
        if (stuck.isEmpty()) {
            stuck = state.stuck();
        }
        if (stuck.isPresent()) {
            out.println("Status: Stuck");
            out.println("Internal_status: Stuck (" + stuck.get() + ")");
        } else if (waitingForInput()) {
            out.println("Status: Waiting for input");
            out.println("Internal_status: Collect");
        } else {
            out.println("Status: Evaluating");
            List<KernelRunReport> runs = current.runs();
            if (runs.isEmpty()) {
                out.println("Internal_status: Snapshot");
            } else {
                KernelRunReport last = runs.get(runs.size() - 1);
                out.println("Internal_status: " + switch (last.outcome()) {
                    case OK -> "Evaluation succeeded";
                    case TRAP -> "Evaluation failed (" + last.detail() + ")";
                    case FALLBACK -> "Padding (" + last.detail() + ")";
                    case STUCK -> "Stuck (" + last.detail() + ")";
                });
            }
        }
    }

    private void showInbox() {
        if (waitingForInput()) {
            out.println("Inbox has 0 messages");
            return;
        }
        List<byte[]> inbox = current.inbox();
        int first = inbox.size() - current.unreadInputs();
        out.println("Inbox has " + (inbox.size() - first) + " messages:");
        for (int i = first; i < inbox.size(); i++) {
            out.println("{ raw_level: " + current.level() + ";");
            out.println("  counter: " + i);
            out.println("  payload: " + describeInput(inbox.get(i)) + " }");
        }
    }

    static String describeInput(byte[] m) {
        try {
            return InboxMessage.decode(m).describe();
        } catch (RuntimeException e) {
            return "Unknown encoding: " + Hex.encode(m);
        }
    }

    private void showOutbox(int level) {
        List<byte[]> msgs = current != null && !current.done() && current.level() == level
                ? current.outbox() : state.outbox(level);
        if (msgs.isEmpty()) {
            out.println("No outbox found at level " + level);
            return;
        }
        out.println("Outbox has " + msgs.size() + " messages:");
        for (byte[] m : msgs) {
            String d;
            try {
                d = OutboxMessage.decode(m).describe();
            } catch (RuntimeException e) {
                d = "Unknown encoding: " + Hex.encode(m);
            }
            out.println(d);
        }
    }

    private static DurableKey key(String s) {
        if (!s.startsWith("/")) {
            throw new IllegalArgumentException("Invalid path, it must start with '/'");
        }
        if (s.equals("/")) {
            return DurableKey.ROOT;
        }
        try {
            return DurableKey.parse(s);
        } catch (DurableKey.InvalidKeyException e) {
            throw new IllegalArgumentException("Invalid key: " + e.getMessage());
        }
    }

    private void showKey(String k, String as) {
        Optional<Value> v = durable().value(key(k));
        if (v.isEmpty()) {
            out.println("Key not found");
            return;
        }
        byte[] b = v.get().size() > 1 << 20 ? v.get().read(0, 1 << 20) : v.get().toBytes();
        out.println(render(b, as));
    }

    static String render(byte[] b, String as) {
        ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        return switch (as) {
            case "hex" -> Hex.encode(b);
            case "string" -> new String(b, StandardCharsets.UTF_8);
            case "i32" -> need(b, 4) ? Integer.toString(le.getInt()) : "value has " + b.length + " bytes, not 4";
            case "u32" -> need(b, 4) ? Integer.toUnsignedString(le.getInt()) : "value has " + b.length + " bytes, not 4";
            case "i64" -> need(b, 8) ? Long.toString(le.getLong()) : "value has " + b.length + " bytes, not 8";
            case "u64" -> need(b, 8) ? Long.toUnsignedString(le.getLong()) : "value has " + b.length + " bytes, not 8";
            case "u16" -> need(b, 2) ? Integer.toString(le.getShort() & 0xffff) : "value has " + b.length + " bytes, not 2";
            case "u128", "u256" -> {
                int n = as.equals("u128") ? 16 : 32;
                if (!need(b, n)) {
                    yield "value has " + b.length + " bytes, not " + n;
                }
                byte[] be = new byte[n + 1];
                for (int i = 0; i < n; i++) {
                    be[n - i] = b[i];
                }
                yield new BigInteger(be).toString();
            }
            default -> throw new IllegalArgumentException("unknown format " + as
                    + " (hex, string, i32, u32, i64, u64, u16, u128, u256)");
        };
    }

    private static boolean need(byte[] b, int n) {
        return b.length == n;
    }

    private void showKeys(String k) {
        DurableKey dk = key(k);
        Durable d = durable();
        if (!dk.isRoot() && !d.exists(dk)) {
            out.println("The path " + dk + " is not available in the durable storage");
            return;
        }
        for (String c : d.children(dk)) {
            if (!c.equals(Durable.VALUE_STEP)) {
                out.println("/" + c);
            }
        }
    }

    private void showDurable(DurableKey k) {
        Durable d = durable();
        d.value(k).ifPresent(v -> {
            out.println(k);
            byte[] b = v.size() > 256 ? v.read(0, 256) : v.toBytes();
            out.println("  " + Hex.encode(b) + (v.size() > 256 ? "... (" + v.size() + " bytes)" : ""));
        });
        for (String c : d.children(k)) {
            if (!c.equals(Durable.VALUE_STEP)) {
                showDurable(k.child(c));
            }
        }
    }

    private void showMemory(long addr, long len, boolean asString) {
        Optional<Instance> inst = current == null ? Optional.empty() : current.lastInstance();
        if (inst.isEmpty()) {
            out.println("Memory is only available after a kernel_run (use `step kernel_run`)");
            return;
        }
        Memory mem = inst.get().memory();
        long size = (long) mem.pages() * Memory.PAGE_SIZE;
        if (addr < 0 || len < 0 || addr + len > size) {
            out.println("Out of bounds: memory has " + size + " bytes");
            return;
        }
        byte[] b = mem.readBytes((int) addr, (int) len);
        out.println(asString ? new String(b, StandardCharsets.UTF_8) : Hex.encode(b));
    }

    private void revealMetadata() {
        byte[] md = pvm.metadata().encode();
        out.println("Rollup address: " + new io.flotilla.pvm.encoding.RollupAddress(
                java.util.Arrays.copyOf(md, 20)).toBase58());
        out.println("Origination level: " + ByteBuffer.wrap(md, 20, 4).getInt());
        out.println("Bytes: " + Hex.encode(md));
    }

    private void revealPreimage(String hex) {
        if (hex == null) {
            out.println("Preimages are read from " + preimages.dir()
                    + "; provide one with `reveal preimage of <hex>`");
            return;
        }
        byte[] data;
        try {
            data = Hex.decode(hex);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the preimage must be hex: " + e.getMessage());
        }
        byte[] hash = preimages.store(data);
        out.println("Stored preimage " + RevealHash.fileName(hash) + " (" + data.length + " bytes)");
    }
}
