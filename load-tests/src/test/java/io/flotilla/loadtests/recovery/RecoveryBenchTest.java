package io.flotilla.loadtests.recovery;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The short form of `flotilla bench recovery`: stop, miss levels, restart, catch up, same states as the bare PVM. */
class RecoveryBenchTest {

    @Test
    void smallFleetRestartsAndCatchesUp() throws Exception {
        RecoveryBench.Options o = new RecoveryBench.Options(3, 3, 2, "echo", false);
        RecoveryBench.Result r = RecoveryBench.run(o, System.out);
        assertEquals(0, r.stateMismatches(), "every rollup caught up to the bare PVM's state");
        assertEquals(5, r.journaledLevels());
        assertTrue(r.firstStart() > 0 && r.restartIdle() > 0 && r.restartCaughtUp() > 0);
        assertTrue(r.restartHttp() > 0, "the restarted node answered over HTTP");
        String table = RecoveryBench.table(o, r);
        assertTrue(table.contains("| 3 | echo | 5 | 2 |"), table);
    }

    @Test
    void badOptionsAreRefused() throws Exception {
        assertEquals(2, RecoveryBench.cli(new String[] {"--behind", "-1"}, "test"));
        assertEquals(2, RecoveryBench.cli(new String[] {"--kernel", "nope"}, "test"));
    }
}
