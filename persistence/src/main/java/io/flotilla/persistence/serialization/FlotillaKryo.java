package io.flotilla.persistence.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import io.flotilla.persistence.events.CommitmentPublished;
import io.flotilla.persistence.events.L2BlockProduced;
import io.flotilla.persistence.events.LccUpdated;
import io.flotilla.persistence.events.Reverted;
import io.flotilla.persistence.events.RollupOriginated;
import io.flotilla.persistence.events.RollupStuck;

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
 * </table>
 *
 * <p>Kryo instances are not thread-safe: {@link #toBytes} and {@link #fromBytes} borrow one from a pool (and an
 * Output/Input buffer) per call. Bytes are {@code writeClassAndObject}: Kryo's varint of the registration id, then
 * the serializer's output, which starts with the event's format version byte.
 */
public final class FlotillaKryo {
    public static final int ROLLUP_ORIGINATED = 100;
    public static final int L2_BLOCK_PRODUCED = 101;
    public static final int REVERTED = 102;
    public static final int COMMITMENT_PUBLISHED = 103;
    public static final int LCC_UPDATED = 104;
    public static final int ROLLUP_STUCK = 105;

    private static final int POOL_SIZE = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

    private static final Pool<Kryo> KRYOS = new Pool<>(true, false, POOL_SIZE) {
        @Override
        protected Kryo create() {
            return newKryo();
        }
    };

    private static final Pool<Output> OUTPUTS = new Pool<>(true, false, POOL_SIZE) {
        @Override
        protected Output create() {
            return new Output(1024, -1);
        }
    };

    private FlotillaKryo() {
    }

    /** A new, fully registered Kryo instance (not thread-safe; prefer the pooled {@link #toBytes}/{@link #fromBytes}). */
    public static Kryo newKryo() {
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
        return k;
    }

    /** Whether {@code type} is registered (so {@link #toBytes} accepts its instances). */
    public static boolean isRegistered(Class<?> type) {
        Kryo k = KRYOS.obtain();
        try {
            return k.getClassResolver().getRegistration(type) != null;
        } finally {
            KRYOS.free(k);
        }
    }

    /** Class id and content of {@code o}, whose class must be registered. */
    public static byte[] toBytes(Object o) {
        Kryo k = KRYOS.obtain();
        Output out = OUTPUTS.obtain();
        try {
            out.reset();
            k.writeClassAndObject(out, o);
            return out.toBytes();
        } finally {
            if (out.getBuffer().length > 1 << 20) {
                out.setBuffer(new byte[1024], -1); // do not keep a huge buffer in the pool
            }
            OUTPUTS.free(out);
            KRYOS.free(k);
        }
    }

    /** The object written by {@link #toBytes}; a {@link KryoException} for unknown ids, versions or trailing bytes. */
    public static Object fromBytes(byte[] bytes) {
        Kryo k = KRYOS.obtain();
        try {
            Input in = new Input(bytes);
            Object o = k.readClassAndObject(in);
            if (in.position() != bytes.length) {
                throw new KryoException((bytes.length - in.position()) + " trailing bytes after "
                        + (o == null ? "null" : o.getClass().getSimpleName()));
            }
            return o;
        } finally {
            KRYOS.free(k);
        }
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
