package io.flotilla.persistence.serialization;

import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.JSerializer;

/**
 * A Pekko serializer over {@link FlotillaKryo}: the bytes carry the Kryo registration id, so no manifest is needed
 * ({@link #includeManifest()} is false) and renaming or moving an event class does not break old journals, only its
 * registration id matters. Configure:
 *
 * <pre>
 * pekko.actor {
 *   serializers { flotilla-kryo = "io.flotilla.persistence.serialization.KryoSerializer" }
 *   serialization-bindings { "io.flotilla.persistence.events.RollupEvent" = flotilla-kryo }
 * }
 * </pre>
 *
 * Identifier {@value #IDENTIFIER} is stored next to each journaled event: never change it.
 */
public final class KryoSerializer extends JSerializer {
    public static final int IDENTIFIER = 7177;

    public KryoSerializer() {
    }

    /** The constructor Pekko prefers; the system is not needed. */
    public KryoSerializer(ExtendedActorSystem system) {
    }

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public boolean includeManifest() {
        return false;
    }

    @Override
    public byte[] toBinary(Object o) {
        return FlotillaKryo.toBytes(o);
    }

    @Override
    public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
        return FlotillaKryo.fromBytes(bytes);
    }
}
