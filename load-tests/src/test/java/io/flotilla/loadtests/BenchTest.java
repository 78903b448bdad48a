package io.flotilla.loadtests;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The `flotilla bench` dispatcher. */
class BenchTest {

    @Test
    void usageAndUnknownScenarios() throws Exception {
        assertEquals(2, Bench.run(new String[0]));
        assertEquals(0, Bench.run(new String[] {"--help"}));
        assertEquals(2, Bench.run(new String[] {"nope"}));
    }

    @Test
    void scenarioDefaultsGiveWayToGivenOptions() {
        assertArrayEquals(new String[] {"--kernel", "compute", "--rollups", "1,100"},
                Bench.withDefaults(new String[0], "--kernel", "compute", "--rollups", "1,100"));
        assertArrayEquals(new String[] {"--kernel", "compute", "--rollups", "5"},
                Bench.withDefaults(new String[] {"--rollups", "5"}, "--kernel", "compute", "--rollups", "1,100"));
    }
}
