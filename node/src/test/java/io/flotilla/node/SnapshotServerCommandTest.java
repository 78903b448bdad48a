package io.flotilla.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.pvm.encoding.CommitmentHash;
import io.flotilla.pvm.encoding.RollupAddress;
import io.flotilla.snapshot.Compression;
import io.flotilla.snapshot.HistoryMode;
import io.flotilla.snapshot.SnapshotHeader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code flotilla snapshot-server} from its command line. */
class SnapshotServerCommandTest {

    static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void servesADirectoryUntilStopped() throws Exception {
        byte[] address = new byte[RollupAddress.LENGTH];
        Arrays.fill(address, (byte) 5);
        RollupAddress rollup = new RollupAddress(address);
        SnapshotHeader header = SnapshotHeader.of(HistoryMode.FULL, rollup, 42, new CommitmentHash(new byte[32]));
        Path file = dir.resolve(header.defaultFileName());
        try (OutputStream out = Compression.GZIP.compress(Files.newOutputStream(file))) {
            header.writeTo(out);
            out.write(new byte[1024]); // an empty tar archive
        }

        SnapshotServerCommand cmd = new SnapshotServerCommand();
        int[] code = {-1};
        Thread t = new Thread(() -> code[0] = new CommandLine(cmd).execute("--dir", dir.toString(), "--port", "0"));
        t.start();
        Http.await("the snapshot server", () -> cmd.server != null, WAIT);
        URI base = cmd.server.uri();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> index = http.send(HttpRequest.newBuilder(base.resolve("/index.json")).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode s = new ObjectMapper().readTree(index.body()).get("snapshots").get(0);
        assertEquals(rollup.toBase58(), s.get("rollup_address").asText());
        assertEquals(42, s.get("level").asInt());
        assertEquals("gzip", s.get("compression").asText());
        HttpResponse<String> latest = http.send(HttpRequest.newBuilder(base.resolve("/latest/" + rollup.toBase58()
                + "/full")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(302, latest.statusCode());
        assertEquals("/snapshots/" + file.getFileName(), latest.headers().firstValue("Location").orElseThrow());
        cmd.stop.countDown();
        t.join(WAIT.toMillis());
        assertEquals(0, code[0]);

        assertEquals(2, new CommandLine(new SnapshotServerCommand()).execute("--dir", dir.resolve("none").toString()),
                "a missing directory is refused");
        assertEquals(2, new CommandLine(new SnapshotServerCommand()).execute("--dir", dir.toString(), "--port", "0",
                "--check-interval", "soon"));
    }
}
