package io.flotilla.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.flotilla.actors.l1.ContractCall;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.L1Source;
import io.flotilla.actors.l1.RemoteSandboxL1;
import io.flotilla.pvm.KernelFiles;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.encoding.Base58Check;
import io.flotilla.pvm.util.Hex;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

/** {@code flotilla client}: operations on a sandbox L1 served by {@code flotilla l1-sandbox}. */
@Command(name = "client", mixinStandardHelpOptions = true,
        description = "Injects operations into a sandbox L1 (flotilla l1-sandbox).",
        subcommands = {ClientCommand.Originate.class, ClientCommand.Send.class, ClientCommand.Execute.class})
public final class ClientCommand implements Runnable {

    @Option(names = {"-E", "--l1-endpoint"}, paramLabel = "URL", defaultValue = "http://127.0.0.1:18732",
            description = "the sandbox L1 (default: ${DEFAULT-VALUE})")
    String endpoint;

    @Option(names = "--source", paramLabel = "ACCOUNT", defaultValue = "bootstrap2",
            description = "the account that signs (alias or tz1; default: ${DEFAULT-VALUE})")
    String source;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "60s",
            description = "how long to wait for inclusion (default: ${DEFAULT-VALUE})")
    String wait;

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(out);
    }

    RemoteSandboxL1 l1() {
        return new RemoteSandboxL1(URI.create(endpoint));
    }

    String sourceAddress() {
        return NodeConfig.resolveKey(source);
    }

    /** Waits until the L1 head reaches {@code level}. */
    void awaitLevel(L1Source l1, int level) throws InterruptedException {
        long deadline = System.nanoTime() + Durations.parse(wait).toNanos();
        while (l1.head().level() < level) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("level " + level + " was not reached within " + wait);
            }
            Thread.sleep(100);
        }
    }

    int fail(String what, Exception e) {
        err.println("flotilla client " + what + ": " + e.getMessage());
        return 1;
    }

    @Command(name = "originate", mixinStandardHelpOptions = true,
            description = "Originates a rollup; prints its sr1 address and genesis commitment once included.")
    static final class Originate implements Callable<Integer> {
        @ParentCommand
        ClientCommand client;

        @Option(names = "--kernel", required = true, paramLabel = "FILE", description = "kernel (.wasm, or .wat text)")
        Path kernel;

        @Option(names = {"-p", "--pvm-version"}, defaultValue = "2.0.0-r5", description = "PVM version (default: ${DEFAULT-VALUE})")
        String pvmVersion;

        @Option(names = "--parameters-type", defaultValue = "bytes", description = "Michelson type (default: ${DEFAULT-VALUE})")
        String parametersType;

        @Override
        public Integer call() {
            try (RemoteSandboxL1 l1 = client.l1()) {
                PvmVersion.parse(pvmVersion);
                byte[] wasm = KernelFiles.load(kernel);
                var r = l1.inject(L1Operation.originate(client.sourceAddress(), wasm, parametersType, pvmVersion)).orThrow();
                String address = r.rollup().orElseThrow();
                client.awaitLevel(l1, r.level());
                var info = l1.rollup(address).orElseThrow(() -> new IllegalStateException("origination not found"));
                client.out.println("Rollup " + address + " originated at level " + info.originationLevel());
                client.out.println("  genesis commitment " + Base58Check.encode(
                        Base58Check.Prefix.SMART_ROLLUP_COMMITMENT, info.genesisCommitment()));
                client.out.println("  PVM " + info.pvmVersion() + ", kernel " + wasm.length + " bytes");
                client.out.println(address);
                return 0;
            } catch (Exception e) {
                return client.fail("originate", e);
            }
        }
    }

    @Command(name = "send", mixinStandardHelpOptions = true,
            description = "send message HEX...: external messages (add_messages), seen by every rollup.")
    static final class Send implements Callable<Integer> {
        @ParentCommand
        ClientCommand client;

        @Parameters(arity = "2..*", paramLabel = "WORD", description = "message HEX...")
        List<String> words = new ArrayList<>();

        @Override
        public Integer call() {
            if (!words.get(0).equals("message")) {
                client.err.println("flotilla client send: expected `send message HEX...`");
                return 2;
            }
            try (RemoteSandboxL1 l1 = client.l1()) {
                List<byte[]> messages = new ArrayList<>();
                for (String h : words.subList(1, words.size())) {
                    messages.add(Hex.decode(h.startsWith("hex:") ? h.substring(4) : h));
                }
                var r = l1.inject(L1Operation.addMessages(client.sourceAddress(), messages)).orThrow();
                client.awaitLevel(l1, r.level());
                client.out.println(messages.size() + " message(s) included at level " + r.level());
                return 0;
            } catch (Exception e) {
                return client.fail("send", e);
            }
        }
    }

    @Command(name = "execute", mixinStandardHelpOptions = true,
            description = {"execute outbox --rollup SR1 --node URL --level L --index I:",
                "fetches the message's proof against the last cemented commitment from the node's HTTP API,",
                "injects the execution, and prints the contract calls it made once included."})
    static final class Execute implements Callable<Integer> {
        @ParentCommand
        ClientCommand client;

        @Parameters(arity = "1", paramLabel = "outbox")
        String what;

        @Option(names = "--rollup", required = true, paramLabel = "SR1")
        String rollup;

        @Option(names = "--node", defaultValue = "http://127.0.0.1:8932", paramLabel = "URL",
                description = "the rollup node's HTTP API (default: ${DEFAULT-VALUE})")
        String node;

        @Option(names = "--level", required = true, description = "outbox level")
        int level;

        @Option(names = "--index", defaultValue = "0", description = "message index (default: 0)")
        int index;

        @Override
        public Integer call() {
            if (!what.equals("outbox")) {
                client.err.println("flotilla client execute: expected `execute outbox ...`");
                return 2;
            }
            try (RemoteSandboxL1 l1 = client.l1()) {
                String url = node.replaceAll("/+$", "") + "/rollups/" + rollup
                        + "/global/block/cemented/helpers/proofs/outbox/" + level + "/messages?index=" + index;
                JsonNode proof = getJson(url);
                if (proof.get("commitment") == null || proof.get("commitment").isNull()) {
                    throw new IllegalStateException("the node names no cemented commitment for its proof");
                }
                byte[] commitment = Base58Check.decode(Base58Check.Prefix.SMART_ROLLUP_COMMITMENT,
                        proof.get("commitment").asText());
                var r = l1.inject(L1Operation.executeOutbox(client.sourceAddress(), rollup, commitment,
                        Hex.decode(proof.get("proof").asText()))).orThrow();
                client.awaitLevel(l1, r.level());
                client.out.println("Outbox message " + index + " of level " + level + " executed at L1 level "
                        + r.level() + " (proof against " + proof.get("commitment").asText() + ")");
                for (ContractCall c : l1.calls()) {
                    if (c.level() == r.level()) {
                        client.out.println("  call " + c.destination() + "%" + c.entrypoint() + " " + c.parameters());
                    }
                }
                return 0;
            } catch (Exception e) {
                return client.fail("execute outbox", e);
            }
        }

        private static JsonNode getJson(String url) throws IOException, InterruptedException {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode n = NodeConfig.MAPPER.readTree(r.body());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("the node answered " + r.statusCode() + ": "
                        + (n != null && n.has("error") ? n.get("error").asText() : r.body())
                        + (r.statusCode() == 404 ? " (is the outbox level covered by the last cemented commitment?)" : ""));
            }
            return n;
        }
    }
}
