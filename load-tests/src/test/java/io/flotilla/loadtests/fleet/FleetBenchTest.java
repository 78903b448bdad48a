package io.flotilla.loadtests.fleet;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.List;
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

    /** The short form of `flotilla bench compute`: the compute-heavy kernel on embedded stores. */
    @Test
    void computeKernelOnEmbeddedStores() throws Exception {
        FleetBench.Options o = new FleetBench.Options(2, 3, "compute", true, 1, false, null, Duration.ofSeconds(1));
        FleetBench.Result r = FleetBench.run(o, System.out);
        assertEquals(6, r.rollupLevels());
        assertEquals(0, r.stateMismatches(), "the fleet's final states are the bare PVM's");
        // every level rewrites /state and /buffer, so every rollup-level stores new tree nodes
        assertTrue(r.contextNodes() >= r.rollupLevels(), "context nodes " + r.contextNodes());
        assertTrue(r.contextDiskBytes() >= 0);
        assertTrue(r.barePvmSeconds() > 0 && r.wallSeconds() > 0);
    }

    @Test
    void computeKernelChangesItsStateEveryLevelAndPerRollup() throws Exception {
        try (Fleet fleet = Fleet.originate("compute", 2, false, null)) {
            int last = fleet.l1().head().level();
            fleet.produceLevel();
            List<String> after1 = FleetBench.bareHashes(fleet.l1(), fleet.rollups(), last + 1, 1);
            fleet.produceLevel();
            List<String> after2 = FleetBench.bareHashes(fleet.l1(), fleet.rollups(), last + 2, 2);
            assertNotEquals(after1.get(0), after2.get(0), "a level changes the state");
            // same kernel, same inboxes: only the address (reveal_metadata) tells them apart
            assertNotEquals(after2.get(0), after2.get(1), "two rollups differ");
        }
    }

    @Test
    void badOptionsAreRefusedBeforeAnyWork() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> Fleet.kernel("nope"));
        assertEquals(2, FleetBench.cli(new String[] {"--kernel", "nope"}, "test", false));
        assertEquals(2, FleetBench.cli(new String[] {"--rollups", "0"}, "test", false));
        assertEquals(2, FleetBench.cli(new String[] {"--levels"}, "test", false));
        assertEquals(2, FleetBench.cli(new String[] {"--frobnicate"}, "test", false));
    }

    /**
     * A node that writes nothing for the stall bound ends a run with a clear error instead of hanging the
     * benchmark. With a bound of 1 ns every pause between two L2 block writes is a stall.
     */
    @Test
    void aStuckNodeEndsTheRun() throws Exception {
        try (Fleet fleet = Fleet.originate("echo", 1, false, null)) {
            fleet.start(Duration.ofMinutes(5), System.out, "start");
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> fleet.run(3, 1, System.out, Duration.ofSeconds(5), Duration.ofNanos(1)));
            assertTrue(e.getMessage().startsWith("the node is stuck: no L2 block written for 0 s (produced "),
                    e.getMessage());
        }
    }
}
