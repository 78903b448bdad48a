package io.flotilla.actors.chain;

import io.flotilla.actors.TestJournal;
import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.L1Source;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.actors.rollup.RollupEntity;
import io.flotilla.actors.rollup.RollupMode;
import io.flotilla.actors.rollup.RollupServices;
import io.flotilla.persistence.chain.InMemoryL1BlockStore;
import io.flotilla.persistence.chain.InMemoryL2ChainStore;
import io.flotilla.pvm.KernelFiles;
import io.flotilla.pvm.PvmConfig;
import io.flotilla.pvm.PvmThreads;
import io.flotilla.pvm.PvmVersion;
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

/**
 * A rollup entity reading the L1 through the chain actor's journal ({@link JournaledL1Source}), woken only by its
 * head notifications, ends in the same state as one reading the sandbox directly, across reorgs.
 */
class JournaledEntityTest {

    static Config config() {
        return TestJournal.config();
    }

    // two systems: each entity has the rollup's persistence id, and each system its own in-memory journal
    ActorTestKit journaledKit = ActorTestKit.create("journaled", config());
    ActorTestKit directKit = ActorTestKit.create("direct", config());

    @AfterEach
    void stop() {
        journaledKit.shutdownTestKit();
        directKit.shutdownTestKit();
    }

    private static RollupEntity.Status await(ActorTestKit kit, ActorRef<RollupEntity.Command> ref, int level,
            boolean poke) throws Exception {
        TestProbe<RollupEntity.Status> probe = kit.createTestProbe();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        RollupEntity.Status s;
        do {
            if (poke) {
                ref.tell(RollupEntity.Catchup.INSTANCE);
            }
            ref.tell(new RollupEntity.GetStatus(probe.getRef()));
            s = probe.receiveMessage(Duration.ofSeconds(10));
            if (s.headLevel() >= level) {
                return s;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        return s;
    }

    private static RollupServices services(L1Source l1, String account) {
        return new RollupServices(l1, NodeStore.inMemory(), new InMemoryL2ChainStore(), PvmConfig.defaults(),
                PvmThreads.SHARED, PreimageSource.none(), a -> RollupMode.OBSERVER, a -> account);
    }

    @Test
    void sameStateAsAnEntityFedByTheSandbox() throws Exception {
        Random rnd = new Random(20261122);
        String account = SandboxAccounts.bootstrap(2).address();
        byte[] echo;
        try (InputStream in = getClass().getResourceAsStream("/kernels/echo.wat")) {
            echo = KernelFiles.fromText(new String(in.readAllBytes(), StandardCharsets.UTF_8), "echo.wat");
        }
        try (SandboxL1 l1 = SandboxL1.manual()) {
            l1.produceBlock();
            String rollup = l1.inject(L1Operation.originate(account, echo, "bytes", PvmVersion.DEFAULT.label()))
                    .orThrow().rollup().orElseThrow();
            l1.produceBlock();

            L1Blocks blocks = new L1Blocks(new InMemoryL1BlockStore());
            JournaledL1Source journaled = new JournaledL1Source(blocks, l1);
            ActorRef<L1ChainActor.Command> chain = journaledKit.spawn(L1ChainActor.create(l1, blocks,
                    journaled::journaled, new L1ChainActor.Settings(0, Duration.ofMillis(300), 4)));
            ActorRef<RollupEntity.Command> viaJournal = journaledKit.spawn(
                    RollupEntity.create(rollup, services(journaled, account)));
            journaled.subscribe(b -> viaJournal.tell(RollupEntity.Catchup.INSTANCE));
            ActorRef<RollupEntity.Command> direct = directKit.spawn(RollupEntity.create(rollup, services(l1, account)));
            viaJournal.tell(RollupEntity.Catchup.INSTANCE);

            int reorgs = 0;
            for (int step = 0; step < 30; step++) {
                l1.inject(L1Operation.addMessages(account, List.of(("m" + step).getBytes(StandardCharsets.UTF_8))))
                        .orThrow();
                l1.produceBlock();
                if (step > 5 && rnd.nextInt(4) == 0) {
                    if (rnd.nextBoolean()) {
                        L1ChainActorTest.awaitHead(journaledKit, chain, l1);
                        await(journaledKit, viaJournal, l1.head().level(), false);
                    }
                    l1.reorg(1 + rnd.nextInt(4));
                    reorgs++;
                }
            }
            assertTrue(reorgs >= 2, "the seed gives reorgs");
            int head = l1.head().level();
            L1ChainActorTest.awaitHead(journaledKit, chain, l1);
            RollupEntity.Status viaJournalStatus = await(journaledKit, viaJournal, head, false);
            RollupEntity.Status directStatus = await(directKit, direct, head, true);
            assertEquals(head, viaJournalStatus.headLevel(), "woken by the journaled heads alone");
            assertEquals(head, directStatus.headLevel());
            assertEquals(directStatus.headStateHash(), viaJournalStatus.headStateHash());
            L1ChainActorTest.assertSameChain(l1, blocks);
            journaled.close();
        }
    }
}
