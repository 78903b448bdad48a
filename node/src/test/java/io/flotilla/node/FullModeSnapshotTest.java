package io.flotilla.node;

import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.L1Source;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.actors.rollup.RollupMode;
import io.flotilla.pvm.PvmConfig;
import io.flotilla.pvm.PvmThreads;
import io.flotilla.pvm.encoding.CommitmentHash;
import io.flotilla.snapshot.HistoryMode;
import io.flotilla.snapshot.SnapshotExporter;
import io.flotilla.snapshot.SnapshotImporter;
import io.flotilla.snapshot.SnapshotMetadata;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots of a {@code --history-mode full} node after its GC deleted the blocks before the LCC: the snapshot starts
 * at the first available level, its base commitment is the real predecessor of the first commitment (as published
 * on L1), not the genesis one, and it is labelled full; imported, a node continues from it to the same states.
 */
class FullModeSnapshotTest {
    static final Duration WAIT = Duration.ofSeconds(120);
    /** A commitment every 4 levels, cemented 20 levels after: the LCC, hence the GC target, moves every 4 levels. */
    static final L1Source.SandboxConstants SMALL = new L1Source.SandboxConstants(4, 20, Duration.ofSeconds(1));

    @TempDir
    Path tmp;

    @Test
    void exportAfterGcImportAndContinueToTheSameStates() throws Exception {
        try (SandboxL1 l1 = new SandboxL1(SandboxL1.Config.manualMode().withConstants(SMALL))) {
            Path dir = tmp.resolve("full");
            // GC every 4 levels of LCC progress
            NodeRuntime.Options fo = new NodeRuntime.Options(dir, "127.0.0.1", 0, NodeRuntime.HistoryMode.FULL,
                    Duration.ofMillis(50), PvmConfig.defaults(), PvmThreads.SHARED, 4);
            try (NodeRuntime node = DemoNode.start(fo, l1, false, NodeStores.embedded(dir, l1))) {
                String rollup = node.fleet().rollups().get(0);
                int origination = l1.rollup(rollup).orElseThrow().originationLevel();
                Http http = new Http(node.rpcUrl());
                int i = 0;
                // until the GC has deleted at least two commitment periods of history
                while (http.json("/local/gc_info").path("first_available_level").asInt()
                        < origination + 1 + 3 * SMALL.commitmentPeriod()) {
                    assertTrue(i < 200, "no GC after 200 levels: " + http.json("/local/gc_info"));
                    produce(l1, node, rollup, i++);
                }
                assertTrue(node.gc().awaitIdle(WAIT));
                int first = http.json("/local/gc_info").get("first_available_level").asInt();
                assertNotEquals(200, http.get("/global/block/" + (first - 1)).status(), "level " + (first - 1) + " kept");

                // without -E: the base commitment's body comes from the data directory's L1 blocks
                SnapshotExporter.Result r = SnapshotExporter.export(SnapshotExporter.Options.of(dir,
                        Files.createDirectories(tmp.resolve("exports"))).withLevel("head"));
                SnapshotMetadata m = r.metadata();
                assertEquals(HistoryMode.FULL, r.header().historyMode(), "a collected node's snapshot is full");
                assertTrue(r.file().getFileName().toString().endsWith(".full"), r.file().toString());
                int snapshotFirst = m.firstLevel();
                assertTrue(snapshotFirst >= first, m.firstLevel() + " vs first available " + first);
                assertNotEquals(m.genesisCommitment(), m.baseCommitment(), "fell back to the genesis commitment");
                // the base is the predecessor, on L1, of the first commitment of the snapshot, at its level
                L1Source.PublishedCommitment firstCommitment = l1.commitments(rollup).stream()
                        .filter(c -> c.inboxLevel() >= snapshotFirst).min((a, b) -> a.inboxLevel() - b.inboxLevel())
                        .orElseThrow();
                assertEquals(new CommitmentHash(firstCommitment.predecessor()).toBase58(), m.baseCommitment());
                L1Source.PublishedCommitment base = l1.commitments(rollup).stream()
                        .filter(c -> Arrays.equals(c.hash(), firstCommitment.predecessor())).findFirst().orElseThrow();
                assertEquals(base.inboxLevel(), m.baseCommitmentLevel());
                assertEquals(firstCommitment.ticks(),
                        new Http(node.rpcUrl()).json("/global/block/" + firstCommitment.inboxLevel())
                                .get("total_ticks").asLong() - m.baseCommitmentTotalTicks());

                // with -E, and compact: both import with every check
                SnapshotExporter.Result compact = SnapshotExporter.export(SnapshotExporter.Options.of(dir,
                        tmp.resolve("compact.full")).withLevel(Integer.toString(r.header().headLevel()))
                        .withCompact(true).withL1(l1));
                assertEquals(m.baseCommitment(), compact.metadata().baseCommitment());

                Path target = tmp.resolve("imported");
                Files.createDirectories(target);
                Files.writeString(target.resolve("config.json"), "{\"smart-rollup-address\": \"" + rollup
                        + "\", \"history-mode\": \"full\"}", StandardCharsets.UTF_8);
                SnapshotImporter.importSnapshot(new SnapshotImporter.Options(SnapshotImporter.Source.file(r.file()),
                        target, l1, false, true));
                SnapshotImporter.Result c = SnapshotImporter.importSnapshot(new SnapshotImporter.Options(
                        SnapshotImporter.Source.file(compact.file()), tmp.resolve("imported-compact"), l1, false, true));
                assertEquals(r.header().headLevel() - snapshotFirst, c.replayedLevels());

                int head = r.header().headLevel();
                NodeRuntime.Options co = new NodeRuntime.Options(target, "127.0.0.1", 0, NodeRuntime.HistoryMode.FULL,
                        Duration.ofMillis(50), PvmConfig.defaults(), PvmThreads.SHARED, 4);
                try (NodeRuntime copy = NodeRuntime.start(co, l1, false, NodeStores.embedded(target, l1),
                        List.of(new NodeRuntime.ServedRollup(rollup, RollupMode.OBSERVER, null)))) {
                    int last = 0;
                    for (int k = 0; k < 10; k++) {
                        last = produce(l1, node, rollup, 1000 + k);
                    }
                    awaitHead(copy, rollup, last);
                    Http ch = new Http(copy.rpcUrl());
                    for (int level = head; level <= last; level++) {
                        assertEquals(http.json("/global/block/" + level).get("state_hash").asText(),
                                ch.json("/global/block/" + level).get("state_hash").asText(), "state at " + level);
                    }
                }
            }
        }
    }

    static int produce(SandboxL1 l1, NodeRuntime node, String rollup, int i) throws Exception {
        l1.inject(L1Operation.addMessages(SandboxAccounts.bootstrap(2).address(),
                List.of(("message " + i).getBytes(StandardCharsets.UTF_8)))).orThrow();
        int level = l1.produceBlock().level();
        awaitHead(node, rollup, level);
        return level;
    }

    static void awaitHead(NodeRuntime node, String rollup, int level) throws Exception {
        Http.await("head " + level, () -> {
            try {
                return node.fleet().status(rollup).toCompletableFuture().get(30, TimeUnit.SECONDS).headLevel() >= level;
            } catch (Exception e) {
                return false;
            }
        }, WAIT);
    }
}
