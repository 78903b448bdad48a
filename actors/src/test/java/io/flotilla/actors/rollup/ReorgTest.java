package io.flotilla.actors.rollup;

import io.flotilla.actors.TestJournal;
import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.persistence.chain.InMemoryL2ChainStore;
import io.flotilla.pvm.KernelFiles;
import io.flotilla.pvm.LevelInput;
import io.flotilla.pvm.Pvm;
import io.flotilla.pvm.PvmConfig;
import io.flotilla.pvm.PvmState;
import io.flotilla.pvm.PvmThreads;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.encoding.RollupAddress;
import io.flotilla.pvm.host.RollupMetadata;
import io.flotilla.pvm.reveal.PreimageSource;
import io.flotilla.pvm.tree.NodeStore;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reorgs of depth 1 to 5 at random levels: the rollup ends where a run over the final chain ends. */
class ReorgTest {

    ActorTestKit kit = ActorTestKit.create(TestJournal.config());

    @AfterEach
    void stop() {
        kit.shutdownTestKit();
    }

    private static RollupEntity.Status await(ActorTestKit kit, ActorRef<RollupEntity.Command> ref, int level) throws Exception {
        TestProbe<RollupEntity.Status> probe = kit.createTestProbe();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        RollupEntity.Status s;
        do {
            ref.tell(RollupEntity.Catchup.INSTANCE);
            ref.tell(new RollupEntity.GetStatus(probe.getRef()));
            s = probe.receiveMessage(Duration.ofSeconds(10));
            if (s.headLevel() >= level) {
                return s;
            }
            Thread.sleep(5);
        } while (System.nanoTime() < deadline);
        return s;
    }

    @Test
    void randomReorgsEndInTheFinalChainsState() throws Exception {
        Random rnd = new Random(20261122);
        SandboxL1 l1 = SandboxL1.manual();
        String account = SandboxAccounts.bootstrap(2).address();
        byte[] counter;
        try (InputStream in = getClass().getResourceAsStream("/kernels/echo.wat")) {
            counter = KernelFiles.fromText(new String(in.readAllBytes(), StandardCharsets.UTF_8), "echo.wat");
        }
        String rollup = l1.inject(L1Operation.originate(account, counter, "bytes", PvmVersion.DEFAULT.label()))
                .orThrow().rollup().orElseThrow();
        l1.produceBlock();
        RollupServices services = new RollupServices(l1, NodeStore.inMemory(), new InMemoryL2ChainStore(),
                PvmConfig.defaults(), PvmThreads.SHARED, PreimageSource.none(), a -> RollupMode.OBSERVER, a -> account);
        ActorRef<RollupEntity.Command> ref = kit.spawn(RollupEntity.create(rollup, services));

        int reorgs = 0;
        for (int step = 0; step < 40; step++) {
            l1.inject(L1Operation.addMessages(account, List.of(("m" + step).getBytes(StandardCharsets.UTF_8)))).orThrow();
            l1.produceBlock();
            if (step > 8 && rnd.nextInt(4) == 0) {
                // let the rollup reach the head first, sometimes, so that it has blocks to revert
                if (rnd.nextBoolean()) {
                    await(kit, ref, l1.head().level());
                }
                l1.reorg(1 + rnd.nextInt(5));
                reorgs++;
            }
        }
        assertTrue(reorgs >= 3, "the seed gives several reorgs");
        RollupEntity.Status s = await(kit, ref, l1.head().level());
        assertEquals(l1.head().level(), s.headLevel());

        // a plain PVM run over the final chain only
        int origination = l1.rollup(rollup).orElseThrow().originationLevel();
        Pvm pvm = new Pvm(PvmConfig.defaults(), PreimageSource.none(),
                new RollupMetadata(RollupAddress.fromBase58(rollup).bytes(), origination));
        PvmState state = PvmState.originate(counter, PvmVersion.DEFAULT);
        for (int level = origination + 1; level <= l1.head().level(); level++) {
            LevelInput in = Inbox.forRollup(rollup, l1.block(level).orElseThrow(), l1.block(level - 1).orElseThrow());
            state = pvm.runLevel(state, in).state();
        }
        assertEquals(state.hash().hex(), s.headStateHash());
    }

    /** Reads the whole inbox; an external message starting with 'd' sends it into an endless loop. */
    static final String DIES_ON_D = """
            (module
              (import "smart_rollup_core" "read_input" (func $read_input (param i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (func (export "kernel_run")
                (local $n i32)
                (block $done
                  (loop $next
                    (local.set $n (call $read_input (i32.const 0) (i32.const 64) (i32.const 4096)))
                    (br_if $done (i32.eqz (local.get $n)))
                    (if (i32.and (i32.eq (i32.load8_u (i32.const 64)) (i32.const 1))
                                 (i32.eq (i32.load8_u (i32.const 65)) (i32.const 100)))
                      (then (loop $forever (br $forever))))
                    (br $next)))))
            """;

    @Test
    void aStuckRollupComesUnstuckWhenAReorgRemovesItsHead() throws Exception {
        SandboxL1 l1 = SandboxL1.manual();
        String account = SandboxAccounts.bootstrap(3).address();
        byte[] kernel = KernelFiles.fromText(DIES_ON_D, "dies_on_d.wat");
        String rollup = l1.inject(L1Operation.originate(account, kernel, "bytes", PvmVersion.DEFAULT.label()))
                .orThrow().rollup().orElseThrow();
        l1.produceBlock();
        for (int i = 0; i < 5; i++) {
            l1.inject(L1Operation.addMessages(account, List.of(("ok " + i).getBytes(StandardCharsets.UTF_8)))).orThrow();
            l1.produceBlock();
        }
        l1.inject(L1Operation.addMessages(account, List.of("die".getBytes(StandardCharsets.UTF_8)))).orThrow();
        l1.produceBlock();
        l1.produceBlock();
        PvmConfig small = PvmConfig.defaults().withGas(5_000_000);
        RollupServices services = new RollupServices(l1, NodeStore.inMemory(), new InMemoryL2ChainStore(),
                small, PvmThreads.SHARED, PreimageSource.none(), a -> RollupMode.OBSERVER, a -> account);
        ActorRef<RollupEntity.Command> ref = kit.spawn(RollupEntity.create(rollup, services));
        int dieLevel = l1.head().level() - 1;
        RollupEntity.Status stuck = await(kit, ref, dieLevel);
        assertEquals(dieLevel, stuck.headLevel());
        assertNotNull(stuck.stuck(), "stuck at the level of the 'die' message");

        // the reorg replaces the block of the 'die' message by a new one carrying it again (other hash and time)
        l1.reorg(2);
        int newDie = l1.head().level() - 2;
        TestProbe<RollupEntity.Status> probe = kit.createTestProbe();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        RollupEntity.Status s;
        do {
            ref.tell(RollupEntity.Catchup.INSTANCE);
            ref.tell(new RollupEntity.GetStatus(probe.getRef()));
            s = probe.receiveMessage(Duration.ofSeconds(10));
            Thread.sleep(10);
        } while (!(s.stuck() != null && s.headLevel() == newDie) && System.nanoTime() < deadline);
        assertEquals(newDie, s.headLevel(), "reverted, re-evaluated, and stuck again where the final chain puts it");

        int origination = l1.rollup(rollup).orElseThrow().originationLevel();
        Pvm pvm = new Pvm(small, PreimageSource.none(),
                new RollupMetadata(RollupAddress.fromBase58(rollup).bytes(), origination));
        PvmState state = PvmState.originate(kernel, PvmVersion.DEFAULT);
        for (int level = origination + 1; level <= newDie; level++) {
            state = pvm.runLevel(state, Inbox.forRollup(rollup, l1.block(level).orElseThrow(),
                    l1.block(level - 1).orElseThrow())).state();
        }
        assertTrue(state.stuck().isPresent());
        assertEquals(state.hash().hex(), s.headStateHash());
    }
}
