package io.flotilla.actors.chain;

import io.flotilla.actors.TestJournal;
import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.flotilla.actors.l1.L1Block;
import io.flotilla.actors.l1.L1Codec;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.persistence.chain.InMemoryL1BlockStore;
import io.flotilla.persistence.events.L1BlockAdded;
import io.flotilla.persistence.events.L1ChainReverted;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The L1 chain actor on the persistence testkit journal (events serialized with the node's Kryo bindings). */
class L1ChainActorTest {

    static final L1ChainActor.Settings FAST = new L1ChainActor.Settings(0, Duration.ofMillis(200), 3);

    ActorTestKit kit = ActorTestKit.create(ConfigFactory.parseString("pekko.actor.serialize-messages = off")
            .withFallback(TestJournal.config()));
    PersistenceTestKit journal = PersistenceTestKit.create(kit.system());

    @AfterEach
    void stop() {
        kit.shutdownTestKit();
    }

    static void produce(SandboxL1 l1, int n, String tag) {
        String account = SandboxAccounts.bootstrap(1).address();
        for (int i = 0; i < n; i++) {
            l1.inject(L1Operation.addMessages(account, List.of((tag + i).getBytes(StandardCharsets.UTF_8)))).orThrow();
            l1.produceBlock();
        }
    }

    static void awaitHead(ActorTestKit kit, ActorRef<L1ChainActor.Command> ref, SandboxL1 l1) throws Exception {
        TestProbe<L1ChainActor.Head> probe = kit.createTestProbe();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        L1Block want = l1.head();
        L1ChainActor.Head h;
        do {
            ref.tell(new L1ChainActor.GetHead(probe.getRef()));
            h = probe.receiveMessage(Duration.ofSeconds(10));
            if (h.level() == want.level() && Arrays.equals(h.hash(), want.hash())) {
                return;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        fail("chain actor at level " + h.level() + ", sandbox head " + want.level());
    }

    /** The store's main chain is exactly the sandbox's chain, block for block. */
    static void assertSameChain(SandboxL1 l1, L1Blocks blocks) {
        assertEquals(l1.head().level(), blocks.lastLevel().orElseThrow());
        assertEquals(0, blocks.firstLevel().orElseThrow());
        for (int l = 0; l <= l1.head().level(); l++) {
            assertTrue(L1Codec.sameContent(l1.block(l).orElseThrow(), blocks.get(l).orElseThrow()), "level " + l);
        }
    }

    /** Replays the journal into a chain (level to hash) and checks that every step links to the previous head. */
    private int[] replayLevels(SandboxL1 l1) {
        List<Object> events = journal.persistedInStorage(L1ChainActor.PERSISTENCE_ID);
        int head = -1;
        java.util.Map<Integer, byte[]> chain = new java.util.HashMap<>();
        for (Object e : events) {
            if (e instanceof L1BlockAdded a) {
                assertEquals(head + 1, a.level(), "no level skipped or repeated: " + a);
                if (head >= 0) {
                    assertArrayEquals(chain.get(head), a.predecessor32(), "links to the previous head");
                }
                L1Block b = L1Codec.decodeBlock(a.block());
                assertArrayEquals(a.hash32(), b.hash());
                chain.put(a.level(), a.hash32());
                head = a.level();
            } else if (e instanceof L1ChainReverted r) {
                assertTrue(r.toLevel() < head);
                assertArrayEquals(chain.get(r.toLevel()), r.toHash32());
                head = r.toLevel();
            } else {
                fail("unexpected event " + e);
            }
        }
        for (int l = 0; l <= head; l++) {
            assertArrayEquals(l1.block(l).orElseThrow().hash(), chain.get(l), "journaled chain at level " + l);
        }
        return new int[] {head, events.size()};
    }

    @Test
    void journalsEveryLevelOfTheSandbox() throws Exception {
        try (SandboxL1 l1 = SandboxL1.manual()) {
            produce(l1, 4, "a");
            L1Blocks blocks = new L1Blocks(new InMemoryL1BlockStore());
            JournaledL1Source source = new JournaledL1Source(blocks, l1);
            List<L1Block> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
            source.subscribe(heard::add);
            ActorRef<L1ChainActor.Command> ref = kit.spawn(L1ChainActor.create(l1, blocks, source::journaled, FAST));
            awaitHead(kit, ref, l1);
            produce(l1, 7, "b");
            awaitHead(kit, ref, l1);
            assertSameChain(l1, blocks);
            int[] r = replayLevels(l1);
            assertEquals(l1.head().level(), r[0]);
            assertEquals(l1.head().level() + 1, r[1], "one L1BlockAdded per level, nothing else");
            assertTrue(L1Codec.sameContent(l1.head(), source.head()));
            long deadline = System.currentTimeMillis() + 5000;
            while (heard.size() < r[1] && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(r[1], heard.size(), "every journaled block is told");
            for (int i = 0; i < heard.size(); i++) {
                assertEquals(i, heard.get(i).level(), "in order");
            }
            source.close();
        }
    }

    @Test
    void resumesFromItsJournalAfterARestart() throws Exception {
        try (SandboxL1 l1 = SandboxL1.manual()) {
            produce(l1, 5, "a");
            L1Blocks blocks = new L1Blocks(new InMemoryL1BlockStore());
            ActorRef<L1ChainActor.Command> ref = kit.spawn(L1ChainActor.create(l1, blocks, b -> {}, FAST));
            awaitHead(kit, ref, l1);
            kit.stop(ref);
            produce(l1, 8, "b");
            ref = kit.spawn(L1ChainActor.create(l1, blocks, b -> {}, FAST));
            awaitHead(kit, ref, l1);
            assertSameChain(l1, blocks);
            int[] r = replayLevels(l1);
            assertEquals(l1.head().level() + 1, r[1], "no level skipped or journaled twice across the restart");
            kit.stop(ref);

            // a restart with an empty block store (lost, or never durable): recovery puts the journaled blocks back
            produce(l1, 2, "c");
            L1Blocks fresh = new L1Blocks(new InMemoryL1BlockStore());
            ref = kit.spawn(L1ChainActor.create(l1, fresh, b -> {}, FAST));
            awaitHead(kit, ref, l1);
            assertSameChain(l1, fresh);
            assertEquals(l1.head().level() + 1, replayLevels(l1)[1]);
        }
    }

    @Test
    void storeBlocksAboveTheJournaledHeadAreDroppedAtRecovery() throws Exception {
        try (SandboxL1 l1 = SandboxL1.manual()) {
            produce(l1, 3, "a");
            L1Blocks blocks = new L1Blocks(new InMemoryL1BlockStore());
            ActorRef<L1ChainActor.Command> ref = kit.spawn(L1ChainActor.create(l1, blocks, b -> {}, FAST));
            awaitHead(kit, ref, l1);
            kit.stop(ref);
            // a crash between "store" and "event": the store holds a block the journal does not
            L1Block journaledHead = l1.head();
            produce(l1, 1, "b");
            blocks.put(l1.head());
            l1.reorg(2); // ...and the chain moved on without it
            ref = kit.spawn(L1ChainActor.create(l1, blocks, b -> {}, FAST));
            awaitHead(kit, ref, l1);
            assertSameChain(l1, blocks);
            assertTrue(journaledHead.level() > 0);
            replayLevels(l1);
        }
    }

    @Test
    void resolvesAReorg() throws Exception {
        try (SandboxL1 l1 = SandboxL1.manual()) {
            produce(l1, 8, "a");
            L1Blocks blocks = new L1Blocks(new InMemoryL1BlockStore());
            JournaledL1Source source = new JournaledL1Source(blocks, l1);
            ActorRef<L1ChainActor.Command> ref = kit.spawn(L1ChainActor.create(l1, blocks, source::journaled, FAST));
            awaitHead(kit, ref, l1);
            int before = l1.head().level();
            L1Block replaced = l1.block(before).orElseThrow();
            SandboxL1.Reorg reorg = l1.reorg(3);
            assertEquals(3, reorg.removed().size());
            awaitHead(kit, ref, l1);
            produce(l1, 2, "b");
            awaitHead(kit, ref, l1);

            List<Object> events = journal.persistedInStorage(L1ChainActor.PERSISTENCE_ID);
            List<L1ChainReverted> reverts = events.stream().filter(e -> e instanceof L1ChainReverted)
                    .map(e -> (L1ChainReverted) e).toList();
            assertEquals(1, reverts.size(), events::toString);
            assertEquals(before - 3, reverts.get(0).toLevel());
            assertSameChain(l1, blocks);
            replayLevels(l1);
            assertTrue(source.blockByHash(replaced.hash()).isPresent(), "a replaced block is still found by hash");
            assertTrue(L1Codec.sameContent(l1.head(), source.head()));
            source.close();
        }
    }
}
