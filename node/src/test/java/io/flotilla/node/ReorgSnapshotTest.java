package io.flotilla.node;

import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.L1Source;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.snapshot.SnapshotExporter;
import io.flotilla.snapshot.SnapshotImporter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exports of a running node while its L1 reorganises (the sandbox's {@code reorg}: the last blocks replaced by
 * others): each export either succeeds with a snapshot that passes every import check, or fails with a message
 * saying to export again and leaves nothing in the destination (no file, no partial file, no check directory).
 */
class ReorgSnapshotTest {
    static final Duration WAIT = Duration.ofSeconds(120);
    static final L1Source.SandboxConstants SMALL = new L1Source.SandboxConstants(4, 20, Duration.ofSeconds(1));

    @TempDir
    Path tmp;

    @Test
    void anExportDuringReorgsIsConsistentOrFailsCleanly() throws Exception {
        try (SandboxL1 l1 = new SandboxL1(SandboxL1.Config.manualMode().withConstants(SMALL))) {
            Path dir = tmp.resolve("node");
            NodeRuntime.Options options = new NodeRuntime.Options(dir, "127.0.0.1", 0, NodeRuntime.HistoryMode.ARCHIVE,
                    Duration.ofMillis(50));
            try (NodeRuntime node = DemoNode.start(options, l1, false, NodeStores.embedded(dir, l1))) {
                String rollup = node.fleet().rollups().get(0);
                AtomicInteger message = new AtomicInteger();
                for (int i = 0; i < 30; i++) {
                    awaitHead(node, rollup, produce(l1, message.getAndIncrement()));
                }
                List<String> outcomes = new ArrayList<>();
                int reorgsDuringExports = 0;
                for (int round = 0; round < 4; round++) {
                    AtomicBoolean exporting = new AtomicBoolean(true);
                    AtomicInteger reorgs = new AtomicInteger();
                    AtomicReference<Throwable> reorgError = new AtomicReference<>();
                    // reorganise L1 (depth 2, a new head each time) for as long as the export runs
                    Thread reorger = new Thread(() -> {
                        try {
                            while (exporting.get()) {
                                l1.reorg(2);
                                reorgs.incrementAndGet();
                                produce(l1, message.getAndIncrement());
                                Thread.sleep(30);
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } catch (Throwable t) {
                            reorgError.set(t);
                        }
                    }, "reorger");
                    Path dest = Files.createDirectories(tmp.resolve("round-" + round));
                    reorger.start();
                    SnapshotExporter.Result r = null;
                    Exception failure = null;
                    try {
                        r = SnapshotExporter.export(SnapshotExporter.Options.of(dir, dest).withLevel("head"));
                    } catch (IllegalStateException | IllegalArgumentException e) {
                        failure = e;
                    } finally {
                        exporting.set(false);
                        reorger.join();
                    }
                    assertNull(reorgError.get(), () -> "the reorgs failed: " + reorgError.get());
                    reorgsDuringExports += reorgs.get();
                    try (Stream<Path> files = Files.list(dest)) {
                        List<Path> left = files.toList();
                        if (r == null) {
                            String why = failure.getMessage();
                            assertTrue(why.contains("export again") || why.contains("reorg"),
                                    "an unclear failure: " + failure);
                            assertEquals(List.of(), left, "a failed export left files");
                            outcomes.add("failed: " + why);
                        } else {
                            assertEquals(List.of(r.file()), left);
                            // consistent: every import check, again, into a fresh directory
                            SnapshotImporter.Result in = SnapshotImporter.importSnapshot(new SnapshotImporter.Options(
                                    SnapshotImporter.Source.file(r.file()), tmp.resolve("imported-" + round), null,
                                    false, true));
                            assertEquals(r.header(), in.header());
                            outcomes.add("level " + r.header().headLevel() + " exported");
                        }
                    }
                }
                assertTrue(reorgsDuringExports >= 4, "reorgs during the exports: " + reorgsDuringExports);
                System.out.println("exports during reorgs: " + outcomes);
                // the node went through every reorg and still follows L1
                awaitHead(node, rollup, produce(l1, message.getAndIncrement()));
            }
        }
    }

    static int produce(SandboxL1 l1, int i) {
        l1.inject(L1Operation.addMessages(SandboxAccounts.bootstrap(2).address(),
                List.of(("message " + i).getBytes(StandardCharsets.UTF_8)))).orThrow();
        return l1.produceBlock().level();
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
