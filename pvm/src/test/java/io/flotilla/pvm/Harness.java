package io.flotilla.pvm;

import io.flotilla.pvm.durable.Durable;
import io.flotilla.pvm.durable.DurableKey;
import io.flotilla.pvm.engine.Engine;
import io.flotilla.pvm.host.RollupMetadata;
import io.flotilla.pvm.reveal.PreimageSource;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Helpers shared by the corpus tests: PVMs, pre-populated states, recorded results. */
final class Harness {
    private Harness() {}

    static final DurableKey RESULTS = DurableKey.parse("/results");

    static Pvm pvm(Engine engine) {
        return pvm(PvmConfig.defaults().withEngine(engine));
    }

    static Pvm pvm(PvmConfig config) {
        return new Pvm(config, PreimageSource.none(), RollupMetadata.DEFAULT);
    }

    /** An originated state with extra durable values (key → UTF-8 string or byte[]). */
    static PvmState originate(byte[] kernel, PvmVersion version, Map<String, ?> values) {
        PvmState s = PvmState.originate(kernel, version);
        Durable d = s.durable();
        for (var e : values.entrySet()) {
            Object v = e.getValue();
            byte[] b = v instanceof byte[] bs ? bs : v.toString().getBytes(StandardCharsets.UTF_8);
            d = d.set(DurableKey.parse(e.getKey()), b);
        }
        return s.withDurable(d);
    }

    /** A level with no message of its own (SOL, Info, EOL). */
    static LevelInput empty(int level) {
        return LevelInput.ofExternal(level, List.of());
    }

    /** The values the kernel recorded with $rec / $r32 (include/results.wat). */
    static long[] results(PvmState s) {
        byte[] b = s.durable().bytes(RESULTS).orElse(new byte[0]);
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long[] r = new long[b.length / 8];
        for (int i = 0; i < r.length; i++) {
            r[i] = buf.getLong();
        }
        return r;
    }

    static byte[] bytes(PvmState s, String key) {
        return s.durable().bytes(DurableKey.parse(key)).orElse(null);
    }

    static boolean has(PvmState s, String key) {
        return s.durable().hasValue(DurableKey.parse(key));
    }

    static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static String ascii(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }
}
