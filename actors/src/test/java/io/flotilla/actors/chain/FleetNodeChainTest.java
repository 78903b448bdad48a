package io.flotilla.actors.chain;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.flotilla.actors.l1.L1Codec;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.actors.node.FleetNode;
import io.flotilla.actors.rollup.RollupEntity;
import io.flotilla.actors.rollup.RollupMode;
import io.flotilla.actors.rollup.RollupServices;
import io.flotilla.persistence.chain.EmbeddedL1BlockStore;
import io.flotilla.persistence.chain.InMemoryL2ChainStore;
import io.flotilla.pvm.KernelFiles;
import io.flotilla.pvm.PvmConfig;
import io.flotilla.pvm.PvmThreads;
import io.flotilla.pvm.reveal.PreimageSource;
import io.flotilla.pvm.tree.NodeStore;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chain actor as a cluster singleton of a one-node fleet on the embedded journal and RocksDB block store. */
class FleetNodeChainTest {

    @TempDir
    Path dataDir;

    private static RollupEntity.Status awaitLevel(FleetNode node, String rollup, int level) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        RollupEntity.Status s;
        do {
            Thread.sleep(50);
            s = node.status(rollup).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } while (s.headLevel() < level && System.nanoTime() < deadline);
        return s;
    }

    @Test
    void singletonJournalsTheChainAndDrivesTheEntitiesAcrossARestart() throws Exception {
        byte[] echo;
        try (InputStream in = getClass().getResourceAsStream("/kernels/echo.wat")) {
            echo = KernelFiles.fromText(new String(in.readAllBytes(), StandardCharsets.UTF_8), "echo.wat");
        }
        String b1 = SandboxAccounts.bootstrap(1).address();
        try (SandboxL1 l1 = SandboxL1.manual()) {
            String a = l1.inject(L1Operation.originate(b1, echo, "bytes", "2.0.0-r5")).orThrow().rollup().orElseThrow();
            l1.produceBlock();
            NodeStore nodes = NodeStore.inMemory();
            InMemoryL2ChainStore chain = new InMemoryL2ChainStore();
            RollupServices services = new RollupServices(l1, nodes, chain, PvmConfig.defaults(), PvmThreads.SHARED,
                    PreimageSource.none(), r -> RollupMode.OBSERVER, r -> b1);
            FleetNode node = FleetNode.startEmbedded("fleet-chain", dataDir, services, ConfigFactory.empty());
            try {
                assertInstanceOf(JournaledL1Source.class, node.services().l1());
                assertSame(l1, node.upstreamL1());
                assertEquals(l1.head().level(), node.services().l1().head().level(), "caught up before starting");
                node.serve(a);
                for (int i = 0; i < 6; i++) {
                    l1.inject(L1Operation.addMessages(b1, List.of(("x" + i).getBytes(StandardCharsets.UTF_8))))
                            .orThrow();
                    l1.produceBlock();
                }
                l1.reorg(3);
                RollupEntity.Status s = awaitLevel(node, a, l1.head().level());
                assertEquals(l1.head().level(), s.headLevel(), "woken by the journaled heads");
            } finally {
                node.close();
            }
            try (EmbeddedL1BlockStore store = new EmbeddedL1BlockStore(dataDir.resolve("l1-blocks"))) {
                L1ChainActorTest.assertSameChain(l1, new L1Blocks(store));
            }
            // a restart on the same data directory resumes the chain journal and follows new blocks
            l1.produceBlock();
            node = FleetNode.startEmbedded("fleet-chain", dataDir, services, ConfigFactory.empty());
            try {
                assertTrue(L1Codec.sameContent(l1.head(), node.services().l1().head()));
                node.serve(a);
                RollupEntity.Status s = awaitLevel(node, a, l1.head().level());
                assertEquals(l1.head().level(), s.headLevel());
            } finally {
                node.close();
            }
        }
    }

    @Test
    void theChainActorCanBeSwitchedOff() throws Exception {
        try (SandboxL1 l1 = SandboxL1.manual()) {
            l1.produceBlock();
            RollupServices services = new RollupServices(l1, NodeStore.inMemory(), new InMemoryL2ChainStore(),
                    PvmConfig.defaults(), PvmThreads.SHARED, PreimageSource.none(), r -> RollupMode.OBSERVER,
                    r -> "tz1");
            FleetNode node = FleetNode.startEmbedded("fleet-nochain", dataDir, services,
                    ConfigFactory.parseString("flotilla.l1-chain.enabled = off"));
            try {
                assertSame(l1, node.services().l1());
            } finally {
                node.close();
            }
        }
    }
}
