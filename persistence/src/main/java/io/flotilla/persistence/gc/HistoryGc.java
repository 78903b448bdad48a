package io.flotilla.persistence.gc;

import io.flotilla.persistence.chain.L2ChainStore;
import io.flotilla.persistence.store.ContextStore;
import io.flotilla.pvm.tree.CorruptNodeException;
import io.flotilla.pvm.tree.Hash;
import io.flotilla.pvm.tree.NodeStore;
import io.flotilla.pvm.tree.Tree;
import io.flotilla.pvm.util.Hex;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The garbage collector of history mode full, one per node (its stores are shared by all its rollups). When a full
 * rollup's last cemented commitment (LCC) has moved at least {@code frequency} levels past the last GC target, a
 * collection with target = the LCC level runs on the GC's own thread:
 * <ol>
 *   <li>records "started, target T" (durable);</li>
 *   <li>deletes the rollup's L2 blocks below T (with their inboxes, messages and commitments);</li>
 *   <li>collects the context store, node-wide, by mark and sweep: roots are the states of every L2 block still kept
 *       by any rollup (archive rollups keep them all) and the genesis state of every rollup never collected; every
 *       node reachable from a root is marked; the sweep deletes the others, except nodes written or found present
 *       by a writer since the collection began ({@link ContextStore#beginCollection()});</li>
 *   <li>records "T done" (durable): {@code firstAvailableLevel} is T.</li>
 * </ol>
 * Every step is idempotent and deletes only what no kept state reaches, so a crash at any point leaves a consistent
 * node; a collection found unfinished ({@code started > done}) runs again at the next LCC update. Rollup entities
 * hold {@link #levelGate()} from committing a level's nodes until its L2 block is stored; the GC takes the gate
 * exclusively only while it reads the roots, so a level's nodes are always either reachable from a root or
 * protected. Outbox messages live in the PVM states (as in Octez, kept for their validity period), so the kept
 * states still answer outbox queries and proofs for old outbox levels. See persistence/GC.md.
 *
 * <p>Thread-safe. {@link #pause} holds collections off (snapshot export); {@link #cancel} stops a running one.
 */
public final class HistoryGc implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HistoryGc.class.getName());

    /** What {@code /local/gc_info} shows; levels are -1 / empty when unknown. */
    public record Info(int firstAvailableLevel, OptionalInt lastGcStartedAt, OptionalInt lastContextSplitLevel,
                       OptionalInt lastSuccessfulGcTarget, HistoryMode mode) {
    }

    /**
     * What one collection did.
     *
     * @param completed    whether it ran to the end (false: cancelled, paused, skipped or failed)
     * @param why          when not completed, why
     * @param roots        states marked from
     * @param marked       distinct nodes reachable from them
     * @param nodesDeleted context nodes deleted
     */
    public record Outcome(String rollup, int target, boolean completed, String why, int roots, long marked,
                          long visited, long nodesDeleted, long bytesDeleted, Duration rootsTime, Duration markTime,
                          Duration sweepTime) {
    }

    private record Registration(HistoryMode mode, int frequency) {
    }

    private final NodeStore context;
    private final L2ChainStore chain;
    private final GcRecords records;
    /** Where pause files of other processes are looked for ({@link GcPauseFiles}); null when not on disk. */
    private final Path dataDir;
    private final Map<String, Registration> registered = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    private final ExecutorService thread;
    private final Object lock = new Object();
    // guarded by lock
    private int pauses;
    // the last run stopped on a pause file: what is pending waits for the next LCC update
    private boolean heldOff;
    private Run running;
    private final Map<String, Integer> pending = new LinkedHashMap<>();
    private Outcome lastOutcome;
    private boolean closed;

    private static final class Run {
        final String rollup;
        final int target;
        volatile boolean cancelled;
        volatile boolean requeue;
        // stopped by a pause file of another process (GcPauseFiles): pending again, retried at the next LCC update
        volatile boolean heldOff;

        Run(String rollup, int target) {
            this.rollup = rollup;
            this.target = target;
        }
    }

    /**
     * @param context     the node's context store (collected only when it is a {@link ContextStore})
     * @param chain       the node's L2 chain store
     * @param recordsDir  where to keep the GC records durably ({@code <data-dir>/gc-records}, a file per rollup; pause
     *                    files are looked for in its parent, the data directory); null: in memory
     */
    public HistoryGc(NodeStore context, L2ChainStore chain, Path recordsDir) {
        this.dataDir = recordsDir == null ? null : recordsDir.toAbsolutePath().getParent();
        this.context = context;
        this.chain = chain;
        this.records = new GcRecords(recordsDir);
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "flotilla-gc");
            t.setDaemon(true);
            return t;
        });
    }

    /** The default GC frequency: a fifth of the challenge window (at least 1 level). */
    public static int defaultFrequency(int challengeWindow) {
        return Math.max(1, challengeWindow / 5);
    }

    /**
     * Serves {@code rollup} in {@code mode}, collecting every {@code frequency} levels of LCC progress. Archive
     * after full is refused: the history before the last GC target is gone.
     *
     * @throws IllegalStateException when {@code rollup} ran in full mode on this data directory and {@code mode} is
     *                               archive
     */
    public void register(String rollup, HistoryMode mode, int frequency) {
        if (frequency < 1) {
            throw new IllegalArgumentException("the GC frequency must be at least 1 level, got " + frequency);
        }
        GcRecords.Rec rec = records.get(rollup);
        if (mode == HistoryMode.ARCHIVE && HistoryMode.FULL.label().equals(rec.mode())) {
            throw new IllegalStateException("rollup " + rollup + " ran in history mode full on this data directory"
                    + (rec.successfulTarget() >= 0 ? " (its history before level " + rec.successfulTarget()
                    + " is deleted)" : "") + ": it cannot switch to archive; run it in full mode, or import an "
                    + "archive snapshot into a fresh data directory");
        }
        records.put(rollup, rec.withMode(mode.label()));
        registered.put(rollup, new Registration(mode, frequency));
    }

    /** The mode {@code rollup} was registered with (archive when it was not). */
    public HistoryMode mode(String rollup) {
        Registration r = registered.get(rollup);
        return r == null ? HistoryMode.ARCHIVE : r.mode();
    }

    /**
     * Records the genesis state of a rollup (durably): it is a root of collections until the rollup's first one.
     * Call it under {@link #levelGate()} after the genesis nodes are stored, and again on recovery (idempotent).
     */
    public void originated(String rollup, Hash genesisState, int originationLevel) {
        GcRecords.Rec rec = records.get(rollup);
        records.put(rollup, rec.withGenesis(genesisState.hex(), originationLevel));
    }

    /** A held level gate; closing it releases it. */
    public interface LevelGate extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * To hold from storing a level's tree nodes until its L2 block (or, at origination, its genesis record) is
     * stored. Shared by all writers; the GC takes it exclusively only while it lists its roots.
     */
    public LevelGate levelGate() {
        gate.readLock().lock();
        return () -> gate.readLock().unlock();
    }

    /**
     * The LCC of {@code rollup} is now {@code lccLevel}: in full mode, a collection with this target is scheduled
     * when {@code lccLevel - last GC target >= frequency}, or when the previous collection did not finish.
     */
    public void lccUpdated(String rollup, int lccLevel) {
        Registration reg = registered.get(rollup);
        if (reg == null || reg.mode() != HistoryMode.FULL || lccLevel < 0) {
            return;
        }
        GcRecords.Rec rec = records.get(rollup);
        if (lccLevel <= rec.successfulTarget()) {
            return;
        }
        int last = rec.successfulTarget() >= 0 ? rec.successfulTarget() : Math.max(rec.originationLevel(), 0);
        if (lccLevel - last < reg.frequency() && !rec.interrupted()) {
            return;
        }
        synchronized (lock) {
            pending.merge(rollup, lccLevel, Math::max);
            schedule();
        }
    }

    /** Runs a collection of {@code rollup} with {@code target} now, on the caller's thread (tests, tools). */
    public Outcome collectNow(String rollup, int target) {
        Run run = new Run(rollup, target);
        synchronized (lock) {
            while (running != null || pauses > 0) {
                if (closed) {
                    throw new IllegalStateException("the GC is closed");
                }
                waitOnLock();
            }
            running = run;
        }
        try {
            return collect(run);
        } finally {
            finish(run, null);
        }
    }

    /**
     * Pauses collections until the returned handle is closed; a running collection is cancelled first (it runs
     * again after the last pause closes). Returns once nothing is being deleted.
     */
    public GcPause pause(String reason) {
        synchronized (lock) {
            pauses++;
            if (running != null) {
                LOG.log(System.Logger.Level.INFO, "pausing the GC of " + running.rollup + " (" + reason + ")");
                running.requeue = true;
                running.cancelled = true;
            }
            while (running != null) {
                waitOnLock();
            }
        }
        return new GcPause() {
            private boolean released;

            @Override
            public String reason() {
                return reason;
            }

            @Override
            public void close() {
                synchronized (lock) {
                    if (released) {
                        return;
                    }
                    released = true;
                    pauses--;
                    schedule();
                }
            }
        };
    }

    /** Cancels the collection of {@code rollup} running or scheduled; true when one was running. */
    public boolean cancel(String rollup) {
        synchronized (lock) {
            pending.remove(rollup);
            if (running != null && running.rollup.equals(rollup)) {
                running.cancelled = true;
                return true;
            }
            return false;
        }
    }

    /** What {@code /local/gc_info} shows for {@code rollup}. */
    public Info info(String rollup) {
        GcRecords.Rec rec = records.get(rollup);
        int first = chain.firstLevel(rollup).orElse(-1);
        return new Info(first, opt(rec.startedAt()), opt(rec.splitLevel()), opt(rec.successfulTarget()),
                mode(rollup));
    }

    /** The outcome of the last collection that ended, if any. */
    public Optional<Outcome> lastOutcome() {
        synchronized (lock) {
            return Optional.ofNullable(lastOutcome);
        }
    }

    /** Waits until no collection is running or scheduled (or the GC is paused); false on timeout. */
    public boolean awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while ((running != null || (!pending.isEmpty() && pauses == 0 && !heldOff)) && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            pending.clear();
            if (running != null) {
                running.cancelled = true;
            }
            lock.notifyAll();
        }
        thread.shutdown();
        try {
            if (!thread.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "the GC thread did not stop within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ the collection

    /** Starts the next pending collection, if none runs and none is paused. Holds lock. */
    private void schedule() {
        if (closed || running != null || pauses > 0 || pending.isEmpty()) {
            return;
        }
        var it = pending.entrySet().iterator();
        var e = it.next();
        it.remove();
        if (e.getValue() <= records.get(e.getKey()).successfulTarget()) {
            // an LCC update queued this target while the collection reaching it ran: nothing left to do (running it
            // would only replace lastOutcome with "already collected")
            schedule();
            return;
        }
        Run run = new Run(e.getKey(), e.getValue());
        running = run;
        heldOff = false;
        thread.execute(() -> {
            Outcome o = null;
            try {
                o = collect(run);
            } catch (RuntimeException | Error err) {
                LOG.log(System.Logger.Level.WARNING, "GC of " + run.rollup + " (target " + run.target
                        + ") failed; it runs again at the next LCC update: " + err, err);
            } finally {
                finish(run, o);
            }
        });
    }

    private void finish(Run run, Outcome o) {
        synchronized (lock) {
            running = null;
            if (o != null) {
                lastOutcome = o;
            }
            if ((run.requeue || run.heldOff) && !closed) {
                pending.merge(run.rollup, run.target, Math::max);
            }
            heldOff = run.heldOff;
            lock.notifyAll();
            if (!run.heldOff) { // held off: retried at the next LCC update rather than spinning on the pause
                schedule();
            }
        }
    }

    private void waitOnLock() {
        try {
            lock.wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the GC", e);
        }
    }

    private Outcome collect(Run run) {
        if (dataDir == null) {
            return collectNoPauseFiles(run);
        }
        // marked running before looking for pauses: see GcPauseFiles for why this order
        GcPauseFiles.markRunning(dataDir);
        try {
            if (stop(run)) {
                return stopped(run, why(run), 0, 0, 0);
            }
            return collectNoPauseFiles(run);
        } finally {
            GcPauseFiles.clearRunning(dataDir);
        }
    }

    /** Whether the run must stop: cancelled here, or paused by a file of any process. */
    private boolean stop(Run run) {
        if (run.cancelled) {
            return true;
        }
        if (dataDir != null && GcPauseFiles.paused(dataDir)) {
            run.heldOff = true;
            return true;
        }
        return false;
    }

    private static String why(Run run) {
        return run.heldOff ? "paused by a pause file (" + GcPauseFiles.PAUSES + "/, e.g. a snapshot export)" : "cancelled";
    }

    private Outcome collectNoPauseFiles(Run run) {
        String rollup = run.rollup;
        int target = run.target;
        GcRecords.Rec rec = records.get(rollup);
        if (target <= rec.successfulTarget()) {
            return stopped(run, "target " + target + " already collected", 0, 0, 0);
        }
        records.put(rollup, rec.withStarted(target, target));
        LOG.log(System.Logger.Level.INFO, "GC of " + rollup + ": target level " + target);
        chain.deleteBelow(rollup, target);
        if (stop(run)) {
            return stopped(run, why(run), 0, 0, 0);
        }
        if (!(context instanceof ContextStore cs)) {
            records.put(rollup, records.get(rollup).withSuccess(target));
            return new Outcome(rollup, target, true, "the context store does not collect", 0, 0, 0, 0, 0,
                    Duration.ZERO, Duration.ZERO, Duration.ZERO);
        }
        cs.beginCollection();
        try {
            long t0 = System.nanoTime();
            List<Hash> roots = new ArrayList<>();
            Set<String> unknownGenesis = new TreeSet<>();
            // no level commits nodes while the roots are read: what is committed later is protected by the store
            gate.writeLock().lock();
            try {
                Set<String> rollups = new TreeSet<>(records.rollups());
                rollups.addAll(chain.rollups());
                rollups.addAll(registered.keySet());
                for (String r : rollups) {
                    GcRecords.Rec x = records.get(r);
                    Optional<Integer> first = chain.firstLevel(r);
                    Optional<Integer> last = chain.lastLevel(r);
                    if (x.startedTarget() < 0) { // never collected: its genesis state is still kept
                        if (x.genesis() != null) {
                            roots.add(Hash.fromBytes(Hex.decode(x.genesis())));
                        } else if (first.isPresent()) {
                            unknownGenesis.add(r); // evaluated before the GC knew it (an older data directory)
                        }
                    }
                    if (first.isPresent() && last.isPresent()) {
                        for (int l = first.get(); l <= last.get(); l++) {
                            chain.get(r, l).ifPresent(b -> roots.add(b.stateHash()));
                        }
                    }
                }
            } finally {
                gate.writeLock().unlock();
            }
            records.put(rollup, records.get(rollup).withSplit(target));
            long t1 = System.nanoTime();
            if (!unknownGenesis.isEmpty()) {
                // such a rollup's entity has not started since this version: its genesis would look dead
                return stopped(run, "genesis state unknown for " + unknownGenesis + " (their entities record it when"
                        + " they start); context not collected", roots.size(), 0, t1 - t0);
            }
            Set<Hash> marked = new HashSet<>();
            for (Hash root : roots) {
                if (stop(run)) {
                    return stopped(run, why(run), roots.size(), marked.size(), t1 - t0);
                }
                Tree.forEachReachable(root, cs, marked::add);
            }
            long t2 = System.nanoTime();
            ContextStore.SweepResult s = cs.sweep(marked::contains, () -> stop(run));
            long t3 = System.nanoTime();
            if (s.cancelled()) {
                return stopped(run, why(run), roots.size(), marked.size(), t1 - t0);
            }
            records.put(rollup, records.get(rollup).withSuccess(target));
            Outcome o = new Outcome(rollup, target, true, null, roots.size(), marked.size(), s.visited(), s.deleted(),
                    s.bytes(), Duration.ofNanos(t1 - t0), Duration.ofNanos(t2 - t1), Duration.ofNanos(t3 - t2));
            LOG.log(System.Logger.Level.INFO, "GC of " + rollup + " done: " + o);
            return o;
        } catch (CorruptNodeException e) {
            // a kept state misses a node: never sweep on a partial mark
            LOG.log(System.Logger.Level.ERROR, "GC of " + rollup + ": a kept state is incomplete (" + e.getMessage()
                    + "); nothing deleted from the context store");
            return stopped(run, "a kept state is incomplete: " + e.getMessage(), 0, 0, 0);
        } finally {
            cs.endCollection();
        }
    }

    private Outcome stopped(Run run, String why, int roots, long marked, long rootsNanos) {
        LOG.log(System.Logger.Level.INFO, "GC of " + run.rollup + " (target " + run.target + ") stopped: " + why);
        return new Outcome(run.rollup, run.target, false, why, roots, marked, 0, 0, 0, Duration.ofNanos(rootsNanos),
                Duration.ZERO, Duration.ZERO);
    }

    private static OptionalInt opt(int v) {
        return v < 0 ? OptionalInt.empty() : OptionalInt.of(v);
    }
}
