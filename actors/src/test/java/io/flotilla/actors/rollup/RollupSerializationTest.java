package io.flotilla.actors.rollup;

import io.flotilla.actors.TestJournal;
import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.persistence.chain.InMemoryL2ChainStore;
import io.flotilla.persistence.events.L2BlockProduced;
import io.flotilla.persistence.events.OutboxHandled;
import io.flotilla.persistence.events.RollupEvent;
import io.flotilla.persistence.events.RollupStuck;
import io.flotilla.persistence.serialization.KryoSerializer;
import io.flotilla.persistence.snapshots.RollupSnapshot;
import io.flotilla.pvm.KernelFiles;
import io.flotilla.pvm.PvmConfig;
import io.flotilla.pvm.PvmThreads;
import io.flotilla.pvm.encoding.RollupAddress;
import io.flotilla.pvm.reveal.PreimageSource;
import io.flotilla.pvm.tree.NodeStore;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.testkit.ProcessingSuccess;
import org.apache.pekko.persistence.testkit.ReadEvents;
import org.apache.pekko.persistence.testkit.SnapshotMeta;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the entity journals, snapshots and sends between nodes goes through Pekko serialization with flotilla-kryo
 * (the persistence testkit serializes events and snapshots; Java serialization is off), and the entity recovers from
 * a snapshot plus the events after it.
 */
class RollupSerializationTest {

    static final String ADDRESS = RollupAddress.zero().toBase58();
    static final String OPERATOR = "tz1Ke2h7sDdakHJQh8WX4Z372du1KChsksyU";

    final List<ActorTestKit> kits = new ArrayList<>();
    byte[] echo;

    static Config config() {
        return TestJournal.config();
    }

    ActorTestKit newKit() {
        ActorTestKit kit = ActorTestKit.create(config());
        kits.add(kit);
        return kit;
    }

    @BeforeEach
    void setUp() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/kernels/echo.wat")) {
            echo = KernelFiles.fromText(new String(in.readAllBytes(), StandardCharsets.UTF_8), "echo.wat");
        }
    }

    @AfterEach
    void tearDown() {
        kits.forEach(ActorTestKit::shutdownTestKit);
    }

    static RollupServices services(FakeL1 l1, InMemoryL2ChainStore chain, NodeStore store) {
        return new RollupServices(l1, store, chain, PvmConfig.defaults(), PvmThreads.SHARED, PreimageSource.none(),
                a -> RollupMode.OPERATOR, a -> OPERATOR);
    }

    static String pid(String address) {
        return PersistenceId.of(RollupEntity.KEY.name(), address).id();
    }

    static RollupEntity.Status awaitHead(ActorTestKit kit, ActorRef<RollupEntity.Command> ref, int level) {
        TestProbe<RollupEntity.Status> probe = kit.createTestProbe();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            ref.tell(RollupEntity.Catchup.INSTANCE);
            ref.tell(new RollupEntity.GetStatus(probe.getRef()));
            RollupEntity.Status s = probe.receiveMessage(Duration.ofSeconds(10));
            if (s.headLevel() >= level || System.nanoTime() > deadline) {
                return s;
            }
            sleep(20);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new RuntimeException(e);
        }
    }

    static void addMessageBlocks(FakeL1 l1, int n) {
        for (int i = 0; i < n; i++) {
            l1.addBlock(List.of(new L1Operation.AddMessages(OPERATOR, List.of(("m" + i).getBytes(StandardCharsets.UTF_8)))));
        }
    }

    @Test
    void recoversFromASnapshotPlusTheEventsAfterIt() {
        ActorTestKit kit = newKit();
        PersistenceTestKit journal = PersistenceTestKit.create(kit.system());
        SnapshotTestKit snapshots = SnapshotTestKit.create(kit.system());
        int every = 5;
        FakeL1 l1 = new FakeL1();
        l1.originate(ADDRESS, echo);
        addMessageBlocks(l1, 12);
        InMemoryL2ChainStore chain = new InMemoryL2ChainStore();
        NodeStore store = NodeStore.inMemory();
        RollupServices services = services(l1, chain, store);

        ActorRef<RollupEntity.Command> ref = kit.spawn(RollupEntity.create(ADDRESS, services, every));
        RollupEntity.Status before = awaitHead(kit, ref, l1.head().level());
        while (journal.persistedInStorage(pid(ADDRESS)).size() % every == 0) {
            addMessageBlocks(l1, 1); // make sure some events follow the last snapshot
            before = awaitHead(kit, ref, l1.head().level());
        }
        assertEquals(l1.head().level(), before.headLevel());
        int events = journal.persistedInStorage(pid(ADDRESS)).size();
        List<Pair<SnapshotMeta, Object>> stored = snapshots.persistedInStorage(pid(ADDRESS));
        assertFalse(stored.isEmpty(), "snapshots every " + every + " events");
        Pair<SnapshotMeta, Object> last = stored.get(stored.size() - 1);
        long snapshotSeqNr = last.first().sequenceNr();
        assertEquals(events / every * every, snapshotSeqNr);
        RollupSnapshot snapshot = assertInstanceOf(RollupSnapshot.class, last.second());
        assertTrue(snapshot.originated());
        assertTrue(snapshot.headLevel() <= before.headLevel());
        kit.stop(ref);

        List<Object> replayed = Collections.synchronizedList(new ArrayList<>());
        journal.withPolicy((persistenceId, op) -> {
            if (op instanceof ReadEvents r) {
                replayed.addAll(r.getBatch());
            }
            return ProcessingSuccess.getInstance();
        });
        ActorRef<RollupEntity.Command> again = kit.spawn(RollupEntity.create(ADDRESS, services, every));
        RollupEntity.Status recovered = awaitHead(kit, again, before.headLevel());
        journal.resetPolicy();
        assertEquals(before, recovered, "same state after recovery from the snapshot and the later events");
        assertEquals(events - snapshotSeqNr, replayed.size(), "only the events after the snapshot are replayed");
        assertTrue(replayed.size() > 0);

        // it carries on from there exactly as an entity that never stopped: compare with a run from scratch
        addMessageBlocks(l1, 11);
        RollupEntity.Status carriedOn = awaitHead(kit, again, l1.head().level());
        ActorTestKit other = newKit();
        RollupEntity.Status fresh = awaitHead(other, other.spawn(RollupEntity.create(ADDRESS,
                services(l1, new InMemoryL2ChainStore(), NodeStore.inMemory()))), l1.head().level());
        assertEquals(fresh.headStateHash(), carriedOn.headStateHash());
        assertEquals(fresh.totalTicks(), carriedOn.totalTicks());
        assertEquals(fresh.lastCommitmentLevel(), carriedOn.lastCommitmentLevel());
        assertEquals(fresh.lastCommitment(), carriedOn.lastCommitment());
        assertTrue(carriedOn.lastCommitmentLevel() > snapshot.headLevel(), "a commitment made after recovery");
    }

    @Test
    void everyEventTheEntityPersistsRoundTripsThroughPekkoSerialization() {
        ActorTestKit kit = newKit();
        PersistenceTestKit journal = PersistenceTestKit.create(kit.system());
        FakeL1 l1 = new FakeL1();
        l1.originate(ADDRESS, echo);
        int origination = l1.rollup(ADDRESS).orElseThrow().originationLevel();
        addMessageBlocks(l1, 10);
        InMemoryL2ChainStore chain = new InMemoryL2ChainStore();
        ActorRef<RollupEntity.Command> ref = kit.spawn(RollupEntity.create(ADDRESS,
                services(l1, chain, NodeStore.inMemory())));
        awaitHead(kit, ref, l1.head().level());

        // L1 includes our commitment of origination+5 and cements it: CommitmentPublished, LccUpdated, then the
        // outbox up to that level is executed (OutboxHandled)
        int committed = origination + 5;
        byte[] commitment = chain.get(ADDRESS, committed).orElseThrow().commitment().orElseThrow().bytes();
        l1.addBlock(List.of(new L1Operation.Publish(OPERATOR, ADDRESS, commitment, committed, new byte[76]),
                new L1Operation.Cement(OPERATOR, ADDRESS, commitment, committed)));
        addMessageBlocks(l1, 2);
        awaitHead(kit, ref, l1.head().level());
        // a reorg: Reverted
        l1.reorg(2);
        addMessageBlocks(l1, 1);
        RollupEntity.Status status = awaitHead(kit, ref, l1.head().level());
        assertEquals(committed, status.lccLevel());

        List<Object> events = new ArrayList<>(journal.persistedInStorage(pid(ADDRESS)));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (events.stream().noneMatch(e -> e instanceof OutboxHandled) && System.nanoTime() < deadline) {
            sleep(50);
            events = new ArrayList<>(journal.persistedInStorage(pid(ADDRESS)));
        }

        // a kernel without kernel_run is stuck at its first level: RollupStuck
        String stuckAddress = new RollupAddress(Arrays.copyOf(filled((byte) 7), RollupAddress.LENGTH)).toBase58();
        byte[] noRun = KernelFiles.fromText("(module (memory (export \"memory\") 1) (func (export \"other\")))",
                "norun.wat");
        FakeL1 l1b = new FakeL1();
        l1b.originate(stuckAddress, noRun);
        addMessageBlocks(l1b, 2);
        ActorRef<RollupEntity.Command> stuck = kit.spawn(RollupEntity.create(stuckAddress,
                services(l1b, new InMemoryL2ChainStore(), NodeStore.inMemory())));
        RollupEntity.Status stuckStatus = awaitStuck(kit, stuck);
        assertNotNull(stuckStatus.stuck());
        assertEquals(l1b.rollup(stuckAddress).orElseThrow().originationLevel() + 1, stuckStatus.headLevel());
        List<Object> stuckEvents = journal.persistedInStorage(pid(stuckAddress));
        assertInstanceOf(L2BlockProduced.class, stuckEvents.get(stuckEvents.size() - 2));
        assertEquals(new RollupStuck(stuckStatus.headLevel(), stuckStatus.stuck()),
                stuckEvents.get(stuckEvents.size() - 1));
        events.addAll(stuckEvents);

        Set<Class<?>> persisted = events.stream().map(Object::getClass).collect(Collectors.toSet());
        assertEquals(Set.of(RollupEvent.class.getPermittedSubclasses()), persisted,
                "the runs above persist every event type");
        assertTrue(events.stream().anyMatch(e -> e instanceof L2BlockProduced b && b.commitmentHash32OrNull() != null));
        assertTrue(events.stream().anyMatch(e -> e instanceof L2BlockProduced b && b.commitmentHash32OrNull() == null));

        Serialization serialization = SerializationExtension.get(Adapter.toClassic(kit.system()));
        for (Object e : events) {
            assertEquals(e, roundTrip(serialization, e), e.getClass().getSimpleName());
        }

        // the entity's State is snapshotted as a RollupSnapshot: both ways, then through Pekko
        byte[] h = filled((byte) 1);
        byte[] h2 = filled((byte) 2);
        RollupEntity.State state = new RollupEntity.State(true, origination, "2.0.0-r5", h, h, status.headLevel(), h,
                h2, status.totalTicks(), status.lastCommitmentLevel(), h, 12, 7, status.lccLevel(), h2, null, 3);
        RollupSnapshot snapshot = state.toSnapshot();
        assertEquals(snapshot, RollupEntity.State.fromSnapshot(snapshot).toSnapshot());
        assertEquals(snapshot, roundTrip(serialization, snapshot));
        RollupSnapshot empty = RollupEntity.State.empty().toSnapshot();
        assertEquals(empty, roundTrip(serialization, empty));
    }

    /** Catchup, GetStatus and Status may cross nodes; the pipeToSelf results never do and have no serializer. */
    @Test
    void crossNodeCommandsUseKryoAndLocalOnesHaveNoSerializer() {
        ActorTestKit kit = newKit();
        Serialization serialization = SerializationExtension.get(Adapter.toClassic(kit.system()));
        TestProbe<RollupEntity.Status> probe = kit.createTestProbe();
        assertSame(RollupEntity.Catchup.INSTANCE, roundTrip(serialization, RollupEntity.Catchup.INSTANCE));
        RollupEntity.GetStatus get = new RollupEntity.GetStatus(probe.getRef());
        assertEquals(get, roundTrip(serialization, get));
        RollupEntity.Status status = new RollupEntity.Status(ADDRESS, true, 3, 40, "ab", 1_000_000_000_000L, 38,
                "cd", -1, null, null, "operator");
        assertEquals(status, roundTrip(serialization, status));
        RollupEntity.Status empty = new RollupEntity.Status(ADDRESS, false, -1, -1, null, 0, -1, null, -1, null,
                "stuck \u2014 why", "observer");
        assertEquals(empty, roundTrip(serialization, empty));

        // the reply-to still works after the trip
        RollupEntity.GetStatus back = (RollupEntity.GetStatus) roundTrip(serialization, get);
        back.replyTo().tell(status);
        assertEquals(status, probe.receiveMessage());

        assertThrows(Exception.class, () -> serialization.serialize(new RollupEntity.OutboxDone(1, 2, 0)).get());
        assertThrows(Exception.class, () -> serialization.serialize(new RollupEntity.EvaluationFailed(1, "x")).get());
    }

    /** The node's configuration carries the bindings (through its include) and turns Java serialization off. */
    @Test
    void nodeConfigurationBindsEverythingToKryo() {
        Config node = ConfigFactory.parseResources("flotilla-node.conf").resolve();
        assertFalse(node.getBoolean("pekko.actor.allow-java-serialization"));
        assertEquals(KryoSerializer.class.getName(), node.getString("pekko.actor.serializers.flotilla-kryo"));
        Config bindings = node.getConfig("pekko.actor.serialization-bindings");
        for (Class<?> c : List.of(RollupEvent.class, RollupSnapshot.class,
                io.flotilla.persistence.serialization.KryoMessage.class)) {
            assertEquals("flotilla-kryo", bindings.getString("\"" + c.getName() + "\""), c.getName());
        }
        assertEquals(List.of(RollupEntity.KryoRegistrar.class.getName(),
                io.flotilla.actors.chain.L1Heads.KryoRegistrar.class.getName()),
                node.getStringList("flotilla.kryo.registrars"));
    }

    static Object roundTrip(Serialization serialization, Object o) {
        Serializer s = serialization.findSerializerFor(o);
        assertInstanceOf(KryoSerializer.class, s, o.getClass().getName());
        byte[] bytes = serialization.serialize(o).get();
        return serialization.deserialize(bytes, s.identifier(), Serializers.manifestFor(s, o)).get();
    }

    static byte[] filled(byte b) {
        byte[] a = new byte[32];
        Arrays.fill(a, b);
        return a;
    }

    static RollupEntity.Status awaitStuck(ActorTestKit kit, ActorRef<RollupEntity.Command> ref) {
        TestProbe<RollupEntity.Status> probe = kit.createTestProbe();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            ref.tell(RollupEntity.Catchup.INSTANCE);
            ref.tell(new RollupEntity.GetStatus(probe.getRef()));
            RollupEntity.Status s = probe.receiveMessage(Duration.ofSeconds(10));
            if (s.stuck() != null || System.nanoTime() > deadline) {
                return s;
            }
            sleep(20);
        }
    }

}
