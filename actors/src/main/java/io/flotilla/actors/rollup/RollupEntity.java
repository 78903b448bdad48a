package io.flotilla.actors.rollup;

import io.flotilla.actors.l1.L1Block;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.L1Source;
import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.flotilla.persistence.chain.L2Block;
import io.flotilla.persistence.events.CommitmentPublished;
import io.flotilla.persistence.gc.HistoryGc;
import io.flotilla.persistence.gc.HistoryMode;
import io.flotilla.persistence.events.L2BlockProduced;
import io.flotilla.persistence.events.LccUpdated;
import io.flotilla.persistence.events.OutboxHandled;
import io.flotilla.persistence.events.Reverted;
import io.flotilla.persistence.events.RollupEvent;
import io.flotilla.persistence.events.RollupOriginated;
import io.flotilla.persistence.events.RollupStuck;
import io.flotilla.persistence.serialization.FlotillaKryo;
import io.flotilla.persistence.serialization.KryoMessage;
import io.flotilla.persistence.snapshots.RollupSnapshot;
import io.flotilla.pvm.Commitment;
import io.flotilla.pvm.LevelInput;
import io.flotilla.pvm.LevelResult;
import io.flotilla.pvm.Pvm;
import io.flotilla.pvm.PvmResourceException;
import io.flotilla.pvm.PvmState;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.crypto.Blake2b;
import io.flotilla.pvm.encoding.RollupAddress;
import io.flotilla.pvm.host.RollupMetadata;
import io.flotilla.pvm.reveal.RevealUnavailableException;
import io.flotilla.pvm.tree.Hash;
import io.flotilla.pvm.tree.Tree;
import io.flotilla.pvm.util.Hex;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One smart rollup, as a sharded, event-sourced entity keyed by its {@code sr1} address. It pulls
 * the L1 blocks it has not processed yet, builds each level's inbox, runs its kernel in the PVM (on
 * the PVM threads, keyed by its address so that a rollup whose levels are slow runs in the slow lane and
 * never delays the others, see {@link io.flotilla.pvm.PvmThreads}; never on the dispatcher; one level in
 * flight at a time), stores the new tree nodes and the L2 block, and only then
 * persists the event that makes the block part of its history. Commitments are made every
 * commitment period; publishing and cementing follow from events, according to the rollup's mode.
 * A reorg reverts to the common ancestor and the levels are evaluated again.
 *
 * <p>Serialization (no Java serialization anywhere): the journaled events are the persistence module's
 * {@link RollupEvent}s and the snapshots its {@link RollupSnapshot} (converted from {@link State} by the snapshot
 * adapter), both written by {@code flotilla-kryo} with their golden-file formats. Of the commands, only
 * {@link Catchup}, {@link GetStatus} and its reply {@link Status} may cross cluster nodes: they are
 * {@link KryoMessage}s registered by {@link KryoRegistrar} (name it in {@code flotilla.kryo.registrars}). The other
 * commands are results of {@code pipeToSelf} and never leave the JVM; they have no serializer on purpose.
 */
public final class RollupEntity extends EventSourcedBehavior<RollupEntity.Command, RollupEvent, RollupEntity.State> {

    public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "Rollup");

    /** Registers the entity type with Cluster Sharding on this node. */
    public static void init(ActorSystem<?> system, RollupServices services) {
        ClusterSharding.get(system).init(Entity.of(KEY, ctx -> create(ctx.getEntityId(), services)));
    }

    public static Behavior<Command> create(String address, RollupServices services) {
        return create(address, services, SNAPSHOT_EVERY);
    }

    /** As {@link #create(String, RollupServices)}, snapshotting every {@code snapshotEvery} events (tests). */
    static Behavior<Command> create(String address, RollupServices services, int snapshotEvery) {
        if (snapshotEvery < 1) {
            throw new IllegalArgumentException("snapshotEvery must be >= 1, got " + snapshotEvery);
        }
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new RollupEntity(address, services, snapshotEvery,
                ctx, timers)));
    }

    // ------------------------------------------------------------------ commands

    public sealed interface Command {}

    /** There may be new L1 blocks: process what is missing. Replies nothing (fire and forget). */
    public enum Catchup implements Command, KryoMessage { INSTANCE }

    public record GetStatus(ActorRef<Status> replyTo) implements Command, KryoMessage {}

    public record Status(String address, boolean originated, int originationLevel, int headLevel, String headStateHash,
                         long totalTicks, int lastCommitmentLevel, String lastCommitment, int lccLevel, String lcc,
                         String stuck, String mode) implements KryoMessage {}

    /**
     * The evaluation of a level, from the PVM pool: the event to persist (the L2 block was stored already), what is
     * needed to publish its commitment, whether the PVM got stuck, and what the L1 block says about this rollup.
     */
    record Evaluated(L2BlockProduced block, byte[] commitmentPredecessor, long commitmentTicks, String stuck,
                     java.util.List<RollupEvent> observed) implements Command {
        int level() {
            return block.level();
        }
    }

    record OutboxDone(int outboxLevel, int executed, int refused) implements Command {}

    record OutboxFailed(int outboxLevel, String reason) implements Command {}

    record EvaluationFailed(int level, String reason) implements Command {}

    record Originate(L1Source.RollupInfo info, byte[] genesisState, byte[] kernelHash) implements Command {}

    // ------------------------------------------------------------------ state

    /**
     * Small metadata only, built from the events alone; the PVM state lives in the context store under
     * {@code headState}. Snapshotted as a {@link RollupSnapshot}.
     */
    public record State(boolean originated, int originationLevel, String pvmVersion, byte[] genesisState,
                        byte[] genesisCommitment, int headLevel, byte[] headL1Hash, byte[] headState, long totalTicks,
                        int lastCommitmentLevel, byte[] lastCommitment, long lastCommitmentTicks,
                        int lastPublishedLevel, int lccLevel, byte[] lcc, String stuck, int outboxHandledLevel) {

        static State empty() {
            return new State(false, -1, null, null, null, -1, null, null, 0, -1, null, 0, -1, -1, null, null, -1);
        }

        RollupSnapshot toSnapshot() {
            return new RollupSnapshot(originated, originationLevel, pvmVersion, genesisState, genesisCommitment,
                    headLevel, headL1Hash, headState, totalTicks, lastCommitmentLevel, lastCommitment,
                    lastCommitmentTicks, lastPublishedLevel, lccLevel, lcc, stuck, outboxHandledLevel);
        }

        static State fromSnapshot(RollupSnapshot s) {
            return new State(s.originated(), s.originationLevel(), s.pvmVersion(), s.genesisStateHash32(),
                    s.genesisCommitmentHash32(), s.headLevel(), s.headL1BlockHash32(), s.headStateHash32(),
                    s.totalTicks(), s.lastCommitmentLevel(), s.lastCommitmentHash32(), s.lastCommitmentTotalTicks(),
                    s.lastPublishedLevel(), s.lccLevel(), s.lccHash32(), s.stuck(), s.outboxHandledLevel());
        }

        State withStuck(String reason) {
            return new State(originated, originationLevel, pvmVersion, genesisState, genesisCommitment, headLevel,
                    headL1Hash, headState, totalTicks, lastCommitmentLevel, lastCommitment, lastCommitmentTicks,
                    lastPublishedLevel, lccLevel, lcc, reason, outboxHandledLevel);
        }

        State withOutboxHandled(int level) {
            return new State(originated, originationLevel, pvmVersion, genesisState, genesisCommitment, headLevel,
                    headL1Hash, headState, totalTicks, lastCommitmentLevel, lastCommitment, lastCommitmentTicks,
                    lastPublishedLevel, lccLevel, lcc, stuck, Math.max(outboxHandledLevel, level));
        }

        State withHead(int level, byte[] l1Hash, byte[] state, long ticks, String stuck) {
            return new State(originated, originationLevel, pvmVersion, genesisState, genesisCommitment, level, l1Hash,
                    state, ticks, lastCommitmentLevel, lastCommitment, lastCommitmentTicks, lastPublishedLevel,
                    lccLevel, lcc, stuck, outboxHandledLevel);
        }

        State withLastCommitment(int level, byte[] hash, long ticks) {
            return new State(originated, originationLevel, pvmVersion, genesisState, genesisCommitment, headLevel,
                    headL1Hash, headState, totalTicks, level, hash, ticks, lastPublishedLevel, lccLevel, lcc, stuck,
                    outboxHandledLevel);
        }

        State withPublished(int level) {
            return new State(originated, originationLevel, pvmVersion, genesisState, genesisCommitment, headLevel,
                    headL1Hash, headState, totalTicks, lastCommitmentLevel, lastCommitment, lastCommitmentTicks,
                    level, lccLevel, lcc, stuck, outboxHandledLevel);
        }

        State withLcc(int level, byte[] hash) {
            return new State(originated, originationLevel, pvmVersion, genesisState, genesisCommitment, headLevel,
                    headL1Hash, headState, totalTicks, lastCommitmentLevel, lastCommitment, lastCommitmentTicks,
                    lastPublishedLevel, level, hash, stuck, outboxHandledLevel);
        }
    }

    // ------------------------------------------------------------------ behaviour

    private final String address;
    private final RollupServices services;
    private final int snapshotEvery;
    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    private boolean busy;

    private RollupEntity(String address, RollupServices services, int snapshotEvery, ActorContext<Command> ctx,
                         TimerScheduler<Command> timers) {
        // a journal failure (a write or a recovery that failed or timed out, the circuit breaker open) restarts the
        // entity after a backoff, which recovers it from the journal; stopping it would leave the rollup behind L1
        // until something else woke it (seen with 1,000 entities recovering at once on a loaded machine)
        super(PersistenceId.of(KEY.name(), address), SupervisorStrategy.restartWithBackoff(
                JOURNAL_RETRY_MIN, JOURNAL_RETRY_MAX, 0.2));
        this.address = address;
        this.services = services;
        this.snapshotEvery = snapshotEvery;
        this.ctx = ctx;
        this.timers = timers;
    }

    /** Backoff bounds of the restart after a journal failure (random factor 0.2, so entities do not retry as one). */
    static final Duration JOURNAL_RETRY_MIN = Duration.ofMillis(500);
    static final Duration JOURNAL_RETRY_MAX = Duration.ofSeconds(30);

    @Override
    public State emptyState() {
        return State.empty();
    }

    /** Snapshots carry only the small metadata of {@link State}; recovery replays at most this many events. */
    public static final int SNAPSHOT_EVERY = 1000;

    /** In history mode full, a snapshot every this many events; older events are deleted (two snapshots kept). */
    public static final int FULL_SNAPSHOT_EVERY = 100;

    @Override
    public org.apache.pekko.persistence.typed.javadsl.RetentionCriteria retentionCriteria() {
        // history mode full: the journal keeps only what recovery needs (the events since the older of the last two
        // snapshots, taken more often); the history itself (L2 blocks, states) is collected by the HistoryGc
        if (gc() != null && gc().mode(address) == HistoryMode.FULL) {
            return org.apache.pekko.persistence.typed.javadsl.RetentionCriteria
                    .snapshotEvery(Math.min(snapshotEvery, FULL_SNAPSHOT_EVERY), 2).withDeleteEventsOnSnapshot();
        }
        return org.apache.pekko.persistence.typed.javadsl.RetentionCriteria.snapshotEvery(snapshotEvery, 2);
    }

    /** Snapshots are stored as the persistence module's {@link RollupSnapshot} (Kryo, golden-file format). */
    @Override
    public SnapshotAdapter<State> snapshotAdapter() {
        return new SnapshotAdapter<>() {
            @Override
            public Object toJournal(State state) {
                return state.toSnapshot();
            }

            @Override
            public State fromJournal(Object from) {
                if (from instanceof RollupSnapshot s) {
                    return State.fromSnapshot(s);
                }
                throw new IllegalStateException("rollup snapshot of unknown type "
                        + (from == null ? "null" : from.getClass().getName()));
            }
        };
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    if (gc() != null && state.originated()) {
                        // data directories older than the GC: record the genesis root; resume an unfinished GC
                        gc().originated(address, Hash.fromBytes(state.genesisState()), state.originationLevel());
                        gc().lccUpdated(address, state.lccLevel());
                    }
                    ctx.getSelf().tell(Catchup.INSTANCE);
                })
                .build();
    }

    @Override
    public CommandHandler<Command, RollupEvent, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Catchup.class, this::onCatchup)
                .onCommand(GetStatus.class, (s, c) -> Effect().reply(c.replyTo(), status(s)))
                .onCommand(Originate.class, this::onOriginate)
                .onCommand(Evaluated.class, this::onEvaluated)
                .onCommand(EvaluationFailed.class, this::onEvaluationFailed)
                .onCommand(OutboxDone.class, (st, c) -> Effect().persist(new OutboxHandled(c.outboxLevel(), c.executed(),
                        c.refused())))
                .onCommand(OutboxFailed.class, (st, c) -> {
                    outboxInFlight = -1;
                    ctx.getLog().warn("rollup {}: executing the outbox up to level {} failed: {}", address,
                            c.outboxLevel(), c.reason());
                    return Effect().none();
                })
                .build();
    }

    private Status status(State s) {
        return new Status(address, s.originated(), s.originationLevel(), s.headLevel(), hex(s.headState()),
                s.totalTicks(), s.lastCommitmentLevel(), hex(s.lastCommitment()), s.lccLevel(), hex(s.lcc()),
                s.stuck(), services.modeOf().apply(address).label());
    }

    private static String hex(byte[] b) {
        return b == null ? null : Hex.encode(b);
    }

    private org.apache.pekko.persistence.typed.javadsl.Effect<RollupEvent, State> onCatchup(State s, Catchup c) {
        if (busy) {
            return Effect().none();
        }
        L1Source l1 = services.l1();
        if (!s.originated()) {
            Optional<L1Source.RollupInfo> info = l1.rollup(address);
            if (info.isEmpty()) {
                ctx.getLog().warn("rollup {} is not originated on L1 (yet)", address);
                retryLater();
                return Effect().none();
            }
            busy = true;
            var i = info.get();
            ctx.pipeToSelf(services.pvmThreads().async(address, () -> {
                PvmState genesis = PvmState.originate(i.kernel(), PvmVersion.parse(i.pvmVersion()));
                genesis.tree().persist(nodes());
                try (var gate = levelGate()) {
                    commitNodes();
                    if (gc() != null) {
                        gc().originated(address, genesis.hash(), i.originationLevel());
                    }
                }
                return new byte[][] {genesis.hash().bytes(), Blake2b.hash256(i.kernel())};
            }), (hashes, err) -> err != null ? new EvaluationFailed(i.originationLevel(), err.toString())
                    : new Originate(i, hashes[0], hashes[1]));
            return Effect().none();
        }
        Optional<L1Block> pred = l1.block(s.headLevel());
        if (pred.isEmpty() || !Arrays.equals(pred.get().hash(), s.headL1Hash())) {
            return revert(s); // our head left the main chain (a stuck PVM may come unstuck this way)
        }
        if (s.stuck() != null) {
            return Effect().none();
        }
        int next = s.headLevel() + 1;
        Optional<L1Block> block = l1.block(next);
        if (block.isEmpty()) {
            return Effect().none(); // up to date; the L1 head subscription will wake us up
        }
        if (!Arrays.equals(block.get().predecessor(), s.headL1Hash())) {
            return revert(s);
        }
        busy = true;
        evaluate(s, block.get(), pred.get());
        return Effect().none();
    }

    private org.apache.pekko.persistence.typed.javadsl.Effect<RollupEvent, State> onOriginate(State s, Originate c) {
        busy = false;
        var i = c.info();
        byte[] genesisCommitment = Commitment.genesis(Hash.fromBytes(c.genesisState()), i.originationLevel()).hash().bytes();
        if (!Arrays.equals(genesisCommitment, i.genesisCommitment())) {
            ctx.getLog().warn("rollup {}: our genesis commitment {} differs from L1's {}", address,
                    Hex.encode(genesisCommitment), Hex.encode(i.genesisCommitment()));
        }
        byte[] l1Hash = services.l1().block(i.originationLevel()).map(L1Block::hash).orElse(new byte[32]);
        return Effect().persist(new RollupOriginated(address, i.originationLevel(), i.pvmVersion(),
                        services.modeOf().apply(address).label(), c.kernelHash(), c.genesisState(), genesisCommitment,
                        l1Hash))
                .thenRun(st -> ctx.getSelf().tell(Catchup.INSTANCE));
    }

    /**
     * Tree nodes go through one writer for the entity's life: a level's new nodes are staged and
     * committed as one durable batch, and the tree knows which nodes this writer already stored.
     * Only one evaluation of this entity runs at a time, so the writer is never shared.
     */
    private io.flotilla.pvm.tree.NodeStore writer;

    private io.flotilla.pvm.tree.NodeStore nodes() {
        if (writer == null) {
            writer = services.contextStore() instanceof io.flotilla.persistence.store.ContextStore cs
                    ? cs.writer() : services.contextStore();
        }
        return writer;
    }

    private HistoryGc gc() {
        return services.gc();
    }

    private static final HistoryGc.LevelGate NO_GATE = () -> { };

    private HistoryGc.LevelGate levelGate() {
        return gc() == null ? NO_GATE : gc().levelGate();
    }

    private void commitNodes() {
        if (writer instanceof io.flotilla.persistence.store.LevelWriter w) {
            w.commit();
        }
    }

    private void evaluate(State s, L1Block block, L1Block pred) {
        final byte[] headState = s.headState();
        final int lastCommitmentLevel = s.lastCommitmentLevel();
        final byte[] lastCommitment = s.lastCommitment();
        final long lastCommitmentTicks = s.lastCommitmentTicks();
        final long totalBefore = s.totalTicks();
        final int period = services.l1().constants().commitmentPeriod();
        final int originationLevel = s.originationLevel();
        ctx.pipeToSelf(services.pvmThreads().async(address, () -> {
            LevelInput input = Inbox.forRollup(address, block, pred);
            PvmState state = new PvmState(Tree.load(Hash.fromBytes(headState), nodes()));
            Pvm pvm = new Pvm(services.pvmConfig(), services.preimages(),
                    new RollupMetadata(RollupAddress.fromBase58(address).bytes(), originationLevel),
                    services.pvmThreads());
            LevelResult r = pvm.runLevel(state, input);
            PvmState next = r.state();
            // tree nodes first, then the L2 block, then (back on the actor) the event
            next.tree().persist(nodes());
            HistoryGc.LevelGate gate = levelGate(); // until the block names the new state (see HistoryGc)
            try {
                commitNodes();
                long total = next.ticks();
                byte[] commitment = null;
                long commitmentTicks = 0;
                if (block.level() == lastCommitmentLevel + period) {
                    commitmentTicks = total - lastCommitmentTicks;
                    Commitment cm = new Commitment(next.hash(), block.level(), Hash.fromBytes(lastCommitment),
                            commitmentTicks);
                    commitment = cm.hash().bytes();
                }
                byte[] inboxHash = Inbox.hash(input);
                byte[] predecessorL2 = services.chain().get(address, block.level() - 1).map(b -> b.hash().bytes())
                        .orElse(new byte[32]);
                services.chain().put(address, new L2Block(block.level(), block.hash(), Hash.fromBytes(inboxHash),
                        input.messages(), next.hash(), total - totalBefore, total, r.outbox().size(), r.kernelRuns(),
                        Optional.ofNullable(commitment).map(Hash::fromBytes)));
                L2BlockProduced produced = new L2BlockProduced(block.level(), block.hash(), predecessorL2, inboxHash,
                        input.messages(), next.hash().bytes(), total - totalBefore, total, r.outbox().size(), commitment);
                return new Evaluated(produced, lastCommitment, commitmentTicks, next.stuck().orElse(null),
                        observe(block));
            } finally {
                gate.close();
            }
        }), (result, err) -> {
            if (err == null) {
                return result;
            }
            Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                    ? err.getCause() : err;
            return new EvaluationFailed(block.level(), cause.toString());
        });
    }

    /**
     * What the block says L1 did for this rollup: publications by our operator, cementations. L1 fills in the hash
     * and inbox level of applied operations; one without a 32-byte hash and a level is not a fact about us.
     */
    private java.util.List<RollupEvent> observe(L1Block block) {
        java.util.List<RollupEvent> out = new java.util.ArrayList<>();
        String operator = services.operatorOf().apply(address);
        for (L1Operation op : block.operations()) {
            if (op instanceof L1Operation.Publish p && address.equals(p.rollup()) && isHash(p.commitmentHash())
                    // an observer has no operator: no publication is its own
                    && p.inboxLevel() >= 0 && p.source().equals(operator)) {
                out.add(new CommitmentPublished(p.commitmentHash(), p.inboxLevel(), block.level()));
            } else if (op instanceof L1Operation.Cement c && address.equals(c.rollup()) && isHash(c.commitmentHash())
                    && c.inboxLevel() >= 0) {
                out.add(new LccUpdated(c.commitmentHash(), c.inboxLevel()));
            }
        }
        return out;
    }

    private static boolean isHash(byte[] b) {
        return b != null && b.length == 32;
    }

    private org.apache.pekko.persistence.typed.javadsl.Effect<RollupEvent, State> onEvaluated(State s, Evaluated e) {
        busy = false;
        if (e.level() != s.headLevel() + 1) {
            // a stale result (a reorg, or a restart after a journal failure, happened meanwhile): the Catchup sent
            // then found us busy, so look again now
            ctx.getSelf().tell(Catchup.INSTANCE);
            return Effect().none();
        }
        java.util.List<RollupEvent> events = new java.util.ArrayList<>();
        events.add(e.block());
        if (e.stuck() != null) {
            events.add(new RollupStuck(e.level(), e.stuck()));
        }
        events.addAll(e.observed());
        return Effect().persist(events)
                .thenRun(st -> {
                    afterBlock(st, e);
                    ctx.getSelf().tell(Catchup.INSTANCE);
                });
    }

    private org.apache.pekko.persistence.typed.javadsl.Effect<RollupEvent, State> onEvaluationFailed(State s, EvaluationFailed f) {
        busy = false;
        ctx.getLog().warn("rollup {}: level {} not evaluated, retrying: {}", address, f.level(), f.reason());
        retryLater();
        return Effect().none();
    }

    private void retryLater() {
        timers.startSingleTimer("retry", Catchup.INSTANCE, Duration.ofSeconds(1));
    }

    /** Transient: cementations injected and not yet seen on L1 (avoids injecting them twice). */
    private final java.util.Set<String> cementsInjected = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private int outboxInFlight = -1;

    /**
     * L1 injections run off the actor's thread (a remote L1 answers over HTTP) but in order, one
     * after the other: a commitment is published before the next one, which names it as predecessor.
     */
    private java.util.concurrent.CompletableFuture<Void> injections =
            java.util.concurrent.CompletableFuture.completedFuture(null);

    private void inject(Runnable task) {
        java.util.concurrent.Executor blocking = ctx.getSystem().dispatchers()
                .lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking());
        org.apache.pekko.actor.typed.ActorSystem<?> system = ctx.getSystem();
        injections = injections.thenRunAsync(task, blocking).exceptionally(err -> {
            system.log().warn("rollup {}: an L1 injection failed: {}", address, err.toString());
            return null;
        });
    }

    /** Side effects of a new block, by mode: publish its commitment, cement, execute the outbox. */
    private void afterBlock(State s, Evaluated e) {
        if (gc() != null) {
            gc().lccUpdated(address, s.lccLevel()); // schedules a collection when it is due (full mode)
        }
        RollupMode mode = services.modeOf().apply(address);
        if (mode.cements()) {
            org.apache.pekko.actor.typed.ActorSystem<?> system = ctx.getSystem();
            inject(() -> cement(s, system));
        }
        if (mode.executesOutbox() && s.lccLevel() > s.outboxHandledLevel() && outboxInFlight < s.lccLevel()) {
            executeOutbox(s);
        }
        byte[] commitment = e.block().commitmentHash32OrNull();
        if (commitment != null && mode.publishes()) {
            Commitment cm = new Commitment(Hash.fromBytes(e.block().stateHash32()), e.level(),
                    Hash.fromBytes(e.commitmentPredecessor()), e.commitmentTicks());
            L1Operation.Publish publish = new L1Operation.Publish(services.operatorOf().apply(address), address,
                    commitment, e.level(), cm.encode());
            org.apache.pekko.actor.typed.ActorSystem<?> system = ctx.getSystem();
            inject(() -> {
                var result = services.l1().inject(publish);
                if (!result.ok()) {
                    system.log().warn("rollup {}: publishing the commitment of level {} failed: {}",
                            address, publish.inboxLevel(), result.error());
                }
            });
        }
    }

    /** Cements every commitment of ours whose challenge window has passed and whose predecessor is the LCC. */
    private void cement(State s, org.apache.pekko.actor.typed.ActorSystem<?> system) {
        L1Source l1 = services.l1();
        int l1Head = l1.head().level();
        int window = l1.constants().challengeWindow();
        for (L1Source.PublishedCommitment c : l1.commitments(address)) {
            if (c.cemented() || c.conflicted() || s.lcc() == null || !Arrays.equals(c.predecessor(), s.lcc())
                    || c.publishedLevel() + window > l1Head) {
                continue;
            }
            var ours = services.chain().get(address, c.inboxLevel());
            if (ours.isEmpty() || ours.get().commitment().isEmpty()
                    || !Arrays.equals(ours.get().commitment().get().bytes(), c.hash())) {
                continue; // never cement a commitment we do not agree with
            }
            String key = Hex.encode(c.hash());
            if (cementsInjected.add(key)) {
                var r = l1.inject(L1Operation.cement(services.operatorOf().apply(address), address, c.hash()));
                if (!r.ok()) {
                    cementsInjected.remove(key);
                    system.log().warn("rollup {}: cementing {} refused: {}", address, key, r.error());
                }
            }
        }
    }

    /**
     * Submits every outbox message up to the LCC for execution, each with a proof against the
     * cemented state. Messages L1 refuses (not a valid outbox message, expired) are counted and skipped.
     */
    private void executeOutbox(State s) {
        int lccLevel = s.lccLevel();
        var block = services.chain().get(address, lccLevel);
        if (block.isEmpty()) {
            return; // we have not evaluated the cemented level yet
        }
        outboxInFlight = lccLevel;
        final byte[] lcc = s.lcc();
        final int from = s.outboxHandledLevel();
        final String operator = services.operatorOf().apply(address);
        ctx.pipeToSelf(services.pvmThreads().async(address, () -> {
            PvmState cemented = new PvmState(Tree.load(block.get().stateHash(), services.contextStore()));
            int executed = 0;
            int refused = 0;
            for (int level : cemented.outboxLevels()) {
                if (level <= from || level > lccLevel) {
                    continue;
                }
                int n = cemented.outbox(level).size();
                for (int i = 0; i < n; i++) {
                    byte[] proof = cemented.proveOutboxMessage(level, i).toBytes();
                    var r = services.l1().inject(L1Operation.executeOutbox(operator, address, lcc, proof));
                    if (r.ok()) {
                        executed++;
                    } else {
                        refused++;
                    }
                }
            }
            return new OutboxDone(lccLevel, executed, refused);
        }), (done, err) -> err == null ? done : new OutboxFailed(lccLevel, err.toString()));
    }

    private org.apache.pekko.persistence.typed.javadsl.Effect<RollupEvent, State> revert(State s) {
        // walk back to the highest level whose L1 block is still on the main chain
        int level = s.headLevel();
        // after a GC (or an import) nothing below the first kept block can be returned to (the LCC is older than any
        // reorg); when the first kept block follows the origination, the genesis state is still there to return to
        int first = services.chain().firstLevel(address).orElse(s.originationLevel() + 1);
        int floor = first <= s.originationLevel() + 1 ? s.originationLevel() : first;
        while (level > floor) {
            var ours = services.chain().get(address, level);
            var theirs = services.l1().block(level);
            if (ours.isPresent() && theirs.isPresent() && Arrays.equals(ours.get().l1Hash(), theirs.get().hash())) {
                break;
            }
            level--;
        }
        if (level <= s.originationLevel()) {
            level = s.originationLevel();
        }
        final int to = level;
        ctx.getLog().info("rollup {}: L1 reorg, reverting from level {} to {}", address, s.headLevel(), to);
        byte[] l1Hash;
        byte[] state;
        long total;
        if (to == s.originationLevel()) {
            l1Hash = services.l1().block(to).map(L1Block::hash).orElse(new byte[32]);
            state = s.genesisState();
            total = 0;
        } else {
            L2Block b = services.chain().get(address, to).orElseThrow();
            l1Hash = b.l1Hash();
            state = b.stateHash().bytes();
            total = b.totalTicks();
        }
        // the last commitment at or below the common level
        int cl = s.originationLevel();
        byte[] cHash = s.genesisCommitment();
        long cTicks = 0;
        for (int l = to; l > s.originationLevel(); l--) {
            var b = services.chain().get(address, l);
            if (b.isPresent() && b.get().commitment().isPresent()) {
                cl = l;
                cHash = b.get().commitment().get().bytes();
                cTicks = b.get().totalTicks();
                break;
            }
        }
        services.chain().truncateAbove(address, to);
        return Effect().persist(new Reverted(to, l1Hash, state, total, cl, cHash, cTicks))
                .thenRun(st -> ctx.getSelf().tell(Catchup.INSTANCE));
    }

    @Override
    public EventHandler<State, RollupEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(RollupEntity::apply);
    }

    /**
     * The entity's state after replaying {@code events} on {@code from} (null: before origination), without an actor:
     * the same fold as the event handler, so a snapshot export can read a stopped node's journal.
     */
    public static RollupSnapshot replay(RollupSnapshot from, Iterable<? extends RollupEvent> events) {
        State s = from == null ? State.empty() : State.fromSnapshot(from);
        for (RollupEvent e : events) {
            s = apply(s, e);
        }
        return s.toSnapshot();
    }

    private static State apply(State s, RollupEvent event) {
        if (event instanceof RollupOriginated e) {
            return new State(true, e.originationLevel(), e.pvmVersion(),
                        e.genesisStateHash32(), e.genesisCommitmentHash32(), e.originationLevel(),
                        e.originationL1BlockHash32(), e.genesisStateHash32(), 0, e.originationLevel(),
                        e.genesisCommitmentHash32(), 0, -1, e.originationLevel(), e.genesisCommitmentHash32(), null,
                        e.originationLevel());
        } else if (event instanceof L2BlockProduced e) {
            State n = s.withHead(e.level(), e.l1BlockHash32(), e.stateHash32(), e.totalTicks(), null);
            byte[] commitment = e.commitmentHash32OrNull();
            return commitment == null ? n : n.withLastCommitment(e.level(), commitment, e.totalTicks());
        } else if (event instanceof RollupStuck e) {
            // persisted right after the L2BlockProduced of the level at which the PVM got stuck
            return s.withStuck(e.reason());
        } else if (event instanceof Reverted e) {
            return s.withHead(e.toLevel(), e.l1BlockHash32(), e.stateHash32(), e.totalTicks(), null)
                    .withLastCommitment(e.lastCommitmentLevel(), e.lastCommitmentHash32(),
                            e.lastCommitmentTotalTicks())
                    .withPublished(Math.min(s.lastPublishedLevel(), e.toLevel()));
        } else if (event instanceof CommitmentPublished e) {
            return s.withPublished(Math.max(s.lastPublishedLevel(), e.inboxLevel()));
        } else if (event instanceof LccUpdated e) {
            return s.withLcc(e.inboxLevel(), e.commitmentHash32());
        } else if (event instanceof OutboxHandled e) {
            return s.withOutboxHandled(e.outboxLevel());
        }
        throw new IllegalStateException("unknown rollup event " + event.getClass().getName());
    }

    // ------------------------------------------------------------------ wire format of cross-node messages

    /**
     * Registers with {@code flotilla-kryo} the messages that may cross cluster nodes: {@link Catchup} (id 1000),
     * {@link GetStatus} (1001, its reply-to as Pekko's serialized actor ref) and {@link Status} (1002). Named in
     * {@code flotilla.kryo.registrars} by {@code flotilla-serialization.conf}. Each encoding starts with a version
     * byte (1); they are never journaled, so a change only matters to nodes of different versions in one cluster.
     */
    public static final class KryoRegistrar implements FlotillaKryo.Registrar {
        public static final int CATCHUP = 1000;
        public static final int GET_STATUS = 1001;
        public static final int STATUS = 1002;

        private final ExtendedActorSystem system;

        /** Without an actor system {@link GetStatus} cannot be (de)serialized; the others can. */
        public KryoRegistrar() {
            this(null);
        }

        public KryoRegistrar(ExtendedActorSystem system) {
            this.system = system;
        }

        @Override
        public void register(FlotillaKryo.Registrations r) {
            r.add(Catchup.class, new CatchupSerializer(), CATCHUP);
            r.add(GetStatus.class, new GetStatusSerializer(system), GET_STATUS);
            r.add(Status.class, new StatusSerializer(), STATUS);
        }

        private static void version(Input in, Class<?> type) {
            int v = in.readByte() & 0xff;
            if (v != 1) {
                throw new KryoException(type.getSimpleName() + " has format version " + v + "; this Flotilla reads 1");
            }
        }
    }

    private static final class CatchupSerializer extends Serializer<Catchup> {
        CatchupSerializer() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output out, Catchup c) {
            out.writeByte(1);
        }

        @Override
        public Catchup read(Kryo kryo, Input in, Class<? extends Catchup> type) {
            KryoRegistrar.version(in, Catchup.class);
            return Catchup.INSTANCE;
        }
    }

    private static final class GetStatusSerializer extends Serializer<GetStatus> {
        private final ExtendedActorSystem system;

        GetStatusSerializer(ExtendedActorSystem system) {
            this.system = system;
            setImmutable(true);
        }

        /** Looked up per use, not at construction: serializers are built while the actor system starts. */
        private ActorRefResolver resolver() {
            if (system == null) {
                throw new KryoException("GetStatus needs an actor system to (de)serialize its reply-to");
            }
            return ActorRefResolver.get(Adapter.toTyped(system));
        }

        @Override
        public void write(Kryo kryo, Output out, GetStatus g) {
            out.writeByte(1);
            out.writeString(resolver().toSerializationFormat(g.replyTo()));
        }

        @Override
        public GetStatus read(Kryo kryo, Input in, Class<? extends GetStatus> type) {
            KryoRegistrar.version(in, GetStatus.class);
            String ref = in.readString();
            return new GetStatus(resolver().resolveActorRef(ref));
        }
    }

    private static final class StatusSerializer extends Serializer<Status> {
        StatusSerializer() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output out, Status s) {
            out.writeByte(1);
            out.writeString(s.address());
            out.writeBoolean(s.originated());
            out.writeVarInt(s.originationLevel(), false);
            out.writeVarInt(s.headLevel(), false);
            out.writeString(s.headStateHash());
            out.writeVarLong(s.totalTicks(), false);
            out.writeVarInt(s.lastCommitmentLevel(), false);
            out.writeString(s.lastCommitment());
            out.writeVarInt(s.lccLevel(), false);
            out.writeString(s.lcc());
            out.writeString(s.stuck());
            out.writeString(s.mode());
        }

        @Override
        public Status read(Kryo kryo, Input in, Class<? extends Status> type) {
            KryoRegistrar.version(in, Status.class);
            return new Status(in.readString(), in.readBoolean(), in.readVarInt(false), in.readVarInt(false),
                    in.readString(), in.readVarLong(false), in.readVarInt(false), in.readString(), in.readVarInt(false),
                    in.readString(), in.readString(), in.readString());
        }
    }
}
