package io.flotilla.node;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.actors.rollup.RollupMode;
import io.flotilla.persistence.cassandra.CassandraStorage;
import io.flotilla.persistence.gc.HistoryGc;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.tree.Hash;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A single node in history mode full on Cassandra (what {@code flotilla run --storage cassandra --history-mode full}
 * wires: {@link NodeStores#cassandra} and {@link NodeRuntime}) operates a rollup (the counter kernel, a 1 KB message
 * per level) on a manual sandbox L1 until its LCC has moved and the GC has collected: the L2 blocks below the target
 * are gone from Cassandra's {@code l2_blocks}, the states only they reached are gone from {@code context_nodes}, the
 * kept blocks still answer the HTTP API with their durable values, and the cost of the collection is printed
 * (nodes scanned and deleted per second, tombstones written) for {@code persistence/CASSANDRA.md}.
 *
 * <p>Needs a Cassandra ({@code FLOTILLA_CASSANDRA} or {@code -Dflotilla.cassandra}); skipped without one, except with
 * {@code CI=true}, where it fails. Its keyspace is its own and dropped at the end.
 */
class CassandraHistoryGcTest {
    static final Duration WAIT = Duration.ofSeconds(120);
    static final int WINDOW = 40;

    @TempDir
    Path tmp;

    @Test
    void aFullModeNodeOnCassandraCollectsBlocksAndContextNodes() throws Exception {
        String endpoint = ClusterNodesTest.cassandraEndpoint();
        String keyspace = ("ops_history_gc_" + Long.toHexString(ThreadLocalRandom.current().nextLong()
                & Long.MAX_VALUE)).toLowerCase(Locale.ROOT);
        CassandraStorage.Settings settings = CassandraStorage.Settings.of(endpoint, keyspace);
        try (SandboxL1 l1 = SandboxL1.manual()) {
            String operator = DemoNode.OPERATOR.address();
            String rollup = l1.inject(L1Operation.originate(operator, DemoNode.bundledKernel("counter"), "bytes",
                    PvmVersion.DEFAULT.label())).orThrow().rollup().orElseThrow();
            int origination = l1.produceBlock().level();
            NodeRuntime.Options options = new NodeRuntime.Options(tmp.resolve("node"), "127.0.0.1", 0,
                    NodeRuntime.HistoryMode.FULL, Duration.ofMillis(100));
            try (NodeRuntime node = NodeRuntime.start(options, l1, false, NodeStores.cassandra(l1, settings),
                    List.of(new NodeRuntime.ServedRollup(rollup, RollupMode.OPERATOR, operator)));
                 CassandraStorage inspect = CassandraStorage.open(settings)) {
                Http http = new Http(node.rpcUrl());
                SplittableRandom random = new SplittableRandom(7);

                // a few levels, then remember an early state: only its block reaches it (the counter changes)
                advance(l1, http, random, origination + 5);
                int early = origination + 2;
                Hash earlyState = inspect.l2ChainStore().get(rollup, early).orElseThrow().stateHash();
                assertTrue(inspect.contextStore().contains(earlyState), "the early state is stored");
                long rowsBefore = rows(inspect, keyspace);

                // the LCC moves once a commitment is a challenge window old; the GC collects up to it
                advance(l1, http, random, origination + 2 * WINDOW + 5);
                HistoryGc gc = node.gc();
                assertTrue(gc.awaitIdle(WAIT), "the GC is idle");
                JsonNode info = http.json("/local/gc_info");
                assertTrue(info.has("last_successful_gc_target"), "a GC ran: " + info);
                int first = info.get("first_available_level").asInt();
                assertTrue(first > early, info.toString());
                HistoryGc.Outcome o = gc.lastOutcome().orElseThrow();
                assertTrue(o.completed(), o.toString());
                assertTrue(o.nodesDeleted() > 0, "context nodes deleted: " + o);

                // what the GC deleted is gone from Cassandra, what it kept answers
                assertTrue(inspect.l2ChainStore().get(rollup, early).isEmpty(), "L2 block " + early + " deleted");
                assertTrue(inspect.l2ChainStore().get(rollup, first - 1).isEmpty(), "L2 block below " + first);
                assertEquals(first, inspect.l2ChainStore().firstLevel(rollup).orElseThrow());
                assertFalse(inspect.contextStore().contains(earlyState), "the early state's root node deleted");
                int head = http.json("/global/block/head").get("level").asInt();
                for (int level = first; level <= head; level++) {
                    assertEquals(level, http.json("/global/block/" + level).get("level").asInt());
                    assertTrue(inspect.l2ChainStore().get(rollup, level).isPresent(), "L2 block " + level + " kept");
                    assertEquals(200, http.get("/global/block/" + level
                            + "/durable/wasm_2_0_0/value?key=/counter").status(), "the kept state " + level);
                }
                assertNotEquals(200, http.get("/global/block/" + early).status());

                long rowsAfter = rows(inspect, keyspace);
                double sweepSeconds = Math.max(1e-3, o.sweepTime().toNanos() / 1e9);
                System.out.printf(Locale.ROOT, "GC on Cassandra (target %d): %d roots, %d live nodes marked in %d ms;"
                                + " sweep scanned %d nodes (%.0f/s) and deleted %d (%.0f/s, %d bytes) in %d ms;"
                                + " tombstones: %d partition tombstones in context_nodes + the L2 chain's range/partition"
                                + " tombstones (a few per bucket); context_nodes rows %d before (level %d) -> %d after%n",
                        o.target(), o.roots(), o.marked(), o.markTime().toMillis(), o.visited(),
                        o.visited() / sweepSeconds, o.nodesDeleted(), o.nodesDeleted() / sweepSeconds, o.bytesDeleted(),
                        o.sweepTime().toMillis(), o.nodesDeleted(), rowsBefore, origination + 5, rowsAfter);
            } finally {
                try (CassandraStorage drop = CassandraStorage.open(settings)) {
                    drop.dropKeyspace();
                }
            }
        }
    }

    /** Rows of context_nodes (a full scan: the test's keyspace is small). */
    private static long rows(CassandraStorage storage, String keyspace) {
        return storage.session().execute("SELECT COUNT(*) FROM " + keyspace + ".context_nodes").one().getLong(0);
    }

    /** Produces blocks (each with a 1 KB external message) until {@code level}, the node following. */
    private static void advance(SandboxL1 l1, Http http, SplittableRandom random, int level)
            throws InterruptedException {
        while (l1.head().level() < level) {
            byte[] msg = new byte[1024];
            random.nextBytes(msg);
            l1.inject(L1Operation.addMessages(SandboxAccounts.bootstrap(2).address(), List.of(msg))).orThrow();
            int l = l1.produceBlock().level();
            http.await("/global/block/head", b -> b.get("level").asInt() >= l, WAIT);
        }
    }
}
