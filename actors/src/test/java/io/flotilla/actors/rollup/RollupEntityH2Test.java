package io.flotilla.actors.rollup;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.node.EmbeddedJournal;
import io.flotilla.persistence.chain.InMemoryL2ChainStore;
import io.flotilla.pvm.KernelFiles;
import io.flotilla.pvm.PvmConfig;
import io.flotilla.pvm.PvmThreads;
import io.flotilla.pvm.encoding.RollupAddress;
import io.flotilla.pvm.reveal.PreimageSource;
import io.flotilla.pvm.tree.NodeStore;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The entity on the embedded default journal (H2 file), across a restart of the actor system. */
class RollupEntityH2Test {

    @TempDir
    Path dataDir;

    private ActorTestKit start() {
        EmbeddedJournal.createSchema(dataDir);
        Config c = EmbeddedJournal.h2Config(dataDir)
                .withFallback(ConfigFactory.parseResources("flotilla-serialization.conf"))
                .withFallback(ConfigFactory.load());
        return ActorTestKit.create("h2", c);
    }

    private RollupEntity.Status await(ActorTestKit kit, ActorRef<RollupEntity.Command> ref, int level) throws Exception {
        TestProbe<RollupEntity.Status> probe = kit.createTestProbe();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            ref.tell(RollupEntity.Catchup.INSTANCE);
            ref.tell(new RollupEntity.GetStatus(probe.getRef()));
            RollupEntity.Status s = probe.receiveMessage(Duration.ofSeconds(10));
            if (s.headLevel() >= level || System.nanoTime() > deadline) {
                return s;
            }
            Thread.sleep(20);
        }
    }

    @Test
    void journalSurvivesARestart() throws Exception {
        String address = RollupAddress.zero().toBase58();
        byte[] echo;
        try (InputStream in = getClass().getResourceAsStream("/kernels/echo.wat")) {
            echo = KernelFiles.fromText(new String(in.readAllBytes(), StandardCharsets.UTF_8), "echo.wat");
        }
        FakeL1 l1 = new FakeL1();
        l1.originate(address, echo);
        for (int i = 0; i < 6; i++) {
            l1.addBlock(List.of(new L1Operation.AddMessages("tz1Ke2h7sDdakHJQh8WX4Z372du1KChsksyU", List.of(new byte[] {1}))));
        }
        NodeStore store = NodeStore.inMemory();
        InMemoryL2ChainStore chain = new InMemoryL2ChainStore();
        RollupServices services = new RollupServices(l1, store, chain, PvmConfig.defaults(), PvmThreads.SHARED,
                PreimageSource.none(), a -> RollupMode.OBSERVER, a -> "tz1Ke2h7sDdakHJQh8WX4Z372du1KChsksyU");

        ActorTestKit kit = start();
        RollupEntity.Status first = await(kit, kit.spawn(RollupEntity.create(address, services)), l1.head().level());
        assertEquals(l1.head().level(), first.headLevel());
        kit.shutdownTestKit();

        for (int i = 0; i < 3; i++) {
            l1.addBlock(List.of(new L1Operation.AddMessages("tz1Ke2h7sDdakHJQh8WX4Z372du1KChsksyU", List.of(new byte[] {2}))));
        }
        ActorTestKit again = start();
        try {
            ActorRef<RollupEntity.Command> ref = again.spawn(RollupEntity.create(address, services));
            TestProbe<RollupEntity.Status> probe = again.createTestProbe();
            ref.tell(new RollupEntity.GetStatus(probe.getRef()));
            RollupEntity.Status recovered = probe.receiveMessage(Duration.ofSeconds(10));
            assertTrue(recovered.headLevel() >= first.headLevel(), "recovered from the H2 journal");
            RollupEntity.Status caughtUp = await(again, ref, l1.head().level());
            assertEquals(l1.head().level(), caughtUp.headLevel());
            assertEquals(chain.get(address, l1.head().level()).orElseThrow().stateHash().hex(), caughtUp.headStateHash());
        } finally {
            again.shutdownTestKit();
        }
    }
}
