package io.flotilla.loadtests.http;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The short form of `flotilla bench http`: a real node, real sockets, sane numbers (no timing thresholds). */
class HttpBenchTest {

    @Test
    void smallFleetUnderHttpLoad() throws Exception {
        HttpBench.Options o = new HttpBench.Options(3, 4, "echo", 2, 200, 1, Duration.ofSeconds(120), false,
                Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(2));
        HttpBench.Result r = HttpBench.run(o, System.out);
        HttpLoad.Report l = r.load();
        assertEquals(0, l.errors(), "errors: " + l.firstErrors());
        assertEquals(0, l.streamErrors(), "errors: " + l.firstErrors());
        assertTrue(l.requests() > 0);
        assertEquals(l.requests(), l.sortedLatencies().length, "every request answered 200");
        assertTrue(l.latencyMillis(0.5) > 0 && l.latencyMillis(0.5) <= l.latencyMillis(0.99)
                && l.latencyMillis(0.99) <= l.latencyMillis(1.0));
        assertTrue(l.streamLines() > 0, "the monitor_blocks stream received blocks");
        assertEquals(l.sortedLatencies().length, l.sortedServiceTimes().length);
        assertTrue(l.serviceMillis(0.5) > 0 && l.serviceMillis(0.5) <= l.latencyMillis(0.5)
                && l.serviceMillis(0.99) <= l.latencyMillis(0.99), "a request's service time is within its latency");
        assertTrue(l.clientCpuSeconds() > 0, "the clients ran in a process of their own, which reports its CPU");
        assertEquals(12, r.quietBefore().rollupLevels());
        assertEquals(12, r.loaded().rollupLevels());
        assertEquals(12, r.quietAfter().rollupLevels());
        assertTrue(r.loadedOverQuiet() > 0);
        HttpBench.Alone alone = r.alone();
        assertEquals(0, alone.load().errors(), "errors: " + alone.load().firstErrors());
        assertTrue(alone.load().requests() > 0);
        assertTrue(alone.nodeCpuSeconds() > 0 && alone.idleCpuSeconds() >= 0);
        assertTrue(alone.nodeCpuMicrosPerRequest() >= 0, "CPU per request: " + alone.nodeCpuMicrosPerRequest());
        String table = HttpBench.table(o, r);
        assertTrue(table.contains("| 3 | 4 | echo | 2 | 200 |"), table);
    }

    @Test
    void requestsAlternateOutboxAndDurableOverTheRollups() {
        List<String> rollups = List.of("sr1A", "sr1B");
        assertEquals("/rollups/sr1A/global/block/head/outbox/7/messages", HttpBench.requestPath(rollups, 7, 0));
        assertEquals("/rollups/sr1A/global/block/head/durable/wasm_2_0_0/value?key=/readonly/wasm_version",
                HttpBench.requestPath(rollups, 7, 1));
        assertEquals("/rollups/sr1B/global/block/head/outbox/7/messages", HttpBench.requestPath(rollups, 7, 2));
    }

    @Test
    void loadGoesToLoopbackOnly() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> new HttpLoad(new InetSocketAddress("192.0.2.1", 80), 1, 1,
                Duration.ofSeconds(1), k -> "/", List.of()));
        assertEquals(2, HttpBench.cli(new String[] {"--rate", "0"}, "test"));
    }
}
