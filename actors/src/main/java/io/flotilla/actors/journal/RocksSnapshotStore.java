package io.flotilla.actors.journal;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.snapshot.japi.SnapshotStore;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * Pekko persistence snapshot store plugin on the same RocksDB as {@link RocksJournal} ({@code dir} in its
 * configuration): snapshots under {@code 'S' | pid | seqNr}, written by the store's group commit (durable when
 * acknowledged), loaded by a reverse range scan from the criteria's highest sequence number.
 */
public final class RocksSnapshotStore extends SnapshotStore {
    private final RocksJournalStore store;
    private final Serialization serialization;

    /** The constructor Pekko calls with the plugin's configuration. */
    public RocksSnapshotStore(Config config) {
        this.store = RocksJournalStore.acquire(Path.of(config.getString("dir")));
        this.serialization = SerializationExtension.get(context().system());
    }

    private static boolean matches(SnapshotSelectionCriteria c, long seqNr, long timestamp) {
        return seqNr <= c.maxSequenceNr() && seqNr >= c.minSequenceNr()
                && timestamp <= c.maxTimestamp() && timestamp >= c.minTimestamp();
    }

    @Override
    public Future<Optional<SelectedSnapshot>> doLoadAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
        return FutureConverters.asScala(CompletableFuture.supplyAsync(() -> {
            try (RocksJournalStore.View v = store.view()) {
                return v.latestSnapshot(persistenceId, criteria.maxSequenceNr(),
                                s -> matches(criteria, s.sequenceNr(), s.timestamp()))
                        .map(s -> SelectedSnapshot.create(
                                SnapshotMetadata.apply(persistenceId, s.sequenceNr(), s.timestamp()),
                                serialization.deserialize(s.payload().bytes(), s.payload().serializerId(),
                                        s.payload().manifest()).get()));
            }
        }, store.readExecutor()));
    }

    @Override
    public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
        RocksJournalStore.Payload p;
        try {
            p = RocksJournal.serialize(serialization, snapshot);
        } catch (RuntimeException e) {
            return FutureConverters.asScala(CompletableFuture.failedFuture(e));
        }
        return FutureConverters.asScala(store.putSnapshot(metadata.persistenceId(), metadata.sequenceNr(),
                metadata.timestamp(), p));
    }

    @Override
    public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
        return FutureConverters.asScala(store.deleteSnapshots(metadata.persistenceId(), List.of(metadata.sequenceNr())));
    }

    @Override
    public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
        return FutureConverters.asScala(CompletableFuture.supplyAsync(() -> {
            List<Long> doomed = new ArrayList<>();
            try (RocksJournalStore.View v = store.view()) {
                for (long[] k : v.snapshotKeys(persistenceId)) {
                    if (matches(criteria, k[0], k[1])) {
                        doomed.add(k[0]);
                    }
                }
            }
            return doomed;
        }, store.readExecutor()).thenCompose(d -> store.deleteSnapshots(persistenceId, d)));
    }

    @Override
    public void postStop() throws Exception {
        store.release();
        super.postStop();
    }
}
