package io.flotilla.node;

import io.flotilla.snapshot.Compression;
import io.flotilla.snapshot.NodeExports;
import io.flotilla.snapshot.hosting.PeriodicExporter;
import io.flotilla.snapshot.hosting.SnapshotCatalog;
import io.flotilla.snapshot.hosting.SnapshotFileInspector;
import io.flotilla.snapshot.hosting.SnapshotServer;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flotilla snapshot-server}: hosts a directory of snapshot files (index, checksums, {@code latest}
 * pointers, ranges) and optionally fills it from a node's data directory every N levels.
 */
@Command(name = "snapshot-server", mixinStandardHelpOptions = true,
        description = {
            "Serves the snapshot files of a directory over HTTP until Ctrl-C / SIGTERM:",
            "  /index.json, /snapshots/FILE, /snapshots/FILE.sha256, /latest/SR1/(archive|full) (a redirect).",
            "With --export-from, exports a snapshot of that node every --every levels and keeps the --keep newest."})
public final class SnapshotServerCommand implements Callable<Integer> {

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "the directory of snapshot files")
    Path dir;

    @Option(names = {"-p", "--port"}, defaultValue = "" + SnapshotServer.DEFAULT_PORT,
            description = "port (default: ${DEFAULT-VALUE}; 0: any)")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 to serve other machines)")
    String host;

    @Option(names = "--public-url", paramLabel = "URL",
            description = "base URL written in the index (default: from each request's Host header)")
    String publicUrl;

    @Option(names = "--export-from", paramLabel = "DATA_DIR", description = "a node's data directory to export from")
    Path exportFrom;

    @Option(names = "--rollup", paramLabel = "SR1", description = "the rollup to export, when the node serves several")
    String rollup;

    @Option(names = "--compress", defaultValue = "zstd",
            description = "compression of the exports: zstd, gzip or none (default: ${DEFAULT-VALUE})")
    String compress;

    @Option(names = "--every", paramLabel = "N_LEVELS", defaultValue = "100",
            description = "export when the node is N levels past the newest snapshot here (default: ${DEFAULT-VALUE})")
    int every;

    @Option(names = "--keep", paramLabel = "K", defaultValue = "3",
            description = "snapshots kept per rollup and history mode (default: ${DEFAULT-VALUE})")
    int keep;

    @Option(names = "--check-interval", paramLabel = "DURATION", defaultValue = "10s",
            description = "how often the node's level is checked (default: ${DEFAULT-VALUE})")
    String checkInterval;

    CountDownLatch stop = new CountDownLatch(1);
    volatile SnapshotServer server;
    volatile PeriodicExporter exporter;

    @Override
    public Integer call() throws Exception {
        PrintStream err = System.err;
        if (!Files.isDirectory(dir)) {
            err.println("flotilla snapshot-server: no directory " + dir);
            return 2;
        }
        Duration interval;
        try {
            interval = Durations.parse(checkInterval);
        } catch (IllegalArgumentException e) {
            err.println("flotilla snapshot-server: " + e.getMessage());
            return 2;
        }
        SnapshotCatalog catalog = new SnapshotCatalog(dir, new SnapshotFileInspector(), err);
        // read every header and checksum now: unreadable files are reported at start, the first request is quick
        int listed = catalog.list().size();
        PeriodicExporter periodic = null;
        if (exportFrom != null) {
            try {
                String sr1 = NodeExports.rollup(exportFrom, rollup);
                periodic = new PeriodicExporter(catalog, every, keep, NodeExports.headLevel(exportFrom, sr1),
                        NodeExports.finalizedExport(exportFrom, sr1, Compression.fromLabel(compress)), err);
            } catch (RuntimeException e) {
                err.println("flotilla snapshot-server: " + e.getMessage());
                return 2;
            }
        }
        SnapshotServer s;
        try {
            s = new SnapshotServer(catalog, new InetSocketAddress(host, port), publicUrl, err);
        } catch (java.io.IOException e) {
            err.println("flotilla snapshot-server: cannot listen on " + host + ":" + port + ": " + e.getMessage());
            return 1;
        }
        server = s;
        PeriodicExporter p = periodic;
        Thread hook = new Thread(() -> {
            if (p != null) {
                p.close();
            }
            s.close();
            stop.countDown();
        }, "snapshot-server-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        String url = s.uri().toString();
        PrintStream out = System.out;
        out.println("Serving the " + listed + " snapshots of " + dir.toAbsolutePath() + " on " + url);
        out.println("  curl -s " + url + "/index.json");
        out.println("  flotilla snapshot import " + url + "/latest/<sr1>/full --data-dir DIR");
        if (p != null) {
            out.println("Exporting from " + exportFrom.toAbsolutePath() + " every " + every + " levels, keeping "
                    + keep + " per rollup and history mode");
            p.start(interval);
            exporter = p;
        }
        out.println("Stop with Ctrl-C.");
        out.flush();
        stop.await();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
            if (p != null) {
                p.close();
            }
            s.close();
        } catch (IllegalStateException e) {
            // shutting down: the hook closes them
        }
        return 0;
    }
}
