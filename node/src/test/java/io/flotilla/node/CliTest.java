package io.flotilla.node;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.actors.l1.SandboxL1Server;
import io.flotilla.actors.rollup.RollupMode;
import io.flotilla.pvm.encoding.ContractHash;
import io.flotilla.pvm.encoding.Micheline;
import io.flotilla.pvm.encoding.OutboxMessage;
import io.flotilla.pvm.util.Hex;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line: init's config.json, and client + run against a sandbox L1 served over HTTP. */
class CliTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    static Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = System.out;
        PrintStream e = System.err;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Flotilla.execute(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }

    @Test
    void initWritesAnOctezStyleConfig() throws Exception {
        String sr1 = "sr163Lv22CdE8QagCwf48PWDTquk6isQwv57";
        Result r = cli("init", "batcher", "config", "for", sr1, "with", "operators", "bootstrap3",
                "--data-dir", dir.toString(), "--rpc-addr", "0.0.0.0:9000", "--history-mode", "full");
        assertEquals(0, r.code(), r.err());
        JsonNode n = NodeConfig.MAPPER.readTree(dir.resolve("config.json").toFile());
        assertEquals(sr1, n.get("smart-rollup-address").asText());
        assertEquals("batcher", n.get("mode").asText());
        assertEquals("full", n.get("history-mode").asText());
        assertEquals("0.0.0.0", n.get("rpc-addr").asText());
        assertEquals(9000, n.get("rpc-port").asInt());
        assertEquals(SandboxAccounts.bootstrap(3).address(), n.get("smart-rollup-node-operator").get("batching").asText());
        NodeConfig c = NodeConfig.read(dir.resolve("config.json"));
        assertEquals(RollupMode.BATCHER, c.mode());
        assertEquals(SandboxAccounts.bootstrap(3).address(), c.operator());

        assertEquals(1, cli("init", "batcher", "config", "for", sr1, "with", "operators", "bootstrap3",
                "--data-dir", dir.toString()).code(), "an existing config is not overwritten without --force");
        assertEquals(2, cli("init", "operator", "config", "for", sr1, "--data-dir", dir.resolve("x").toString()).code(),
                "operator mode needs a key");
        assertEquals(2, cli("init", "nonsense", "config", "for", sr1, "with", "operators", "bootstrap1",
                "--data-dir", dir.resolve("y").toString()).code());
        assertEquals(Map.of("operating", "tz1SBaaVfvnWTEzsoMvc9JLZdjG9NdjS9v3r", "batching",
                        SandboxAccounts.bootstrap(2).address()),
                NodeConfig.operators(RollupMode.ACCUSER, List.of("bootstrap1", "batching:bootstrap2")));
    }

    @Test
    void clientAndRunAgainstASandboxServedOverHttp() throws Exception {
        try (SandboxL1 l1 = new SandboxL1(SandboxL1.Config.manualMode().withConstants(OperatorOutboxTest.SMALL));
             SandboxL1Server server = SandboxL1Server.start(l1, 0)) {
            String url = server.uri().toString();
            Path kernel = dir.resolve("echo.wat");
            try (var in = getClass().getResourceAsStream("/kernels/echo.wat")) {
                Files.write(kernel, in.readAllBytes());
            }
            Thread baker = new Thread(() -> {
                // the client waits for inclusion: bake while it waits
                for (int i = 0; i < 50 && l1.rollups().isEmpty(); i++) {
                    sleep(100);
                    if (!l1.pendingOperations().isEmpty()) {
                        l1.produceBlock();
                    }
                }
            });
            baker.start();
            Result o = cli("client", "--l1-endpoint", url, "originate", "--kernel", kernel.toString());
            baker.join();
            assertEquals(0, o.code(), o.err());
            String sr1 = l1.rollups().get(0);
            assertTrue(o.out().contains(sr1) && o.out().contains("src1"), o.out());

            RunCommand run = new RunCommand();
            Thread node = new Thread(() -> new CommandLine(run).execute("operator", "for", sr1, "with", "operators",
                    "bootstrap1", "--l1-endpoint", url, "--rpc-addr", "127.0.0.1:0", "--data-dir",
                    dir.resolve("data").toString()));
            node.start();
            Http.await("the node", () -> run.runtime != null, WAIT);
            Http http = new Http(run.runtime.rpcUrl());

            byte[] tx = new OutboxMessage.AtomicTransactionBatch(List.of(new OutboxMessage.Transaction(
                    Micheline.parse("Unit"), ContractHash.zero(), "default"))).encode();
            Thread sender = new Thread(() -> {
                for (int i = 0; i < 50 && l1.pendingOperations().isEmpty(); i++) {
                    sleep(100);
                }
                l1.produceBlock();
            });
            sender.start();
            Result s = cli("client", "--l1-endpoint", url, "send", "message", Hex.encode(tx));
            sender.join();
            assertEquals(0, s.code(), s.err());
            int outboxLevel = l1.head().level();
            http.await("/global/block/head", b -> b.get("level").asInt() >= outboxLevel, WAIT);
            assertEquals(Hex.encode(tx), http.json("/global/block/" + outboxLevel + "/outbox/" + outboxLevel
                    + "/messages").get(0).get("message").asText());

            // the operator publishes its commitment at origination + 4 (small constants) and, once the challenge
            // window is over, cements it and executes the cemented outbox by itself
            int origination = l1.rollup(sr1).orElseThrow().originationLevel();
            int commitmentLevel = origination + OperatorOutboxTest.SMALL.commitmentPeriod();
            for (int i = 0; i < 30 && l1.calls().isEmpty(); i++) {
                int level = l1.produceBlock().level();
                http.await("/global/block/head", b -> b.get("level").asInt() >= level, WAIT);
            }
            assertEquals(commitmentLevel, http.json("/global/last_cemented_commitment").get("level").asInt());
            assertEquals(1, l1.calls().size(), "the operator executed the message: " + l1.calls());
            assertEquals("Unit", l1.calls().get(0).parameters());
            Http.await("no pending outbox", () -> http.json("/local/outbox/pending").isEmpty(), WAIT);

            // the client proves it against the node's cemented state too, but L1 refuses a second execution
            Result x = cli("client", "--l1-endpoint", url, "execute", "outbox", "--rollup", sr1, "--node",
                    run.runtime.rpcUrl(), "--level", Integer.toString(outboxLevel), "--index", "0");
            assertNotEquals(0, x.code(), x.out());
            assertTrue(x.err().contains("already executed"), x.err());
            assertEquals(1, l1.calls().size());

            run.stop.countDown();
            node.join(30_000);
            assertFalse(node.isAlive());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
