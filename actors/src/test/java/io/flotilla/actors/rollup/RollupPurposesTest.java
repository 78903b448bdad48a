package io.flotilla.actors.rollup;

import io.flotilla.actors.TestJournal;
import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.actors.l1.ContractCall;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.L1Source;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.persistence.chain.InMemoryL2ChainStore;
import io.flotilla.pvm.KernelFiles;
import io.flotilla.pvm.PvmConfig;
import io.flotilla.pvm.PvmThreads;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.encoding.ContractHash;
import io.flotilla.pvm.encoding.Micheline;
import io.flotilla.pvm.encoding.OutboxMessage;
import io.flotilla.pvm.reveal.PreimageSource;
import io.flotilla.pvm.tree.NodeStore;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Operator mode end to end on the sandbox L1: publish, cement, follow the LCC, execute the outbox. */
class RollupPurposesTest {

    ActorTestKit kit = ActorTestKit.create(TestJournal.config());

    @AfterEach
    void stop() {
        kit.shutdownTestKit();
    }

    @Test
    void operatorPublishesCementsAndExecutesTheOutbox() throws Exception {
        SandboxL1 l1 = new SandboxL1(SandboxL1.Config.manualMode()
                .withConstants(new L1Source.SandboxConstants(4, 6, Duration.ofSeconds(1))));
        String operator = SandboxAccounts.bootstrap(1).address();
        byte[] echo;
        try (InputStream in = getClass().getResourceAsStream("/kernels/echo.wat")) {
            echo = KernelFiles.fromText(new String(in.readAllBytes(), StandardCharsets.UTF_8), "echo.wat");
        }
        String rollup = l1.inject(L1Operation.originate(operator, echo, "bytes", PvmVersion.DEFAULT.label())).orThrow().rollup().orElseThrow();
        l1.produceBlock();

        byte[] tx = new OutboxMessage.AtomicTransactionBatch(List.of(new OutboxMessage.Transaction(
                Micheline.parse("Pair 1 \"hello\""), ContractHash.zero(), "default"))).encode();
        l1.inject(L1Operation.addMessages(operator, List.of(tx))).orThrow();
        l1.produceBlock();

        RollupServices services = new RollupServices(l1, NodeStore.inMemory(), new InMemoryL2ChainStore(),
                PvmConfig.defaults(), PvmThreads.SHARED, PreimageSource.none(), a -> RollupMode.OPERATOR, a -> operator);
        ActorRef<RollupEntity.Command> ref = kit.spawn(RollupEntity.create(rollup, services));
        TestProbe<RollupEntity.Status> probe = kit.createTestProbe();

        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<ContractCall> calls = List.of();
        RollupEntity.Status s = null;
        while (System.nanoTime() < deadline) {
            // advance L1 only once the rollup has caught up, so its side effects land in the next block
            ref.tell(new RollupEntity.GetStatus(probe.getRef()));
            s = probe.receiveMessage(Duration.ofSeconds(10));
            if (s.headLevel() >= l1.head().level()) {
                l1.produceBlock();
            } else {
                ref.tell(RollupEntity.Catchup.INSTANCE);
                Thread.sleep(10);
            }
            calls = l1.calls();
            if (!calls.isEmpty()) {
                break;
            }
        }
        assertNotNull(s);
        assertFalse(calls.isEmpty(), "no outbox execution; last status " + s);
        ContractCall call = calls.get(0);
        assertEquals(ContractHash.zero().toBase58(), call.destination());
        assertEquals("default", call.entrypoint());
        assertTrue(call.parameters().contains("hello"), call.toString());
        assertTrue(s.lccLevel() > s.originationLevel(), "LCC followed from L1: " + s);
        assertNotNull(s.lcc());
    }
}
