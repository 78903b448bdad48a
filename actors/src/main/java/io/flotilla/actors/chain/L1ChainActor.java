package io.flotilla.actors.chain;

import io.flotilla.actors.l1.L1Block;
import io.flotilla.actors.l1.L1Codec;
import io.flotilla.actors.l1.L1Source;
import io.flotilla.persistence.events.L1BlockAdded;
import io.flotilla.persistence.events.L1ChainEvent;
import io.flotilla.persistence.events.L1ChainReverted;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * Follows the L1 chain (a cluster singleton): journals every block of the main chain, level after level, never
 * skipping one ({@link L1BlockAdded}), and a reorganisation as {@link L1ChainReverted} to the common ancestor
 * followed by the new branch's blocks. Each block is written to the {@link L1Blocks} store <em>before</em> its event
 * is persisted; after the event, {@code onJournaled} hears it (the {@link JournaledL1Source} that wakes the
 * rollup entities).
 *
 * <p>Woken by the upstream head subscription, a poll timer and its own recovery; one sync at a time: the blocking
 * upstream calls run on the blocking dispatcher and produce a plan (revert to? then which blocks), which the actor
 * stores and journals. At most {@link Settings#batch} blocks per plan; then it syncs again.
 *
 * <p>Recovery repairs the store against the journal: main-chain entries above the journaled head (written before a
 * crash that lost their event) are removed, and journaled blocks missing from the store are put back (from the
 * store's by-hash entries or from upstream).
 */
public final class L1ChainActor extends EventSourcedBehavior<L1ChainActor.Command, L1ChainEvent, L1ChainActor.State> {

    public static final String PERSISTENCE_ID = "l1-chain";
    public static final String SINGLETON_NAME = "l1-chain";

    /**
     * @param startLevel   the first level journaled when the journal is empty
     * @param pollInterval how often upstream is asked for its head besides the subscription
     * @param batch        most blocks journaled per sync step
     */
    public record Settings(int startLevel, Duration pollInterval, int batch) {
        public static final Settings DEFAULT = new Settings(0, Duration.ofSeconds(5), 100);

        public static Settings from(com.typesafe.config.Config c) {
            return new Settings(c.getInt("start-level"), c.getDuration("poll-interval"), c.getInt("batch"));
        }
    }

    public interface Command {}

    /** Compare with upstream now. */
    public enum Sync implements Command { INSTANCE }

    /** The journaled head (level -1 and no hash before the first block). */
    public record GetHead(ActorRef<Head> replyTo) implements Command {}

    public record Head(int level, byte[] hash) {}

    private record NewHead(L1Block block) implements Command {}

    private record Planned(Plan plan) implements Command {}

    private record SyncFailed(Throwable error) implements Command {}

    private record Plan(State from, int revertTo, byte[] revertHash, List<L1Block> add, boolean more) {}

    /** The journaled head; {@code first} is the first level ever journaled (-1 before). */
    public record State(int first, int level, byte[] hash) {
        static final State EMPTY = new State(-1, -1, null);

        boolean empty() {
            return level < 0;
        }

        boolean same(State o) {
            return level == o.level && Arrays.equals(hash, o.hash);
        }
    }

    private final ActorContext<Command> ctx;
    private final L1Source upstream;
    private final L1Blocks blocks;
    private final BiConsumer<L1Block, Long> onJournaled;
    private final Settings settings;
    private final Executor blocking;
    private final AutoCloseable subscription;
    private boolean syncing;
    private boolean again;

    private L1ChainActor(ActorContext<Command> ctx, L1Source upstream, L1Blocks blocks,
            BiConsumer<L1Block, Long> onJournaled, Settings settings) {
        super(PersistenceId.ofUniqueId(PERSISTENCE_ID),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(500), Duration.ofSeconds(30), 0.2));
        this.ctx = ctx;
        this.upstream = upstream;
        this.blocks = blocks;
        this.onJournaled = onJournaled;
        this.settings = settings;
        this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
        this.subscription = upstream.subscribe(b -> ctx.getSelf().tell(new NewHead(b)));
    }

    public static Behavior<Command> create(L1Source upstream, L1Blocks blocks, Consumer<L1Block> onJournaled,
            Settings settings) {
        return createAnnouncing(upstream, blocks, (b, seq) -> onJournaled.accept(b), settings);
    }

    /**
     * As {@link #create}, telling {@code onJournaled} each head with the journal sequence number of its event (for
     * listeners that may hear a head late or twice, see {@link L1Heads}); the head is also told again, with the same
     * number, on every poll that finds nothing new.
     */
    public static Behavior<Command> createAnnouncing(L1Source upstream, L1Blocks blocks,
            BiConsumer<L1Block, Long> onJournaled, Settings settings) {
        return Behaviors.<Command>supervise(Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(Sync.INSTANCE, settings.pollInterval());
            return new L1ChainActor(ctx, upstream, blocks, onJournaled, settings);
        }))).onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2));
    }

    /** Runs the chain actor as the cluster singleton; the returned reference is a proxy to it. */
    public static ActorRef<Command> initSingleton(org.apache.pekko.actor.typed.ActorSystem<?> system,
            L1Source upstream, L1Blocks blocks, Consumer<L1Block> onJournaled, Settings settings) {
        return initSingletonAnnouncing(system, upstream, blocks, (b, seq) -> onJournaled.accept(b), settings);
    }

    /** As {@link #initSingleton}, with {@link #createAnnouncing}'s listener. */
    public static ActorRef<Command> initSingletonAnnouncing(org.apache.pekko.actor.typed.ActorSystem<?> system,
            L1Source upstream, L1Blocks blocks, BiConsumer<L1Block, Long> onJournaled, Settings settings) {
        return ClusterSingleton.get(system).init(SingletonActor.of(createAnnouncing(upstream, blocks, onJournaled,
                settings), SINGLETON_NAME));
    }

    @Override
    public State emptyState() {
        return State.EMPTY;
    }

    @Override
    public EventHandler<State, L1ChainEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(L1BlockAdded.class, (s, e) -> new State(s.first() < 0 ? e.level() : s.first(), e.level(),
                        e.hash32()))
                .onEvent(L1ChainReverted.class, (s, e) -> new State(s.first(), e.toLevel(), e.toHash32()))
                .build();
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), s -> {
            repair(s);
            if (!s.empty()) {
                long seq = lastSequenceNumber(ctx);
                blocks.get(s.level()).ifPresent(b -> onJournaled.accept(b, seq));
            }
            ctx.getSelf().tell(Sync.INSTANCE);
        }).onSignal(org.apache.pekko.actor.typed.PostStop.instance(), s -> closeSubscription())
                .onSignal(org.apache.pekko.actor.typed.PreRestart.instance(), s -> closeSubscription())
                .build();
    }

    private void closeSubscription() {
        try {
            subscription.close();
        } catch (Exception e) {
            ctx.getLog().debug("closing the L1 subscription: {}", e.toString());
        }
    }

    @Override
    public CommandHandler<Command, L1ChainEvent, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Sync.class, (s, c) -> startSync(s))
                .onCommand(NewHead.class, (State s, NewHead c) -> s.level() == c.block().level()
                        && Arrays.equals(s.hash(), c.block().hash()) ? Effect().none() : startSync(s))
                .onCommand(Planned.class, (State s, Planned c) -> apply(s, c))
                .onCommand(SyncFailed.class, (s, c) -> {
                    syncing = false;
                    ctx.getLog().warn("L1 chain: sync failed (retrying on the next head or poll): {}",
                            c.error().toString());
                    return Effect().none();
                })
                .onCommand(GetHead.class, (s, c) -> Effect().reply(c.replyTo(), new Head(s.level(), s.hash())))
                .build();
    }

    private Effect<L1ChainEvent, State> startSync(State s) {
        if (syncing) {
            again = true;
            return Effect().none();
        }
        syncing = true;
        again = false;
        ctx.pipeToSelf(CompletableFuture.supplyAsync(() -> plan(s), blocking),
                (p, err) -> err == null ? new Planned(p) : new SyncFailed(err));
        return Effect().none();
    }

    private Effect<L1ChainEvent, State> apply(State s, Planned c) {
        syncing = false;
        Plan p = c.plan();
        if (!p.from().same(s)) { // cannot happen with one writer; be safe
            ctx.getSelf().tell(Sync.INSTANCE);
            return Effect().none();
        }
        List<L1ChainEvent> events = new ArrayList<>();
        if (p.revertTo() >= 0) {
            ctx.getLog().info("L1 chain: reorg, reverting from level {} to {}", s.level(), p.revertTo());
            blocks.truncateAbove(p.revertTo());
            events.add(new L1ChainReverted(p.revertTo(), p.revertHash()));
        }
        for (L1Block b : p.add()) {
            blocks.put(b); // store first, event second
            events.add(new L1BlockAdded(b.level(), b.hash(), b.predecessor(), b.timestamp(), b.protocol(),
                    L1Codec.encodeBlock(b)));
        }
        if (events.isEmpty()) {
            if (!s.empty()) { // nothing new: announce the head again, for nodes that missed it or joined since
                long seq = lastSequenceNumber(ctx);
                blocks.get(s.level()).ifPresent(b -> onJournaled.accept(b, seq));
            }
            if (again) {
                ctx.getSelf().tell(Sync.INSTANCE);
            }
            return Effect().none();
        }
        return Effect().persist(events).thenRun(ns -> {
            // the last event's sequence number; the blocks' events are the last p.add().size() ones
            long last = lastSequenceNumber(ctx);
            for (int i = 0; i < p.add().size(); i++) {
                onJournaled.accept(p.add().get(i), last - (p.add().size() - 1 - i));
            }
            if (p.add().isEmpty() && p.revertTo() >= 0) {
                blocks.get(p.revertTo()).ifPresent(b -> onJournaled.accept(b, last));
            }
            if (p.more() || again) {
                ctx.getSelf().tell(Sync.INSTANCE);
            }
        });
    }

    // ------------------------------------------------------------------ planning (blocking, off the actor)

    private Plan plan(State s) {
        L1Block target = upstream.head();
        int level = s.level();
        byte[] hash = s.hash();
        int revertTo = -1;
        byte[] revertHash = null;
        List<L1Block> add = new ArrayList<>();
        if (s.empty()) {
            int start = Math.max(0, settings.startLevel());
            if (target.level() < start) {
                return new Plan(s, -1, null, List.of(), false);
            }
            L1Block b = upstream.block(start).orElseThrow(() -> new IllegalStateException("no L1 block " + start));
            add.add(b);
            level = b.level();
            hash = b.hash();
        } else {
            Optional<L1Block> ours = upstream.block(Math.min(level, target.level()));
            boolean diverged = target.level() < level
                    || ours.isEmpty() || !Arrays.equals(ours.get().hash(), hash);
            if (diverged) {
                int m = commonAncestor(s);
                revertTo = m;
                revertHash = blocks.hashAt(m).orElseThrow();
                level = m;
                hash = revertHash;
            }
        }
        int until = Math.min(target.level(), level + settings.batch());
        for (int n = level + 1; n <= until; n++) {
            Optional<L1Block> b = upstream.block(n);
            if (b.isEmpty() || !Arrays.equals(b.get().predecessor(), hash)) {
                break; // upstream changed under us: the next sync sees it
            }
            add.add(b.get());
            hash = b.get().hash();
            level = n;
        }
        boolean more = level < target.level() && (!add.isEmpty() || revertTo >= 0);
        return new Plan(s, revertTo, revertHash, List.copyOf(add), more);
    }

    /** The highest journaled level whose block is still upstream's at that level. */
    private int commonAncestor(State s) {
        for (int m = s.level() - 1; m >= s.first(); m--) {
            Optional<byte[]> ours = blocks.hashAt(m);
            Optional<L1Block> theirs = upstream.block(m);
            if (ours.isPresent() && theirs.isPresent() && Arrays.equals(ours.get(), theirs.get().hash())) {
                return m;
            }
        }
        throw new IllegalStateException("L1 reorg deeper than the journaled chain (first level " + s.first() + ")");
    }

    // ------------------------------------------------------------------ recovery

    private void repair(State s) {
        if (s.empty()) {
            blocks.truncateAbove(-1);
            return;
        }
        blocks.truncateAbove(s.level());
        byte[] h = s.hash();
        int repaired = 0;
        for (int l = s.level(); l >= s.first(); l--) {
            Optional<byte[]> at = blocks.hashAt(l);
            if (at.isPresent() && Arrays.equals(at.get(), h)) {
                break;
            }
            final byte[] want = h;
            Optional<L1Block> b = blocks.byHash(want).or(() -> upstream.blockByHash(want));
            if (b.isEmpty()) {
                ctx.getLog().error("L1 chain: journaled block {} at level {} is neither stored nor upstream",
                        io.flotilla.pvm.util.Hex.encode(want), l);
                break;
            }
            blocks.put(b.get());
            repaired++;
            h = b.get().predecessor();
        }
        if (repaired > 0) {
            ctx.getLog().info("L1 chain: put {} journaled blocks back into the block store", repaired);
        }
        OptionalInt last = blocks.lastLevel();
        ctx.getLog().info("L1 chain: recovered at level {} (store up to {})", s.level(),
                last.isPresent() ? last.getAsInt() : -1);
    }
}
