package io.flotilla.node;

import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.actors.l1.SandboxL1;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The wiring behind `flotilla run`: originates the demo rollup once, reuses it while the L1 knows it. */
class DemoNodeTest {

    @TempDir
    Path dataDir;

    @Test
    void startsTheDemoAndReusesItsRollupOnARestart() throws Exception {
        try (SandboxL1 l1 = SandboxL1.manual()) {
            String first;
            try (NodeRuntime node = DemoNode.start(dataDir, 0, l1)) {
                first = node.fleet().rollups().get(0);
                assertEquals(first, Files.readString(dataDir.resolve("demo-rollup")).strip());
                assertEquals("operator", node.registry().mode(first).label());
                assertEquals(DemoNode.OPERATOR.address(), node.registry().operator(first));
                Http http = new Http(node.rpcUrl());
                int level = l1.produceBlock().level();
                http.await("/global/block/head", b -> b.get("level").asInt() == level, Duration.ofSeconds(30));
                assertTrue(Files.isDirectory(dataDir.resolve("journal-rocks")), "the embedded journal is in the data dir");
            }
            // the same L1 (as a durable sandbox will be): the rollup is reused, not originated again
            try (NodeRuntime node = DemoNode.start(dataDir, 0, l1)) {
                assertEquals(first, node.fleet().rollups().get(0));
                assertEquals(1, l1.rollups().size());
                Http http = new Http(node.rpcUrl());
                int level = l1.produceBlock().level();
                http.await("/global/block/head", b -> b.get("level").asInt() == level, Duration.ofSeconds(30));
                // the embedded stores survived: the journal is kept and the rollup recovered from it
                assertFalse(Files.isDirectory(dataDir.resolve("journal-rocks.previous")));
                assertTrue(Files.isDirectory(dataDir.resolve("context")), "the context store is in the data dir");
                assertTrue(Files.isDirectory(dataDir.resolve("chain")), "the L2 chain is in the data dir");
            }
        }
    }

    @Test
    void aNewL1ChainGetsANewDemoRollupAndAFreshJournal() throws Exception {
        try (SandboxL1 l1 = SandboxL1.manual()) {
            DemoNode.start(dataDir, 0, l1).close();
        }
        SandboxL1.Config other = new SandboxL1.Config(SandboxL1.Config.manualMode().constants(), true, 1_800_000_000L,
                SandboxL1.DEFAULT_PROTOCOL, "another");
        try (SandboxL1 l1 = new SandboxL1(other);
             NodeRuntime node = DemoNode.start(NodeRuntime.Options.defaults(dataDir).withRpc("127.0.0.1", 0), l1, false,
                     NodeStores.inMemory(true))) {
            assertTrue(l1.rollup(node.fleet().rollups().get(0)).isPresent());
            assertEquals(l1.block(0).orElseThrow().hashHex(), Files.readString(dataDir.resolve("l1-chain")).strip());
            assertTrue(Files.isDirectory(dataDir.resolve("journal-rocks.previous")), "the journal of the old chain moved aside");
        }
    }
}
