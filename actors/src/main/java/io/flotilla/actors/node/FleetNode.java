package io.flotilla.actors.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flotilla.actors.chain.JournaledL1Source;
import io.flotilla.actors.chain.L1ChainActor;
import io.flotilla.actors.chain.L1Blocks;
import io.flotilla.actors.chain.L1Heads;
import io.flotilla.actors.l1.L1Block;
import io.flotilla.actors.l1.L1Source;
import io.flotilla.actors.rollup.RollupEntity;
import io.flotilla.actors.rollup.RollupServices;
import io.flotilla.persistence.chain.EmbeddedL1BlockStore;
import io.flotilla.persistence.chain.L1BlockStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * One Flotilla node: an actor system (a one-node cluster by default, so rollups are sharded from
 * the start), the rollup entities, and the L1 head subscription that wakes them up.
 *
 * <p>With {@code flotilla.l1-chain.enabled} (the default) the L1 chain actor (a cluster singleton) journals the L1
 * chain into an L1 block store under {@code <dataDir>/l1-blocks}, and the entities see the L1 through a
 * {@link JournaledL1Source}: they pull blocks from that store and are woken after each journaled block.
 * {@link #services()} then holds that source; the upstream one is {@link #upstreamL1()}.
 */
public final class FleetNode implements AutoCloseable {

    private final ActorSystem<Void> system;
    private final RollupServices services;
    private final List<String> rollups = new CopyOnWriteArrayList<>();
    private final List<String> rollupsView = java.util.Collections.unmodifiableList(rollups);
    private final java.util.Set<String> served = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final List<Consumer<L1Block>> headListeners = new CopyOnWriteArrayList<>();
    private volatile L1Block l1Head;
    private final AutoCloseable subscription;
    private final org.apache.pekko.actor.Cancellable nudges;
    private final L1Source upstreamL1;
    private final List<AutoCloseable> resources;

    private FleetNode(ActorSystem<Void> system, RollupServices services, L1Source upstreamL1,
            List<AutoCloseable> resources) {
        this.system = system;
        this.services = services;
        this.upstreamL1 = upstreamL1;
        this.resources = resources;
        try {
            this.l1Head = services.l1().head();
        } catch (RuntimeException e) {
            system.log().warn("L1 head not available at start: {}", e.toString());
        }
        this.subscription = services.l1().subscribe(this::onHead);
        // heads are the only wake-up of an entity, and Cluster Sharding drops messages buffered for a shard that is
        // handed off (a node joining or leaving): a rollup whose last Catchup was dropped would wait for the next L1
        // block. A Catchup every few seconds bounds that wait (a caught-up entity ignores it)
        this.nudges = system.scheduler().scheduleAtFixedRate(CATCHUP_NUDGE, CATCHUP_NUDGE, this::nudge,
                system.executionContext());
    }

    /** How often every served rollup is told to catch up even without a new L1 head. */
    static final Duration CATCHUP_NUDGE = Duration.ofSeconds(5);

    private void nudge() {
        if (l1Head == null) {
            return;
        }
        for (String r : rollups) {
            entity(r).tell(RollupEntity.Catchup.INSTANCE);
        }
    }

    /**
     * Where a node journals: the Pekko configuration of its journal and snapshot plugins, and its L1 block store
     * (opened once the actor system runs; closed with the node when it is {@link AutoCloseable}).
     */
    public record Backend(Config journal, java.util.function.Supplier<L1BlockStore> l1Blocks) {
        /** The embedded default: H2 journal and RocksDB L1 blocks under {@code dataDir}. */
        public static Backend embedded(Path dataDir) {
            EmbeddedJournal.createSchema(dataDir);
            return new Backend(EmbeddedJournal.config(dataDir),
                    () -> new EmbeddedL1BlockStore(dataDir.resolve("l1-blocks")));
        }
    }

    /** A single-node cluster on loopback with the embedded journal under {@code dataDir}. */
    public static FleetNode startEmbedded(String name, Path dataDir, RollupServices services, Config extra) {
        return start(name, services, extra, Backend.embedded(dataDir));
    }

    /**
     * A node (a one-node cluster unless {@code extra} names seed nodes) journaling to {@code backend}: {@code extra}
     * comes first (seed nodes, remoting port...), then the backend's journal, then {@code flotilla-node.conf}. In a
     * cluster the backend's L1 block store must be shared by the nodes (the chain actor writes it on one node, every
     * node reads it); journaled heads reach the entities of every node through {@link L1Heads}.
     */
    public static FleetNode start(String name, RollupServices services, Config extra, Backend backend) {
        Config config = extra
                .withFallback(backend.journal())
                .withFallback(ConfigFactory.parseResources("flotilla-node.conf"))
                .withFallback(ConfigFactory.load());
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), name, config);
        Cluster cluster = Cluster.get(system);
        if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
        }
        Config chainConfig = config.getConfig("flotilla.l1-chain");
        if (!chainConfig.getBoolean("enabled")) {
            RollupEntity.init(system, services);
            return new FleetNode(system, services, services.l1(), List.of());
        }
        L1BlockStore store;
        try {
            store = backend.l1Blocks().get();
        } catch (RuntimeException e) {
            system.terminate();
            throw e;
        }
        JournaledL1Source journaled = new JournaledL1Source(new L1Blocks(store), services.l1());
        RollupServices nodeServices = new RollupServices(journaled, services.contextStore(), services.chain(),
                services.pvmConfig(), services.pvmThreads(), services.preimages(), services.modeOf(),
                services.operatorOf(), services.gc());
        L1Heads heads = L1Heads.start(system, journaled);
        L1ChainActor.initSingletonAnnouncing(system, services.l1(), journaled.blocks(), heads::announce,
                L1ChainActor.Settings.from(chainConfig));
        awaitJournaledHead(system, services.l1(), journaled, chainConfig.getDuration("start-wait"));
        RollupEntity.init(system, nodeServices);
        return new FleetNode(system, nodeServices, services.l1(),
                store instanceof AutoCloseable c ? List.of(journaled, c) : List.of(journaled));
    }

    /** Lets the chain actor journal up to the upstream head of now, so the node starts from a current head. */
    private static void awaitJournaledHead(ActorSystem<Void> system, L1Source upstream, JournaledL1Source journaled,
            Duration wait) {
        int target;
        try {
            target = upstream.head().level();
        } catch (RuntimeException e) {
            return;
        }
        try {
            if (!journaled.awaitLevel(target, wait.toMillis())) {
                system.log().info("the L1 chain actor has not journaled level {} after {}; starting anyway", target,
                        wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The L1 the node follows (the one given at start; {@code services().l1()} may be the journaled view of it). */
    public L1Source upstreamL1() {
        return upstreamL1;
    }

    public ActorSystem<Void> system() {
        return system;
    }

    public RollupServices services() {
        return services;
    }

    /** Starts serving a rollup (its entity catches up from its origination). */
    public void serve(String rollup) {
        if (served.add(rollup)) {
            rollups.add(rollup);
        }
        entity(rollup).tell(RollupEntity.Catchup.INSTANCE);
    }

    /** The rollups this node serves, in the order it started serving them (a read-only view). */
    public List<String> rollups() {
        return rollupsView;
    }

    /** Whether this node serves {@code rollup}: a set lookup, asked by every HTTP request naming a rollup. */
    public boolean serves(String rollup) {
        return served.contains(rollup);
    }

    public EntityRef<RollupEntity.Command> entity(String rollup) {
        return ClusterSharding.get(system).entityRefFor(RollupEntity.KEY, rollup);
    }

    public CompletionStage<RollupEntity.Status> status(String rollup) {
        return entity(rollup).ask(RollupEntity.GetStatus::new, Duration.ofSeconds(10));
    }

    /**
     * The rollups whose entities run on this node now (Cluster Sharding places them; they move when a node leaves or
     * dies, and come back when the shards are rebalanced).
     */
    public CompletionStage<java.util.Set<String>> hostedRollups() {
        CompletionStage<org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState> state =
                org.apache.pekko.actor.typed.javadsl.AskPattern.ask(ClusterSharding.get(system).shardState(),
                        replyTo -> new org.apache.pekko.cluster.sharding.typed.GetShardRegionState(RollupEntity.KEY,
                                replyTo),
                        Duration.ofSeconds(10), system.scheduler());
        return state.thenApply(s -> {
            java.util.Set<String> out = new java.util.TreeSet<>();
            for (var shard : s.getShards()) {
                out.addAll(shard.getEntityIds());
            }
            return out;
        });
    }

    /** The last L1 head this node heard of (null when the L1 was unreachable since the start). */
    public L1Block l1Head() {
        return l1Head;
    }

    /**
     * Calls {@code listener} with every new L1 head, after the rollup entities were told about it, on the
     * L1 subscription's thread (keep it short, or hand the work over). Closing the handle removes it.
     */
    public AutoCloseable onNewHead(Consumer<L1Block> listener) {
        headListeners.add(listener);
        return () -> headListeners.remove(listener);
    }

    private void onHead(L1Block head) {
        l1Head = head;
        for (String r : rollups) {
            entity(r).tell(RollupEntity.Catchup.INSTANCE);
        }
        for (Consumer<L1Block> l : headListeners) {
            try {
                l.accept(head);
            } catch (RuntimeException e) {
                system.log().warn("an L1 head listener failed on {}", head, e);
            }
        }
    }

    private volatile boolean closed;

    /** Leaves the cluster (its entities and, if here, the chain actor move to the other nodes) and stops. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        nudges.cancel();
        try {
            subscription.close();
        } catch (Exception e) {
            // closing a subscription cannot fail in a way that matters at shutdown
        }
        headListeners.clear();
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("actor system did not terminate: " + e, e);
        }
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                system.log().warn("closing {} failed: {}", r, e.toString());
            }
        }
    }
}
