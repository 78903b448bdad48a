package io.flotilla.node;

import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.actors.l1.SandboxL1Server;
import io.flotilla.actors.rollup.Inbox;
import io.flotilla.actors.journal.EventJournalReader;
import io.flotilla.actors.node.EmbeddedJournal;
import io.flotilla.persistence.chain.EmbeddedL2ChainStore;
import io.flotilla.persistence.chain.L2Block;
import io.flotilla.persistence.events.L2BlockProduced;
import io.flotilla.persistence.serialization.FlotillaKryo;
import io.flotilla.pvm.LevelInput;
import io.flotilla.pvm.Pvm;
import io.flotilla.pvm.PvmConfig;
import io.flotilla.pvm.PvmState;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.encoding.RollupAddress;
import io.flotilla.pvm.host.RollupMetadata;
import io.flotilla.pvm.reveal.PreimageSource;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a real node process at random moments while it works through an L1 chain, then
 * restarts: at the end no L2 block is lost or duplicated in the journal, and every state hash equals
 * that of an uninterrupted PVM run over the same chain.
 */
class CrashRecoveryTest {

    static final int LEVELS = 60;

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Extra {@code flotilla run} options choosing the storage (none: the embedded default). */
    protected List<String> storageOptions() {
        return List.of();
    }

    /** The L2 block the node stored for {@code level}. */
    protected L2Block storedBlock(String rollup, int level) {
        try (EmbeddedL2ChainStore chain = new EmbeddedL2ChainStore(dir.resolve("data").resolve("chain"))) {
            return chain.get(rollup, level).orElseThrow(() -> new AssertionError("lost L2 block " + level));
        }
    }

    /** The levels of the journaled L2BlockProduced events of {@code rollup}, in journal order. */
    protected List<Integer> journaledLevels(String rollup) throws Exception {
        List<Integer> levels = new ArrayList<>();
        try (EventJournalReader r = EmbeddedJournal.openReader(dir.resolve("data"))) {
            for (EventJournalReader.Stored e : r.eventsAfter("Rollup|" + rollup, 0)) {
                if (FlotillaKryo.fromBytes(e.bytes()) instanceof L2BlockProduced p) {
                    levels.add(p.level());
                }
            }
        }
        return levels;
    }

    private Process startNode(String rollup, String l1Url, int port, int round) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "io.flotilla.node.Flotilla", "run", "observer", "for", rollup,
                "--l1-endpoint", l1Url, "--data-dir", dir.resolve("data").toString(),
                "--rpc-addr", "127.0.0.1:" + port));
        cmd.addAll(storageOptions());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectErrorStream(true);
        pb.redirectOutput(dir.resolve("node-" + round + ".log").toFile());
        return pb.start();
    }

    private int headLevel(int port) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/global/block/head")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return -1;
            }
            Matcher m = Pattern.compile("\"level\":(\\d+)").matcher(r.body());
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void killedAtRandomMomentsTheNodeLosesAndDuplicatesNothing() throws Exception {
        Random rnd = new Random(Long.getLong("flotilla.crash.seed", System.nanoTime()));
        try (SandboxL1 l1 = SandboxL1.manual(); SandboxL1Server server = SandboxL1Server.start(l1, 0)) {
            String account = SandboxAccounts.bootstrap(1).address();
            String rollup = l1.inject(L1Operation.originate(account, DemoNode.bundledKernel("echo"), "bytes",
                    PvmVersion.DEFAULT.label())).orThrow().rollup().orElseThrow();
            l1.produceBlock();
            for (int i = 0; i < LEVELS; i++) {
                List<byte[]> msgs = new ArrayList<>();
                for (int j = 0; j <= i % 4; j++) {
                    msgs.add(("level " + i + " message " + j).getBytes(StandardCharsets.UTF_8));
                }
                l1.inject(L1Operation.addMessages(account, msgs)).orThrow();
                l1.produceBlock();
            }
            int head = l1.head().level();
            int port = freePort();
            String url = server.uri().toString();

            // three kills: each once the node has made some progress, after a random extra delay
            int[] targets = {head / 4, head / 2, 3 * head / 4};
            for (int round = 0; round < targets.length; round++) {
                Process node = startNode(rollup, url, port, round);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (headLevel(port) < targets[round] && node.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(node.isAlive(), "node died by itself in round " + round + ", see " + dir.resolve("node-" + round + ".log"));
                Thread.sleep(rnd.nextInt(400));
                node.destroyForcibly(); // SIGKILL
                assertTrue(node.waitFor(30, TimeUnit.SECONDS));
            }

            // last run: catch up, then stop cleanly
            Process node = startNode(rollup, url, port, 9);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (headLevel(port) < head && node.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(head, headLevel(port), "caught up after the crashes, see " + dir.resolve("node-9.log"));
            node.destroy(); // SIGTERM: a clean shutdown releases the stores
            assertTrue(node.waitFor(60, TimeUnit.SECONDS));

            // the reference: an uninterrupted PVM run over the same chain
            int origination = l1.rollup(rollup).orElseThrow().originationLevel();
            Pvm pvm = new Pvm(PvmConfig.defaults(), PreimageSource.none(),
                    new RollupMetadata(RollupAddress.fromBase58(rollup).bytes(), origination));
            PvmState state = PvmState.originate(DemoNode.bundledKernel("echo"), PvmVersion.DEFAULT);
            List<String> expected = new ArrayList<>();
            for (int level = origination + 1; level <= head; level++) {
                LevelInput in = Inbox.forRollup(rollup, l1.block(level).orElseThrow(), l1.block(level - 1).orElseThrow());
                state = pvm.runLevel(state, in).state();
                expected.add(state.hash().hex());
            }

            for (int level = origination + 1; level <= head; level++) {
                assertEquals(expected.get(level - origination - 1), storedBlock(rollup, level).stateHash().hex(),
                        "state at level " + level);
            }

            // the journal holds each level's block exactly once, in order
            List<Integer> levels = journaledLevels(rollup);
            List<Integer> want = new ArrayList<>();
            for (int level = origination + 1; level <= head; level++) {
                want.add(level);
            }
            assertEquals(want, levels, "one L2BlockProduced per level, none lost, none twice");
        }
    }

}
