package io.flotilla.pvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import io.flotilla.pvm.engine.ChicoryEngine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Outbox levels leave the state once they are older than the version's validity period. The state hashes of a
 * long, irregular run are pinned to the ones the original algorithm (list and parse every kept level at every
 * level) produced, so states written by older code keep producing the same hashes going forward.
 */
class OutboxPruningTest {

    /**
     * Hashes of {@link #run} every 300 levels, recorded with the original full-scan pruning (commit c751fe3):
     * they must never change.
     */
    private static final List<String> GOLDEN = List.of(
            "9f6d9e153610d31c8cd4336a9d3540d6158b76b144b795e961867f385fa6660b",
            "d5b3f2ff87cdfd9e571cc2422df35f06b97a52da4cb5f8e6da32e30d8b65f174",
            "9fdfe123b80d9514417e73767f245217ebd8169f276024f1729514cee52804a5",
            "f5e2004cf89fbdb52330de55b14537aba55838c1ae7fcad1289bd47965a770a3",
            "bcb8db65e714146e011490ee2512d394594e2daf81f0b6777b17a5b368cb8720");

    /**
     * In both engines: 1,500 levels of the echo kernel with irregular level numbers (mostly consecutive, sometimes jumping by up to
     * 30,000 levels; up to about 500 kept), 0-2 messages per level (so some levels have no outbox), starting at version 2.0.0-r3
     * (validity 80,640 levels), migrating to 2.0.0-r5 (241,920) and then back to 2.0.0-r1 (80,640), so the
     * validity period grows and shrinks. At every level the kept outbox levels are checked against a model.
     */
    @ParameterizedTest
    @EnumSource(ChicoryEngine.class)
    void longIrregularRunKeepsExactlyTheValidOutboxLevelsWithTheOriginalHashes(ChicoryEngine engine) {
        List<String> hashes = new ArrayList<>();
        int mostKept = run(engine, 1500, 300, hashes);
        // more than 256 kept levels: the outbox directory is paged (BigDir) for part of the run
        assertTrue(mostKept > 256, "at most " + mostKept + " outbox levels kept");
        assertEquals(GOLDEN, hashes);
    }

    /** Runs the levels, adding the state hash every {@code every} levels; returns the most outbox levels kept. */
    static int run(ChicoryEngine engine, int levels, int every, List<String> hashes) {
        Pvm pvm = Harness.pvm(engine);
        PvmState s = PvmState.originate(TestKernels.wasm("echo"), PvmVersion.V2_0_0_R3);
        Random rnd = new Random(6);
        TreeSet<Integer> withMessages = new TreeSet<>();
        int mostKept = 0;
        PvmVersion version = PvmVersion.V2_0_0_R3;
        int level = 0;
        for (int i = 1; i <= levels; i++) {
            int p = rnd.nextInt(100);
            level += p < 90 ? 1 : p < 98 ? 1 + rnd.nextInt(500) : 500 + rnd.nextInt(30_000);
            Optional<String> migration = Optional.empty();
            if (i == 500) {
                migration = Optional.of("quebec_021");
                version = PvmVersion.V2_0_0_R5;
            } else if (i == 1000) {
                migration = Optional.of("nairobi_017");
                version = PvmVersion.V2_0_0_R1;
            }
            int n = rnd.nextInt(3);
            List<byte[]> msgs = new ArrayList<>();
            for (int m = 0; m < n; m++) {
                msgs.add(LevelInput.external(("level " + level + " #" + m).getBytes(StandardCharsets.UTF_8)));
            }
            LevelResult r = pvm.runLevel(s, new LevelInput(level, 0, new byte[32], migration, msgs));
            s = r.state();
            assertEquals(version, s.version());
            if (n > 0) {
                withMessages.add(level);
            }
            int oldestKept = level - version.outboxValidityLevels();
            withMessages.headSet(oldestKept).clear();
            assertEquals(new ArrayList<>(withMessages), s.outboxLevels(), "outbox levels kept at level " + level);
            mostKept = Math.max(mostKept, withMessages.size());
            if (i % every == 0) {
                hashes.add(s.hash().hex());
            }
        }
        return mostKept;
    }
}
