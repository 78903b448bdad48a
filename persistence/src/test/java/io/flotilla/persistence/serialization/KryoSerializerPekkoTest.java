package io.flotilla.persistence.serialization;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The serializer as Pekko uses it: configured by name, bound to the event interface, the snapshot and the
 * {@link KryoMessage} marker, found by class, with a registrar from configuration.
 */
class KryoSerializerPekkoTest {
    /** A message of "another module". */
    record Ping(String text) implements KryoMessage {
    }

    public static final class Registrar implements FlotillaKryo.Registrar {
        static volatile boolean systemSeen;

        public Registrar(ExtendedActorSystem system) {
            systemSeen = system != null;
        }

        @Override
        public void register(FlotillaKryo.Registrations r) {
            r.add(Ping.class, new com.esotericsoftware.kryo.Serializer<Ping>() {
                @Override
                public void write(com.esotericsoftware.kryo.Kryo kryo, com.esotericsoftware.kryo.io.Output out,
                                  Ping p) {
                    out.writeString(p.text());
                }

                @Override
                public Ping read(com.esotericsoftware.kryo.Kryo kryo, com.esotericsoftware.kryo.io.Input in,
                                 Class<? extends Ping> type) {
                    return new Ping(in.readString());
                }
            }, 1000);
        }
    }

    static final String CONFIG = """
            pekko.actor {
              serializers { flotilla-kryo = "io.flotilla.persistence.serialization.KryoSerializer" }
              serialization-bindings {
                "io.flotilla.persistence.events.RollupEvent" = flotilla-kryo
                "io.flotilla.persistence.snapshots.RollupSnapshot" = flotilla-kryo
                "io.flotilla.persistence.serialization.KryoMessage" = flotilla-kryo
              }
              allow-java-serialization = off
            }
            flotilla.kryo.registrars = ["io.flotilla.persistence.serialization.KryoSerializerPekkoTest$Registrar"]
            pekko.loglevel = WARNING
            pekko.stdout-loglevel = WARNING
            """;

    @Test
    void pekkoFindsAndUsesTheSerializer() throws Exception {
        Config config = ConfigFactory.parseString(CONFIG).withFallback(ConfigFactory.load());
        ActorSystem system = ActorSystem.create("kryo-test", config);
        try {
            Serialization serialization = SerializationExtension.get(system);
            List<Object> all = new ArrayList<>(EventSamples.v1().values());
            all.addAll(EventSamples.snapshotsV1().values());
            all.add(new Ping("across nodes"));
            for (Object e : all) {
                Serializer s = serialization.findSerializerFor(e);
                assertInstanceOf(KryoSerializer.class, s);
                assertEquals(KryoSerializer.IDENTIFIER, s.identifier());
                byte[] bytes = serialization.serialize(e).get();
                String manifest = Serializers.manifestFor(s, e);
                assertEquals("", manifest);
                assertEquals(e, serialization.deserialize(bytes, s.identifier(), manifest).get());
            }
            assertTrue(Registrar.systemSeen, "the registrar was constructed with the actor system");
        } finally {
            system.terminate();
            scala.concurrent.Await.result(system.whenTerminated(),
                    scala.concurrent.duration.Duration.create(10, TimeUnit.SECONDS));
        }
    }
}
