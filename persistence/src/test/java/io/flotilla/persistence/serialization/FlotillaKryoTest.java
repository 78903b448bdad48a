package io.flotilla.persistence.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.flotilla.persistence.events.L2BlockProduced;
import io.flotilla.persistence.events.OutboxHandled;
import io.flotilla.persistence.events.Reverted;
import io.flotilla.persistence.events.RollupEvent;
import io.flotilla.persistence.events.RollupOriginated;
import io.flotilla.persistence.events.RollupStuck;
import io.flotilla.persistence.snapshots.RollupSnapshot;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlotillaKryoTest {
    @Test
    void everyEventRoundTrips() {
        for (RollupEvent e : EventSamples.v1().values()) {
            byte[] b = FlotillaKryo.toBytes(e);
            assertEquals(e, FlotillaKryo.fromBytes(b));
            assertEquals(e.hashCode(), FlotillaKryo.fromBytes(b).hashCode());
            assertTrue(FlotillaKryo.isRegistered(e.getClass()));
        }
        L2BlockProduced noCommitment = EventSamples.blockWithoutCommitment();
        L2BlockProduced back = FlotillaKryo.fromBytes(FlotillaKryo.toBytes(noCommitment), L2BlockProduced.class);
        assertEquals(noCommitment, back);
        assertNull(back.commitmentHash32OrNull());
    }

    @Test
    void snapshotsRoundTrip() {
        for (Object s : EventSamples.snapshotsV1().values()) {
            assertEquals(s, FlotillaKryo.fromBytes(FlotillaKryo.toBytes(s)));
        }
        RollupSnapshot empty = EventSamples.emptySnapshot();
        assertEquals(empty, FlotillaKryo.fromBytes(FlotillaKryo.toBytes(empty), RollupSnapshot.class));
    }

    /** A class of another module, registered at startup. */
    record Extra(String text) {
    }

    static final class ExtraSerializer extends Serializer<Extra> {
        @Override
        public void write(Kryo kryo, Output out, Extra e) {
            out.writeString(e.text());
        }

        @Override
        public Extra read(Kryo kryo, Input in, Class<? extends Extra> type) {
            return new Extra(in.readString());
        }
    }

    @Test
    void registrarsAddClassesWithIdsFrom1000() {
        FlotillaKryo.Codec codec = FlotillaKryo.codec(List.of(r -> r.add(Extra.class, new ExtraSerializer(), 1000)));
        assertEquals(new Extra("hi"), codec.fromBytes(codec.toBytes(new Extra("hi"))));
        for (RollupEvent e : EventSamples.v1().values()) {
            assertArrayEquals(FlotillaKryo.toBytes(e), codec.toBytes(e), "built-in encodings are unchanged");
        }
        assertTrue(codec.isRegistered(Extra.class));
        assertTrue(!FlotillaKryo.isRegistered(Extra.class), "the default codec has no extras");
        assertThrows(IllegalArgumentException.class, () -> FlotillaKryo.toBytes(new Extra("x")));
        assertThrows(KryoException.class, () -> FlotillaKryo.fromBytes(codec.toBytes(new Extra("x"))));
    }

    @Test
    void registrarsCannotTakeReservedOrUsedIds() {
        IllegalArgumentException low = assertThrows(IllegalArgumentException.class, () -> FlotillaKryo.codec(
                List.of(r -> r.add(Extra.class, new ExtraSerializer(), FlotillaKryo.REVERTED))));
        assertTrue(low.getMessage().contains("reserved"), low.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FlotillaKryo.codec(List.of(
                r -> r.add(Extra.class, new ExtraSerializer(), 1000),
                r -> r.add(Extra.class, new ExtraSerializer(), 1001))));
        assertThrows(IllegalArgumentException.class, () -> FlotillaKryo.codec(List.of(
                r -> r.add(Extra.class, new ExtraSerializer(), 1000),
                r -> r.add(Date.class, new Serializer<Date>() {
                    @Override
                    public void write(Kryo kryo, Output output, Date object) {
                    }

                    @Override
                    public Date read(Kryo kryo, Input input, Class<? extends Date> type) {
                        return null;
                    }
                }, 1000))));
    }

    @Test
    void encodingsAreCompact() {
        assertEquals(5, FlotillaKryo.toBytes(new OutboxHandled(5, 1, 0)).length, "id, version, level, counts");
        byte[] b = FlotillaKryo.toBytes(EventSamples.blockWithoutCommitment());
        assertTrue(b.length < 4 * 32 + 12, "L2BlockProduced without messages: " + b.length + " bytes");
    }

    @Test
    void equalityComparesArrayContents() {
        L2BlockProduced a = EventSamples.blockWithoutCommitment();
        L2BlockProduced b = FlotillaKryo.fromBytes(FlotillaKryo.toBytes(a), L2BlockProduced.class);
        assertEquals(a, b);
        assertNotEquals(a, new L2BlockProduced(0, EventSamples.h(11), new byte[32], EventSamples.h(12),
                List.of(new byte[] {1}), EventSamples.h(13), 0, 0, 0, null));
        assertTrue(a.toString().contains("state="));
    }

    @Test
    void largeBlocksRoundTrip() {
        List<byte[]> messages = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            byte[] m = new byte[i % 4096];
            Arrays.fill(m, (byte) i);
            messages.add(m);
        }
        L2BlockProduced e = new L2BlockProduced(7, EventSamples.h(1), EventSamples.h(2), EventSamples.h(3), messages,
                EventSamples.h(4), 1, 2, 3, EventSamples.h(5));
        assertEquals(e, FlotillaKryo.fromBytes(FlotillaKryo.toBytes(e)));
    }

    @Test
    void unregisteredClassesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> FlotillaKryo.toBytes(new java.util.Date()));
    }

    @Test
    void unknownFormatVersionsAndTrailingBytesAreErrors() {
        byte[] b = FlotillaKryo.toBytes(new RollupStuck(3, "x"));
        byte[] newer = b.clone();
        newer[1] = 2; // the version byte follows the one-byte class id
        KryoException e = assertThrows(KryoException.class, () -> FlotillaKryo.fromBytes(newer));
        assertTrue(e.getMessage().contains("format version 2"), e.getMessage());
        byte[] longer = Arrays.copyOf(b, b.length + 1);
        assertThrows(KryoException.class, () -> FlotillaKryo.fromBytes(longer));
        byte[] unknownId = b.clone();
        unknownId[0] = 99;
        assertThrows(KryoException.class, () -> FlotillaKryo.fromBytes(unknownId));
        assertThrows(KryoException.class, () -> FlotillaKryo.fromBytes(b, Reverted.class));
    }

    @Test
    void eventsValidateTheirFields() {
        byte[] h = EventSamples.h(1);
        assertThrows(IllegalArgumentException.class, () -> new Reverted(-1, h, h, 0, 0, h, 0));
        assertThrows(IllegalArgumentException.class, () -> new Reverted(5, h, h, 0, 6, h, 0));
        assertThrows(IllegalArgumentException.class, () -> new OutboxHandled(1, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new RollupOriginated("sr1", 1, "v", "m", h, h, h,
                new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> new RollupSnapshot(true, 1, "v", h, h, 1, h,
                new byte[3], 0, 1, h, 0, -1, 1, h, null, 1));
        assertThrows(IllegalArgumentException.class, () -> new L2BlockProduced(1, new byte[31], new byte[32],
                new byte[32], List.of(), new byte[32], 0, 0, 0, null));
        assertThrows(NullPointerException.class, () -> new RollupStuck(1, null));
    }

    @Test
    void pooledInstancesAreSafeAcrossThreads() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 2000; i++) {
                        for (RollupEvent e : EventSamples.v1().values()) {
                            byte[] b = FlotillaKryo.toBytes(e);
                            assertEquals(e, FlotillaKryo.fromBytes(b));
                            assertArrayEquals(b, FlotillaKryo.toBytes(e));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }
}
