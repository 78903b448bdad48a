package io.flotilla.persistence.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.persistence.chain.EmbeddedL2ChainStore;
import io.flotilla.persistence.chain.L2Block;
import io.flotilla.persistence.store.EmbeddedContextStore;
import io.flotilla.persistence.store.LevelWriter;
import io.flotilla.pvm.tree.Hash;
import io.flotilla.pvm.tree.Tree;
import io.flotilla.pvm.tree.Value;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process running collections (and evaluating levels between them) is killed with SIGKILL at a random point of a
 * collection; after reopening, every kept state of both rollups is whole, and the interrupted collection runs
 * again and finishes.
 */
class GcCrashTest {
    static final String FULL = HistoryGcTest.FULL;
    static final String ARCHIVE = HistoryGcTest.ARCHIVE;

    @TempDir
    Path dir;

    @Test
    void aCollectionKilledAtAnyPointLeavesEveryKeptStateWholeAndFinishesAfterARestart() throws Exception {
        SplittableRandom random = new SplittableRandom(2026);
        for (int trial = 0; trial < 3; trial++) {
            Path d = dir.resolve("trial" + trial);
            int killAfter = 1 + random.nextInt(4); // collections started before the kill
            long delayMicros = random.nextInt(40_000); // into that collection
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    Child.class.getName(), d.toString()).redirectErrorStream(true).start();
            int started = 0;
            StringBuilder out = new StringBuilder();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    out.append(line).append('\n');
                    if (line.startsWith("START ") && ++started == killAfter) {
                        TimeUnit.MICROSECONDS.sleep(delayMicros);
                        p.destroyForcibly();
                        break;
                    }
                }
            } finally {
                p.destroyForcibly();
                p.waitFor(60, TimeUnit.SECONDS);
            }
            assertEquals(killAfter, started, "child output:\n" + out);

            try (EmbeddedContextStore context = EmbeddedContextStore.open(d.resolve("context"));
                 EmbeddedL2ChainStore chain = new EmbeddedL2ChainStore(d.resolve("chain"));
                 HistoryGc gc = new HistoryGc(context, chain, d.resolve("gc-records"))) {
                assertKeptStatesWhole(context, chain, "trial " + trial + " after the kill");
                gc.register(FULL, HistoryMode.FULL, 1_000); // the frequency does not hold back an interrupted run
                gc.register(ARCHIVE, HistoryMode.ARCHIVE, 1_000);
                int last = chain.lastLevel(FULL).orElseThrow();
                HistoryGc.Info before = gc.info(FULL);
                int lcc = Math.max(before.lastGcStartedAt().orElse(0), last - 10);
                gc.lccUpdated(FULL, lcc);
                assertTrue(gc.awaitIdle(Duration.ofMinutes(2)));
                HistoryGc.Info after = gc.info(FULL);
                if (before.lastGcStartedAt().orElse(-1) > before.lastSuccessfulGcTarget().orElse(-1)) {
                    assertEquals(lcc, after.lastSuccessfulGcTarget().orElse(-1), "trial " + trial + ": " + after);
                }
                assertKeptStatesWhole(context, chain, "trial " + trial + " after the rerun");
            }
        }
    }

    private static void assertKeptStatesWhole(EmbeddedContextStore context, EmbeddedL2ChainStore chain, String when) {
        for (String r : List.of(FULL, ARCHIVE)) {
            int first = chain.firstLevel(r).orElseThrow();
            for (int l = first; l <= chain.lastLevel(r).orElseThrow(); l++) {
                Hash root = chain.get(r, l).orElseThrow(() -> new AssertionError(when + ": a hole in the chain"))
                        .stateHash();
                try {
                    Tree.forEachReachable(root, context, h -> true);
                } catch (RuntimeException e) {
                    throw new AssertionError(when + ": state of " + r + " at " + l + " is not whole: " + e, e);
                }
            }
        }
        Tree.forEachReachable(Child.genesis(ARCHIVE).hash(), context, h -> true);
    }

    /** The killed process: two rollups, then collections of the full one with a level of each between them. */
    public static final class Child {
        static Tree genesis(String rollup) {
            byte[] k = new byte[20_000];
            new SplittableRandom(7).nextBytes(k);
            return Tree.empty().set(List.of("kernel", "boot.wasm"), Value.of(k))
                    .set(List.of("rollup"), Value.of(rollup.getBytes(StandardCharsets.US_ASCII)));
        }

        static Tree level(Tree state, String rollup, int level) {
            byte[] big = new byte[2 * Value.CHUNK_SIZE + 100];
            new SplittableRandom(level * 31L + rollup.hashCode()).nextBytes(big);
            return state.set(List.of("durable", "counter"), Value.of(Integer.toString(level).getBytes()))
                    .set(List.of("durable", "cycle"), Value.of(Integer.toString(level % 7).getBytes()))
                    .set(List.of("durable", "blob"), Value.of(big));
        }

        public static void main(String[] args) throws Exception {
            Path d = Path.of(args[0]);
            EmbeddedContextStore context = EmbeddedContextStore.open(d.resolve("context"));
            EmbeddedL2ChainStore chain = new EmbeddedL2ChainStore(d.resolve("chain"));
            HistoryGc gc = new HistoryGc(context, chain, d.resolve("gc-records"));
            gc.register(FULL, HistoryMode.FULL, 1);
            gc.register(ARCHIVE, HistoryMode.ARCHIVE, 1);
            LevelWriter w = context.writer();
            Tree[] states = new Tree[2];
            String[] rollups = {FULL, ARCHIVE};
            for (int i = 0; i < 2; i++) {
                Tree g = genesis(rollups[i]);
                try (var gate = gc.levelGate()) {
                    g.persist(w);
                    w.commit();
                    gc.originated(rollups[i], g.hash(), 0);
                }
                states[i] = Tree.load(g.hash(), w);
            }
            int level = 0;
            for (int target = 20; ; target += 5) {
                while (level < target + 15) {
                    level++;
                    for (int i = 0; i < 2; i++) {
                        Tree next = level(states[i], rollups[i], level);
                        try (var gate = gc.levelGate()) {
                            next.persist(w);
                            w.commit();
                            chain.put(rollups[i], new L2Block(level, new byte[32], Hash.of(new byte[] {1}), List.of(),
                                    next.hash(), 1, level, 0, 1, Optional.empty()));
                        }
                        states[i] = Tree.load(next.hash(), w);
                    }
                }
                System.out.println("START " + target);
                System.out.flush();
                gc.collectNow(FULL, target);
                System.out.println("DONE " + target);
            }
        }
    }
}
