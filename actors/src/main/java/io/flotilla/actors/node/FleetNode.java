package io.flotilla.actors.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flotilla.actors.l1.L1Block;
import io.flotilla.actors.l1.L1Source;
import io.flotilla.actors.rollup.RollupEntity;
import io.flotilla.actors.rollup.RollupServices;
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
 */
public final class FleetNode implements AutoCloseable {

    private final ActorSystem<Void> system;
    private final RollupServices services;
    private final List<String> rollups = new CopyOnWriteArrayList<>();
    private final List<Consumer<L1Block>> headListeners = new CopyOnWriteArrayList<>();
    private volatile L1Block l1Head;
    private final AutoCloseable subscription;

    private FleetNode(ActorSystem<Void> system, RollupServices services) {
        this.system = system;
        this.services = services;
        try {
            this.l1Head = services.l1().head();
        } catch (RuntimeException e) {
            system.log().warn("L1 head not available at start: {}", e.toString());
        }
        this.subscription = services.l1().subscribe(this::onHead);
    }

    /** A single-node cluster on loopback with the embedded journal under {@code dataDir}. */
    public static FleetNode startEmbedded(String name, Path dataDir, RollupServices services, Config extra) {
        EmbeddedJournal.createSchema(dataDir);
        Config config = extra
                .withFallback(EmbeddedJournal.config(dataDir))
                .withFallback(ConfigFactory.parseResources("flotilla-node.conf"))
                .withFallback(ConfigFactory.load());
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), name, config);
        Cluster cluster = Cluster.get(system);
        if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
        }
        RollupEntity.init(system, services);
        return new FleetNode(system, services);
    }

    public ActorSystem<Void> system() {
        return system;
    }

    public RollupServices services() {
        return services;
    }

    /** Starts serving a rollup (its entity catches up from its origination). */
    public void serve(String rollup) {
        if (!rollups.contains(rollup)) {
            rollups.add(rollup);
        }
        entity(rollup).tell(RollupEntity.Catchup.INSTANCE);
    }

    public List<String> rollups() {
        return List.copyOf(rollups);
    }

    public EntityRef<RollupEntity.Command> entity(String rollup) {
        return ClusterSharding.get(system).entityRefFor(RollupEntity.KEY, rollup);
    }

    public CompletionStage<RollupEntity.Status> status(String rollup) {
        return entity(rollup).ask(RollupEntity.GetStatus::new, Duration.ofSeconds(10));
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

    @Override
    public void close() {
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
    }
}
