package io.flotilla.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.L1Source;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.actors.l1.SandboxL1Server;
import io.flotilla.actors.rollup.RollupEntity;
import io.flotilla.snapshot.Compression;
import io.flotilla.snapshot.SnapshotExporter;
import io.flotilla.snapshot.SnapshotImporter;
import io.flotilla.snapshot.hosting.SnapshotCatalog;
import io.flotilla.snapshot.hosting.SnapshotFileInspector;
import io.flotilla.snapshot.hosting.SnapshotServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Snapshot hosting with a real node (demo echo rollup on a manual sandbox L1): the snapshot server exporting
 * from the running node every N levels and pruning, and {@code flotilla snapshot import URL} through a
 * connection that drops mid-download.
 */
class SnapshotHostingTest {

    static final Duration WAIT = Duration.ofSeconds(180);
    static final L1Source.SandboxConstants SMALL = new L1Source.SandboxConstants(4, 10, Duration.ofSeconds(1));

    @TempDir
    static Path tmp;
    static SandboxL1 l1;
    static SandboxL1Server l1Server;
    static NodeRuntime source;
    static Path sourceDir;
    static String rollup;

    @BeforeAll
    static void runASourceNode() throws Exception {
        l1 = new SandboxL1(SandboxL1.Config.manualMode().withConstants(SMALL));
        l1Server = new SandboxL1Server(l1, new InetSocketAddress("127.0.0.1", 0));
        sourceDir = tmp.resolve("source");
        source = DemoNode.start(new NodeRuntime.Options(sourceDir, "127.0.0.1", 0, NodeRuntime.HistoryMode.ARCHIVE,
                Duration.ofMillis(50)), l1, false, NodeStores.embedded(sourceDir, l1));
        rollup = source.fleet().rollups().get(0);
        for (int i = 0; i < 8; i++) {
            produce(i);
        }
    }

    @AfterAll
    static void stop() {
        if (source != null) {
            source.close();
        }
        if (l1Server != null) {
            l1Server.close();
        }
    }

    static int head() {
        try {
            RollupEntity.Status s = source.fleet().status(rollup).toCompletableFuture().get(30, TimeUnit.SECONDS);
            return s.headLevel();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Adds a message, produces a block, waits until the node evaluated it. */
    static int produce(int i) throws Exception {
        l1.inject(L1Operation.addMessages(SandboxAccounts.bootstrap(2).address(),
                List.of(("message " + i).getBytes(StandardCharsets.UTF_8)))).orThrow();
        int level = l1.produceBlock().level();
        Http.await("head " + level, () -> head() >= level, WAIT);
        return level;
    }

    static List<Integer> servedLevels(SnapshotCatalog catalog) {
        try {
            return catalog.list().stream().map(s -> s.level()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    @Test
    void theServerExportsFromTheRunningNodeEveryNLevelsAndKeepsTheNewest() throws Exception {
        Path served = Files.createDirectories(tmp.resolve("served"));
        SnapshotServerCommand cmd = new SnapshotServerCommand();
        AtomicInteger code = new AtomicInteger(-1);
        Thread t = new Thread(() -> code.set(new CommandLine(cmd).execute("--dir", served.toString(), "--port", "0",
                "--export-from", sourceDir.toString(), "--every", "3", "--keep", "2", "--check-interval", "100ms")));
        t.start();
        try {
            Http.await("the snapshot server", () -> cmd.server != null && cmd.exporter != null, WAIT);
            SnapshotCatalog catalog = new SnapshotCatalog(served, new SnapshotFileInspector(), System.err);
            Http.await("a first export", () -> servedLevels(catalog).size() == 1, WAIT);
            int first = servedLevels(catalog).get(0);
            for (int round = 1; round <= 2; round++) {
                int before = servedLevels(catalog).get(servedLevels(catalog).size() - 1);
                for (int i = 0; i < 3; i++) {
                    produce(100 * round + i);
                }
                // a newer export, and (from the third on) the oldest pruned: publication comes just before pruning
                int expected = Math.min(2, round + 1);
                Http.await("export round " + round, () -> {
                    List<Integer> levels = servedLevels(catalog);
                    return levels.size() == expected && levels.get(levels.size() - 1) > before;
                }, WAIT);
            }
            List<Integer> levels = servedLevels(catalog);
            assertEquals(2, levels.size(), "--keep 2: " + levels);
            assertTrue(levels.get(0) > first, "the first export was pruned: " + levels);
            try (Stream<Path> files = Files.list(served)) {
                List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("."))
                        .sorted().toList();
                assertEquals(4, names.size(), "two snapshots and their checksums: " + names);
            }
            HttpResponse<String> index = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    cmd.server.uri().resolve("/index.json")).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode list = new ObjectMapper().readTree(index.body()).get("snapshots");
            assertEquals(2, list.size());
            assertEquals(rollup, list.get(0).get("rollup_address").asText());
            assertEquals(levels.get(1), list.get(0).get("level").asInt(), "newest first");
            assertEquals("zstd", list.get(0).get("compression").asText());
            assertTrue(list.get(0).get("last_cemented_commitment").asText().startsWith("src1"));
            assertEquals(SnapshotCatalog.sha256(served.resolve(list.get(0).get("file").asText())),
                    list.get(0).get("sha256").asText());
        } finally {
            cmd.stop.countDown();
            t.join(WAIT.toMillis());
        }
        assertEquals(0, code.get());
    }

    @Test
    void importFromAUrlSurvivesADroppedConnection() throws Exception {
        Path hosted = Files.createDirectories(tmp.resolve("hosted"));
        SnapshotExporter.Result exported = SnapshotExporter.export(SnapshotExporter.Options.of(sourceDir, hosted)
                .withCompression(Compression.GZIP).withL1(l1));
        long size = Files.size(exported.file());
        SnapshotCatalog catalog = new SnapshotCatalog(hosted, new SnapshotFileInspector(), System.err);
        try (SnapshotServer server = new SnapshotServer(catalog, new InetSocketAddress("127.0.0.1", 0), null, System.err);
             DroppingProxy proxy = new DroppingProxy(server.address(), size / 3)) {
            Path target = tmp.resolve("imported");
            String url = proxy.uri() + "/latest/" + rollup + "/archive";
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream o = System.out;
            PrintStream e = System.err;
            int code;
            try {
                System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
                System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
                code = Flotilla.execute("snapshot", "import", url, "--data-dir", target.toString(),
                        "-E", l1Server.uri().toString());
            } finally {
                System.setOut(o);
                System.setErr(e);
            }
            assertEquals(0, code, out + "\n" + err);
            assertEquals(1, proxy.drops(), "the download was cut once");
            assertTrue(err.toString().contains("connection lost at byte"), size + " bytes; err: " + err + "\nout: " + out);
            assertTrue(out.toString().contains("snapshot imported into"), out.toString());
            assertTrue(out.toString().contains("head level: " + exported.header().headLevel()), out.toString());
            // the imported node holds what the file holds: exporting it again gives the same header
            SnapshotExporter.Result again = SnapshotExporter.export(SnapshotExporter.Options.of(target,
                    tmp.resolve("again")).withLevel(Integer.toString(exported.header().headLevel())).withCheck(false)
                    .withL1(l1));
            assertEquals(exported.header(), again.header());
            assertEquals(exported.header(), SnapshotImporter.info(SnapshotImporter.Source.file(again.file())).header());
        }
    }

    /** A TCP proxy that drops the first connection carrying more than {@code after} response bytes. */
    static final class DroppingProxy implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final AtomicInteger drops = new AtomicInteger();

        DroppingProxy(InetSocketAddress upstream, long after) throws IOException {
            Thread t = new Thread(() -> {
                while (!listener.isClosed()) {
                    try {
                        Socket client = listener.accept();
                        Socket server = new Socket();
                        server.connect(upstream, 30_000);
                        pump(client, server, Long.MAX_VALUE);
                        pump(server, client, after);
                    } catch (IOException e) {
                        // closed
                    }
                }
            }, "dropping-proxy");
            t.setDaemon(true);
            t.start();
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + listener.getLocalPort());
        }

        int drops() {
            return drops.get();
        }

        private void pump(Socket from, Socket to, long limit) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                long passed = 0;
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    // read no further than the limit, so the cut falls exactly there even in a small file
                    for (int n; (n = in.read(buf, 0, passed < limit && drops.get() == 0
                            ? (int) Math.min(buf.length, limit - passed) : buf.length)) > 0; ) {
                        out.write(buf, 0, n);
                        passed += n;
                        if (passed >= limit && drops.compareAndSet(0, 1)) {
                            to.setSoLinger(true, 0);
                            return; // closing both ends mid-response
                        }
                    }
                } catch (IOException e) {
                    // one side went away
                } finally {
                    try {
                        from.close();
                        to.close();
                    } catch (IOException e) {
                        // already closed
                    }
                }
            }, "dropping-proxy-pump");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
