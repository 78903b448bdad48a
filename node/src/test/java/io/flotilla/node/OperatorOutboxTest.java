package io.flotilla.node;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.flotilla.actors.l1.ContractCall;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.L1Source;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.pvm.OutboxProof;
import io.flotilla.pvm.encoding.Base58Check;
import io.flotilla.pvm.encoding.ContractHash;
import io.flotilla.pvm.encoding.Micheline;
import io.flotilla.pvm.encoding.OutboxMessage;
import io.flotilla.pvm.tree.Hash;
import io.flotilla.pvm.util.Hex;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole life of an outbox message with a node in operator mode, read through the HTTP API: the echo
 * kernel writes it, the node publishes the commitment covering it, cements it once the challenge window is
 * over, and executes the message on L1 itself; the cemented proof checks against the cemented state.
 */
class OperatorOutboxTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    /** A commitment every 4 levels, cementable 6 levels after its publication. */
    static final L1Source.SandboxConstants SMALL = new L1Source.SandboxConstants(4, 6, Duration.ofSeconds(1));

    @TempDir
    Path dataDir;

    @Test
    void theOperatorCementsAndExecutesItsOutbox() throws Exception {
        SandboxL1 l1 = new SandboxL1(SandboxL1.Config.manualMode().withConstants(SMALL));
        NodeRuntime.Options o = new NodeRuntime.Options(dataDir, "127.0.0.1", 0, NodeRuntime.HistoryMode.ARCHIVE,
                Duration.ofMillis(50));
        try (NodeRuntime node = DemoNode.start(o, l1, true, NodeStores.inMemory(false))) {
            Http http = new Http(node.rpcUrl());
            String rollup = node.fleet().rollups().get(0);
            assertEquals("operator", http.json("/rollups").get(0).get("mode").asText());
            int origination = l1.rollup(rollup).orElseThrow().originationLevel();

            byte[] tx = new OutboxMessage.AtomicTransactionBatch(List.of(new OutboxMessage.Transaction(
                    Micheline.parse("Pair 1 \"hi\""), ContractHash.zero(), "default"))).encode();
            l1.inject(L1Operation.addMessages(SandboxAccounts.bootstrap(2).address(), List.of(tx))).orThrow();
            int level = produceAndAwait(l1, http);
            assertEquals(Hex.encode(tx), http.json("/global/block/" + level + "/outbox/" + level + "/messages")
                    .get(0).get("message").asText());
            assertEquals("pending", pending(http, level, 0).get("status").asText());

            // the node publishes every 4 levels and cements 6 levels after each publication, by itself
            JsonNode lcc = produceUntil(l1, http, "/global/last_cemented_commitment",
                    n -> n.get("level").asInt() >= level, 30);
            int lccLevel = lcc.get("level").asInt();
            assertEquals(0, (lccLevel - origination) % SMALL.commitmentPeriod(), lcc.toString());
            String cementedState = lcc.get("commitment").get("compressed_state").asText();
            assertEquals("executable", pending(http, level, 0).get("status").asText());

            JsonNode msgs = http.json("/global/block/cemented/outbox/" + level + "/messages");
            assertEquals(1, msgs.size());
            assertEquals(Hex.encode(tx), msgs.get(0).get("message").asText());
            JsonNode p = http.json("/global/block/cemented/helpers/proofs/outbox/" + level + "/messages?index=0");
            assertEquals(cementedState, p.get("state_hash").asText(), "proven against the cemented state");
            assertEquals(lcc.get("commitment_hash").asText(), p.get("commitment").asText());
            byte[] state = Base58Check.decode(Base58Check.Prefix.SMART_ROLLUP_STATE, cementedState);
            assertArrayEquals(tx, OutboxProof.fromBytes(Hex.decode(p.get("proof").asText()))
                    .verify(Hash.fromBytes(state)));

            // the operator executes it on L1 as soon as it is cemented
            ContractCall expected = null;
            for (int i = 0; i < 5 && expected == null; i++) {
                expected = l1.calls().stream().filter(c -> c.destination().equals(ContractHash.zero().toBase58())
                        && c.entrypoint().equals("default") && c.parameters().equals("Pair 1 \"hi\""))
                        .findFirst().orElse(null);
                if (expected == null) {
                    produceAndAwait(l1, http);
                }
            }
            assertNotNull(expected, "the operator did not execute the message: calls " + l1.calls());
            assertEquals(1, l1.calls().size(), l1.calls().toString());
            Http.await("the message no longer pending", () -> pending(http, level, 0) == null, WAIT);
            // nothing is executed twice: more blocks, still one call
            produceAndAwait(l1, http);
            produceAndAwait(l1, http);
            assertEquals(1, l1.calls().size(), l1.calls().toString());
        }
    }

    /** The group of {@code /local/outbox/pending} that lists message {@code index} of {@code level}, or null. */
    private static JsonNode pending(Http http, int level, int index) {
        for (JsonNode n : http.json("/local/outbox/pending")) {
            if (n.get("outbox_level").asInt() == level) {
                for (JsonNode m : n.get("messages")) {
                    if (m.get("message_index").asInt() == index) {
                        return n;
                    }
                }
            }
        }
        return null;
    }

    /** Produces a block and waits until the node evaluated it (so what it injects lands in the next one). */
    private static int produceAndAwait(SandboxL1 l1, Http http) throws InterruptedException {
        int level = l1.produceBlock().level();
        http.await("/global/block/head", b -> b.get("level").asInt() >= level, WAIT);
        return level;
    }

    private static JsonNode produceUntil(SandboxL1 l1, Http http, String path, Predicate<JsonNode> ok, int maxBlocks)
            throws InterruptedException {
        for (int i = 0; i < maxBlocks; i++) {
            Http.Response r = http.get(path);
            if (r.status() == 200 && ok.test(r.json())) {
                return r.json();
            }
            produceAndAwait(l1, http);
        }
        throw new AssertionError(path + " not reached after " + maxBlocks + " blocks: " + http.get(path).text());
    }
}
