package io.flotilla.persistence.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import io.flotilla.persistence.events.CommitmentPublished;
import io.flotilla.persistence.events.L1BlockAdded;
import io.flotilla.persistence.events.L1ChainReverted;
import io.flotilla.persistence.events.L2BlockProduced;
import io.flotilla.persistence.events.LccUpdated;
import io.flotilla.persistence.events.OutboxHandled;
import io.flotilla.persistence.events.Reverted;
import io.flotilla.persistence.events.RollupOriginated;
import io.flotilla.persistence.events.RollupStuck;
import io.flotilla.persistence.snapshots.RollupSnapshot;
import java.util.List;
import java.util.Objects;

/**
 * Flotilla's Kryo configuration: explicit registration only ({@code registrationRequired}), no references, one
 * hand-written serializer per class, and fixed registration ids that are part of the journal format.
 *
 * <table>
 *   <caption>Registration ids (never reuse or renumber one; retire ids by leaving a gap)</caption>
 *   <tr><th>id</th><th>class</th></tr>
 *   <tr><td>100</td><td>{@link RollupOriginated}</td></tr>
 *   <tr><td>101</td><td>{@link L2BlockProduced}</td></tr>
 *   <tr><td>102</td><td>{@link Reverted}</td></tr>
 *   <tr><td>103</td><td>{@link CommitmentPublished}</td></tr>
 *   <tr><td>104</td><td>{@link LccUpdated}</td></tr>
 *   <tr><td>105</td><td>{@link RollupStuck}</td></tr>
 *   <tr><td>106</td><td>{@link OutboxHandled}</td></tr>
 *   <tr><td>107</td><td>{@link L1BlockAdded} (L1 chain actor)</td></tr>
 *   <tr><td>108</td><td>{@link L1ChainReverted} (L1 chain actor)</td></tr>
 *   <tr><td>150</td><td>{@link RollupSnapshot} (snapshot store)</td></tr>
 *   <tr><td>1000 and up</td><td>extra registrations of other modules ({@link Registrar}), e.g. messages that cross
 *   nodes; never journaled</td></tr>
 * </table>
 *
 * <p>Kryo instances are not thread-safe: {@link #toBytes} and {@link #fromBytes} borrow one from a pool (and an
 * Output buffer) per call. Bytes are {@code writeClassAndObject}: Kryo's varint of the registration id, then
 * the serializer's output, which starts with the class's format version byte.
 *
 * <p>Other modules cannot add their classes here (persistence does not depend on them); they register them at
 * startup instead through a {@link Registrar} named in {@code flotilla.kryo.registrars}, which
 * {@link KryoSerializer} instantiates with the actor system. Such classes get ids from {@value #FIRST_EXTRA_ID}
 * up and may not replace a built-in registration.
 */
public final class FlotillaKryo {
    public static final int ROLLUP_ORIGINATED = 100;
    public static final int L2_BLOCK_PRODUCED = 101;
    public static final int REVERTED = 102;
    public static final int COMMITMENT_PUBLISHED = 103;
    public static final int LCC_UPDATED = 104;
    public static final int ROLLUP_STUCK = 105;
    public static final int OUTBOX_HANDLED = 106;
    public static final int L1_BLOCK_ADDED = 107;
    public static final int L1_CHAIN_REVERTED = 108;
    public static final int ROLLUP_SNAPSHOT = 150;
    /** The lowest id a {@link Registrar} may use. */
    public static final int FIRST_EXTRA_ID = 1000;

    private static final int POOL_SIZE = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

    /**
     * Adds registrations to every Kryo instance of a {@link Codec} (called once per pooled instance, so it must be
     * cheap and always register the same classes with the same ids). An implementation named in
     * {@code flotilla.kryo.registrars} needs a public constructor taking an
     * {@link org.apache.pekko.actor.ExtendedActorSystem}, or a
     * public no-argument one.
     */
    @FunctionalInterface
    public interface Registrar {
        void register(Registrations registrations);
    }

    /** What a {@link Registrar} may do with a Kryo instance: add classes with ids from {@value #FIRST_EXTRA_ID}. */
    public static final class Registrations {
        private final Kryo kryo;

        private Registrations(Kryo kryo) {
            this.kryo = kryo;
        }

        public <T> void add(Class<T> type, Serializer<T> serializer, int id) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(serializer, "serializer");
            if (id < FIRST_EXTRA_ID) {
                throw new IllegalArgumentException("extra Kryo registration " + type.getName() + " has id " + id
                        + "; ids below " + FIRST_EXTRA_ID + " are reserved for the persistence module");
            }
            Registration taken = kryo.getRegistration(id);
            if (taken != null) {
                throw new IllegalArgumentException("Kryo id " + id + " of " + type.getName()
                        + " is already registered for " + taken.getType().getName());
            }
            if (kryo.getClassResolver().getRegistration(type) != null) {
                throw new IllegalArgumentException(type.getName() + " is already registered");
            }
            kryo.register(type, serializer, id);
        }
    }

    /** A pool of Kryo instances with one configuration, and the buffers to use them; thread-safe. */
    public static final class Codec {
        private final Pool<Kryo> kryos;
        private final Pool<Output> outputs;

        private Codec(List<Registrar> registrars) {
            List<Registrar> extra = List.copyOf(registrars);
            newKryo(extra); // fail now, not on the first message, when a registrar is wrong
            this.kryos = new Pool<>(true, false, POOL_SIZE) {
                @Override
                protected Kryo create() {
                    return newKryo(extra);
                }
            };
            this.outputs = new Pool<>(true, false, POOL_SIZE) {
                @Override
                protected Output create() {
                    return new Output(1024, -1);
                }
            };
        }

        /** Whether {@code type} is registered (so {@link #toBytes} accepts its instances). */
        public boolean isRegistered(Class<?> type) {
            Kryo k = kryos.obtain();
            try {
                return k.getClassResolver().getRegistration(type) != null;
            } finally {
                kryos.free(k);
            }
        }

        /** Class id and content of {@code o}, whose class must be registered. */
        public byte[] toBytes(Object o) {
            Kryo k = kryos.obtain();
            Output out = outputs.obtain();
            try {
                out.reset();
                k.writeClassAndObject(out, o);
                return out.toBytes();
            } finally {
                if (out.getBuffer().length > 1 << 20) {
                    out.setBuffer(new byte[1024], -1); // do not keep a huge buffer in the pool
                }
                outputs.free(out);
                kryos.free(k);
            }
        }

        /** The object written by {@link #toBytes}; a {@link KryoException} for unknown ids, versions or trailing bytes. */
        public Object fromBytes(byte[] bytes) {
            Kryo k = kryos.obtain();
            try {
                Input in = new Input(bytes);
                Object o = k.readClassAndObject(in);
                if (in.position() != bytes.length) {
                    throw new KryoException((bytes.length - in.position()) + " trailing bytes after "
                            + (o == null ? "null" : o.getClass().getSimpleName()));
                }
                return o;
            } finally {
                kryos.free(k);
            }
        }
    }

    private static final Codec DEFAULT = new Codec(List.of());

    private FlotillaKryo() {
    }

    /** A codec for the built-in classes plus those of {@code registrars} (checked here: bad ids fail now). */
    public static Codec codec(List<Registrar> registrars) {
        return registrars.isEmpty() ? DEFAULT : new Codec(registrars);
    }

    /** The codec for the built-in classes (events and snapshots) only. */
    public static Codec codec() {
        return DEFAULT;
    }

    /** A new Kryo instance with the built-in registrations (not thread-safe; prefer the pooled {@link #toBytes}/{@link #fromBytes}). */
    public static Kryo newKryo() {
        return newKryo(List.of());
    }

    private static Kryo newKryo(List<Registrar> registrars) {
        Kryo k = new Kryo();
        k.setRegistrationRequired(true);
        k.setReferences(false);
        k.register(RollupOriginated.class, new EventSerializers.RollupOriginatedSerializer(), ROLLUP_ORIGINATED);
        k.register(L2BlockProduced.class, new EventSerializers.L2BlockProducedSerializer(), L2_BLOCK_PRODUCED);
        k.register(Reverted.class, new EventSerializers.RevertedSerializer(), REVERTED);
        k.register(CommitmentPublished.class, new EventSerializers.CommitmentPublishedSerializer(),
                COMMITMENT_PUBLISHED);
        k.register(LccUpdated.class, new EventSerializers.LccUpdatedSerializer(), LCC_UPDATED);
        k.register(RollupStuck.class, new EventSerializers.RollupStuckSerializer(), ROLLUP_STUCK);
        k.register(OutboxHandled.class, new EventSerializers.OutboxHandledSerializer(), OUTBOX_HANDLED);
        k.register(L1BlockAdded.class, new EventSerializers.L1BlockAddedSerializer(), L1_BLOCK_ADDED);
        k.register(L1ChainReverted.class, new EventSerializers.L1ChainRevertedSerializer(), L1_CHAIN_REVERTED);
        k.register(RollupSnapshot.class, new EventSerializers.RollupSnapshotSerializer(), ROLLUP_SNAPSHOT);
        Registrations r = new Registrations(k);
        for (Registrar registrar : registrars) {
            registrar.register(r);
        }
        return k;
    }

    /** Whether {@code type} is a built-in registration. */
    public static boolean isRegistered(Class<?> type) {
        return DEFAULT.isRegistered(type);
    }

    /** Class id and content of {@code o}, whose class must be a built-in registration. */
    public static byte[] toBytes(Object o) {
        return DEFAULT.toBytes(o);
    }

    /** The object written by {@link #toBytes}; a {@link KryoException} for unknown ids, versions or trailing bytes. */
    public static Object fromBytes(byte[] bytes) {
        return DEFAULT.fromBytes(bytes);
    }

    /** {@link #fromBytes(byte[])} checked against {@code type}. */
    public static <T> T fromBytes(byte[] bytes, Class<T> type) {
        Object o = fromBytes(bytes);
        if (!type.isInstance(o)) {
            throw new KryoException("expected " + type.getName() + ", read "
                    + (o == null ? "null" : o.getClass().getName()));
        }
        return type.cast(o);
    }
}
