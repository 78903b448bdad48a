package io.flotilla.node;

import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.L1Source;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.actors.rollup.RollupMode;
import io.flotilla.pvm.KernelFiles;
import io.flotilla.pvm.PvmVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code flotilla run} starts with no arguments: a node serving a demo rollup that runs the bundled
 * echo kernel, in operator mode with {@code bootstrap1} as operator. The demo rollup's address is kept in
 * {@code <data-dir>/demo-rollup}; it is reused when the L1 still knows it, else a new one is originated.
 */
public final class DemoNode {
    private static final Logger LOG = LoggerFactory.getLogger(DemoNode.class);

    /** The operator of the demo rollup. */
    public static final SandboxAccounts.Account OPERATOR = SandboxAccounts.bootstrap(1);
    static final String ADDRESS_FILE = "demo-rollup";

    private DemoNode() {}

    /** Starts the demo on {@code l1} with the default options and stores of {@code dataDir}. */
    public static NodeRuntime start(Path dataDir, int rpcPort, L1Source l1) {
        return start(NodeRuntime.Options.defaults(dataDir).withRpc("127.0.0.1", rpcPort), l1, false,
                NodeStores.embedded(dataDir, l1));
    }

    public static NodeRuntime start(NodeRuntime.Options options, L1Source l1, boolean ownsL1, NodeStores stores) {
        String rollup = demoRollup(options.dataDir(), l1);
        return NodeRuntime.start(options, l1, ownsL1, stores,
                List.of(new NodeRuntime.ServedRollup(rollup, RollupMode.OPERATOR, OPERATOR.address())));
    }

    /** The echo kernel bundled with Flotilla, compiled. */
    public static byte[] echoKernel() {
        return bundledKernel("echo");
    }

    /** {@code /kernels/<name>.wat} from the classpath, compiled. */
    public static byte[] bundledKernel(String name) {
        String path = "/kernels/" + name + ".wat";
        try (InputStream in = DemoNode.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is not on the classpath");
            }
            return KernelFiles.fromText(new String(in.readAllBytes(), StandardCharsets.UTF_8), name + ".wat");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The demo rollup's address: the remembered one if L1 knows it, else a new origination. */
    static String demoRollup(Path dataDir, L1Source l1) {
        Path file = dataDir.resolve(ADDRESS_FILE);
        try {
            Files.createDirectories(dataDir);
            if (Files.exists(file)) {
                String known = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (!known.isEmpty() && l1.rollup(known).isPresent()) {
                    LOG.info("reusing the demo rollup {}", known);
                    return known;
                }
                LOG.info("the demo rollup {} is unknown to this L1: originating a new one", known);
            }
            String address = originate(l1, echoKernel(), PvmVersion.DEFAULT.label(), OPERATOR.address(),
                    Duration.ofSeconds(30));
            Files.writeString(file, address + "\n", StandardCharsets.UTF_8);
            LOG.info("originated the demo rollup {} (echo kernel)", address);
            return address;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the demo rollup address in " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Originates a rollup and waits until a block includes it. On an in-process manual sandbox the block
     * is produced here.
     */
    public static String originate(L1Source l1, byte[] kernel, String pvmVersion, String source, Duration timeout) {
        var result = l1.inject(L1Operation.originate(source, kernel, "bytes", pvmVersion)).orThrow();
        String address = result.rollup().orElseThrow();
        if (l1 instanceof SandboxL1 s && s.config().manual()) {
            s.produceBlock();
        }
        awaitRollup(l1, address, timeout);
        return address;
    }

    static void awaitRollup(L1Source l1, String address, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<L1Source.RollupInfo> info = l1.rollup(address);
            if (info.isPresent()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the origination of " + address + " was not included within "
                        + timeout.toSeconds() + " s");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + address);
            }
        }
    }
}
