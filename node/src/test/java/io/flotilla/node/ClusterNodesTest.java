package io.flotilla.node;

import static org.junit.jupiter.api.Assertions.*;

import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.JsonNode;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.actors.l1.SandboxL1Server;
import io.flotilla.actors.rollup.RollupMode;
import io.flotilla.persistence.cassandra.CassandraStorage;
import io.flotilla.persistence.chain.L2Block;
import io.flotilla.persistence.events.L2BlockProduced;
import io.flotilla.persistence.serialization.FlotillaKryo;
import io.flotilla.pvm.PvmVersion;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Three Flotilla JVMs (real child processes, {@code flotilla run --cluster-config}) on loopback form one Pekko
 * cluster on a real Cassandra and follow one sandbox L1 server with {@value #ROLLUPS} rollups. Mid-run the node that
 * runs the L1 chain actor and the shard coordinator is killed with {@code kill -9}: the split-brain resolver downs
 * it, its rollups resume on the two others, and the chain actor moves. At the end no L2 block is lost or
 * duplicated (journal and L2 chain store on Cassandra), every state hash equals a single-node run over the same L1
 * chain, the killed node restarted, rejoined and got rollups back (rebalance), and every node's HTTP API answers
 * for every rollup.
 *
 * <p>Needs a Cassandra: {@code -Dflotilla.cassandra=host:port} or {@code FLOTILLA_CASSANDRA} (.ci/run starts one).
 * Skipped without one, except with {@code CI=true}, where it fails.
 */
class ClusterNodesTest {

    static final int ROLLUPS = 30;
    static final int NODES = 3;

    /** Under target/ (not a temporary directory) so the nodes' logs stay for a look after a failure. */
    Path dir;

    static String cassandraEndpoint() {
        String e = System.getProperty("flotilla.cassandra");
        if (e == null || e.isBlank()) {
            e = System.getenv("FLOTILLA_CASSANDRA");
        }
        if (e == null || e.isBlank()) {
            String how = "start one with `cluster-config/cassandra/flotilla-cassandra start` and set "
                    + "FLOTILLA_CASSANDRA=127.0.0.1:9042 (or -Dflotilla.cassandra=...)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail("CI=true but no Cassandra is configured for the tests: " + how);
            }
            Assumptions.abort("no Cassandra configured: " + how);
        }
        return e.strip();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private final int[] remoting = new int[NODES];
    private final int[] rpc = new int[NODES];
    private final Process[] nodes = new Process[NODES];
    private final int[] starts = new int[NODES];

    /** Node i's file; {@code rejoin}: it restarts into a running cluster, so it lists itself last among the seeds. */
    private Path writeConfig(int i, String cassandra, String keyspace, List<String> rollups, boolean rejoin)
            throws Exception {
        List<Integer> order = new ArrayList<>();
        for (int n = 0; n < NODES; n++) {
            if (!rejoin || n != i) {
                order.add(remoting[n]);
            }
        }
        if (rejoin) {
            order.add(remoting[i]);
        }
        String seeds = order.stream().map(p -> "\"pekko://flotilla@127.0.0.1:" + p + "\"")
                .collect(Collectors.joining(", "));
        StringBuilder sb = new StringBuilder();
        sb.append("pekko.remote.artery.canonical.port = ").append(remoting[i]).append('\n');
        sb.append("pekko.cluster.seed-nodes = [").append(seeds).append("]\n");
        sb.append("pekko.cluster.sharding.rebalance-interval = 2s\n");
        sb.append("flotilla.l1-chain.poll-interval = 1s\n");
        sb.append("flotilla.cassandra {\n  contact-points = \"").append(cassandra).append("\"\n  keyspace = ")
                .append(keyspace).append("\n}\n");
        sb.append("flotilla.rollups = [\n");
        for (String r : rollups) {
            sb.append("  { address = \"").append(r).append("\", mode = observer }\n");
        }
        sb.append("]\n");
        Path f = dir.resolve("node" + i + ".conf");
        Files.writeString(f, sb.toString(), StandardCharsets.UTF_8);
        return f;
    }

    private Process start(int i, String l1Url) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx400m", "-Xss4m", "-XX:-DontCompileHugeMethods",
                "-cp", System.getProperty("java.class.path"), "io.flotilla.node.Flotilla", "run",
                "--cluster-config", dir.resolve("node" + i + ".conf").toString(),
                "--l1-endpoint", l1Url, "--data-dir", dir.resolve("data" + i).toString(),
                "--rpc-addr", "127.0.0.1:" + rpc[i]);
        pb.redirectErrorStream(true);
        pb.redirectOutput(dir.resolve("node" + i + "-" + starts[i]++ + ".log").toFile());
        nodes[i] = pb.start();
        return nodes[i];
    }

    private Http http(int i) {
        return new Http("http://127.0.0.1:" + rpc[i]);
    }

    /** A metric of node i's /metrics, or -1 when the node does not answer (yet) or left it out. */
    private long metric(int i, String name) {
        try {
            Http.Response r = http(i).get("/metrics");
            Matcher m = Pattern.compile("(?m)^" + name + " (\\d+)$").matcher(r.text());
            return r.status() == 200 && m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** The head level node i's HTTP API reports for a rollup, -1 when it does not answer. */
    private int headVia(int i, String rollup) {
        try {
            Http.Response r = http(i).get("/rollups/" + rollup + "/global/block/head");
            return r.status() == 200 && r.json() != null ? r.json().path("level").asInt(-1) : -1;
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private boolean allAt(int i, List<String> rollups, int level) {
        for (String r : rollups) {
            if (headVia(i, r) < level) {
                return false;
            }
        }
        return true;
    }

    private void addLevel(SandboxL1 l1, String account) {
        l1.inject(L1Operation.addMessages(account, List.of(("level " + l1.head().level())
                .getBytes(StandardCharsets.UTF_8)))).orThrow();
        l1.produceBlock();
    }

    private String logs() {
        return " (logs in " + dir + ")";
    }

    @Test
    void threeNodesSurviveAKill9AndRebalanceLosingNothing() throws Exception {
        String cassandra = cassandraEndpoint();
        dir = Path.of("target", "cluster-nodes-test", Long.toString(System.currentTimeMillis())).toAbsolutePath();
        Files.createDirectories(dir);
        String keyspace = ("cluster_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE))
                .toLowerCase(Locale.ROOT);
        String account = SandboxAccounts.bootstrap(1).address();
        byte[] echo = DemoNode.bundledKernel("echo");
        try (SandboxL1 l1 = SandboxL1.manual(); SandboxL1Server server = SandboxL1Server.start(l1, 0)) {
            List<String> rollups = new ArrayList<>();
            for (int i = 0; i < ROLLUPS; i++) {
                rollups.add(l1.inject(L1Operation.originate(account, echo, "bytes", PvmVersion.DEFAULT.label()))
                        .orThrow().rollup().orElseThrow());
            }
            l1.produceBlock();
            for (int i = 0; i < NODES; i++) {
                remoting[i] = freePort();
                rpc[i] = freePort();
            }
            for (int i = 0; i < NODES; i++) {
                writeConfig(i, cassandra, keyspace, rollups, false);
            }
            String url = server.uri().toString();
            try {
                // node 0 first: it forms the cluster and creates the keyspaces; then the two others join
                start(0, url);
                Http.await("node 0 up" + logs(), () -> metric(0, "flotilla_cluster_members_up") == 1,
                        Duration.ofSeconds(180));
                start(1, url);
                start(2, url);
                Http.await("three members up" + logs(), () -> metric(0, "flotilla_cluster_members_up") == 3
                        && metric(1, "flotilla_cluster_members_up") == 3
                        && metric(2, "flotilla_cluster_members_up") == 3, Duration.ofSeconds(240));

                for (int n = 0; n < 4; n++) {
                    addLevel(l1, account);
                }
                int head1 = l1.head().level();
                Http.await("every rollup at level " + head1 + logs(), () -> allAt(1, rollups, head1),
                        Duration.ofSeconds(300));
                Http.await("rollups on every node" + logs(), () -> metric(0, "flotilla_rollups_hosted") > 0
                        && metric(1, "flotilla_rollups_hosted") > 0 && metric(2, "flotilla_rollups_hosted") > 0,
                        Duration.ofSeconds(120));

                // mid-run: new levels keep coming while node 0 (oldest: chain actor, coordinator) is killed
                for (int n = 0; n < 6; n++) {
                    addLevel(l1, account);
                    if (n == 2) {
                        nodes[0].destroyForcibly(); // SIGKILL
                        assertTrue(nodes[0].waitFor(30, TimeUnit.SECONDS));
                    }
                    Thread.sleep(500);
                }
                int head2 = l1.head().level();
                Http.await("every rollup at level " + head2 + " on the two survivors" + logs(),
                        () -> allAt(1, rollups, head2) && allAt(2, rollups, head2), Duration.ofSeconds(300));
                assertEquals(2, metric(1, "flotilla_cluster_members_up"), "the killed node was downed");
                assertEquals(ROLLUPS, metric(1, "flotilla_rollups_hosted") + metric(2, "flotilla_rollups_hosted"),
                        "the survivors run every rollup");

                // the killed node restarts, rejoins and gets shards back (entities start with the next heads)
                writeConfig(0, cassandra, keyspace, rollups, true);
                start(0, url);
                long[] lastBlock = {System.nanoTime()};
                Http.await("rollups rebalanced to the restarted node" + logs(), () -> {
                    if (System.nanoTime() - lastBlock[0] > TimeUnit.SECONDS.toNanos(3)) {
                        addLevel(l1, account);
                        lastBlock[0] = System.nanoTime();
                    }
                    return metric(0, "flotilla_cluster_members_up") == 3 && metric(0, "flotilla_rollups_hosted") > 0;
                }, Duration.ofSeconds(420));
                addLevel(l1, account);
                int head3 = l1.head().level();
                for (int i = 0; i < NODES; i++) {
                    int node = i;
                    Http.await("node " + i + " answers for every rollup at level " + head3 + logs(),
                            () -> allAt(node, rollups, head3), Duration.ofSeconds(300));
                }
                JsonNode list = http(2).json("/rollups");
                assertEquals(ROLLUPS, list.size(), "every node lists every rollup: " + list);
            } finally {
                for (Process p : nodes) {
                    if (p != null && p.isAlive()) {
                        p.destroy(); // SIGTERM: leave the cluster, close the stores
                    }
                }
                for (Process p : nodes) {
                    if (p != null && !p.waitFor(60, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                }
            }

            int head = l1.head().level();
            // the reference: one node over the same L1 chain (in this JVM, in-memory stores)
            NodeStores single = NodeStores.inMemory(false);
            List<NodeRuntime.ServedRollup> served = rollups.stream()
                    .map(r -> new NodeRuntime.ServedRollup(r, RollupMode.OBSERVER, null)).toList();
            try (NodeRuntime reference = NodeRuntime.start(NodeRuntime.Options.defaults(dir.resolve("single"))
                    .withRpc("127.0.0.1", 0), l1, false, single, served)) {
                Http.await("the single-node run at level " + head, () -> {
                    for (String r : rollups) {
                        if (single.chain().get(r, head).isEmpty()) {
                            return false;
                        }
                    }
                    return true;
                }, Duration.ofSeconds(300));
                try (CassandraStorage storage = CassandraStorage.open(CassandraStorage.Settings.of(cassandra,
                        keyspace))) {
                    for (String rollup : rollups) {
                        int origination = l1.rollup(rollup).orElseThrow().originationLevel();
                        List<Integer> want = new ArrayList<>();
                        for (int level = origination + 1; level <= head; level++) {
                            int lv = level;
                            L2Block ours = storage.l2ChainStore().get(rollup, level).orElseThrow(
                                    () -> new AssertionError(rollup + " lost its L2 block " + lv));
                            assertEquals(single.chain().get(rollup, level).orElseThrow().stateHash().hex(),
                                    ours.stateHash().hex(), rollup + " state at level " + level);
                            want.add(level);
                        }
                        assertEquals(want, journaledLevels(storage, keyspace, rollup),
                                "one L2BlockProduced per level of " + rollup + ", none lost, none twice");
                    }
                } finally {
                    try (CassandraStorage drop = CassandraStorage.open(CassandraStorage.Settings.of(cassandra,
                            keyspace))) {
                        drop.dropKeyspace();
                    }
                }
            }
        }
    }

    /** The levels of the L2BlockProduced events of a rollup, in journal order (pekko-persistence-cassandra table). */
    private static List<Integer> journaledLevels(CassandraStorage storage, String journalKeyspace, String rollup) {
        List<Integer> levels = new ArrayList<>();
        for (Row row : storage.session().execute(storage.session().prepare("SELECT sequence_nr, event FROM "
                + journalKeyspace + ".messages WHERE persistence_id = ? AND partition_nr = 0")
                .bind("Rollup|" + rollup))) {
            ByteBuffer b = row.getByteBuffer("event");
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            if (FlotillaKryo.fromBytes(bytes) instanceof L2BlockProduced p) {
                levels.add(p.level());
            }
        }
        return levels;
    }
}
