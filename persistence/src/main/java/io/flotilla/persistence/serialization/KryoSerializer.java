package io.flotilla.persistence.serialization;

import com.typesafe.config.Config;
import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.JSerializer;

/**
 * A Pekko serializer over {@link FlotillaKryo}: the bytes carry the Kryo registration id, so no manifest is needed
 * ({@link #includeManifest()} is false) and renaming or moving a class does not break old journals, only its
 * registration id matters. Configure:
 *
 * <pre>
 * pekko.actor {
 *   serializers { flotilla-kryo = "io.flotilla.persistence.serialization.KryoSerializer" }
 *   serialization-bindings {
 *     "io.flotilla.persistence.events.RollupEvent" = flotilla-kryo
 *     "io.flotilla.persistence.snapshots.RollupSnapshot" = flotilla-kryo
 *     "io.flotilla.persistence.serialization.KryoMessage" = flotilla-kryo
 *   }
 * }
 * flotilla.kryo.registrars = ["some.Module$KryoRegistrar"]   # optional: classes of other modules (KryoMessage)
 * </pre>
 *
 * Identifier {@value #IDENTIFIER} is stored next to each journaled event: never change it.
 */
public final class KryoSerializer extends JSerializer {
    public static final int IDENTIFIER = 7177;
    /** Configuration path of the list of {@link FlotillaKryo.Registrar} class names. */
    public static final String REGISTRARS = "flotilla.kryo.registrars";

    private final FlotillaKryo.Codec codec;

    /** Built-in registrations only. */
    public KryoSerializer() {
        this.codec = FlotillaKryo.codec();
    }

    /** The constructor Pekko uses: built-in registrations plus those of the registrars in {@value #REGISTRARS}. */
    public KryoSerializer(ExtendedActorSystem system) {
        this.codec = FlotillaKryo.codec(registrars(system));
    }

    static List<FlotillaKryo.Registrar> registrars(ExtendedActorSystem system) {
        Config config = system.settings().config();
        if (!config.hasPath(REGISTRARS)) {
            return List.of();
        }
        List<FlotillaKryo.Registrar> out = new ArrayList<>();
        for (String name : config.getStringList(REGISTRARS)) {
            out.add(instantiate(name, system));
        }
        return out;
    }

    private static FlotillaKryo.Registrar instantiate(String name, ExtendedActorSystem system) {
        try {
            Class<?> c = Class.forName(name, true, system.dynamicAccess().classLoader());
            if (!FlotillaKryo.Registrar.class.isAssignableFrom(c)) {
                throw new IllegalArgumentException(REGISTRARS + ": " + name + " is not a FlotillaKryo.Registrar");
            }
            Constructor<?> ctor;
            try {
                ctor = c.getConstructor(ExtendedActorSystem.class);
                return (FlotillaKryo.Registrar) ctor.newInstance(system);
            } catch (NoSuchMethodException e) {
                return (FlotillaKryo.Registrar) c.getConstructor().newInstance();
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(REGISTRARS + ": cannot instantiate " + name + ": " + e, e);
        }
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
        return codec.toBytes(o);
    }

    @Override
    public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
        return codec.fromBytes(bytes);
    }
}
