package io.flotilla.loadtests.pvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.pvm.Pvm;
import io.flotilla.pvm.PvmConfig;
import io.flotilla.pvm.PvmState;
import io.flotilla.pvm.host.RollupMetadata;
import io.flotilla.pvm.reveal.PreimageSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bare level loop behind the profiles and {@code LevelBenchmark} runs what it says (no timing). */
class LevelLoopTest {

    @Test
    void runsOneEchoRollupKeepingEveryLevelsOutboxAndReportsEachChunk() throws Exception {
        Pvm pvm = new Pvm(PvmConfig.defaults(), PreimageSource.none(), RollupMetadata.DEFAULT);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PvmState s = LevelLoop.run(pvm, LevelLoop.kernel("echo"), 40, 2, 10,
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        assertEquals(40, s.level().orElseThrow());
        assertEquals(40, s.outboxLevels().size());
        assertEquals(List.of("level 40 message 0", "level 40 message 1"),
                s.outbox(40).stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList());
        String report = buf.toString(StandardCharsets.UTF_8);
        // four chunks of ten levels and the total
        assertEquals(5, report.lines().count(), report);
        assertTrue(report.lines().anyMatch(l -> l.trim().startsWith("31..40")), report);
        // deterministic: the same run gives the same state
        assertEquals(s.hash(), LevelLoop.run(pvm, LevelLoop.kernel("echo"), 40, 2, 0, null).hash());
    }
}
