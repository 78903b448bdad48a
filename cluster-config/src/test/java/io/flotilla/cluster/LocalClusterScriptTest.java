package io.flotilla.cluster;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.persistence.cassandra.CassandraStorage;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code cluster-config/local-cluster/flotilla-local-cluster} driven through its real interface, as an operator
 * would: {@code start --rollups 3} on the Cassandra named by {@code FLOTILLA_CASSANDRA} (reused, not started: the
 * script's {@code --cassandra}), then {@code status}; every node's HTTP port answers for every rollup, the sandbox L1
 * advances and every rollup produces L2 blocks; {@code stop} leaves no process of the cluster behind.
 *
 * <p>The nodes run the node module's fat jar ({@code node/target/flotilla.jar}, built by the reactor's package phase
 * before this module's tests) through {@code FLOTILLA_JAR}, so the launcher never starts a Maven build of its own.
 * Skipped without {@code FLOTILLA_CASSANDRA} (or {@code -Dflotilla.cassandra}), except with {@code CI=true}, where
 * it fails. Its own ports, directory and keyspace (dropped at the end).
 */
class LocalClusterScriptTest {

    static final Path MODULE = Path.of(System.getProperty("user.dir"));
    static final Path ROOT = MODULE.getParent();
    static final Path SCRIPT = MODULE.resolve("local-cluster/flotilla-local-cluster");
    static final Path JAR = ROOT.resolve("node/target/flotilla.jar");
    static final ObjectMapper JSON = new ObjectMapper();
    /** Generous: four JVMs start on a shared 2-core machine (about 2 minutes when it is quiet). */
    static final Duration START = Duration.ofMinutes(10);
    static final Duration WAIT = Duration.ofMinutes(3);

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

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

    /** A base port with the two above it free too (the script numbers nodes from it). */
    static int freeBase(List<Integer> taken) throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20000, 60000);
            boolean free = true;
            for (int p = base; p < base + 3 && free; p++) {
                if (taken.contains(p)) {
                    free = false;
                    continue;
                }
                try (ServerSocket s = new ServerSocket(p)) {
                    s.setReuseAddress(true);
                } catch (IOException busy) {
                    free = false;
                }
            }
            if (free) {
                for (int p = base; p < base + 3; p++) {
                    taken.add(p);
                }
                return base;
            }
        }
        throw new IOException("no three consecutive free ports found");
    }

    record Run(int exit, String output) {}

    /** Runs the script with a time limit; its output goes to a file under the cluster directory (kept for a look). */
    Run script(Path dir, Duration limit, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(SCRIPT.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, args[0] + "-", ".out");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("FLOTILLA_JAR", JAR.toString());
        pb.environment().remove("FLOTILLA_CASSANDRA"); // only --cassandra: what the script remembers is tested
        Process p = pb.start();
        if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("flotilla-local-cluster " + String.join(" ", args) + " still runs after " + limit + ":\n"
                    + Files.readString(out));
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    /** Status and JSON body of a GET, or status -1 when nothing answers. */
    record Answer(int status, JsonNode json) {}

    Answer get(String url) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode n = null;
            try {
                n = JSON.readTree(r.body());
            } catch (IOException notJson) {
                // metrics and errors
            }
            return new Answer(r.statusCode(), n);
        } catch (IOException e) {
            return new Answer(-1, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The "level" of a JSON answer, -1 when it does not answer 200 with one. */
    int level(String url) {
        Answer a = get(url);
        return a.status() == 200 && a.json() != null ? a.json().path("level").asInt(-1) : -1;
    }

    static void await(String what, BooleanSupplier condition, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + limit + ": " + what);
            }
            Thread.sleep(500);
        }
    }

    /** The processes whose command line names the cluster directory: every one the script started. */
    static List<ProcessHandle> processesOf(Path dir) {
        return ProcessHandle.allProcesses().filter(h -> h.info().commandLine()
                .map(c -> c.contains(dir.toString())).orElse(false)).toList();
    }

    @Test
    void startStatusStopARealThreeNodeCluster() throws Exception {
        String cassandra = cassandraEndpoint();
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: the node module's package phase builds it "
                + "(mvn verify -pl cluster-config -am)");
        Path dir = MODULE.resolve("target/local-cluster-test/" + System.currentTimeMillis());
        Files.createDirectories(dir);
        String keyspace = ("ops_local_cluster_" + Long.toHexString(ThreadLocalRandom.current().nextLong()
                & Long.MAX_VALUE)).toLowerCase(Locale.ROOT);
        List<Integer> taken = new ArrayList<>();
        int httpBase = freeBase(taken);
        int remotingBase = freeBase(taken);
        int l1Port = freeBase(taken);
        String l1 = "http://127.0.0.1:" + l1Port;
        try {
            Run start = script(dir, START, "start", "--rollups", "3", "--dir", dir.toString(), "--cassandra", cassandra,
                    "--keyspace", keyspace, "--http-port", Integer.toString(httpBase), "--remoting-port",
                    Integer.toString(remotingBase), "--l1-port", Integer.toString(l1Port));
            assertEquals(0, start.exit(), "start failed:\n" + start.output());
            assertTrue(start.output().contains("cluster up"), start.output());
            assertFalse(start.output().contains("flotilla: building"), "FLOTILLA_JAR: no build\n" + start.output());

            // status, without the options: the script remembers the ports and that Cassandra is not its own
            Run status = script(dir, WAIT, "status", "--dir", dir.toString());
            assertEquals(0, status.exit(), status.output());
            for (int n = 1; n <= 3; n++) {
                assertTrue(status.output().contains("node " + n + ": running"), status.output());
            }
            assertTrue(status.output().contains("L1: running on " + l1), status.output());
            assertTrue(status.output().contains("not started here"), status.output());

            List<String> rollups = Files.readAllLines(dir.resolve("rollups")).stream().filter(s -> !s.isBlank())
                    .toList();
            assertEquals(3, rollups.size(), "three rollups originated: " + rollups);
            rollups.forEach(r -> assertTrue(r.matches("sr1[1-9A-HJ-NP-Za-km-z]{33}"), r));

            // the sandbox L1 advances
            int l1Head = level(l1 + "/head");
            assertTrue(l1Head > 0, "the L1 answers its head");
            await("the sandbox L1 past level " + l1Head, () -> level(l1 + "/head") > l1Head, WAIT);

            // every node answers for every rollup, and each rollup keeps producing L2 blocks
            Map<String, Integer> first = new HashMap<>();
            for (int n = 0; n < 3; n++) {
                String node = "http://127.0.0.1:" + (httpBase + n);
                JsonNode list = get(node + "/rollups").json();
                assertNotNull(list, "node " + (n + 1) + " lists the rollups");
                assertEquals(3, list.size(), "node " + (n + 1) + " lists every rollup: " + list);
                for (String r : rollups) {
                    String head = node + "/rollups/" + r + "/global/block/head";
                    await("node " + (n + 1) + " answers the head of " + r + " (logs in " + dir + ")",
                            () -> level(head) > 0, WAIT);
                    first.merge(r, level(head), Math::max);
                }
            }
            for (String r : rollups) {
                int seen = first.get(r);
                for (int n = 0; n < 3; n++) {
                    String head = "http://127.0.0.1:" + (httpBase + n) + "/rollups/" + r + "/global/block/head";
                    await("node " + (n + 1) + " shows " + r + " past level " + seen + " (logs in " + dir + ")",
                            () -> level(head) > seen, WAIT);
                }
            }
            String metrics = "http://127.0.0.1:" + httpBase + "/metrics";
            assertTrue(httpText(metrics).contains("flotilla_cluster_members_up 3"), "three members up");

            Run stop = script(dir, WAIT, "stop", "--dir", dir.toString());
            assertEquals(0, stop.exit(), stop.output());
            for (int n = 1; n <= 3; n++) {
                assertTrue(stop.output().contains("node " + n + " stopped"), stop.output());
            }
            assertTrue(stop.output().contains("sandbox L1 stopped"), stop.output());
            assertEquals(List.of(), processesOf(dir).stream().map(h -> h.pid() + " " + h.info().commandLine()
                    .orElse("")).toList(), "stop leaves no process of the cluster behind");
            for (int n = 0; n < 3; n++) {
                assertEquals(-1, get("http://127.0.0.1:" + (httpBase + n) + "/health").status(), "node port closed");
            }
            assertEquals(-1, get(l1 + "/head").status(), "L1 port closed");
            Run after = script(dir, WAIT, "status", "--dir", dir.toString());
            assertEquals(3, after.exit(), "status of a stopped cluster: " + after.output());
            assertTrue(after.output().contains("node 1: stopped") && after.output().contains("L1: stopped"),
                    after.output());
        } finally {
            // whatever failed above: nothing of this cluster may outlive the test
            if (!processesOf(dir).isEmpty()) {
                script(dir, WAIT, "stop", "--dir", dir.toString());
                processesOf(dir).forEach(ProcessHandle::destroyForcibly);
            }
            try (CassandraStorage drop = CassandraStorage.open(CassandraStorage.Settings.of(cassandra, keyspace))) {
                drop.dropKeyspace();
            }
        }
    }

    String httpText(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
