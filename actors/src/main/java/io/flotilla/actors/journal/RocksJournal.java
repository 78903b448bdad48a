package io.flotilla.actors.journal;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.rocksdb.WriteBatch;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * Pekko persistence journal plugin on the data directory's RocksDB ({@link RocksJournalStore}): events are serialized
 * with Pekko's serialization (serializer id, manifest and bytes; Flotilla's events use {@code flotilla-kryo}), written
 * by the store's group commit and acknowledged once durable. Configured by {@code dir} (the RocksDB directory).
 *
 * <p>Pekko's contract: an {@link AtomicWrite} whose events cannot be serialized is rejected on its own (the entity
 * gets a rejection and goes on), the others of the call are written; a failed RocksDB write fails the whole call.
 */
public final class RocksJournal extends AsyncWriteJournal {
    private final RocksJournalStore store;
    private final Serialization serialization;

    /** The constructor Pekko calls with the plugin's configuration. */
    public RocksJournal(Config config) {
        this.store = RocksJournalStore.acquire(Path.of(config.getString("dir")));
        this.serialization = SerializationExtension.get(context().system());
    }

    static RocksJournalStore.Payload serialize(Serialization serialization, Object o) {
        Serializer s = serialization.findSerializerFor(o);
        return new RocksJournalStore.Payload(s.identifier(), Serializers.manifestFor(s, o), s.toBinary(o));
    }

    private record Serialized(String pid, long seqNr, byte[] value) {}

    @Override
    public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
        List<Optional<Exception>> results = new ArrayList<>();
        List<Serialized> accepted = new ArrayList<>();
        for (AtomicWrite w : messages) {
            List<Serialized> these = new ArrayList<>();
            try {
                for (PersistentRepr r : CollectionConverters.asJava(w.payload())) {
                    Object payload = r.payload() instanceof Tagged t ? t.payload() : r.payload();
                    RocksJournalStore.Payload p = serialize(serialization, payload);
                    long ts = r.timestamp() == 0 ? System.currentTimeMillis() : r.timestamp();
                    these.add(new Serialized(r.persistenceId(), r.sequenceNr(),
                            RocksJournalStore.eventValue(ts, r.manifest(), r.writerUuid(), p)));
                }
            } catch (Exception e) {
                // the contract: reject this write only
                results.add(Optional.of(e));
                continue;
            }
            accepted.addAll(these);
            results.add(Optional.empty());
        }
        if (accepted.isEmpty()) {
            return FutureConverters.asScala(CompletableFuture.completedFuture(results));
        }
        CompletableFuture<Void> durable = store.submit((WriteBatch wb) -> {
            for (Serialized s : accepted) {
                RocksJournalStore.putEvent(wb, s.pid(), s.seqNr(), s.value());
            }
        });
        return FutureConverters.asScala(durable.thenApply(v -> (Iterable<Optional<Exception>>) results));
    }

    @Override
    public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
        return FutureConverters.asScala(store.deleteEventsTo(persistenceId, toSequenceNr));
    }

    @Override
    public Future<Void> doAsyncReplayMessages(String persistenceId, long fromSequenceNr, long toSequenceNr, long max,
                                              Consumer<PersistentRepr> replayCallback) {
        return FutureConverters.asScala(CompletableFuture.runAsync(() -> {
            try (RocksJournalStore.View v = store.view()) {
                v.events(persistenceId, fromSequenceNr, toSequenceNr, max, e -> {
                    Object payload = serialization.deserialize(e.payload().bytes(), e.payload().serializerId(),
                            e.payload().manifest()).get();
                    replayCallback.accept(PersistentRepr.apply(payload, e.sequenceNr(), persistenceId,
                            e.eventManifest(), false, ActorRef.noSender(), e.writerUuid()).withTimestamp(e.timestamp()));
                });
            }
        }, store.readExecutor()));
    }

    @Override
    public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
        return FutureConverters.asScala(CompletableFuture.supplyAsync(() -> {
            try (RocksJournalStore.View v = store.view()) {
                return v.highestSequenceNr(persistenceId);
            }
        }, store.readExecutor()));
    }

    @Override
    public void postStop() throws Exception {
        store.release();
        super.postStop();
    }
}
