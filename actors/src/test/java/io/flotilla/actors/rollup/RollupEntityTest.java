package io.flotilla.actors.rollup;

import io.flotilla.actors.TestJournal;
import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.actors.l1.L1Operation;
import io.flotilla.persistence.chain.InMemoryL2ChainStore;
import io.flotilla.persistence.chain.L2Block;
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
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RollupEntityTest {

    static final String ADDRESS = RollupAddress.zero().toBase58();

    ActorTestKit kit;
    FakeL1 l1;
    NodeStore store;
    InMemoryL2ChainStore chain;
    RollupServices services;
    byte[] echo;

    @BeforeEach
    void setUp() throws Exception {
        kit = ActorTestKit.create(TestJournal.config());
        l1 = new FakeL1();
        store = NodeStore.inMemory();
        chain = new InMemoryL2ChainStore();
        try (InputStream in = getClass().getResourceAsStream("/kernels/echo.wat")) {
            echo = KernelFiles.fromText(new String(in.readAllBytes(), StandardCharsets.UTF_8), "echo.wat");
        }
        services = new RollupServices(l1, store, chain, PvmConfig.defaults(), PvmThreads.SHARED,
                PreimageSource.none(), a -> RollupMode.OPERATOR, a -> "tz1Ke2h7sDdakHJQh8WX4Z372du1KChsksyU");
    }

    @AfterEach
    void tearDown() {
        kit.shutdownTestKit();
    }

    private RollupEntity.Status awaitHead(ActorRef<RollupEntity.Command> ref, int level) {
        TestProbe<RollupEntity.Status> probe = kit.createTestProbe();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            ref.tell(RollupEntity.Catchup.INSTANCE);
            ref.tell(new RollupEntity.GetStatus(probe.getRef()));
            RollupEntity.Status s = probe.receiveMessage(Duration.ofSeconds(5));
            if (s.headLevel() >= level || System.nanoTime() > deadline) {
                return s;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
        }
    }

    /** The states a plain PVM run over the same L1 chain reaches, level by level. */
    private List<PvmState> reference(int fromLevel, int toLevel) {
        Pvm pvm = new Pvm(PvmConfig.defaults(), PreimageSource.none(),
                new RollupMetadata(RollupAddress.zero().bytes(), fromLevel));
        List<PvmState> states = new ArrayList<>();
        PvmState s = PvmState.originate(echo, PvmVersion.DEFAULT);
        for (int level = fromLevel + 1; level <= toLevel; level++) {
            LevelInput in = Inbox.forRollup(ADDRESS, l1.block(level).orElseThrow(), l1.block(level - 1).orElseThrow());
            s = pvm.runLevel(s, in).state();
            states.add(s);
        }
        return states;
    }

    @Test
    void followsL1AndMatchesAPlainPvmRun() {
        l1.originate(ADDRESS, echo);
        int origination = l1.rollup(ADDRESS).orElseThrow().originationLevel();
        for (int i = 0; i < 12; i++) {
            l1.addBlock(List.of(new L1Operation.AddMessages("tz1Ke2h7sDdakHJQh8WX4Z372du1KChsksyU",
                    List.of(("msg " + i).getBytes(StandardCharsets.UTF_8)))));
        }
        int head = l1.head().level();
        ActorRef<RollupEntity.Command> ref = kit.spawn(RollupEntity.create(ADDRESS, services));
        RollupEntity.Status status = awaitHead(ref, head);
        assertEquals(head, status.headLevel());
        assertNull(status.stuck());

        List<PvmState> expected = reference(origination, head);
        assertEquals(expected.get(expected.size() - 1).hash().hex(), status.headStateHash());
        for (int level = origination + 1; level <= head; level++) {
            L2Block b = chain.get(ADDRESS, level).orElseThrow();
            assertEquals(expected.get(level - origination - 1).hash(), b.stateHash(), "level " + level);
            assertEquals(1, b.outboxCount());
            assertEquals(250_000_000_000_000L, b.ticks());
        }
        // a commitment every 5 levels, published in operator mode
        assertEquals(origination + 10, status.lastCommitmentLevel());
        long publishes = l1.injected.stream().filter(o -> o instanceof L1Operation.Publish).count();
        assertEquals(2, publishes);

        // recovery: stop, respawn, same head without re-evaluating
        kit.stop(ref);
        ActorRef<RollupEntity.Command> again = kit.spawn(RollupEntity.create(ADDRESS, services));
        RollupEntity.Status recovered = awaitHead(again, head);
        assertEquals(status.headStateHash(), recovered.headStateHash());
        assertEquals(status.lastCommitment(), recovered.lastCommitment());
    }

    @Test
    void reorgRevertsAndReachesTheStateOfTheFinalChain() {
        l1.originate(ADDRESS, echo);
        int origination = l1.rollup(ADDRESS).orElseThrow().originationLevel();
        for (int i = 0; i < 8; i++) {
            l1.addBlock(List.of(new L1Operation.AddMessages("tz1Ke2h7sDdakHJQh8WX4Z372du1KChsksyU",
                    List.of(new byte[] {(byte) i}))));
        }
        ActorRef<RollupEntity.Command> ref = kit.spawn(RollupEntity.create(ADDRESS, services));
        awaitHead(ref, l1.head().level());
        l1.reorg(3);
        l1.addBlock(List.of());
        int head = l1.head().level();
        RollupEntity.Status s = awaitHead(ref, head);
        List<PvmState> expected = reference(origination, head);
        assertEquals(expected.get(expected.size() - 1).hash().hex(), s.headStateHash());
        assertArrayEquals(l1.head().hash(), chain.get(ADDRESS, head).orElseThrow().l1Hash());
    }

    @Test
    void aJournalFailureRestartsTheEntityWhichRecoversAndCatchesUp() {
        PersistenceTestKit journal = PersistenceTestKit.create(kit.system());
        l1.originate(ADDRESS, echo);
        int origination = l1.rollup(ADDRESS).orElseThrow().originationLevel();
        for (int i = 0; i < 3; i++) {
            l1.addBlock(List.of(new L1Operation.AddMessages("tz1Ke2h7sDdakHJQh8WX4Z372du1KChsksyU",
                    List.of(("before " + i).getBytes(StandardCharsets.UTF_8)))));
        }
        ActorRef<RollupEntity.Command> ref = kit.spawn(RollupEntity.create(ADDRESS, services));
        assertEquals(l1.head().level(), awaitHead(ref, l1.head().level()).headLevel());

        // the next write fails, then the replay of the restarted entity fails too: a journal that timed out or whose
        // circuit breaker is open; before, the entity stopped and the rollup stayed behind L1
        journal.failNextPersisted();
        journal.failNextRead();
        for (int i = 0; i < 3; i++) {
            l1.addBlock(List.of(new L1Operation.AddMessages("tz1Ke2h7sDdakHJQh8WX4Z372du1KChsksyU",
                    List.of(("after " + i).getBytes(StandardCharsets.UTF_8)))));
        }
        int head = l1.head().level();
        RollupEntity.Status s = awaitHead(ref, head);
        assertEquals(head, s.headLevel());
        List<PvmState> expected = reference(origination, head);
        assertEquals(expected.get(expected.size() - 1).hash().hex(), s.headStateHash());
    }
}
