package io.flotilla.persistence.serialization;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flotilla.persistence.events.RollupEvent;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** The serializer as Pekko uses it: configured by name, bound to the event interface, found by class. */
class KryoSerializerPekkoTest {
    static final String CONFIG = """
            pekko.actor {
              serializers { flotilla-kryo = "io.flotilla.persistence.serialization.KryoSerializer" }
              serialization-bindings { "io.flotilla.persistence.events.RollupEvent" = flotilla-kryo }
            }
            pekko.loglevel = WARNING
            pekko.stdout-loglevel = WARNING
            """;

    @Test
    void pekkoFindsAndUsesTheSerializer() throws Exception {
        Config config = ConfigFactory.parseString(CONFIG).withFallback(ConfigFactory.load());
        ActorSystem system = ActorSystem.create("kryo-test", config);
        try {
            Serialization serialization = SerializationExtension.get(system);
            for (RollupEvent e : EventSamples.v1().values()) {
                Serializer s = serialization.findSerializerFor(e);
                assertInstanceOf(KryoSerializer.class, s);
                assertEquals(KryoSerializer.IDENTIFIER, s.identifier());
                byte[] bytes = serialization.serialize(e).get();
                String manifest = Serializers.manifestFor(s, e);
                assertEquals("", manifest);
                assertEquals(e, serialization.deserialize(bytes, s.identifier(), manifest).get());
            }
        } finally {
            system.terminate();
            scala.concurrent.Await.result(system.whenTerminated(),
                    scala.concurrent.duration.Duration.create(10, TimeUnit.SECONDS));
        }
    }
}
