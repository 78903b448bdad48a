package io.flotilla.node;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.actors.rollup.RollupEntity;
import io.flotilla.actors.rollup.RollupMode;
import io.flotilla.pvm.KernelFiles;
import io.flotilla.pvm.PvmConfig;
import io.flotilla.pvm.PvmThreads;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.util.Hex;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two rollups whose kernel loops forever share a node with ten echo rollups. The node's PVM lanes have as
 * many fast threads as the machine this test was written for has cores (two): before lanes, the two loops
 * held both threads until they ran out of gas. Now the echo rollups keep up with L1 while the loops burn
 * their budget, and the loops end stuck with Too_many_ticks, their blocks still served.
 */
class SlowKernelIsolationTest {
    /** A kernel_run that never returns: only the gas budget ends it. */
    static final String LOOP_WAT = """
            (module
              (memory (export "memory") 1)
              (func (export "kernel_run") (loop (br 0))))
            """;
    /** Gas per kernel_run: several seconds of the loop when two run at once on the 2-core test machine. */
    static final long GAS = 3_000_000_000L;
    static final int ECHOES = 10;
    static final Duration SLOW_AFTER = Duration.ofMillis(300);
    /** L1 blocks the echo rollups must have caught up with while neither loop was stuck yet. */
    static final int BLOCKS_WHILE_LOOPING = 3;

    @TempDir
    Path dataDir;

    @Test
    void echoRollupsKeepUpWhileTwoKernelsLoopUntilStuck() throws Exception {
        byte[] loop = KernelFiles.fromText(LOOP_WAT, "loop.wat");
        PvmThreads threads = new PvmThreads(new PvmThreads.Settings(2, 1, 2, SLOW_AFTER));
        try (SandboxL1 l1 = SandboxL1.manual()) {
            String source = SandboxAccounts.bootstrap(1).address();
            List<NodeRuntime.ServedRollup> served = new ArrayList<>();
            List<String> loops = new ArrayList<>();
            List<String> echoes = new ArrayList<>();
            for (int i = 0; i < 2 + ECHOES; i++) {
                byte[] kernel = i < 2 ? loop : DemoNode.echoKernel();
                String address = l1.inject(L1Operation.originate(source, kernel, "bytes", PvmVersion.DEFAULT.label()))
                        .orThrow().rollup().orElseThrow();
                (i < 2 ? loops : echoes).add(address);
                // the loops first: their first levels are queued before the echo rollups'
                served.add(new NodeRuntime.ServedRollup(address, RollupMode.OBSERVER, null));
            }
            int origination = l1.produceBlock().level();
            message(l1, "level 2");
            l1.produceBlock();

            NodeRuntime.Options o = new NodeRuntime.Options(dataDir, "127.0.0.1", 0, NodeRuntime.HistoryMode.ARCHIVE,
                    Duration.ofMillis(100)).withPvm(PvmConfig.defaults().withGas(GAS)).withPvmThreads(threads);
            long start = System.nanoTime();
            try (NodeRuntime node = NodeRuntime.start(o, l1, false, NodeStores.inMemory(false), served)) {
                Http http = new Http(node.rpcUrl());
                // the echo rollups follow L1 block after block while the loops run
                long maxLag = 0;
                int blocks = 0;
                // isolation as an order of events, not a time bound (which a loaded machine breaks): the echo rollups
                // reach each new L1 head before either loop runs out of gas
                int caughtUpWhileLooping = 0;
                while (!bothStuck(node, loops)) {
                    if (blocks > 0) {
                        message(l1, "level " + (l1.head().level() + 1));
                        l1.produceBlock();
                    }
                    int head = l1.head().level();
                    long t0 = System.nanoTime();
                    for (String e : echoes) {
                        Http.await(e + " at " + head, () -> status(node, e).headLevel() >= head,
                                Duration.ofSeconds(60));
                    }
                    maxLag = Math.max(maxLag, System.nanoTime() - t0);
                    if (noneStuck(node, loops)) {
                        caughtUpWhileLooping++;
                    }
                    blocks++;
                    Thread.sleep(200);
                }
                long loopsStuck = System.nanoTime() - start;
                System.out.printf("echo rollups: at most %d ms behind L1 over %d blocks; the loops were stuck "
                        + "after %d ms%n", maxLag / 1_000_000, blocks, loopsStuck / 1_000_000);
                assertTrue(caughtUpWhileLooping >= BLOCKS_WHILE_LOOPING, "the echo rollups caught up with only "
                        + caughtUpWhileLooping + " of " + blocks + " L1 blocks before a loop was stuck (after "
                        + loopsStuck / 1_000_000 + " ms): the loops held the PVM threads");

                int head = l1.head().level();
                for (String e : echoes) {
                    assertEquals(ManyRollupsTest.plainRun(l1, e, head).hash().hex(), status(node, e).headStateHash(),
                            "the state of " + e + " does not depend on scheduling");
                }
                int stuckLevel = origination + 1;
                for (JsonNode r : http.json("/rollups")) {
                    String address = r.get("address").asText();
                    if (loops.contains(address)) {
                        assertEquals("stuck: Too_many_ticks", r.get("status").asText(), r.toString());
                        assertEquals(stuckLevel, r.get("head").get("level").asInt(), r.toString());
                    } else {
                        assertEquals("running", r.get("status").asText(), r.toString());
                        assertEquals(head, r.get("head").get("level").asInt(), r.toString());
                    }
                }
                for (String l : loops) {
                    String base = "/rollups/" + l + "/global/block/";
                    JsonNode b = http.json(base + stuckLevel);
                    assertEquals(stuckLevel, b.get("level").asInt());
                    assertTrue(b.get("messages").toString().contains(Hex.encode(
                            "level 2".getBytes(StandardCharsets.US_ASCII))), b.toString());
                    JsonNode v = http.json(base + stuckLevel + "/durable/wasm_2_0_0/value?key=/readonly/wasm_version");
                    assertEquals(PvmVersion.DEFAULT.label(), new String(Hex.decode(v.asText()),
                            StandardCharsets.US_ASCII));
                    assertEquals(loop.length, Long.parseLong(http.json(base + "head/durable/wasm_2_0_0/length"
                            + "?key=/kernel/boot.wasm").asText()));
                }
            }
        } finally {
            threads.shutdown();
        }
    }

    private static void message(SandboxL1 l1, String text) {
        l1.inject(L1Operation.addMessages(SandboxAccounts.bootstrap(2).address(),
                List.of(text.getBytes(StandardCharsets.US_ASCII)))).orThrow();
    }

    private static boolean bothStuck(NodeRuntime node, List<String> loops) {
        return loops.stream().allMatch(l -> status(node, l).stuck() != null);
    }

    private static boolean noneStuck(NodeRuntime node, List<String> loops) {
        return loops.stream().allMatch(l -> status(node, l).stuck() == null);
    }

    private static RollupEntity.Status status(NodeRuntime node, String r) {
        try {
            return node.fleet().status(r).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
