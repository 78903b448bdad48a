package io.flotilla.pvm;

import io.flotilla.pvm.durable.Durable;
import io.flotilla.pvm.durable.DurableKey;
import io.flotilla.pvm.tree.Hash;
import io.flotilla.pvm.tree.MerkleProof;
import io.flotilla.pvm.tree.Tree;
import io.flotilla.pvm.tree.Value;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A PVM state between levels: one immutable Merkle tree whose root hash is the state hash.
 * <pre>
 *   durable/...              the kernel's durable storage (values under "@", as in Octez)
 *   outbox/LEVEL/INDEX       outbox messages, kept for the version's validity period
 *   pvm/ticks                total ticks since origination (int64 BE)
 *   pvm/level                last level evaluated (int32 BE), absent before the first level
 *   pvm/stuck                reason, when the PVM is stuck for good (UTF-8)
 * </pre>
 * The kernel can only see {@code durable/}; the outbox, like Octez's output buffer, is outside it.
 */
public final class PvmState {

    static final String DURABLE = "durable";
    static final String OUTBOX = "outbox";
    private static final List<String> OUTBOX_DIR = List.of(OUTBOX);
    static final List<String> TICKS = List.of("pvm", "ticks");
    static final List<String> LEVEL = List.of("pvm", "level");
    static final List<String> STUCK = List.of("pvm", "stuck");

    public static final DurableKey KERNEL = DurableKey.parse("/kernel/boot.wasm");
    public static final DurableKey FALLBACK_KERNEL = DurableKey.parse("/readonly/kernel/boot.wasm");
    public static final DurableKey REBOOT_FLAG = DurableKey.parse("/kernel/env/reboot");
    public static final DurableKey REBOOT_COUNTER = DurableKey.parse("/readonly/kernel/env/reboot_counter");
    public static final DurableKey STUCK_FLAG = DurableKey.parse("/readonly/kernel/env/stuck");
    public static final DurableKey UPGRADE_ERROR = DurableKey.parse("/readonly/kernel/env/upgrade_error");
    public static final DurableKey TOO_MANY_REBOOT = DurableKey.parse("/readonly/kernel/env/too_many_reboot");
    public static final DurableKey WASM_VERSION = DurableKey.parse("/readonly/wasm_version");

    private final Tree tree;

    public PvmState(Tree tree) {
        this.tree = tree;
    }

    /** The state right after origination: kernel installed, reboot flag set, version recorded. */
    public static PvmState originate(byte[] kernel, PvmVersion version) {
        Durable d = Durable.empty()
                .set(WASM_VERSION, version.label())
                .set(REBOOT_FLAG, new byte[0])
                .set(KERNEL, kernel);
        return new PvmState(Tree.empty()).withDurable(d).withTicks(0);
    }

    public Tree tree() {
        return tree;
    }

    public Hash hash() {
        return tree.hash();
    }

    public Durable durable() {
        return new Durable(tree.subtree(List.of(DURABLE)).orElse(Tree.empty()));
    }

    public PvmState withDurable(Durable d) {
        return new PvmState(tree.set(List.of(DURABLE), d.tree()));
    }

    /** The version recorded in {@code /readonly/wasm_version}. */
    public PvmVersion version() {
        return durable().string(WASM_VERSION).map(PvmVersion::parse).orElse(PvmVersion.DEFAULT);
    }

    public long ticks() {
        return tree.value(TICKS).map(v -> ByteBuffer.wrap(v.toBytes()).getLong()).orElse(0L);
    }

    PvmState withTicks(long ticks) {
        return new PvmState(tree.set(TICKS, Value.of(ByteBuffer.allocate(8).putLong(ticks).array())));
    }

    /** The last level evaluated, or empty before the first. */
    public Optional<Integer> level() {
        return tree.value(LEVEL).map(v -> ByteBuffer.wrap(v.toBytes()).getInt());
    }

    PvmState withLevel(int level) {
        return new PvmState(tree.set(LEVEL, Value.of(ByteBuffer.allocate(4).putInt(level).array())));
    }

    /** Why the PVM is stuck for good, if it is. A stuck PVM no longer advances. */
    public Optional<String> stuck() {
        return tree.value(STUCK).map(v -> new String(v.toBytes(), StandardCharsets.UTF_8));
    }

    PvmState withStuck(String reason) {
        return new PvmState(tree.set(STUCK, Value.of(reason.getBytes(StandardCharsets.UTF_8))));
    }

    static List<String> outboxPath(int level) {
        return List.of(OUTBOX, Integer.toString(level));
    }

    static List<String> outboxPath(int level, int index) {
        return List.of(OUTBOX, Integer.toString(level), Integer.toString(index));
    }

    /** The outbox messages written at a level, in order (empty when none or no longer kept). */
    public List<byte[]> outbox(int level) {
        long n = tree.childCount(outboxPath(level));
        List<byte[]> out = new ArrayList<>((int) n);
        for (int i = 0; i < n; i++) {
            tree.value(outboxPath(level, i)).ifPresent(v -> out.add(v.toBytes()));
        }
        return out;
    }

    /** Levels that still have outbox messages, ascending. */
    public List<Integer> outboxLevels() {
        List<Integer> levels = new ArrayList<>();
        for (String s : tree.children(OUTBOX_DIR)) {
            levels.add(Integer.parseInt(s));
        }
        levels.sort(null);
        return levels;
    }

    PvmState withOutbox(int level, List<byte[]> messages) {
        Tree t = tree.remove(outboxPath(level));
        for (int i = 0; i < messages.size(); i++) {
            t = t.set(outboxPath(level, i), Value.of(messages.get(i)));
        }
        return new PvmState(t);
    }

    /**
     * Drops outbox levels that can no longer be executed (older than {@code oldestKept}). Every evaluated level
     * prunes its state this way, so a state evaluated at level L under version V holds no outbox level below
     * {@code L - V} ({@code prunedBelow}, empty for a state that has evaluated no level): only the levels from there
     * to {@code oldestKept} can be left to drop, and they are looked up one by one, as long as there are no more of
     * them than kept levels. Otherwise every kept level is listed ({@link #pruneOutboxScanning}). Listing and
     * parsing every kept level at every level cost O(levels kept) per level, up to the 241,920-level validity
     * period; the result is the same set of levels, hence the same state hash.
     */
    PvmState pruneOutbox(int oldestKept, OptionalInt prunedBelow) {
        long kept = tree.childCount(OUTBOX_DIR);
        if (kept == 0) {
            return this;
        }
        if (prunedBelow.isPresent()) {
            int from = prunedBelow.getAsInt();
            if ((long) oldestKept - from <= kept) { // also when nothing is left to drop (from >= oldestKept)
                Tree t = tree;
                for (int l = from; l < oldestKept; l++) {
                    t = t.remove(outboxPath(l)); // the same tree when the level has no messages
                }
                return t == tree ? this : new PvmState(t);
            }
        }
        return pruneOutboxScanning(oldestKept);
    }

    /** The reference pruning: lists every kept outbox level and drops those older than {@code oldestKept}. */
    PvmState pruneOutboxScanning(int oldestKept) {
        Tree t = tree;
        for (int l : outboxLevels()) {
            if (l < oldestKept) {
                t = t.remove(outboxPath(l));
            }
        }
        return t == tree ? this : new PvmState(t);
    }


    /** A Merkle proof that outbox message {@code index} of {@code level} is in this state. */
    public OutboxProof proveOutboxMessage(int level, int index) {
        MerkleProof proof = tree.prove(outboxPath(level, index));
        return new OutboxProof(level, index, proof.toBytes());
    }
}
