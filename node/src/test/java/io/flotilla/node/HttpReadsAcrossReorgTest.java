package io.flotilla.node;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.flotilla.actors.l1.L1Operation;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read routes serve blocks, outboxes, proofs and durable values from the stores with states cached by hash: after
 * an L1 reorg replaces a block whose state was read (so cached), the node serves the new block and its state, never
 * the reverted one.
 */
class HttpReadsAcrossReorgTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;

    @Test
    void aRevertedBlockIsNotServedFromTheCache() throws Exception {
        SandboxL1 l1 = SandboxL1.manual();
        NodeRuntime.Options o = new NodeRuntime.Options(dataDir, "127.0.0.1", 0, NodeRuntime.HistoryMode.ARCHIVE,
                Duration.ofMillis(50));
        try (NodeRuntime node = DemoNode.start(o, l1, true, NodeStores.inMemory(false))) {
            Http http = new Http(node.rpcUrl());
            byte[] tx = new OutboxMessage.AtomicTransactionBatch(List.of(new OutboxMessage.Transaction(
                    Micheline.parse("Unit"), ContractHash.zero(), "default"))).encode();
            l1.produceBlock();
            int moved = l1.produceBlock().level(); // empty now; the reorg moves the message here
            l1.inject(L1Operation.addMessages(SandboxAccounts.bootstrap(2).address(), List.of(tx))).orThrow();
            int outboxLevel = l1.produceBlock().level();
            int level = l1.produceBlock().level();
            http.await("/global/block/head", b -> b.get("level").asInt() == level, WAIT);

            // read everything of the block (the head) once: its state is now cached
            JsonNode before = http.json("/global/block/head");
            String oldState = before.get("state_hash").asText();
            String oldL1Hash = before.get("block_hash").asText();
            assertEquals(oldState, http.json("/global/block/" + level + "/state_hash").asText());
            assertEquals(Hex.encode(tx), http.json("/global/block/head/outbox/" + outboxLevel + "/messages").get(0)
                    .get("message").asText());
            assertEquals(oldState, proof(http, "head", outboxLevel).get("state_hash").asText());
            http.json("/global/block/head/durable/wasm_2_0_0/value?key=/readonly/kernel/env/reboot_counter");

            // the reorg replaces the blocks from `moved` on: the message now comes in the first new block, so the
            // echo rollup's outbox (and state) at `level` differ, and one more block follows
            SandboxL1.Reorg reorg = l1.reorg(3);
            assertEquals(4, reorg.added().size());
            assertEquals(moved, reorg.added().get(0).level());
            assertEquals(level, reorg.added().get(2).level());
            int head = reorg.added().get(3).level();
            http.await("/global/block/head", b -> b.get("level").asInt() == head, WAIT);

            JsonNode replaced = http.json("/global/block/" + level);
            assertEquals(Base58Check.encode(Base58Check.Prefix.BLOCK_HASH, reorg.added().get(2).hash()),
                    replaced.get("block_hash").asText(), "the block of the new L1 chain");
            assertNotEquals(oldL1Hash, replaced.get("block_hash").asText());
            String newState = replaced.get("state_hash").asText();
            assertNotEquals(oldState, newState, "the new block has its own state");
            assertEquals(0, http.json("/global/block/" + level + "/outbox/" + outboxLevel + "/messages").size(),
                    "the message left that level");
            assertEquals(Hex.encode(tx), http.json("/global/block/" + level + "/outbox/" + moved + "/messages").get(0)
                    .get("message").asText());
            JsonNode p = proof(http, Integer.toString(level), moved);
            assertEquals(newState, p.get("state_hash").asText(), "proved against the new block's state");
            byte[] state = Base58Check.decode(Base58Check.Prefix.SMART_ROLLUP_STATE, newState);
            assertArrayEquals(tx, OutboxProof.fromBytes(Hex.decode(p.get("proof").asText())).verify(
                    Hash.fromBytes(state)));
            // the head's answers are the entity's: same level and state as the rollup's status
            JsonNode rollup = http.json("/rollups").get(0);
            assertEquals(head, rollup.get("head").get("level").asInt());
            assertEquals(rollup.get("head").get("state_hash").asText(), http.json("/global/block/head/state_hash")
                    .asText());
            assertEquals(http.json("/global/block/" + (head - 2) + "/hash"), http.json("/global/block/finalized/hash"));
        }
    }

    private static JsonNode proof(Http http, String block, int outboxLevel) {
        return http.json("/global/block/" + block + "/helpers/proofs/outbox/" + outboxLevel + "/messages?index=0");
    }
}
