package io.flotilla.actors.node;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.actors.rollup.Inbox;
import io.flotilla.actors.rollup.RollupEntity;
import io.flotilla.actors.rollup.RollupServices;
import io.flotilla.persistence.chain.InMemoryL1BlockStore;
import io.flotilla.persistence.chain.InMemoryL2ChainStore;
import io.flotilla.persistence.chain.L2Block;
import io.flotilla.persistence.events.L2BlockProduced;
import io.flotilla.persistence.serialization.FlotillaKryo;
import io.flotilla.actors.journal.EventJournalReader;
import io.flotilla.pvm.KernelFiles;
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
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Flotilla nodes forming one Pekko cluster over loopback remoting (two actor systems in this JVM, sharing the
 * journal, the context store, the L2 chain store and the L1 block store as a cluster shares its Cassandra): the
 * rollups are spread over both nodes, journaled L1 heads reach the entities of both (the chain actor runs on one),
 * either node answers for every rollup, the rollups (and the chain actor) move when a node leaves and come back when
 * it rejoins, and at the end every level was produced exactly once with the state hashes of a plain PVM run.
 * Cross-node messages (Catchup, GetStatus, Status, journaled heads) go through their Kryo serializers.
 */
class ClusterFleetTest {

    static final int ROLLUPS = 12;
    static final String SYSTEM = "flotilla-cluster-test";

    @TempDir
    Path dataDir;

    private final NodeStore context = NodeStore.inMemory();
    private final InMemoryL2ChainStore chain = new InMemoryL2ChainStore();
    private final InMemoryL1BlockStore l1Blocks = new InMemoryL1BlockStore();

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private FleetNode startNode(SandboxL1 l1, int port, int[] seeds, List<String> rollups) {
        Config extra = ConfigFactory.parseMap(Map.of(
                "pekko.remote.artery.canonical.port", port,
                "pekko.cluster.seed-nodes", List.of("pekko://" + SYSTEM + "@127.0.0.1:" + seeds[0],
                        "pekko://" + SYSTEM + "@127.0.0.1:" + seeds[1]),
                "pekko.cluster.sharding.rebalance-interval", "2s",
                "flotilla.l1-chain.poll-interval", "1s"));
        RollupRegistry registry = new RollupRegistry();
        RollupServices services = new RollupServices(l1, context, chain, PvmConfig.defaults(), PvmThreads.SHARED,
                PreimageSource.none(), registry::mode, registry::operator);
        // the journal and the L1 block store are shared, as a cluster shares them in Cassandra
        EmbeddedJournal.prepare(dataDir);
        FleetNode node = FleetNode.start(SYSTEM, services, extra,
                new FleetNode.Backend(EmbeddedJournal.config(dataDir), () -> l1Blocks));
        for (String r : rollups) {
            node.serve(r);
        }
        return node;
    }

    private static void await(String what, long seconds, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + seconds + " s waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    private static boolean allAt(FleetNode via, List<String> rollups, int level) {
        for (String r : rollups) {
            try {
                if (via.status(r).toCompletableFuture().get(15, TimeUnit.SECONDS).headLevel() < level) {
                    return false;
                }
            } catch (Exception e) {
                return false; // a shard moving: ask again
            }
        }
        return true;
    }

    private static Set<String> hosted(FleetNode node) {
        try {
            return node.hostedRollups().toCompletableFuture().get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            return Set.of();
        }
    }

    private static int upMembers(FleetNode node) {
        int n = 0;
        for (var m : Cluster.get(node.system()).state().getMembers()) {
            if (m.status() == MemberStatus.up()) {
                n++;
            }
        }
        return n;
    }

    private static void addLevels(SandboxL1 l1, String account, int levels) {
        for (int i = 0; i < levels; i++) {
            l1.inject(L1Operation.addMessages(account, List.of(("level " + l1.head().level() + " message")
                    .getBytes(StandardCharsets.UTF_8)))).orThrow();
            l1.produceBlock();
        }
    }

    @Test
    void rollupsSpreadMoveAndComeBackLosingNothing() throws Exception {
        byte[] echo;
        try (InputStream in = getClass().getResourceAsStream("/kernels/echo.wat")) {
            echo = KernelFiles.fromText(new String(in.readAllBytes(), StandardCharsets.UTF_8), "echo.wat");
        }
        String account = SandboxAccounts.bootstrap(1).address();
        try (SandboxL1 l1 = SandboxL1.manual()) {
            List<String> rollups = new ArrayList<>();
            for (int i = 0; i < ROLLUPS; i++) {
                rollups.add(l1.inject(L1Operation.originate(account, echo, "bytes", PvmVersion.DEFAULT.label()))
                        .orThrow().rollup().orElseThrow());
            }
            l1.produceBlock();
            int[] ports = {freePort(), freePort()};
            FleetNode a = startNode(l1, ports[0], ports, rollups);
            FleetNode b = null;
            try {
                b = startNode(l1, ports[1], ports, rollups);
                FleetNode bb = b;
                await("two members up", 120, () -> upMembers(a) == 2 && upMembers(bb) == 2);

                addLevels(l1, account, 4);
                int head1 = l1.head().level();
                await("every rollup at level " + head1 + ", asked through node B", 180, () -> allAt(bb, rollups, head1));
                assertTrue(allAt(a, rollups, head1), "node A answers for every rollup too");
                // shards placed on A before B joined are rebalanced; their entities start on B with the next head
                long[] lastLevel = {System.nanoTime()};
                await("rollups on both nodes", 180, () -> {
                    if (System.nanoTime() - lastLevel[0] > TimeUnit.SECONDS.toNanos(3)) {
                        addLevels(l1, account, 1);
                        lastLevel[0] = System.nanoTime();
                    }
                    return !hosted(a).isEmpty() && !hosted(bb).isEmpty();
                });
                Set<String> onA = hosted(a);
                Set<String> onB = hosted(b);
                Set<String> both = new HashSet<>(onA);
                both.retainAll(onB);
                assertEquals(Set.of(), both, "an entity runs on one node at a time");

                // node A (the oldest: it runs the L1 chain actor) leaves; its rollups and the chain actor move to B
                a.close();
                await("node A removed", 120, () -> upMembers(bb) == 1);
                addLevels(l1, account, 4);
                int head2 = l1.head().level();
                await("every rollup at level " + head2 + " on node B alone", 180, () -> allAt(bb, rollups, head2));
                assertEquals(new HashSet<>(rollups), hosted(b), "node B runs every rollup");

                // A rejoins: shards are rebalanced back to it
                FleetNode a2 = startNode(l1, ports[0], ports, rollups);
                try {
                    // a rebalanced shard stops its entities; they start on A with the next message, i.e. the next head
                    long[] lastBlock = {System.nanoTime()};
                    await("rollups rebalanced to the rejoined node A", 180, () -> {
                        if (System.nanoTime() - lastBlock[0] > TimeUnit.SECONDS.toNanos(3)) {
                            addLevels(l1, account, 1);
                            lastBlock[0] = System.nanoTime();
                        }
                        return !hosted(a2).isEmpty();
                    });
                    addLevels(l1, account, 3);
                    int head3 = l1.head().level();
                    await("every rollup at level " + head3 + ", asked through the rejoined node A", 180,
                            () -> allAt(a2, rollups, head3));
                } finally {
                    a2.close();
                }
            } finally {
                a.close();
                if (b != null) {
                    b.close();
                }
            }

            int head = l1.head().level();
            for (String rollup : rollups) {
                int origination = l1.rollup(rollup).orElseThrow().originationLevel();
                Pvm pvm = new Pvm(PvmConfig.defaults(), PreimageSource.none(),
                        new RollupMetadata(RollupAddress.fromBase58(rollup).bytes(), origination));
                PvmState state = PvmState.originate(echo, PvmVersion.DEFAULT);
                for (int level = origination + 1; level <= head; level++) {
                    state = pvm.runLevel(state, Inbox.forRollup(rollup, l1.block(level).orElseThrow(),
                            l1.block(level - 1).orElseThrow())).state();
                    int lv = level;
                    L2Block stored = chain.get(rollup, level).orElseThrow(() -> new AssertionError(
                            "rollup " + rollup + " lost its L2 block " + lv));
                    assertEquals(state.hash().hex(), stored.stateHash().hex(), rollup + " state at level " + level);
                }
                assertEquals(levelsFrom(origination + 1, head), journaledLevels(rollup),
                        "one L2BlockProduced per level of " + rollup + ", none lost, none twice");
            }
        }
    }

    private static List<Integer> levelsFrom(int from, int to) {
        List<Integer> out = new ArrayList<>();
        for (int l = from; l <= to; l++) {
            out.add(l);
        }
        return out;
    }

    private List<Integer> journaledLevels(String rollup) throws Exception {
        List<Integer> levels = new ArrayList<>();
        try (EventJournalReader r = EmbeddedJournal.openReader(dataDir)) {
            for (EventJournalReader.Stored e : r.eventsAfter("Rollup|" + rollup, 0)) {
                if (FlotillaKryo.fromBytes(e.bytes()) instanceof L2BlockProduced p) {
                    levels.add(p.level());
                }
            }
        }
        return levels;
    }
}
