package io.flotilla.persistence.serialization;

import io.flotilla.persistence.events.L1ChainEvent;
import io.flotilla.persistence.events.RollupEvent;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Journals written today must stay readable: every event has a checked-in v1 encoding under
 * {@code src/test/resources/golden/events/<Name>.v1.bin} (the exact bytes {@link KryoSerializer} writes), which must
 * decode to {@link EventSamples#v1()} and equal today's encoding of that sample; likewise the snapshots of
 * {@link EventSamples#snapshotsV1()} under {@code golden/snapshots/}.
 *
 * <p>Regenerate (only when adding an event or a new format version, never to paper over a change of an existing
 * one): {@code mvn -pl persistence test -Dtest=GoldenEventsTest -Dflotilla.golden.regenerate=true}, run from the
 * repository root; it writes the files under {@code persistence/src/test/resources/golden/}.
 */
class GoldenEventsTest {
    static final String REGENERATE = "flotilla.golden.regenerate";

    @Test
    void checkedInEncodingsDecodeToTheSamples() throws IOException {
        Set<String> events = Arrays.stream(RollupEvent.class.getPermittedSubclasses()).map(Class::getSimpleName)
                .collect(Collectors.toSet());
        assertEquals(events, EventSamples.v1().keySet(), "every event needs a sample and a golden file");
        check("events", EventSamples.v1());
    }

    @Test
    void checkedInL1ChainEncodingsDecodeToTheSamples() throws IOException {
        Set<String> events = Arrays.stream(L1ChainEvent.class.getPermittedSubclasses()).map(Class::getSimpleName)
                .collect(Collectors.toSet());
        assertEquals(events, EventSamples.chainV1().keySet(), "every L1 chain event needs a sample and a golden file");
        check("events", EventSamples.chainV1());
    }

    @Test
    void checkedInSnapshotEncodingsDecodeToTheSamples() throws IOException {
        check("snapshots", EventSamples.snapshotsV1());
    }

    private static void check(String kind, Map<String, ?> samples) throws IOException {
        boolean regenerate = Boolean.getBoolean(REGENERATE);
        Path dir = Path.of("src/test/resources/golden", kind);
        if (regenerate) {
            Files.createDirectories(dir);
            for (Map.Entry<String, ?> e : samples.entrySet()) {
                Files.write(dir.resolve(e.getKey() + ".v1.bin"), new KryoSerializer().toBinary(e.getValue()));
            }
        }
        KryoSerializer serializer = new KryoSerializer();
        for (Map.Entry<String, ?> e : samples.entrySet()) {
            String name = "/golden/" + kind + "/" + e.getKey() + ".v1.bin";
            byte[] golden;
            try (InputStream in = regenerate ? Files.newInputStream(dir.resolve(e.getKey() + ".v1.bin"))
                    : GoldenEventsTest.class.getResourceAsStream(name)) {
                assertNotNull(in, "missing golden file " + name + " (see class comment to generate it)");
                golden = in.readAllBytes();
            }
            assertEquals(e.getValue(), serializer.fromBinary(golden), name);
            byte[] now = serializer.toBinary(e.getValue());
            assertArrayEquals(golden, now, () -> name + " encoding changed: golden " + HexFormat.of().formatHex(golden)
                    + " now " + HexFormat.of().formatHex(now)
                    + " (add a new format version instead of changing version 1)");
        }
    }
}
