package io.flotilla.persistence.serialization;

import io.flotilla.persistence.events.CommitmentPublished;
import io.flotilla.persistence.events.L1BlockAdded;
import io.flotilla.persistence.events.L1ChainEvent;
import io.flotilla.persistence.events.L1ChainReverted;
import io.flotilla.persistence.events.L2BlockProduced;
import io.flotilla.persistence.events.LccUpdated;
import io.flotilla.persistence.events.OutboxHandled;
import io.flotilla.persistence.events.Reverted;
import io.flotilla.persistence.events.RollupEvent;
import io.flotilla.persistence.events.RollupOriginated;
import io.flotilla.persistence.events.RollupStuck;
import io.flotilla.persistence.snapshots.RollupSnapshot;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One fixed instance of every event: the content of the golden files. Never change an existing sample. */
final class EventSamples {
    private EventSamples() {
    }

    static byte[] h(int seed) {
        byte[] b = new byte[32];
        for (int i = 0; i < 32; i++) {
            b[i] = (byte) (seed * 31 + i * 7);
        }
        return b;
    }

    /** Event class simple name to its v1 sample, in registration order. */
    static Map<String, RollupEvent> v1() {
        Map<String, RollupEvent> m = new LinkedHashMap<>();
        m.put("RollupOriginated", new RollupOriginated("sr1RYurGZtN8KNSpkMcCt9CgWeUaNkzsAfXf", 1234567, "2.0.0-r5",
                "operator", h(1), h(2), h(3), h(14)));
        m.put("L2BlockProduced", new L2BlockProduced(1234600, h(4), h(5), h(6),
                List.of(new byte[] {0, 1}, new byte[0], "hello rollup".getBytes(StandardCharsets.UTF_8),
                        new byte[300]),
                h(7), 11_000_000_000L, 1_234_567_890_123L, 3, h(8)));
        m.put("Reverted", new Reverted(1234590, h(15), h(16), 1_234_000_000_000L, 1234580, h(17), 1_233_000_000_000L));
        m.put("CommitmentPublished", new CommitmentPublished(h(9), 1234580, 1234585));
        m.put("LccUpdated", new LccUpdated(h(10), 1234560));
        m.put("RollupStuck", new RollupStuck(1234601, "kernel_run exceeded 11000000000 ticks \u2014 stuck"));
        m.put("OutboxHandled", new OutboxHandled(1234560, 7, 2));
        return m;
    }

    /** L1 chain actor event class simple name to its v1 sample (golden files next to the rollup events'). */
    static Map<String, L1ChainEvent> chainV1() {
        Map<String, L1ChainEvent> m = new LinkedHashMap<>();
        m.put("L1BlockAdded", new L1BlockAdded(1234601, h(24), h(25), 1_700_000_000L,
                "ProtoALphaALphaALphaALphaALphaALphaALphaALphaDdp3zK", new byte[] {0, 18, 42, 105, 1, 2, 3, 4}));
        m.put("L1ChainReverted", new L1ChainReverted(1234598, h(26)));
        return m;
    }

    /** Snapshot class simple name to its v1 sample (golden files under {@code golden/snapshots/}). */
    static Map<String, Object> snapshotsV1() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("RollupSnapshot", new RollupSnapshot(true, 1234567, "2.0.0-r5", h(18), h(19), 1234600, h(20), h(21),
                1_234_567_890_123L, 1234590, h(22), 1_230_000_000_000L, 1234580, 1234570, h(23),
                "kernel_run exceeded 11000000000 ticks", 1234560));
        return m;
    }

    /** A snapshot before origination: -1 levels, null hashes and strings. */
    static RollupSnapshot emptySnapshot() {
        return new RollupSnapshot(false, -1, null, null, null, -1, null, null, 0, -1, null, 0, -1, -1, null, null, -1);
    }

    /** A variant with the optional field absent, to cover that encoding too. */
    static L2BlockProduced blockWithoutCommitment() {
        return new L2BlockProduced(0, h(11), new byte[32], h(12), List.of(), h(13), 0, 0, 0, null);
    }
}
