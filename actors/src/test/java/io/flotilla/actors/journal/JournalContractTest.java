package io.flotilla.actors.journal;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.DeleteMessagesSuccess;
import org.apache.pekko.persistence.DeleteSnapshotSuccess;
import org.apache.pekko.persistence.DeleteSnapshotsSuccess;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.PersistentEnvelope;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.SaveSnapshotSuccess;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotProtocol;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/**
 * What Flotilla needs of an embedded journal and snapshot store, driven through Pekko's journal and snapshot
 * protocols (what persistent actors send): write, replay with bounds, highest sequence number (kept across deletes
 * and restarts), delete up to, rejection of an event that cannot be serialized, snapshots saved, selected by
 * criteria, deleted; and the same journal read back by {@link EventJournalReader}. Run against each journal by a
 * subclass.
 */
abstract class JournalContractTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dataDir;

    private ActorTestKit kit;
    private ActorRef journal;
    private ActorRef snapshots;
    private TestProbe<Object> probe;
    private ActorRef probeRef;
    private final String writer = UUID.randomUUID().toString();

    /** The Pekko configuration of the journal under test in {@code dataDir} (schema or directory created). */
    abstract Config journalConfig(Path dataDir);

    /** A class no serializer is bound to (Java serialization is off). */
    static final class Unserializable {}

    @BeforeEach
    void start() {
        startSystem();
    }

    private void startSystem() {
        Config c = journalConfig(dataDir)
                .withFallback(ConfigFactory.parseResources("flotilla-serialization.conf"))
                .withFallback(ConfigFactory.load());
        kit = ActorTestKit.create("contract", c);
        Persistence p = Persistence.get(Adapter.toClassic(kit.system()));
        journal = p.journalFor("", ConfigFactory.empty());
        snapshots = p.snapshotStoreFor("", ConfigFactory.empty());
        probe = kit.createTestProbe();
        probeRef = Adapter.toClassic(probe.getRef());
    }

    @AfterEach
    void stop() {
        if (kit != null) {
            kit.shutdownTestKit();
            kit = null;
        }
    }

    private void restart() {
        stop();
        startSystem();
    }

    private PersistentRepr repr(String pid, long seqNr, Object payload) {
        return PersistentRepr.apply(payload, seqNr, pid, "", false, ActorRef.noSender(), writer);
    }

    /** Writes each inner list as one AtomicWrite; returns the per-event replies (success or rejection). */
    private List<Object> write(List<List<PersistentRepr>> writes) {
        List<PersistentEnvelope> envelopes = new ArrayList<>();
        int events = 0;
        for (List<PersistentRepr> w : writes) {
            envelopes.add(new AtomicWrite(CollectionConverters.asScala(w).toList()));
            events += w.size();
        }
        journal.tell(new JournalProtocol.WriteMessages(CollectionConverters.asScala(envelopes).toList(), probeRef, 1),
                ActorRef.noSender());
        List<Object> replies = new ArrayList<>();
        while (replies.size() < events) {
            Object m = probe.receiveMessage(WAIT);
            if (m instanceof JournalProtocol.WriteMessagesFailed f) {
                fail("the write failed: " + f.cause());
            }
            if (m instanceof JournalProtocol.WriteMessageSuccess || m instanceof JournalProtocol.WriteMessageRejected
                    || m instanceof JournalProtocol.WriteMessageFailure) {
                replies.add(m);
            }
        }
        return replies;
    }

    private void writeEvents(String pid, long from, long to) {
        List<List<PersistentRepr>> writes = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            writes.add(List.of(repr(pid, s, "event-" + s)));
        }
        for (Object r : write(writes)) {
            assertInstanceOf(JournalProtocol.WriteMessageSuccess.class, r);
        }
    }

    private record Replay(List<Long> seqNrs, List<Object> payloads, long highest) {}

    private Replay replay(String pid, long from, long to, long max) {
        journal.tell(new JournalProtocol.ReplayMessages(from, to, max, pid, probeRef), ActorRef.noSender());
        List<Long> seqs = new ArrayList<>();
        List<Object> payloads = new ArrayList<>();
        while (true) {
            Object m = probe.receiveMessage(WAIT);
            if (m instanceof JournalProtocol.ReplayedMessage r) {
                assertEquals(pid, r.persistent().persistenceId());
                assertEquals(writer, r.persistent().writerUuid());
                seqs.add(r.persistent().sequenceNr());
                payloads.add(r.persistent().payload());
            } else if (m instanceof JournalProtocol.RecoverySuccess s) {
                return new Replay(seqs, payloads, s.highestSequenceNr());
            } else if (m instanceof JournalProtocol.ReplayMessagesFailure f) {
                throw new AssertionError("replay failed", f.cause());
            }
        }
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            out.add(s);
        }
        return out;
    }

    @Test
    void replaysWhatWasWrittenInOrderWithinBounds() {
        writeEvents("Rollup|a", 1, 10);
        writeEvents("Rollup|b", 1, 3);
        // an id that is a prefix of another must not see the other's events
        writeEvents("Rollup|a|x", 1, 2);
        Replay all = replay("Rollup|a", 1, Long.MAX_VALUE, Long.MAX_VALUE);
        assertEquals(range(1, 10), all.seqNrs());
        assertEquals("event-7", all.payloads().get(6));
        assertEquals(10, all.highest());
        assertEquals(range(3, 6), replay("Rollup|a", 3, 6, Long.MAX_VALUE).seqNrs());
        assertEquals(range(4, 5), replay("Rollup|a", 4, Long.MAX_VALUE, 2).seqNrs());
        assertEquals(range(1, 3), replay("Rollup|b", 1, Long.MAX_VALUE, Long.MAX_VALUE).seqNrs());
        Replay none = replay("Rollup|nobody", 1, Long.MAX_VALUE, Long.MAX_VALUE);
        assertEquals(List.of(), none.seqNrs());
        assertEquals(0, none.highest());
    }

    @Test
    void anAtomicWriteOfSeveralEventsIsReplayedWhole() {
        List<Object> replies = write(List.of(List.of(repr("Rollup|a", 1, "one"), repr("Rollup|a", 2, "two"),
                repr("Rollup|a", 3, "three"))));
        assertEquals(3, replies.size());
        replies.forEach(r -> assertInstanceOf(JournalProtocol.WriteMessageSuccess.class, r));
        assertEquals(List.of("one", "two", "three"), replay("Rollup|a", 1, Long.MAX_VALUE, Long.MAX_VALUE).payloads());
    }

    @Test
    void anUnserializableEventIsRejectedAloneAndTheOthersAreWritten() {
        List<Object> replies = write(List.of(
                List.of(repr("Rollup|a", 1, "fine")),
                List.of(repr("Rollup|b", 1, new Unserializable())),
                List.of(repr("Rollup|c", 1, "also fine"))));
        assertInstanceOf(JournalProtocol.WriteMessageSuccess.class, replies.get(0));
        assertInstanceOf(JournalProtocol.WriteMessageRejected.class, replies.get(1));
        assertInstanceOf(JournalProtocol.WriteMessageSuccess.class, replies.get(2));
        assertEquals(List.of("fine"), replay("Rollup|a", 1, Long.MAX_VALUE, Long.MAX_VALUE).payloads());
        assertEquals(List.of(), replay("Rollup|b", 1, Long.MAX_VALUE, Long.MAX_VALUE).payloads());
        assertEquals(List.of("also fine"), replay("Rollup|c", 1, Long.MAX_VALUE, Long.MAX_VALUE).payloads());
        // the journal goes on taking writes, also for the rejected id
        writeEvents("Rollup|b", 1, 2);
        assertEquals(range(1, 2), replay("Rollup|b", 1, Long.MAX_VALUE, Long.MAX_VALUE).seqNrs());
    }

    @Test
    void deleteToRemovesEventsButKeepsTheHighestSequenceNrAcrossARestart() {
        writeEvents("Rollup|a", 1, 10);
        writeEvents("Rollup|b", 1, 4);
        journal.tell(new JournalProtocol.DeleteMessagesTo("Rollup|a", 6, probeRef), ActorRef.noSender());
        assertEquals(6, probe.expectMessageClass(DeleteMessagesSuccess.class, WAIT).toSequenceNr());
        Replay after = replay("Rollup|a", 1, Long.MAX_VALUE, Long.MAX_VALUE);
        assertEquals(range(7, 10), after.seqNrs());
        assertEquals(10, after.highest());
        journal.tell(new JournalProtocol.DeleteMessagesTo("Rollup|a", Long.MAX_VALUE, probeRef), ActorRef.noSender());
        probe.expectMessageClass(DeleteMessagesSuccess.class, WAIT);
        restart();
        Replay empty = replay("Rollup|a", 1, Long.MAX_VALUE, Long.MAX_VALUE);
        assertEquals(List.of(), empty.seqNrs());
        assertEquals(10, empty.highest(), "a deleted journal still knows its highest sequence number");
        assertEquals(range(1, 4), replay("Rollup|b", 1, Long.MAX_VALUE, Long.MAX_VALUE).seqNrs(), "other ids untouched");
        writeEvents("Rollup|a", 11, 12);
        assertEquals(range(11, 12), replay("Rollup|a", 1, Long.MAX_VALUE, Long.MAX_VALUE).seqNrs());
    }

    private void saveSnapshot(String pid, long seqNr, long timestamp, Object snapshot) {
        snapshots.tell(new SnapshotProtocol.SaveSnapshot(SnapshotMetadata.apply(pid, seqNr, timestamp), snapshot), probeRef);
        probe.expectMessageClass(SaveSnapshotSuccess.class, WAIT);
    }

    private Optional<SelectedSnapshot> loadSnapshot(String pid, SnapshotSelectionCriteria criteria) {
        snapshots.tell(new SnapshotProtocol.LoadSnapshot(pid, criteria, Long.MAX_VALUE), probeRef);
        SnapshotProtocol.LoadSnapshotResult r = probe.expectMessageClass(SnapshotProtocol.LoadSnapshotResult.class, WAIT);
        return Optional.ofNullable(r.snapshot().getOrElse(() -> null));
    }

    @Test
    void snapshotsAreSavedSelectedByCriteriaAndDeleted() {
        assertTrue(loadSnapshot("Rollup|a", SnapshotSelectionCriteria.latest()).isEmpty());
        saveSnapshot("Rollup|a", 10, 1_000, "state-10");
        saveSnapshot("Rollup|a", 20, 2_000, "state-20");
        saveSnapshot("Rollup|a", 30, 3_000, "state-30");
        saveSnapshot("Rollup|b", 5, 1_500, "b-5");
        SelectedSnapshot latest = loadSnapshot("Rollup|a", SnapshotSelectionCriteria.latest()).orElseThrow();
        assertEquals(30, latest.metadata().sequenceNr());
        assertEquals("state-30", latest.snapshot());
        assertEquals("state-20", loadSnapshot("Rollup|a", SnapshotSelectionCriteria.create(25, Long.MAX_VALUE))
                .orElseThrow().snapshot());
        assertTrue(loadSnapshot("Rollup|a", SnapshotSelectionCriteria.create(9, Long.MAX_VALUE)).isEmpty());
        // (no minimum bounds on load: pekko-persistence-jdbc ignores them, and Flotilla's entities never set them)
        // the store stamps a snapshot when it saves it: select by those stamps
        long t10 = loadSnapshot("Rollup|a", SnapshotSelectionCriteria.create(10, Long.MAX_VALUE)).orElseThrow()
                .metadata().timestamp();
        assertTrue(t10 > 0);
        assertTrue(loadSnapshot("Rollup|a", SnapshotSelectionCriteria.create(Long.MAX_VALUE, t10)).orElseThrow()
                .metadata().timestamp() <= t10);
        assertTrue(loadSnapshot("Rollup|a", SnapshotSelectionCriteria.create(Long.MAX_VALUE, t10 - 1)).isEmpty());

        snapshots.tell(new SnapshotProtocol.DeleteSnapshot(latest.metadata()), probeRef);
        probe.expectMessageClass(DeleteSnapshotSuccess.class, WAIT);
        assertEquals(20, loadSnapshot("Rollup|a", SnapshotSelectionCriteria.latest()).orElseThrow().metadata().sequenceNr());
        snapshots.tell(new SnapshotProtocol.DeleteSnapshots("Rollup|a", SnapshotSelectionCriteria.create(20, Long.MAX_VALUE)),
                probeRef);
        probe.expectMessageClass(DeleteSnapshotsSuccess.class, WAIT);
        assertTrue(loadSnapshot("Rollup|a", SnapshotSelectionCriteria.latest()).isEmpty());
        restart();
        assertEquals("b-5", loadSnapshot("Rollup|b", SnapshotSelectionCriteria.latest()).orElseThrow().snapshot(),
                "other ids untouched, and snapshots survive a restart");
    }

    @Test
    void anUnserializableSnapshotFailsItsSaveOnly() {
        snapshots.tell(new SnapshotProtocol.SaveSnapshot(SnapshotMetadata.apply("Rollup|a", 1, 1), new Unserializable()),
                probeRef);
        probe.expectMessageClass(org.apache.pekko.persistence.SaveSnapshotFailure.class, WAIT);
        saveSnapshot("Rollup|a", 2, 2, "fine");
        assertEquals("fine", loadSnapshot("Rollup|a", SnapshotSelectionCriteria.latest()).orElseThrow().snapshot());
    }

    @Test
    void theReaderSeesTheLatestSnapshotAndTheEventsAfterIt() {
        writeEvents("Rollup|a", 1, 8);
        saveSnapshot("Rollup|a", 5, 1_000, "state-5");
        writeEvents("Rollup|b", 1, 1);
        stop();
        try (EventJournalReader r = io.flotilla.actors.node.EmbeddedJournal.openReader(dataDir)) {
            assertNotNull(r);
            assertEquals(java.util.Set.of("Rollup|a", "Rollup|b"), new java.util.HashSet<>(r.persistenceIds()));
            EventJournalReader.Stored s = r.latestSnapshot("Rollup|a").orElseThrow();
            assertEquals(5, s.sequenceNr());
            List<Long> after = r.eventsAfter("Rollup|a", s.sequenceNr()).stream()
                    .map(EventJournalReader.Stored::sequenceNr).toList();
            assertEquals(range(6, 8), after);
            assertTrue(r.latestSnapshot("Rollup|b").isEmpty());
        }
    }
}
