package io.flotilla.node;

import io.flotilla.actors.l1.L1Source;
import io.flotilla.actors.l1.RemoteSandboxL1;
import io.flotilla.snapshot.Compression;
import io.flotilla.snapshot.ImportCheckException;
import io.flotilla.snapshot.Progress;
import io.flotilla.snapshot.SnapshotSource;
import io.flotilla.snapshot.SnapshotExporter;
import io.flotilla.snapshot.SnapshotFormatException;
import io.flotilla.snapshot.SnapshotImporter;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code flotilla snapshot export|import|info}: snapshots of a rollup in Octez' format (see SNAPSHOTS.md). */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = "Export, import and inspect rollup snapshots (header + tar, zstd/gzip/plain).",
        subcommands = {SnapshotCommand.Export.class, SnapshotCommand.Import.class, SnapshotCommand.Info.class})
public final class SnapshotCommand implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    static L1Source remote(String endpoint) {
        return endpoint == null ? null : new RemoteSandboxL1(URI.create(endpoint));
    }

    /** {@code snapshot export}. */
    @Command(name = "export", mixinStandardHelpOptions = true,
            description = {"Writes a snapshot of a rollup of a data directory, stopped or in use by a running node "
                    + "(the node is not stopped: the stores are read through a consistent read-only cut)."})
    static final class Export implements Callable<Integer> {
        @Parameters(arity = "0..1", paramLabel = "FILE", description = "the snapshot file (default: the default name in --dest)")
        Path file;

        @Option(names = "--data-dir", defaultValue = "flotilla-data", description = "default: ${DEFAULT-VALUE}")
        Path dataDir;

        @Option(names = "--dest", paramLabel = "DIR", description = "directory for the default file name (default: .)")
        Path dest;

        @Option(names = "--rollup", paramLabel = "SR1", description = "the rollup, when the node serves several")
        String rollup;

        @Option(names = "--level", defaultValue = "finalized",
                description = "head, finalized, cemented or a level (default: ${DEFAULT-VALUE})")
        String level;

        @Option(names = "--compact", description = "only the first block's state; import replays the inboxes")
        boolean compact;

        @Option(names = "--no-check", description = "skip the integrity check (a full import into a temporary place)")
        boolean noCheck;

        @Option(names = "--compress", defaultValue = "zstd", description = "zstd, gzip or none (default: ${DEFAULT-VALUE})")
        String compress;

        @Option(names = {"-E", "--l1-endpoint"}, paramLabel = "URL",
                description = "L1 node for the check's L1 checks (optional)")
        String l1Endpoint;

        @CommandLine.Mixin
        StorageOptions storageOptions = new StorageOptions();

        @Override
        public Integer call() {
            PrintStream err = System.err;
            try {
                Path output = file != null ? file : (dest != null ? dest : Path.of("."));
                if (file == null) {
                    java.nio.file.Files.createDirectories(output);
                }
                SnapshotExporter.Result r;
                SnapshotExporter.Options o;
                try (Progress progress = Progress.forTerminal("export")) {
                    o = new SnapshotExporter.Options(dataDir, output, rollup, level, compact,
                            Compression.fromLabel(compress), !noCheck, remote(l1Endpoint), null, progress);
                    var cassandra = storageOptions.cassandra();
                    r = cassandra == null ? SnapshotExporter.export(o)
                            : SnapshotExporter.export(o, io.flotilla.snapshot.SnapshotSourceStores.cassandra(cassandra));
                }
                System.out.println("snapshot written: " + r.file());
                System.out.println(r.header().describe());
                System.out.printf(Locale.ROOT, "size: %d bytes (%s); consistent cut %.1f ms, write %.0f ms, check %.0f ms%n",
                        r.bytes(), o.compression().label(), r.cutMillis(), r.writeMillis(), r.checkMillis());
                return 0;
            } catch (RuntimeException | java.io.IOException e) {
                err.println("flotilla snapshot export: " + e.getMessage());
                return 1;
            }
        }
    }

    /** {@code snapshot import}. */
    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Imports a snapshot into a data directory after checking it (octez-compat.md). "
                    + "A failed import leaves the data directory unchanged."})
    static final class Import implements Callable<Integer> {
        @Parameters(paramLabel = "FILE|URL|-", description = "the snapshot file, an http(s) URL, or - for standard input")
        String source;

        @Option(names = {"-E", "--l1-endpoint"}, paramLabel = "URL",
                description = "the L1 node the checks ask (required unless --no-check)")
        String l1Endpoint;

        @Option(names = "--data-dir", defaultValue = "flotilla-data", description = "default: ${DEFAULT-VALUE}")
        Path dataDir;

        @Option(names = "--force", description = "import over a populated data directory")
        boolean force;

        @Option(names = "--no-check", description = "only the rollup address, history mode and head checks")
        boolean noCheck;

        @CommandLine.Mixin
        StorageOptions storageOptions = new StorageOptions();

        @Override
        public Integer call() {
            PrintStream err = System.err;
            if (l1Endpoint == null && !noCheck) {
                err.println("flotilla snapshot import: -E L1_ENDPOINT is required for the checks (or --no-check)");
                return 2;
            }
            // a file, - or an http(s) URL (a download that resumes after a dropped connection), with progress
            Progress progress = Progress.forTerminal("import");
            SnapshotImporter.Source src = SnapshotSource.importerSource(source, progress);
            String target = dataDir.toAbsolutePath().toString();
            try (progress) {
                var cassandra = storageOptions.cassandra();
                SnapshotImporter.Options options = new SnapshotImporter.Options(src, dataDir, remote(l1Endpoint), force,
                        !noCheck);
                SnapshotImporter.Result r;
                if (cassandra == null) {
                    r = SnapshotImporter.importSnapshot(options);
                } else {
                    target = "the Cassandra keyspace " + cassandra.keyspace();
                    r = io.flotilla.snapshot.CassandraSnapshotImport.importSnapshot(options, cassandra);
                }
                progress.close();
                System.out.println("snapshot imported into " + target);
                Path config = dataDir.resolve(NodeConfig.FILE);
                if (!java.nio.file.Files.exists(config)) {
                    // so that `flotilla run --data-dir D` serves the imported rollup (as an observer; edit to change)
                    new NodeConfig(r.header().rollup().toBase58(), io.flotilla.actors.rollup.RollupMode.OBSERVER,
                            java.util.Map.of(), io.flotilla.http.FlotillaHttpServer.Settings.DEFAULT_HOST,
                            io.flotilla.http.FlotillaHttpServer.Settings.DEFAULT_PORT,
                            NodeRuntime.HistoryMode.parse(r.header().historyMode().label()),
                            java.util.Optional.ofNullable(l1Endpoint)).write(config);
                    System.out.println("wrote " + config + " (observer mode)");
                }
                System.out.println(r.header().describe());
                System.out.printf(Locale.ROOT, "compression: %s; %d tree nodes, %d levels replayed, %.0f ms%n",
                        r.compression().label(), r.treeNodes(), r.replayedLevels(), r.millis());
                return 0;
            } catch (ImportCheckException e) {
                err.println("flotilla snapshot import: " + e.getMessage());
                err.println((target.startsWith("the Cassandra") ? target : "the data directory " + target)
                        + " is unchanged");
                return 1;
            } catch (RuntimeException e) {
                err.println("flotilla snapshot import: " + e.getMessage());
                return 1;
            }
        }
    }

    /** {@code snapshot info}. */
    @Command(name = "info", mixinStandardHelpOptions = true, description = "Prints a snapshot's header and compression.")
    static final class Info implements Callable<Integer> {
        @Parameters(paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() {
            try {
                System.out.println(SnapshotImporter.info(SnapshotImporter.Source.file(file)).describe());
                return 0;
            } catch (SnapshotFormatException | java.io.IOException e) {
                System.err.println("flotilla snapshot info: " + file + ": " + e.getMessage());
                return 1;
            }
        }
    }
}
