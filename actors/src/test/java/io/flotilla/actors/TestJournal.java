package io.flotilla.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;

/**
 * Test configuration: the persistence testkit's in-memory journal and snapshot store, with the
 * node's Kryo bindings, so every persisted event and snapshot round-trips through its serializer.
 */
public final class TestJournal {
    private TestJournal() {}

    public static Config config() {
        return PersistenceTestKitPlugin.getInstance().config()
                .withFallback(PersistenceTestKitSnapshotPlugin.config())
                .withFallback(ConfigFactory.parseResources("flotilla-serialization.conf"))
                .withFallback(ConfigFactory.load());
    }
}
