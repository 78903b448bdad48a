package io.flotilla.actors.chain;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.flotilla.actors.l1.L1Block;
import io.flotilla.actors.l1.L1Codec;
import io.flotilla.persistence.serialization.FlotillaKryo;
import io.flotilla.persistence.serialization.KryoMessage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries the heads the L1 chain actor journals to every node of the cluster: the chain actor runs on one node (a
 * cluster singleton), the rollup entities on all of them. Each node runs the {@value #TOPIC} topic (Pekko typed
 * distributed pub-sub) with one subscriber that hands each head to its node's {@link JournaledL1Source}, which wakes
 * the entities of that node; the blocks themselves are read from the L1 block store, which a cluster shares.
 *
 * <p>A topic delivers at most once and a node may join late, so every head carries the chain actor's journal
 * sequence number: a node ignores what is not newer than what it has, and the chain actor announces its head again
 * on every idle poll ({@code flotilla.l1-chain.poll-interval}), so a node that missed one catches up by then.
 */
public final class L1Heads {
    private static final Logger LOG = LoggerFactory.getLogger(L1Heads.class);

    /** The topic's name: nodes of one cluster must agree on it. */
    public static final String TOPIC = "flotilla-l1-heads";

    /**
     * A head journaled by the chain actor, after the event at {@code sequenceNr} of its journal (a revert announces
     * the block it reverted to); {@code block} is in {@link L1Codec#encodeBlock} form.
     */
    public record Journaled(long sequenceNr, byte[] block) implements KryoMessage {}

    private final ActorRef<Topic.Command<Journaled>> topic;
    private final JournaledL1Source local;

    private L1Heads(ActorRef<Topic.Command<Journaled>> topic, JournaledL1Source local) {
        this.topic = topic;
        this.local = local;
    }

    /** Joins the topic on this node: heads published anywhere in the cluster reach {@code local}. */
    public static L1Heads start(ActorSystem<?> system, JournaledL1Source local) {
        ActorRef<Topic.Command<Journaled>> topic = system.systemActorOf(Topic.create(Journaled.class, TOPIC),
                "l1-heads-topic", Props.empty());
        ActorRef<Journaled> subscriber = system.systemActorOf(Behaviors.receive(Journaled.class)
                .onMessage(Journaled.class, j -> {
                    try {
                        local.journaled(L1Codec.decodeBlock(j.block()), j.sequenceNr());
                    } catch (RuntimeException e) {
                        LOG.warn("an L1 head from the chain actor could not be read: {}", e.toString());
                    }
                    return Behaviors.same();
                }).build(), "l1-heads-subscriber", Props.empty());
        topic.tell(Topic.subscribe(subscriber));
        return new L1Heads(topic, local);
    }

    /**
     * What the chain actor calls after journaling {@code b}: this node hears it at once (not through the topic, whose
     * local subscription may not be registered yet), the other nodes through the topic.
     */
    public void announce(L1Block b, long sequenceNr) {
        local.journaled(b, sequenceNr);
        topic.tell(Topic.publish(new Journaled(sequenceNr, L1Codec.encodeBlock(b))));
    }

    // ------------------------------------------------------------------ wire format

    /**
     * Registers {@link Journaled} with {@code flotilla-kryo} (id {@value #JOURNALED}); named in
     * {@code flotilla.kryo.registrars}. Never journaled: the format (version byte 1, sequence number, block bytes)
     * only has to agree between the nodes of one cluster.
     */
    public static final class KryoRegistrar implements FlotillaKryo.Registrar {
        public static final int JOURNALED = 1010;

        @Override
        public void register(FlotillaKryo.Registrations r) {
            r.add(Journaled.class, new JournaledSerializer(), JOURNALED);
        }
    }

    private static final class JournaledSerializer extends Serializer<Journaled> {
        JournaledSerializer() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output out, Journaled j) {
            out.writeByte(1);
            out.writeVarLong(j.sequenceNr(), true);
            out.writeVarInt(j.block().length, true);
            out.writeBytes(j.block());
        }

        @Override
        public Journaled read(Kryo kryo, Input in, Class<? extends Journaled> type) {
            int v = in.readByte() & 0xff;
            if (v != 1) {
                throw new KryoException("L1Heads.Journaled has format version " + v + "; this Flotilla reads 1");
            }
            long seq = in.readVarLong(true);
            int n = in.readVarInt(true);
            if (n < 0 || n > 16 * 1024 * 1024) {
                throw new KryoException("L1Heads.Journaled: block of " + n + " bytes");
            }
            return new Journaled(seq, in.readBytes(n));
        }
    }
}
