package io.flotilla.node;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.actors.rollup.RollupMode;
import io.flotilla.persistence.chain.InMemoryL2ChainStore;
import io.flotilla.persistence.store.InMemoryContextStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node of a cluster refuses history mode full, with the reason, before it starts anything. */
class ClusterHistoryModeTest {

    @TempDir
    Path dir;

    @Test
    void aClusterNodeRefusesFullModeWithTheReason() {
        try (SandboxL1 l1 = SandboxL1.manual()) {
            NodeRuntime.Options options = new NodeRuntime.Options(dir, "127.0.0.1", 0, NodeRuntime.HistoryMode.FULL,
                    Duration.ofMillis(100));
            NodeStores stores = new NodeStores(new InMemoryContextStore(), new InMemoryL2ChainStore(), false);
            String rollup = "sr1Ghq66tYK9y3r8CC1Tf8i8m5nxh8nTvZEf";
            RuntimeException e = assertThrows(RuntimeException.class, () -> NodeRuntime.start(options, l1, false, stores,
                    List.of(new NodeRuntime.ServedRollup(rollup, RollupMode.OBSERVER, null)),
                    ConfigFactory.parseString("pekko.cluster.seed-nodes = [\"pekko://flotilla@127.0.0.1:2551\"]")));
            assertTrue(e.getMessage().contains("history mode full is not supported on a cluster")
                    && e.getMessage().contains(rollup), e.getMessage());
        }
    }
}
