package io.flotilla.loadtests.fleet;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The harness runs end to end on a small fleet and its numbers are sane (no timing thresholds). */
class FleetBenchTest {

    @Test
    void smallFleetInMemory() throws Exception {
        FleetBench.Options o = new FleetBench.Options(5, 5, "counter", false, 1, false, null, Duration.ofSeconds(1));
        FleetBench.Result r = FleetBench.run(o, System.out);
        assertEquals(25, r.rollupLevels());
        assertEquals(0, r.stateMismatches());
        assertTrue(r.wallSeconds() > 0);
        assertTrue(r.rollupLevelsPerSecond() > 0);
        assertTrue(r.barePvmSeconds() > 0);
        assertTrue(r.p50Millis() > 0 && r.p50Millis() <= r.p99Millis() && r.p99Millis() <= r.maxMillis());
        assertTrue(r.contextNodes() > 0, "the context store gained nodes");
        String table = FleetBench.table(o, r);
        assertTrue(table.contains("| 5 | 5 | counter | memory |"), table);
    }
}
