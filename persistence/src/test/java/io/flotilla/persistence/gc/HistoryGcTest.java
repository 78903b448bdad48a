package io.flotilla.persistence.gc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.persistence.chain.EmbeddedL2ChainStore;
import io.flotilla.persistence.chain.L2Block;
import io.flotilla.persistence.store.EmbeddedContextStore;
import io.flotilla.persistence.store.LevelWriter;
import io.flotilla.pvm.tree.Hash;
import io.flotilla.pvm.tree.MissingNodeException;
import io.flotilla.pvm.tree.Tree;
import io.flotilla.pvm.tree.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link HistoryGc} over the embedded stores, with rollups that evaluate levels the way rollup entities do. */
class HistoryGcTest {
    static final String FULL = "sr1Ghq66tYK9y3r8CC1Tf8i8m5nxh8nTvZEf";
    static final String ARCHIVE = "sr163Lv22CdE8QagCwf48PWDTquk6isQwv57";

    @TempDir
    Path dir;
    EmbeddedContextStore context;
    EmbeddedL2ChainStore chain;
    HistoryGc gc;

    /** A rollup as an entity runs it: one writer, a tree per level, nodes committed then the block stored. */
    final class Rollup {
        final String address;
        final LevelWriter writer;
        Tree state;
        int head;
        final Hash genesis;

        Rollup(String address, int originationLevel) {
            this.address = address;
            this.writer = context.writer();
            // the same kernel in both rollups: shared nodes in the shared store
            Tree t = Tree.empty().set(List.of("kernel", "boot.wasm"), Value.of(kernel()));
            t = t.set(List.of("rollup"), Value.of(address.getBytes()));
            try (var g = gc.levelGate()) {
                t.persist(writer);
                writer.commit();
                gc.originated(address, t.hash(), originationLevel);
            }
            state = Tree.load(t.hash(), writer);
            genesis = t.hash();
            head = originationLevel;
        }

        void level() {
            int level = ++head;
            byte[] big = new byte[2 * Value.CHUNK_SIZE + 100];
            new SplittableRandom(level * 31L + address.hashCode()).nextBytes(big);
            Tree next = state.set(List.of("durable", "counter"), Value.of(Integer.toString(level).getBytes()))
                    .set(List.of("durable", "cycle"), Value.of(Integer.toString(level % 7).getBytes()))
                    .set(List.of("durable", "blob"), Value.of(big))
                    .set(List.of("outbox", Integer.toString(level), "0"), Value.of(("out" + level).getBytes()));
            try (var g = gc.levelGate()) {
                next.persist(writer);
                writer.commit();
                chain.put(address, new L2Block(level, new byte[32], Hash.of(new byte[] {(byte) level}), List.of(),
                        next.hash(), 1, level, 1, 1, Optional.empty()));
            }
            state = Tree.load(next.hash(), writer);
        }

        void levels(int n) {
            for (int i = 0; i < n; i++) {
                level();
            }
        }
    }

    static byte[] kernel() {
        byte[] k = new byte[20_000];
        new SplittableRandom(7).nextBytes(k);
        return k;
    }

    static Set<Hash> reachable(Hash root, EmbeddedContextStore s) {
        Set<Hash> seen = new HashSet<>();
        Tree.forEachReachable(root, s, seen::add);
        return seen;
    }

    @BeforeEach
    void open() {
        context = EmbeddedContextStore.open(dir.resolve("context"));
        chain = new EmbeddedL2ChainStore(dir.resolve("chain"));
        gc = new HistoryGc(context, chain, dir.resolve("gc-records"));
    }

    @AfterEach
    void close() {
        gc.close();
        chain.close();
        context.close();
    }

    void reopen() {
        close();
        open();
    }

    @Test
    void aFullRollupLosesItsHistoryBeforeTheTargetAndAnArchiveRollupOnTheSameStoreLosesNothing() {
        gc.register(FULL, HistoryMode.FULL, 8);
        gc.register(ARCHIVE, HistoryMode.ARCHIVE, 8);
        Rollup full = new Rollup(FULL, 2);
        Rollup archive = new Rollup(ARCHIVE, 2);
        full.levels(40);
        archive.levels(40);
        Set<Hash> archiveBefore = new HashSet<>();
        for (int l = 3; l <= 42; l++) {
            archiveBefore.addAll(reachable(chain.get(ARCHIVE, l).orElseThrow().stateHash(), context));
        }
        archiveBefore.addAll(reachable(archive.genesis, context));
        Hash oldFullState = chain.get(FULL, 10).orElseThrow().stateHash();
        long nodesBefore = context.stats().nodes();

        HistoryGc.Outcome o = gc.collectNow(FULL, 30);

        assertTrue(o.completed(), o.toString());
        assertTrue(o.nodesDeleted() > 0);
        assertEquals(nodesBefore - o.nodesDeleted(), context.stats().nodes());
        assertEquals(Optional.of(30), chain.firstLevel(FULL));
        assertTrue(chain.get(FULL, 29).isEmpty());
        // every kept state of the full rollup is whole, its old outbox levels included
        for (int l = 30; l <= 42; l++) {
            Tree t = Tree.load(chain.get(FULL, l).orElseThrow().stateHash(), context);
            assertEquals(Integer.toString(l), new String(t.value(List.of("durable", "counter")).orElseThrow().toBytes()));
            assertArrayEquals("out5".getBytes(), t.value(List.of("outbox", "5", "0")).orElseThrow().toBytes());
            reachable(t.hash(), context);
        }
        // the archive rollup kept every node, its genesis and the shared kernel included
        Set<Hash> archiveAfter = new HashSet<>();
        for (int l = 3; l <= 42; l++) {
            archiveAfter.addAll(reachable(chain.get(ARCHIVE, l).orElseThrow().stateHash(), context));
        }
        archiveAfter.addAll(reachable(archive.genesis, context));
        assertEquals(archiveBefore, archiveAfter);
        assertThrows(MissingNodeException.class, () -> reachable(oldFullState, context));

        HistoryGc.Info info = gc.info(FULL);
        assertEquals(30, info.firstAvailableLevel());
        assertEquals(OptionalInt.of(30), info.lastSuccessfulGcTarget());
        assertEquals(OptionalInt.of(30), info.lastContextSplitLevel());
        assertEquals(HistoryMode.FULL, info.mode());
        // the full rollup goes on evaluating from its head after the collection
        full.levels(3);
        reachable(chain.get(FULL, 45).orElseThrow().stateHash(), context);
    }

    @Test
    void lccUpdatesTriggerCollectionsEveryFrequencyLevelsAndArchiveRollupsNeverCollect() {
        gc.register(FULL, HistoryMode.FULL, 10);
        gc.register(ARCHIVE, HistoryMode.ARCHIVE, 10);
        Rollup full = new Rollup(FULL, 0);
        Rollup archive = new Rollup(ARCHIVE, 0);
        full.levels(30);
        archive.levels(30);
        gc.lccUpdated(FULL, 9); // 9 - 0 < 10
        gc.lccUpdated(ARCHIVE, 25);
        assertTrue(gc.awaitIdle(Duration.ofMinutes(2)));
        assertTrue(gc.lastOutcome().isEmpty());
        assertEquals(Optional.of(1), chain.firstLevel(FULL));
        gc.lccUpdated(FULL, 10);
        assertTrue(gc.awaitIdle(Duration.ofMinutes(2)));
        assertEquals(Optional.of(10), chain.firstLevel(FULL));
        assertEquals(Optional.of(1), chain.firstLevel(ARCHIVE));
        gc.lccUpdated(FULL, 19); // 19 - 10 < 10: nothing
        assertTrue(gc.awaitIdle(Duration.ofMinutes(2)));
        assertEquals(Optional.of(10), chain.firstLevel(FULL));
        gc.lccUpdated(FULL, 20);
        assertTrue(gc.awaitIdle(Duration.ofMinutes(2)));
        assertEquals(Optional.of(20), chain.firstLevel(FULL));
        assertEquals(OptionalInt.of(20), gc.info(FULL).lastSuccessfulGcTarget());
        assertTrue(gc.info(ARCHIVE).lastSuccessfulGcTarget().isEmpty());
    }

    @Test
    void aPauseHoldsCollectionsOffUntilItCloses() {
        gc.register(FULL, HistoryMode.FULL, 5);
        Rollup full = new Rollup(FULL, 0);
        full.levels(20);
        try (GcPause p = gc.pause("snapshot export")) {
            assertEquals("snapshot export", p.reason());
            gc.lccUpdated(FULL, 15);
            assertTrue(gc.awaitIdle(Duration.ofMinutes(2)));
            assertEquals(Optional.of(1), chain.firstLevel(FULL), "collected while paused");
            assertEquals(-1, gc.info(FULL).lastGcStartedAt().orElse(-1));
        }
        assertTrue(gc.awaitIdle(Duration.ofMinutes(2)));
        assertEquals(Optional.of(15), chain.firstLevel(FULL));
        assertFalse(gc.cancel(FULL), "nothing runs any more");
    }

    @Test
    void aPauseFileOfAnyProcessHoldsCollectionsOffAndAStaleOneDoesNot() throws Exception {
        gc.register(FULL, HistoryMode.FULL, 5);
        Rollup full = new Rollup(FULL, 0);
        full.levels(30);
        // a snapshot export in another process pauses through a file in the data directory
        try (GcPause p = GcPauseFiles.hold(dir, "snapshot export", Duration.ofMinutes(1))) {
            assertTrue(GcPauseFiles.paused(dir));
            gc.lccUpdated(FULL, 15);
            assertTrue(gc.awaitIdle(Duration.ofMinutes(2)));
            assertEquals(Optional.of(1), chain.firstLevel(FULL), "collected while paused");
            HistoryGc.Outcome o = gc.lastOutcome().orElseThrow();
            assertFalse(o.completed());
            assertTrue(o.why().contains("pause file"), o.why());
        }
        assertFalse(GcPauseFiles.paused(dir));
        assertFalse(Files.exists(dir.resolve(GcPauseFiles.RUNNING)), "the running mark is removed");
        gc.lccUpdated(FULL, 20); // the held-off collection runs at the next LCC update
        assertTrue(gc.awaitIdle(Duration.ofMinutes(2)));
        assertEquals(Optional.of(20), chain.firstLevel(FULL));

        // the pause file of a process that died (kill -9 of an export) does not hold the GC off
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.createDirectories(dir.resolve(GcPauseFiles.PAUSES));
        Path stale = dir.resolve(GcPauseFiles.PAUSES).resolve(gone.pid() + "-stale");
        Files.writeString(stale, "snapshot export");
        gc.lccUpdated(FULL, 25);
        assertTrue(gc.awaitIdle(Duration.ofMinutes(2)));
        assertEquals(Optional.of(25), chain.firstLevel(FULL));
        assertFalse(Files.exists(stale), "stale pause files are removed");
    }

    @Test
    void aPauseWaitsForARunningCollectionOfAnyProcessToStop() throws Exception {
        GcPauseFiles.markRunning(dir); // a collection of a live process (this one) is deleting
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> GcPauseFiles.hold(dir, "snapshot export", Duration.ofMillis(200)));
        assertTrue(e.getMessage().contains("did not stop"), e.getMessage());
        assertFalse(GcPauseFiles.paused(dir), "a pause that gave up leaves no file");
        Thread collector = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException ignored) {
                // stop early
            }
            GcPauseFiles.clearRunning(dir);
        });
        collector.start();
        try (GcPause p = GcPauseFiles.hold(dir, "snapshot export", Duration.ofMinutes(1))) {
            assertFalse(Files.exists(dir.resolve(GcPauseFiles.RUNNING)), "returned only once the collection stopped");
            assertTrue(GcPauseFiles.paused(dir));
        }
        collector.join();
    }

    @Test
    void archiveAfterFullIsRefusedAndTheRecordsSurviveARestart() {
        gc.register(FULL, HistoryMode.FULL, 5);
        Rollup full = new Rollup(FULL, 0);
        full.levels(12);
        assertTrue(gc.collectNow(FULL, 10).completed());
        reopen();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> gc.register(FULL, HistoryMode.ARCHIVE, 5));
        assertTrue(e.getMessage().contains("history mode full") && e.getMessage().contains("level 10"),
                e.getMessage());
        gc.register(FULL, HistoryMode.FULL, 5);
        assertEquals(OptionalInt.of(10), gc.info(FULL).lastSuccessfulGcTarget());
        // archive -> full is allowed: the next collection cleans everything before its target
        gc.register(ARCHIVE, HistoryMode.ARCHIVE, 5);
        Rollup archive = new Rollup(ARCHIVE, 0);
        archive.levels(12);
        reopen();
        gc.register(ARCHIVE, HistoryMode.FULL, 5);
        gc.lccUpdated(ARCHIVE, 10);
        assertTrue(gc.awaitIdle(Duration.ofMinutes(2)));
        assertEquals(Optional.of(10), chain.firstLevel(ARCHIVE));
    }

    @Test
    void aCollectionInterruptedByACrashRunsAgainAfterTheRestartEvenBelowTheFrequency() throws Exception {
        gc.register(FULL, HistoryMode.FULL, 10);
        Rollup full = new Rollup(FULL, 0);
        full.levels(25);
        // a crash right after step 2 of a collection with target 20: records say started, half of the blocks are gone
        close();
        Path record = dir.resolve("gc-records").resolve(FULL + ".properties");
        Files.writeString(record, Files.readString(record) + "started_target=20\nstarted_at=20\n");
        try (EmbeddedL2ChainStore c = new EmbeddedL2ChainStore(dir.resolve("chain"))) {
            c.deleteBelow(FULL, 12);
        }
        open();
        gc.register(FULL, HistoryMode.FULL, 10);
        assertEquals(OptionalInt.of(20), gc.info(FULL).lastGcStartedAt());
        assertTrue(gc.info(FULL).lastSuccessfulGcTarget().isEmpty());
        gc.lccUpdated(FULL, 21); // 21 - 0 >= 10 anyway; an interrupted run is due whatever the frequency
        assertTrue(gc.awaitIdle(Duration.ofMinutes(2)));
        assertEquals(OptionalInt.of(21), gc.info(FULL).lastSuccessfulGcTarget());
        assertEquals(Optional.of(21), chain.firstLevel(FULL));
        for (int l = 21; l <= 25; l++) {
            reachable(chain.get(FULL, l).orElseThrow().stateHash(), context);
        }
    }

    @Test
    void collectionsRunningWhileARollupEvaluatesLevelsNeverLoseANodeOfAKeptState() throws Exception {
        gc.register(FULL, HistoryMode.FULL, 1);
        gc.register(ARCHIVE, HistoryMode.ARCHIVE, 1);
        Rollup full = new Rollup(FULL, 0);
        Rollup archive = new Rollup(ARCHIVE, 0);
        full.levels(10);
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        // the writers re-create content that older, collectable states also had (the counter cycles), so the sweep
        // meets nodes that are dead by the marks but being written again: they must be protected
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < 150; i++) {
                    full.level();
                    archive.level();
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "writer");
        writer.start();
        int collections = 0;
        while (writer.isAlive()) {
            int head = chain.lastLevel(FULL).orElse(0);
            if (head - 5 > gc.info(FULL).lastSuccessfulGcTarget().orElse(0)) {
                assertTrue(gc.collectNow(FULL, head - 5).completed());
                collections++;
            }
            Thread.sleep(5);
        }
        writer.join();
        if (failure.get() != null) {
            throw new AssertionError("the writer failed", failure.get());
        }
        assertTrue(collections >= 2, "collections: " + collections);
        // a last collection, then every kept state of both rollups is whole, and the writers can go on
        gc.collectNow(FULL, chain.lastLevel(FULL).orElseThrow() - 5);
        for (String r : List.of(FULL, ARCHIVE)) {
            for (int l = chain.firstLevel(r).orElseThrow(); l <= chain.lastLevel(r).orElseThrow(); l++) {
                reachable(chain.get(r, l).orElseThrow().stateHash(), context);
            }
        }
        reachable(archive.genesis, context);
        full.levels(2);
        reachable(full.state.hash(), context);
    }
}
