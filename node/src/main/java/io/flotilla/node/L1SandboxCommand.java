package io.flotilla.node;

import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.actors.l1.SandboxL1Server;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code flotilla l1-sandbox}: a standalone sandbox L1 served over HTTP, for nodes and clients in other JVMs. */
@Command(name = "l1-sandbox", mixinStandardHelpOptions = true,
        description = {
            "Runs a sandbox L1 (in memory) and serves it over HTTP until Ctrl-C / SIGTERM.",
            "Nodes follow it with `flotilla run --l1-endpoint URL`; `flotilla client` injects operations."})
public final class L1SandboxCommand implements Callable<Integer> {

    @Option(names = {"-p", "--port"}, defaultValue = "18732", description = "port (default: ${DEFAULT-VALUE}; 0: any)")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--block-time", paramLabel = "DURATION", defaultValue = "1s",
            description = "time between blocks (default: ${DEFAULT-VALUE})")
    String blockTime;

    @Option(names = "--manual", description = "make blocks only on POST /admin/produce_block")
    boolean manual;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "keep the chain in DIR so a restart continues it (default: in memory)")
    java.nio.file.Path dataDir;

    CountDownLatch stop = new CountDownLatch(1);
    volatile SandboxL1Server server;

    @Override
    public Integer call() throws Exception {
        Duration block;
        try {
            block = Durations.parse(blockTime);
        } catch (IllegalArgumentException e) {
            System.err.println("flotilla l1-sandbox: " + e.getMessage());
            return 2;
        }
        SandboxL1.Config config = (manual ? SandboxL1.Config.manualMode() : SandboxL1.Config.timed()).withBlockTime(block);
        SandboxL1 l1;
        try {
            l1 = dataDir == null ? new SandboxL1(config) : SandboxL1.open(dataDir, config);
        } catch (java.io.IOException e) {
            System.err.println("flotilla l1-sandbox: cannot open the chain in " + dataDir + ": " + e.getMessage());
            return 1;
        }
        try {
            server = new SandboxL1Server(l1, new InetSocketAddress(host, port));
        } catch (java.io.IOException e) {
            l1.close();
            System.err.println("flotilla l1-sandbox: cannot listen on " + host + ":" + port + ": " + e.getMessage());
            return 1;
        }
        Thread hook = new Thread(() -> {
            server.close();
            l1.close();
            stop.countDown();
        }, "l1-sandbox-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        PrintStream out = System.out;
        String url = server.uri().toString();
        out.println("Sandbox L1 on " + url + (manual ? " (manual blocks)" : " (a block every " + block.toMillis() + " ms)"));
        out.println("Accounts:");
        for (SandboxAccounts.Account a : SandboxAccounts.all()) {
            out.println("  " + a.alias() + "  " + a.address());
        }
        out.println("Try:");
        out.println("  curl -s " + url + "/head");
        out.println("  flotilla client --l1-endpoint " + url + " originate --kernel pvm/src/main/resources/kernels/echo.wat");
        out.println("  flotilla run operator for <sr1> with operators bootstrap1 --l1-endpoint " + url);
        out.println("  flotilla client --l1-endpoint " + url + " send message 68656c6c6f");
        out.println("Stop with Ctrl-C.");
        out.flush();
        stop.await();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
            server.close();
            l1.close();
        } catch (IllegalStateException e) {
            // shutting down: the hook closes it
        }
        return 0;
    }
}
