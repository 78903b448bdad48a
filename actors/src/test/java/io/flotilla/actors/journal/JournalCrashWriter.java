package io.flotilla.actors.journal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flotilla.actors.node.EmbeddedJournal;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.PersistentEnvelope;
import org.apache.pekko.persistence.PersistentRepr;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The process {@link RocksJournalCrashTest} kills: writes events of {@value #IDS} persistence ids to the data
 * directory's RocksDB journal as fast as the journal takes them and prints {@code ACK <pid> <seqNr>} once the journal
 * acknowledged an event, until it is killed.
 */
public final class JournalCrashWriter {
    static final int IDS = 8;

    private JournalCrashWriter() {}

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        EmbeddedJournal.prepare(dataDir);
        Config c = EmbeddedJournal.rocksConfig(dataDir)
                .withFallback(ConfigFactory.parseResources("flotilla-serialization.conf"))
                .withFallback(ConfigFactory.parseString("pekko.loglevel = WARNING"))
                .withFallback(ConfigFactory.load());
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
        AtomicLong acked = new AtomicLong();
        ActorSystem<Object> system = ActorSystem.create(Behaviors.receive(Object.class)
                .onMessage(JournalProtocol.WriteMessageSuccess.class, m -> {
                    // printed and flushed only once the journal says the event is durable
                    out.println("ACK " + m.persistent().persistenceId() + " " + m.persistent().sequenceNr());
                    out.flush();
                    acked.incrementAndGet();
                    return Behaviors.same();
                })
                .onAnyMessage(m -> Behaviors.same())
                .build(), "crash", c);
        ActorRef journal = Persistence.get(Adapter.toClassic(system)).journalFor("", ConfigFactory.empty());
        org.apache.pekko.actor.typed.ActorRef<Object> guardian = system;
        ActorRef replies = Adapter.toClassic(guardian);
        long sent = 0;
        for (long seq = 1; ; seq++) {
            for (int i = 0; i < IDS; i++) {
                PersistentRepr r = PersistentRepr.apply("event-" + seq, seq, "p" + i, "", false, ActorRef.noSender(), "w");
                List<PersistentEnvelope> w = List.of(new AtomicWrite(CollectionConverters.asScala(List.of(r)).toList()));
                journal.tell(new JournalProtocol.WriteMessages(CollectionConverters.asScala(w).toList(), replies, 1),
                        ActorRef.noSender());
                sent++;
            }
            // keep a bounded number of writes in flight
            while (sent - acked.get() > 400) {
                Thread.sleep(1);
            }
        }
    }
}
