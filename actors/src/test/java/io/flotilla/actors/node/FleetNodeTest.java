package io.flotilla.actors.node;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.flotilla.actors.l1.L1Block;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.actors.rollup.RollupEntity;
import io.flotilla.actors.rollup.RollupMode;
import io.flotilla.actors.rollup.RollupServices;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A one-node fleet on the embedded journal: serves rollups, tells head listeners, knows modes from the registry. */
class FleetNodeTest {

    @TempDir
    Path dataDir;

    @Test
    void servesRollupsAndForwardsHeads() throws Exception {
        byte[] echo;
        try (InputStream in = getClass().getResourceAsStream("/kernels/echo.wat")) {
            echo = KernelFiles.fromText(new String(in.readAllBytes(), StandardCharsets.UTF_8), "echo.wat");
        }
        String b1 = SandboxAccounts.bootstrap(1).address();
        try (SandboxL1 l1 = SandboxL1.manual()) {
            String a = l1.inject(L1Operation.originate(b1, echo, "bytes", "2.0.0-r5")).orThrow().rollup().orElseThrow();
            String b = l1.inject(L1Operation.originate(b1, echo, "bytes", "2.0.0-r5")).orThrow().rollup().orElseThrow();
            l1.produceBlock();
            RollupRegistry registry = new RollupRegistry();
            registry.register(a, RollupMode.OPERATOR, b1);
            RollupServices services = new RollupServices(l1, NodeStore.inMemory(), new InMemoryL2ChainStore(),
                    PvmConfig.defaults(), PvmThreads.SHARED, PreimageSource.none(), registry::mode, registry::operator);
            FleetNode node = FleetNode.startEmbedded("fleet-test", dataDir, services, ConfigFactory.empty());
            try {
                List<L1Block> heard = new CopyOnWriteArrayList<>();
                AutoCloseable listener = node.onNewHead(heard::add);
                node.serve(a);
                node.serve(b);
                node.serve(a);
                assertEquals(List.of(a, b), node.rollups());
                for (int i = 0; i < 3; i++) {
                    l1.produceBlock();
                }
                int head = l1.head().level();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                RollupEntity.Status sa;
                RollupEntity.Status sb;
                do {
                    Thread.sleep(50);
                    sa = node.status(a).toCompletableFuture().get(10, TimeUnit.SECONDS);
                    sb = node.status(b).toCompletableFuture().get(10, TimeUnit.SECONDS);
                } while ((sa.headLevel() < head || sb.headLevel() < head) && System.nanoTime() < deadline);
                assertEquals(head, sa.headLevel());
                assertEquals(head, sb.headLevel());
                assertEquals(sa.headStateHash(), sb.headStateHash(), "same kernel, same inboxes");
                assertEquals("operator", sa.mode());
                assertEquals("observer", sb.mode(), "unregistered rollups are observed");
                assertEquals(head, node.l1Head().level());
                assertEquals(3, heard.size());
                listener.close();
                l1.produceBlock();
                Thread.sleep(200);
                assertEquals(3, heard.size(), "a closed listener hears nothing more");
            } finally {
                node.close();
            }
        }
    }
}
