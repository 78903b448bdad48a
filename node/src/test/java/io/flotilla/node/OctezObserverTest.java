package io.flotilla.node;

import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.actors.l1.FakeOctezNode;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.pvm.KernelFiles;
import io.flotilla.pvm.util.Hex;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code flotilla run observer for <sr1> --l1-endpoint URL} against an Octez node (the fake one). */
class OctezObserverTest {
    static final Duration WAIT = Duration.ofSeconds(90);
    static final String B1 = SandboxAccounts.bootstrap(1).address();

    @TempDir
    Path dir;

    static byte[] echo() throws Exception {
        try (InputStream in = OctezObserverTest.class.getResourceAsStream("/kernels/echo.wat")) {
            return KernelFiles.fromText(new String(in.readAllBytes(), StandardCharsets.UTF_8), "echo.wat");
        }
    }

    static void message(SandboxL1 l1, String text) {
        l1.inject(L1Operation.addMessages(B1, List.of(text.getBytes(StandardCharsets.UTF_8)))).orThrow();
    }

    @Test
    void observerFollowsAnOctezNodeAndServesTheApi() throws Exception {
        try (SandboxL1 l1 = SandboxL1.manual(); FakeOctezNode octez = new FakeOctezNode()) {
            String sr1 = l1.inject(L1Operation.originate(B1, echo(), "bytes", "2.0.0-r5")).orThrow().rollup()
                    .orElseThrow();
            l1.produceBlock();
            message(l1, "hello");
            int helloLevel = l1.produceBlock().level();
            octez.mirror(l1);

            RunCommand run = new RunCommand();
            Thread node = new Thread(() -> new CommandLine(run).execute("observer", "for", sr1, "--l1-endpoint",
                    octez.uri().toString(), "--rpc-addr", "127.0.0.1:0", "--data-dir", dir.resolve("data").toString()));
            node.start();
            try {
                Http.await("the node", () -> run.runtime != null || !node.isAlive(), WAIT);
                assertNotNull(run.runtime, "the node did not start");
                Http http = new Http(run.runtime.rpcUrl());
                http.await("/global/block/head", b -> b.get("level").asInt() >= helloLevel, WAIT);
                assertEquals(Hex.encode("hello".getBytes(StandardCharsets.UTF_8)),
                        http.json("/global/block/" + helloLevel + "/outbox/" + helloLevel + "/messages").get(0)
                                .get("message").asText());
                assertEquals(sr1, http.json("/global/smart_rollup_address").asText());
                // an observer injects nothing: its batcher refuses messages
                Http.Response refused = http.post("/local/batcher/injection", "[\"68656c6c6f\"]");
                assertNotEquals(200, refused.status());
                assertTrue(refused.text().contains("does not batch messages"), refused.text());

                // new Octez blocks are followed as they come
                message(l1, "world");
                int worldLevel = l1.produceBlock().level();
                octez.mirror(l1);
                http.await("/global/block/head", b -> b.get("level").asInt() >= worldLevel, WAIT);
                assertEquals(Hex.encode("world".getBytes(StandardCharsets.UTF_8)),
                        http.json("/global/block/" + worldLevel + "/outbox/" + worldLevel + "/messages").get(0)
                                .get("message").asText());
                assertEquals(worldLevel, http.json("/global/tezos_level").asInt());
            } finally {
                run.stop.countDown();
                node.join(60_000);
            }
            assertFalse(node.isAlive());
        }
    }

    @Test
    void otherModesAreRefusedOnOctez() throws Exception {
        try (SandboxL1 l1 = SandboxL1.manual(); FakeOctezNode octez = new FakeOctezNode()) {
            String sr1 = l1.inject(L1Operation.originate(B1, echo(), "bytes", "2.0.0-r5")).orThrow().rollup()
                    .orElseThrow();
            l1.produceBlock();
            octez.mirror(l1);
            CliTest.Result r = CliTest.cli("run", "operator", "for", sr1, "with", "operators", "bootstrap1",
                    "--l1-endpoint", octez.uri().toString(), "--data-dir", dir.resolve("data").toString());
            assertEquals(2, r.code(), r.out());
            assertTrue(r.err().contains("only observer mode is supported with an Octez L1"), r.err());

            CliTest.Result bad = CliTest.cli("run", "observer", "for", sr1, "--l1-endpoint", octez.uri().toString(),
                    "--l1-kind", "tezos", "--data-dir", dir.resolve("data").toString());
            assertEquals(1, bad.code());
            assertTrue(bad.err().contains("unknown L1 kind 'tezos'"), bad.err());
        }
    }
}
