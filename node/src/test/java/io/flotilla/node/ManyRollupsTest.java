package io.flotilla.node;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.flotilla.actors.l1.L1Block;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.L1Source;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.actors.rollup.Inbox;
import io.flotilla.actors.rollup.RollupEntity;
import io.flotilla.actors.rollup.RollupMode;
import io.flotilla.pvm.LevelResult;
import io.flotilla.pvm.Pvm;
import io.flotilla.pvm.PvmConfig;
import io.flotilla.pvm.PvmState;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.encoding.ContractHash;
import io.flotilla.pvm.encoding.Micheline;
import io.flotilla.pvm.encoding.RollupAddress;
import io.flotilla.pvm.host.RollupMetadata;
import io.flotilla.pvm.reveal.PreimageSource;
import io.flotilla.pvm.util.Hex;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 100 rollups (echo, counter, hello) on one node all progress, to the states plain PVM runs give. */
class ManyRollupsTest {
    static final String[] KERNELS = {"echo", "counter", "hello"};
    static final int ROLLUPS = 100;
    static final int LEVELS = 8;

    @TempDir
    Path dataDir;

    @Test
    void everyRollupMatchesAPlainPvmRun() throws Exception {
        try (SandboxL1 l1 = SandboxL1.manual()) {
            List<String> rollups = new ArrayList<>();
            List<NodeRuntime.ServedRollup> served = new ArrayList<>();
            for (int i = 0; i < ROLLUPS; i++) {
                String source = SandboxAccounts.bootstrap(1 + i % SandboxAccounts.COUNT).address();
                String address = l1.inject(L1Operation.originate(source, DemoNode.bundledKernel(KERNELS[i % 3]),
                        "bytes", PvmVersion.DEFAULT.label())).orThrow().rollup().orElseThrow();
                rollups.add(address);
                RollupMode mode = i % 2 == 0 ? RollupMode.OBSERVER : RollupMode.OPERATOR;
                served.add(new NodeRuntime.ServedRollup(address, mode, mode == RollupMode.OBSERVER ? null : source));
            }
            l1.produceBlock(); // level 1: the originations

            NodeRuntime.Options o = new NodeRuntime.Options(dataDir, "127.0.0.1", 0, NodeRuntime.HistoryMode.ARCHIVE,
                    Duration.ofMillis(100));
            try (NodeRuntime node = NodeRuntime.start(o, l1, false, NodeStores.inMemory(false), served)) {
                String kt1 = new ContractHash(new byte[20]).toBase58();
                for (int level = 2; level <= 1 + LEVELS; level++) {
                    l1.inject(L1Operation.addMessages(SandboxAccounts.bootstrap(2).address(),
                            List.of(new byte[] {0, (byte) level}, new byte[] {1, 2, 3}))).orThrow();
                    l1.inject(new L1Operation.Transfer(SandboxAccounts.bootstrap(3).address(), kt1,
                            rollups.get(level % ROLLUPS), Micheline.parse("0x0a0b").encode())).orThrow();
                    l1.produceBlock();
                }
                int head = l1.head().level();
                for (String r : rollups) {
                    Http.await(r + " at level " + head, () -> status(node, r).headLevel() >= head,
                            Duration.ofSeconds(60));
                }
                Http http = new Http(node.rpcUrl());
                JsonNode listed = http.json("/rollups");
                assertEquals(ROLLUPS, listed.size());
                for (JsonNode n : listed) {
                    assertEquals(head, n.get("head").get("level").asInt(), n.toString());
                    assertEquals("running", n.get("status").asText());
                }
                for (int i = 0; i < ROLLUPS; i++) {
                    String r = rollups.get(i);
                    String expected = plainRun(l1, r, head).hash().hex();
                    assertEquals(expected, status(node, r).headStateHash(), "rollup " + i + " (" + KERNELS[i % 3] + ")");
                    JsonNode b = http.json("/rollups/" + r + "/global/block/head");
                    assertEquals(head, b.get("level").asInt());
                }
                // the counter counted one kernel_run per level
                JsonNode counter = http.json("/rollups/" + rollups.get(1)
                        + "/global/block/head/durable/wasm_2_0_0/value?key=/counter");
                byte[] le = Hex.decode(counter.asText());
                assertEquals(LEVELS, java.nio.ByteBuffer.wrap(le).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong());
            }
        }
    }

    private static RollupEntity.Status status(NodeRuntime node, String r) {
        try {
            return node.fleet().status(r).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The rollup's state at {@code head}, by running the PVM level by level over the same L1 chain. */
    static PvmState plainRun(L1Source l1, String rollup, int head) {
        L1Source.RollupInfo info = l1.rollup(rollup).orElseThrow();
        Pvm pvm = new Pvm(PvmConfig.defaults(), PreimageSource.none(),
                new RollupMetadata(RollupAddress.fromBase58(rollup).bytes(), info.originationLevel()));
        PvmState state = PvmState.originate(info.kernel(), PvmVersion.parse(info.pvmVersion()));
        for (int level = info.originationLevel() + 1; level <= head; level++) {
            L1Block b = l1.block(level).orElseThrow();
            L1Block pred = l1.block(level - 1).orElseThrow();
            LevelResult r = pvm.runLevel(state, Inbox.forRollup(rollup, b, pred));
            state = r.state();
        }
        return state;
    }
}
