package io.flotilla.actors.l1;

import static io.flotilla.actors.l1.OctezRpcL1Test.await;
import static io.flotilla.actors.l1.OctezRpcL1Test.messages;
import static io.flotilla.actors.l1.OctezRpcL1Test.originateEcho;
import static io.flotilla.actors.l1.OctezRpcL1Test.transfer;
import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.flotilla.actors.node.FleetNode;
import io.flotilla.actors.node.RollupRegistry;
import io.flotilla.actors.rollup.RollupEntity;
import io.flotilla.actors.rollup.RollupServices;
import io.flotilla.persistence.chain.InMemoryL2ChainStore;
import io.flotilla.persistence.chain.L2Block;
import io.flotilla.pvm.PvmConfig;
import io.flotilla.pvm.PvmThreads;
import io.flotilla.pvm.reveal.PreimageSource;
import io.flotilla.pvm.tree.NodeStore;
import io.flotilla.pvm.util.Hex;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An echo rollup followed through an Octez node (the fake one, serving a copy of a sandbox chain) gives the same
 * L2 chain as the same rollup followed on the sandbox itself: same L1 blocks, inboxes, state hashes, ticks and
 * outboxes, level by level, through a reorganisation and a period where the Octez node is unreachable.
 */
class OctezFollowTest {

    @TempDir
    Path dir;

    record Fleet(FleetNode node, InMemoryL2ChainStore chain) implements AutoCloseable {
        static Fleet start(String name, Path dataDir, L1Source l1) {
            RollupRegistry registry = new RollupRegistry();
            InMemoryL2ChainStore chain = new InMemoryL2ChainStore();
            RollupServices services = new RollupServices(l1, NodeStore.inMemory(), chain, PvmConfig.defaults(),
                    PvmThreads.SHARED, PreimageSource.none(), registry::mode, registry::operator);
            return new Fleet(FleetNode.startEmbedded(name, dataDir, services, ConfigFactory.empty()), chain);
        }

        RollupEntity.Status status(String sr1) {
            try {
                return node.status(sr1).toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** True when the rollup's L2 head is the L1 block {@code head}. */
        boolean at(String sr1, L1Block head) {
            return status(sr1).headLevel() == head.level() && chain.get(sr1, head.level())
                    .map(b -> Arrays.equals(b.l1Hash(), head.hash())).orElse(false);
        }

        @Override
        public void close() {
            node.close();
        }
    }

    @Test
    void echoRollupThroughOctezMatchesTheSandboxLevelByLevel() throws Exception {
        try (SandboxL1 sandbox = SandboxL1.manual(); FakeOctezNode octezNode = new FakeOctezNode()) {
            String sr1 = originateEcho(sandbox);
            sandbox.produceBlock();                      // 1: origination
            messages(sandbox, "hello", "world");
            sandbox.produceBlock();                      // 2
            transfer(sandbox, sr1, "cafe");
            messages(sandbox, "third");
            sandbox.produceBlock();                      // 3
            octezNode.mirror(sandbox);
            OctezRpcL1 octez = new OctezRpcL1(octezNode.uri());
            try (Fleet onSandbox = Fleet.start("on-sandbox", dir.resolve("a"), sandbox);
                 Fleet onOctez = Fleet.start("on-octez", dir.resolve("b"), octez)) {
                onSandbox.node().serve(sr1);
                onOctez.node().serve(sr1);
                await("both at level 3", () -> onSandbox.at(sr1, sandbox.head()) && onOctez.at(sr1, sandbox.head()));
                assertEquals("observer", onOctez.status(sr1).mode());

                // a reorganisation of depth 2: levels 2 and 3 are replaced, their operations land in the new 2
                L1Block oldTwo = sandbox.block(2).orElseThrow();
                sandbox.reorg(2);
                messages(sandbox, "after the reorg");
                sandbox.produceBlock();                  // 5
                octezNode.mirror(sandbox);
                await("both on the new branch", () -> onSandbox.at(sr1, sandbox.head())
                        && onOctez.at(sr1, sandbox.head()));
                assertFalse(Arrays.equals(oldTwo.hash(), onOctez.chain().get(sr1, 2).orElseThrow().l1Hash()),
                        "level 2 was evaluated again on the new branch");

                // the Octez node is unreachable while L1 goes on; the follower catches up without a gap
                octezNode.stop();
                for (int i = 0; i < 3; i++) {
                    messages(sandbox, "while away " + i);
                    sandbox.produceBlock();              // 6, 7, 8
                }
                octezNode.mirror(sandbox);
                await("the sandbox fleet at level 8", () -> onSandbox.at(sr1, sandbox.head()));
                assertTrue(onOctez.status(sr1).headLevel() <= 5, "nothing to read while the node is away");
                octezNode.start();
                await("the Octez fleet at level 8", () -> onOctez.at(sr1, sandbox.head()));

                int outputs = 0;
                for (int l = 2; l <= sandbox.head().level(); l++) {
                    L2Block a = onSandbox.chain().get(sr1, l).orElseThrow();
                    L2Block b = onOctez.chain().get(sr1, l).orElseThrow();
                    String at = "level " + l;
                    assertEquals(Hex.encode(a.l1Hash()), Hex.encode(b.l1Hash()), at);
                    assertEquals(a.inboxHash(), b.inboxHash(), at);
                    assertEquals(a.messages().stream().map(Hex::encode).toList(),
                            b.messages().stream().map(Hex::encode).toList(), at);
                    assertEquals(a.stateHash(), b.stateHash(), at);
                    assertEquals(a.ticks(), b.ticks(), at);
                    assertEquals(a.totalTicks(), b.totalTicks(), at);
                    assertEquals(a.outboxCount(), b.outboxCount(), at);
                    assertEquals(a.kernelRuns(), b.kernelRuns(), at);
                    outputs += b.outboxCount();
                }
                assertTrue(outputs >= 7, "the echo kernel answered the messages and the transfer: " + outputs);
                // the transfer reached the rollup through the contract call's internal operation
                assertTrue(onOctez.chain().get(sr1, 2).orElseThrow().messages().stream()
                        .anyMatch(m -> m[0] == 0 && m[1] == 0), "an internal transfer in the new level 2");
            } finally {
                octez.close();
            }
        }
    }
}
