package io.flotilla.persistence.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
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

import java.util.ArrayList;
import java.util.List;

/**
 * Explicit, hand-written Kryo serializers for the domain events and the entity snapshot: the wire layout of every event is spelled out here
 * field by field (no reflection, no field-order surprises when a record changes).
 *
 * <p>Each event starts with a one-byte format version. Today every event is at version 1. To add a field: write
 * version 2 with the new field appended, keep the version-1 reader (filling a default), add a
 * {@code <Name>.v2.bin} golden file next to the v1 one. Never change what version 1 means.
 *
 * <p>Encodings used: int/long as Kryo variable-length positive-optimized ints/longs, strings as Kryo strings,
 * 32-byte hashes as their 32 raw bytes, optional hashes as a presence byte (0/1) then the bytes, byte strings as a
 * varint length then the bytes. Values that may be -1 (the snapshot's "not yet" levels) are zig-zag varints.
 */
final class EventSerializers {
    private EventSerializers() {
    }

    static final byte V1 = 1;

    private static int version(Input in, Class<?> type, int newest) {
        int v = in.readByte() & 0xff;
        if (v < 1 || v > newest) {
            throw new KryoException(type.getSimpleName() + " has format version " + v + "; this Flotilla reads 1.."
                    + newest + " (written by a newer version, or not a " + type.getSimpleName() + ")");
        }
        return v;
    }

    private static void hash(Output out, byte[] h) {
        out.writeBytes(h);
    }

    private static byte[] hash(Input in) {
        return in.readBytes(32);
    }

    private static void optionalHash(Output out, byte[] h) {
        out.writeBoolean(h != null);
        if (h != null) {
            hash(out, h);
        }
    }

    private static byte[] optionalHash(Input in) {
        return in.readBoolean() ? hash(in) : null;
    }

    private static void bytes(Output out, byte[] b) {
        out.writeVarInt(b.length, true);
        out.writeBytes(b);
    }

    private static byte[] bytes(Input in) {
        int n = in.readVarInt(true);
        if (n < 0 || n > 1 << 30) {
            throw new KryoException("implausible byte string length " + n);
        }
        return in.readBytes(n);
    }

    static final class RollupOriginatedSerializer extends Serializer<RollupOriginated> {
        RollupOriginatedSerializer() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output out, RollupOriginated e) {
            out.writeByte(V1);
            out.writeString(e.address());
            out.writeVarInt(e.originationLevel(), true);
            out.writeString(e.pvmVersion());
            out.writeString(e.mode());
            hash(out, e.kernelHash32());
            hash(out, e.genesisStateHash32());
            hash(out, e.genesisCommitmentHash32());
            hash(out, e.originationL1BlockHash32());
        }

        @Override
        public RollupOriginated read(Kryo kryo, Input in, Class<? extends RollupOriginated> type) {
            version(in, RollupOriginated.class, 1);
            return new RollupOriginated(in.readString(), in.readVarInt(true), in.readString(), in.readString(),
                    hash(in), hash(in), hash(in), hash(in));
        }
    }

    static final class L2BlockProducedSerializer extends Serializer<L2BlockProduced> {
        L2BlockProducedSerializer() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output out, L2BlockProduced e) {
            out.writeByte(V1);
            out.writeVarInt(e.level(), true);
            hash(out, e.l1BlockHash32());
            hash(out, e.predecessorL2Hash32());
            hash(out, e.inboxHash32());
            out.writeVarInt(e.messages().size(), true);
            for (byte[] m : e.messages()) {
                bytes(out, m);
            }
            hash(out, e.stateHash32());
            out.writeVarLong(e.ticks(), true);
            out.writeVarLong(e.totalTicks(), true);
            out.writeVarInt(e.outboxCount(), true);
            optionalHash(out, e.commitmentHash32OrNull());
        }

        @Override
        public L2BlockProduced read(Kryo kryo, Input in, Class<? extends L2BlockProduced> type) {
            version(in, L2BlockProduced.class, 1);
            int level = in.readVarInt(true);
            byte[] l1 = hash(in);
            byte[] pred = hash(in);
            byte[] inbox = hash(in);
            int n = in.readVarInt(true);
            if (n < 0) {
                throw new KryoException("negative message count");
            }
            List<byte[]> messages = new ArrayList<>(Math.min(n, 1 << 16));
            for (int i = 0; i < n; i++) {
                messages.add(bytes(in));
            }
            byte[] state = hash(in);
            long ticks = in.readVarLong(true);
            long total = in.readVarLong(true);
            int outbox = in.readVarInt(true);
            byte[] commitment = optionalHash(in);
            return new L2BlockProduced(level, l1, pred, inbox, messages, state, ticks, total, outbox, commitment);
        }
    }

    static final class RevertedSerializer extends Serializer<Reverted> {
        RevertedSerializer() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output out, Reverted e) {
            out.writeByte(V1);
            out.writeVarInt(e.toLevel(), true);
            hash(out, e.l1BlockHash32());
            hash(out, e.stateHash32());
            out.writeVarLong(e.totalTicks(), true);
            out.writeVarInt(e.lastCommitmentLevel(), true);
            hash(out, e.lastCommitmentHash32());
            out.writeVarLong(e.lastCommitmentTotalTicks(), true);
        }

        @Override
        public Reverted read(Kryo kryo, Input in, Class<? extends Reverted> type) {
            version(in, Reverted.class, 1);
            return new Reverted(in.readVarInt(true), hash(in), hash(in), in.readVarLong(true), in.readVarInt(true),
                    hash(in), in.readVarLong(true));
        }
    }

    static final class CommitmentPublishedSerializer extends Serializer<CommitmentPublished> {
        CommitmentPublishedSerializer() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output out, CommitmentPublished e) {
            out.writeByte(V1);
            hash(out, e.commitmentHash32());
            out.writeVarInt(e.inboxLevel(), true);
            out.writeVarInt(e.l1Level(), true);
        }

        @Override
        public CommitmentPublished read(Kryo kryo, Input in, Class<? extends CommitmentPublished> type) {
            version(in, CommitmentPublished.class, 1);
            return new CommitmentPublished(hash(in), in.readVarInt(true), in.readVarInt(true));
        }
    }

    static final class LccUpdatedSerializer extends Serializer<LccUpdated> {
        LccUpdatedSerializer() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output out, LccUpdated e) {
            out.writeByte(V1);
            hash(out, e.commitmentHash32());
            out.writeVarInt(e.inboxLevel(), true);
        }

        @Override
        public LccUpdated read(Kryo kryo, Input in, Class<? extends LccUpdated> type) {
            version(in, LccUpdated.class, 1);
            return new LccUpdated(hash(in), in.readVarInt(true));
        }
    }

    static final class RollupStuckSerializer extends Serializer<RollupStuck> {
        RollupStuckSerializer() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output out, RollupStuck e) {
            out.writeByte(V1);
            out.writeVarInt(e.level(), true);
            out.writeString(e.reason());
        }

        @Override
        public RollupStuck read(Kryo kryo, Input in, Class<? extends RollupStuck> type) {
            version(in, RollupStuck.class, 1);
            return new RollupStuck(in.readVarInt(true), in.readString());
        }
    }

    static final class OutboxHandledSerializer extends Serializer<OutboxHandled> {
        OutboxHandledSerializer() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output out, OutboxHandled e) {
            out.writeByte(V1);
            out.writeVarInt(e.outboxLevel(), true);
            out.writeVarInt(e.executed(), true);
            out.writeVarInt(e.refused(), true);
        }

        @Override
        public OutboxHandled read(Kryo kryo, Input in, Class<? extends OutboxHandled> type) {
            version(in, OutboxHandled.class, 1);
            return new OutboxHandled(in.readVarInt(true), in.readVarInt(true), in.readVarInt(true));
        }
    }

    static final class RollupSnapshotSerializer extends Serializer<RollupSnapshot> {
        RollupSnapshotSerializer() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output out, RollupSnapshot s) {
            out.writeByte(V1);
            out.writeBoolean(s.originated());
            out.writeVarInt(s.originationLevel(), false);
            out.writeString(s.pvmVersion());
            optionalHash(out, s.genesisStateHash32());
            optionalHash(out, s.genesisCommitmentHash32());
            out.writeVarInt(s.headLevel(), false);
            optionalHash(out, s.headL1BlockHash32());
            optionalHash(out, s.headStateHash32());
            out.writeVarLong(s.totalTicks(), true);
            out.writeVarInt(s.lastCommitmentLevel(), false);
            optionalHash(out, s.lastCommitmentHash32());
            out.writeVarLong(s.lastCommitmentTotalTicks(), true);
            out.writeVarInt(s.lastPublishedLevel(), false);
            out.writeVarInt(s.lccLevel(), false);
            optionalHash(out, s.lccHash32());
            out.writeString(s.stuck());
            out.writeVarInt(s.outboxHandledLevel(), false);
        }

        @Override
        public RollupSnapshot read(Kryo kryo, Input in, Class<? extends RollupSnapshot> type) {
            version(in, RollupSnapshot.class, 1);
            return new RollupSnapshot(in.readBoolean(), in.readVarInt(false), in.readString(), optionalHash(in),
                    optionalHash(in), in.readVarInt(false), optionalHash(in), optionalHash(in), in.readVarLong(true),
                    in.readVarInt(false), optionalHash(in), in.readVarLong(true), in.readVarInt(false),
                    in.readVarInt(false), optionalHash(in), in.readString(), in.readVarInt(false));
        }
    }

    static final class L1BlockAddedSerializer extends Serializer<L1BlockAdded> {
        L1BlockAddedSerializer() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output out, L1BlockAdded e) {
            out.writeByte(V1);
            out.writeVarInt(e.level(), true);
            hash(out, e.hash32());
            hash(out, e.predecessor32());
            out.writeLong(e.timestamp());
            out.writeString(e.protocol());
            bytes(out, e.block());
        }

        @Override
        public L1BlockAdded read(Kryo kryo, Input in, Class<? extends L1BlockAdded> type) {
            version(in, L1BlockAdded.class, 1);
            return new L1BlockAdded(in.readVarInt(true), hash(in), hash(in), in.readLong(), in.readString(),
                    bytes(in));
        }
    }

    static final class L1ChainRevertedSerializer extends Serializer<L1ChainReverted> {
        L1ChainRevertedSerializer() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output out, L1ChainReverted e) {
            out.writeByte(V1);
            out.writeVarInt(e.toLevel(), true);
            hash(out, e.toHash32());
        }

        @Override
        public L1ChainReverted read(Kryo kryo, Input in, Class<? extends L1ChainReverted> type) {
            version(in, L1ChainReverted.class, 1);
            return new L1ChainReverted(in.readVarInt(true), hash(in));
        }
    }
}
