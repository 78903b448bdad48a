package io.flotilla.node;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.actors.rollup.RollupMode;
import io.flotilla.pvm.PvmVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * History modes end to end: two nodes on one manual sandbox L1 (commitment period 20, challenge window 40) follow
 * the same rollup (the counter kernel, a 1 KB external message per level), one in full mode operating it (it
 * publishes and cements, so the LCC moves), one in archive mode observing it. Over 10 challenge windows the full
 * node's rollup history on disk stays within 1.5x of its size after 2 windows while the archive node's grows, and
 * every block the full node kept still answers the HTTP API.
 */
class HistoryModeTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final int WINDOW = 40;

    @TempDir
    Path tmp;

    @Test
    void fullModeStaysBoundedArchiveGrowsAndKeptBlocksAnswer() throws Exception {
        try (SandboxL1 l1 = SandboxL1.manual()) {
            String operator = DemoNode.OPERATOR.address();
            String rollup = l1.inject(L1Operation.originate(operator, DemoNode.bundledKernel("counter"), "bytes",
                    PvmVersion.DEFAULT.label())).orThrow().rollup().orElseThrow();
            int origination = l1.produceBlock().level();
            Path fullDir = tmp.resolve("full");
            Path archiveDir = tmp.resolve("archive");
            NodeRuntime.Options fo = new NodeRuntime.Options(fullDir, "127.0.0.1", 0, NodeRuntime.HistoryMode.FULL,
                    Duration.ofMillis(100));
            NodeRuntime.Options ao = new NodeRuntime.Options(archiveDir, "127.0.0.1", 0,
                    NodeRuntime.HistoryMode.ARCHIVE, Duration.ofMillis(100));
            long full2;
            long archive2;
            try (NodeRuntime full = NodeRuntime.start(fo, l1, false, NodeStores.embedded(fullDir, l1),
                    List.of(new NodeRuntime.ServedRollup(rollup, RollupMode.OPERATOR, operator)));
                 NodeRuntime archive = NodeRuntime.start(ao, l1, false, NodeStores.embedded(archiveDir, l1),
                         List.of(new NodeRuntime.ServedRollup(rollup, RollupMode.OBSERVER, null)))) {
                Http fh = new Http(full.rpcUrl());
                Http ah = new Http(archive.rpcUrl());
                SplittableRandom random = new SplittableRandom(42);

                advance(l1, fh, ah, random, origination + 2 * WINDOW);
                assertTrue(full.gc().awaitIdle(WAIT));
                JsonNode info2 = fh.json("/local/gc_info");
                assertTrue(info2.has("last_successful_gc_target"), "no GC after 2 windows: " + info2);
                full2 = historyBytes(fullDir);
                archive2 = historyBytes(archiveDir);

                advance(l1, fh, ah, random, origination + 10 * WINDOW);
                assertTrue(full.gc().awaitIdle(WAIT));
                long full10 = historyBytes(fullDir);
                long archive10 = historyBytes(archiveDir);
                String sizes = "full " + full2 + " -> " + full10 + " bytes, archive " + archive2 + " -> " + archive10;
                System.out.println("history on disk: " + sizes + "; full " + breakdown(fullDir) + ", archive "
                        + breakdown(archiveDir));
                assertTrue(full10 <= 1.5 * full2, sizes);
                assertTrue(archive10 > 2 * archive2, sizes);

                // gc_info: the first available level is the last GC target, which follows the LCC
                JsonNode info = fh.json("/local/gc_info");
                int first = info.get("first_available_level").asInt();
                int lcc = fh.json("/global/last_cemented_commitment").get("level").asInt();
                assertEquals(info.get("last_successful_gc_target").asInt(), first, info.toString());
                assertTrue(first > origination + 8 * WINDOW && first <= lcc, info + " lcc " + lcc);
                assertEquals(origination + 1, ah.json("/local/gc_info").get("first_available_level").asInt());
                assertFalse(ah.json("/local/gc_info").has("last_successful_gc_target"));

                // every block the full node kept answers, with the same state as the archive node's
                int head = fh.json("/global/block/head").get("level").asInt();
                for (int level = first; level <= head; level++) {
                    JsonNode b = fh.json("/global/block/" + level);
                    assertEquals(level, b.get("level").asInt());
                    assertEquals(ah.json("/global/block/" + level).get("state_hash").asText(),
                            b.get("state_hash").asText());
                    assertEquals(ah.json("/global/block/" + level + "/durable/wasm_2_0_0/value?key=/counter").asText(),
                            fh.json("/global/block/" + level + "/durable/wasm_2_0_0/value?key=/counter").asText());
                }
                // older blocks are gone from the full node, not from the archive node
                assertNotEquals(200, fh.get("/global/block/" + (first - 1)).status());
                assertNotEquals(200, fh.get("/global/block/" + (origination + 1)).status());
                assertEquals(origination + 1, ah.json("/global/block/" + (origination + 1)).get("level").asInt());
                // the GC is idle: nothing to cancel
                assertEquals("false", fh.post("/admin/cancel_gc", "").text().strip());
            }
            // the journal: the full rollup keeps the events recovery needs (two snapshots' worth), archive all
            long fullEvents = journalEvents(fullDir, rollup);
            long archiveEvents = journalEvents(archiveDir, rollup);
            assertTrue(archiveEvents >= 10 * WINDOW, "archive journal: " + archiveEvents);
            assertTrue(fullEvents <= 3 * io.flotilla.actors.rollup.RollupEntity.FULL_SNAPSHOT_EVERY,
                    "full journal: " + fullEvents + " events, archive " + archiveEvents);

            // full -> archive is refused at start-up, with the reason
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> NodeRuntime.start(
                    fo.withHistoryMode(NodeRuntime.HistoryMode.ARCHIVE), l1, false, NodeStores.embedded(fullDir, l1),
                    List.of(new NodeRuntime.ServedRollup(rollup, RollupMode.OBSERVER, null))));
            assertTrue(e.getMessage().contains("history mode full"), e.getMessage());
            // the full node restarts in full mode and still answers from its first available level
            try (NodeRuntime full = NodeRuntime.start(fo, l1, false, NodeStores.embedded(fullDir, l1),
                    List.of(new NodeRuntime.ServedRollup(rollup, RollupMode.OBSERVER, null)))) {
                Http fh = new Http(full.rpcUrl());
                int first = fh.json("/local/gc_info").get("first_available_level").asInt();
                fh.await("/global/block/" + first, b -> b.get("level").asInt() == first, WAIT);
            }
        }
    }

    /** Produces blocks (each with a 1 KB external message) until {@code level}, both nodes following. */
    private static void advance(SandboxL1 l1, Http fh, Http ah, SplittableRandom random, int level)
            throws InterruptedException {
        while (l1.head().level() < level) {
            byte[] msg = new byte[1024];
            random.nextBytes(msg);
            l1.inject(L1Operation.addMessages(SandboxAccounts.bootstrap(2).address(), List.of(msg))).orThrow();
            int l = l1.produceBlock().level();
            fh.await("/global/block/head", b -> b.get("level").asInt() >= l, WAIT);
            ah.await("/global/block/head", b -> b.get("level").asInt() >= l, WAIT);
        }
    }

    static String breakdown(Path dataDir) {
        StringBuilder b = new StringBuilder();
        try (Stream<Path> s = Files.walk(dataDir)) {
            s.filter(Files::isRegularFile).forEach(f -> {
                try {
                    if (Files.size(f) > 100_000) {
                        b.append(dataDir.relativize(f)).append('=').append(Files.size(f)).append(' ');
                    }
                } catch (IOException e) {
                    // gone
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toString();
    }

    /** Events of {@code rollup} in the node's journal (not deleted by the GC). */
    static long journalEvents(Path dataDir, String rollup) {
        try (var r = io.flotilla.actors.node.EmbeddedJournal.openReader(dataDir)) {
            return r.eventsAfter("Rollup|" + rollup, 0).size();
        }
    }

    /**
     * Bytes on disk of a node's rollup history in the RocksDB stores: the context store and the L2 chains (their
     * info logs, which rotate, are not history). The journal is counted in events: H2 reuses the space of deleted
     * rows but never shrinks its file, which also holds the node-wide L1 chain events.
     */
    static long historyBytes(Path dataDir) {
        long total = 0;
        for (String d : List.of("context", "chain")) {
            Path p = dataDir.resolve(d);
            if (!Files.isDirectory(p)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(p)) {
                total += s.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith("LOG"))
                        .mapToLong(f -> {
                            try {
                                return Files.size(f);
                            } catch (IOException e) {
                                return 0; // removed by a compaction meanwhile
                            }
                        }).sum();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return total;
    }
}
