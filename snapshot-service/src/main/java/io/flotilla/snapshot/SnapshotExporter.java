package io.flotilla.snapshot;

import io.flotilla.actors.l1.L1Block;
import io.flotilla.actors.l1.L1Source;
import io.flotilla.actors.rollup.Inbox;
import io.flotilla.persistence.chain.L2Block;
import io.flotilla.persistence.snapshots.RollupSnapshot;
import io.flotilla.pvm.Commitment;
import io.flotilla.pvm.LevelInput;
import io.flotilla.pvm.PvmState;
import io.flotilla.pvm.encoding.CommitmentHash;
import io.flotilla.pvm.encoding.RollupAddress;
import io.flotilla.pvm.encoding.StateHash;
import io.flotilla.pvm.tree.Hash;
import io.flotilla.pvm.tree.NodeStore;
import io.flotilla.pvm.tree.Tree;
import io.flotilla.pvm.util.Hex;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code flotilla snapshot export}: writes one rollup of a data directory as {@code header + tar}, compressed.
 *
 * <p>It works on a stopped data directory and on one a node is running on, without stopping or blocking it. The
 * consistent cut is: read the rollup entity's state from the journal (a copy of the H2 file when a node in
 * another process holds its lock, see {@link RollupJournal}), then open the L2 chain and the context store read-only (RocksDB
 * lets a reader open a database a writer holds; the view is fixed at open time). A node writes tree nodes, then
 * the L2 block, then the journal event, so every block at or below the journaled head is in both views. The cut
 * is timed and logged; writing, compression and the integrity check (a full import into a temporary directory)
 * run on the views, with the node untouched. GC is paused for the duration ({@link GcPause}).
 */
public final class SnapshotExporter {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotExporter.class);

    /**
     * What to export.
     *
     * @param output      the snapshot file, or a directory to write the default file name into
     * @param rollup      {@code sr1...}, or null when the data directory holds exactly one rollup
     * @param level       {@code head}, {@code finalized}, {@code cemented} or a level
     * @param l1          an L1 for the integrity check's L1 checks and for level inputs missing locally; may be null
     */
    public record Options(Path dataDir, Path output, String rollup, String level, boolean compact,
                          Compression compression, boolean check, L1Source l1, GcPause gcPause, Progress progress) {
        public Options {
            Objects.requireNonNull(dataDir, "dataDir");
            Objects.requireNonNull(output, "output");
            level = level == null ? "finalized" : level;
            compression = compression == null ? Compression.ZSTD : compression;
            gcPause = gcPause == null ? GcPause.FILES : gcPause;
            progress = progress == null ? Progress.silent("export") : progress;
        }

        /** Without progress reports. */
        public Options(Path dataDir, Path output, String rollup, String level, boolean compact, Compression compression,
                       boolean check, L1Source l1, GcPause gcPause) {
            this(dataDir, output, rollup, level, compact, compression, check, l1, gcPause, null);
        }

        /** Reports bytes written, rate and phase ({@code write}, then {@code check}) to {@code p}. */
        public Options withProgress(Progress p) {
            return new Options(dataDir, output, rollup, level, compact, compression, check, l1, gcPause, p);
        }

        public static Options of(Path dataDir, Path output) {
            return new Options(dataDir, output, null, "finalized", false, Compression.ZSTD, true, null, GcPause.FILES);
        }

        public Options withLevel(String l) {
            return new Options(dataDir, output, rollup, l, compact, compression, check, l1, gcPause, progress);
        }

        public Options withCompact(boolean c) {
            return new Options(dataDir, output, rollup, level, c, compression, check, l1, gcPause, progress);
        }

        public Options withCompression(Compression c) {
            return new Options(dataDir, output, rollup, level, compact, c, check, l1, gcPause, progress);
        }

        public Options withCheck(boolean c) {
            return new Options(dataDir, output, rollup, level, compact, compression, c, l1, gcPause, progress);
        }

        public Options withL1(L1Source s) {
            return new Options(dataDir, output, rollup, level, compact, compression, check, s, gcPause, progress);
        }

        public Options withRollup(String r) {
            return new Options(dataDir, output, r, level, compact, compression, check, l1, gcPause, progress);
        }
    }

    /**
     * What was written.
     *
     * @param cutMillis  the consistent cut (journal read, stores opened): the only part that must see one instant
     * @param writeMillis writing and compressing; {@code checkMillis} the integrity check (0 when skipped)
     */
    public record Result(Path file, SnapshotHeader header, SnapshotMetadata metadata, long bytes, long archiveBytes,
                         double cutMillis, double writeMillis, double checkMillis) {}

    private SnapshotExporter() {}

    public static Result export(Options o) {
        Path dataDir = o.dataDir().toAbsolutePath();
        if (!Files.isDirectory(dataDir)) {
            throw new IllegalArgumentException("no data directory " + dataDir);
        }
        String rollup = o.rollup() != null ? o.rollup() : onlyRollup(dataDir);
        RollupAddress.fromBase58(rollup);
        // the GC of full mode (in the node's process) must not delete what the export still reads
        try (AutoCloseable gc = o.gcPause().pause(dataDir); ReadOnlyStores stores = new ReadOnlyStores()) {
            long t0 = System.nanoTime();
            RollupJournal.Recorded recorded = RollupJournal.read(dataDir, rollup);
            if (recorded == null || !recorded.state().originated()) {
                throw new IllegalArgumentException("rollup " + rollup + " has no history in " + dataDir);
            }
            long t1 = System.nanoTime();
            ReadOnlyStores.Chain chain = stores.chain(dataDir.resolve("chain"), rollup);
            NodeStore context = stores.context(dataDir.resolve("context"));
            double cutMillis = (System.nanoTime() - t0) / 1e6;
            // L1 blocks are not part of the cut: the export checks each level's block against its L2 block
            ReadOnlyStores.L1Blocks l1Blocks = Files.isDirectory(dataDir.resolve("l1-blocks"))
                    ? stores.l1Blocks(dataDir.resolve("l1-blocks")) : null;
            LOG.info("snapshot export of {}: consistent cut in {} ms (journal read {} ms, at level {}; stores opened "
                    + "read-only {} ms)", rollup, String.format(Locale.ROOT, "%.1f", cutMillis),
                    String.format(Locale.ROOT, "%.1f", (t1 - t0) / 1e6), recorded.state().headLevel(),
                    String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t1) / 1e6));
            return write(o, dataDir, rollup, recorded.state(), chain, context, l1Blocks, cutMillis);
        } catch (IOException e) {
            throw new UncheckedIOException("snapshot export failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("snapshot export failed: " + e.getMessage(), e);
        }
    }

    static String onlyRollup(Path dataDir) {
        List<String> rollups = RollupJournal.rollups(dataDir);
        if (rollups.size() != 1) {
            throw new IllegalArgumentException(rollups.isEmpty() ? "no rollup in " + dataDir
                    : "the data directory holds several rollups, choose one with --rollup: " + rollups);
        }
        return rollups.get(0);
    }

    private static int exportLevel(String spec, RollupSnapshot st, ReadOnlyStores.L1Blocks l1Blocks) {
        int head = st.headLevel();
        return switch (spec.toLowerCase(Locale.ROOT)) {
            case "head" -> head;
            case "cemented" -> st.lccLevel();
            case "finalized" -> {
                // Tenderbake: an L1 block is final two levels below the L1 head
                OptionalInt l1Head = l1Blocks == null ? OptionalInt.empty() : l1Blocks.lastLevel();
                yield Math.min(head, l1Head.isPresent() ? l1Head.getAsInt() - 2 : head - 2);
            }
            default -> {
                try {
                    yield Integer.parseInt(spec);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--level is head, finalized, cemented or a level number, not '"
                            + spec + "'");
                }
            }
        };
    }

    private static Result write(Options o, Path dataDir, String rollup, RollupSnapshot st, ReadOnlyStores.Chain chain,
                                NodeStore context, ReadOnlyStores.L1Blocks l1Blocks, double cutMillis)
            throws IOException {
        long t1 = System.nanoTime();
        int origination = st.originationLevel();
        int level = exportLevel(o.level(), st, l1Blocks);
        int first = chain.firstLevel().orElseThrow(() -> new IllegalArgumentException("rollup " + rollup
                + " has no L2 block yet"));
        if (level < first || level > st.headLevel()) {
            throw new IllegalArgumentException("cannot export level " + level + " of " + rollup + ": the node has levels "
                    + first + " to " + st.headLevel());
        }
        List<L2Block> blocks = new ArrayList<>();
        for (int l = first; l <= level; l++) {
            int at = l;
            blocks.add(chain.get(l).orElseThrow(() -> new IllegalStateException("L2 block " + at + " of " + rollup
                    + " is missing from the chain store (an L1 reorg reverted it during the export?); export again")));
        }
        // the commitment before the first block: the chain below it, else genesis
        Hash baseCommitment = Hash.fromBytes(st.genesisCommitmentHash32());
        int baseLevel = origination;
        long baseTicks = 0;
        boolean collected = false;
        for (int l = first - 1; l > origination; l--) {
            Optional<L2Block> b = chain.get(l);
            if (b.isEmpty()) {
                collected = true;
                break;
            }
            if (b.get().commitment().isPresent()) {
                baseCommitment = b.get().commitment().get();
                baseLevel = l;
                baseTicks = b.get().totalTicks();
                break;
            }
        }
        if (collected) {
            // history mode full: the GC deleted the blocks below `first`, genesis is not the base
            long[] ticks = new long[1];
            Commitment base = commitmentBeforeCollectedHistory(o, rollup, blocks, l1Blocks, ticks);
            baseCommitment = base.hash();
            baseLevel = base.inboxLevel();
            baseTicks = ticks[0];
        }
        List<Commitment> commitments = new ArrayList<>();
        Hash lastCommitment = baseCommitment;
        int lastCommitmentLevel = baseLevel;
        long lastCommitmentTicks = baseTicks;
        if (baseLevel == origination) {
            commitments.add(Commitment.genesis(Hash.fromBytes(st.genesisStateHash32()), origination));
        }
        for (L2Block b : blocks) {
            if (b.commitment().isEmpty()) {
                continue;
            }
            Commitment c = new Commitment(b.stateHash(), b.level(), lastCommitment, b.totalTicks() - lastCommitmentTicks);
            if (!c.hash().equals(b.commitment().get())) {
                throw new IllegalStateException("the commitment of L2 block " + b.level() + " does not match its state: "
                        + "the chain store of " + dataDir + " is inconsistent");
            }
            commitments.add(c);
            lastCommitment = c.hash();
            lastCommitmentLevel = b.level();
            lastCommitmentTicks = b.totalTicks();
        }
        // commitments are cemented in order: with the LCC above the export level, the last one below it is cemented
        Hash lcc = st.lccLevel() <= level ? Hash.fromBytes(st.lccHash32()) : lastCommitment;
        int lccLevel = st.lccLevel() <= level ? st.lccLevel() : lastCommitmentLevel;
        L2Block head = blocks.get(blocks.size() - 1);
        // a node whose GC deleted history holds a full node's data, whatever config.json says (or lacks)
        HistoryMode mode = collected ? HistoryMode.FULL : historyMode(dataDir);
        SnapshotHeader header = SnapshotHeader.of(mode, RollupAddress.fromBase58(rollup), level,
                new CommitmentHash(lastCommitment.bytes()));
        List<LevelInput> inputs = levelInputs(o, rollup, blocks, l1Blocks);
        String stuck = new PvmState(Tree.load(head.stateHash(), context)).stuck().orElse(null);
        String l1Genesis = l1Blocks != null ? l1Blocks.get(0).map(L1Block::hashHex).orElse(null) : null;
        if (l1Genesis == null && Files.exists(dataDir.resolve("l1-chain"))) {
            l1Genesis = Files.readString(dataDir.resolve("l1-chain")).strip();
        }

        Path target = Files.isDirectory(o.output()) ? o.output().resolve(header.defaultFileName()) : o.output();
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path part = dir.resolve("." + target.getFileName() + ".part");
        long archiveBytes;
        long nodeCount;
        SnapshotMetadata metadata;
        try {
            // the size is only known at the end: bytes and rate, no percentage
            o.progress().phase("write", -1);
            CountingOutputStream file = new CountingOutputStream(o.progress().wrap(
                    new BufferedOutputStream(Files.newOutputStream(part), 1 << 16)));
            try (OutputStream out = o.compression().compress(file)) {
                header.writeTo(out);
                Tar.Writer tar = new Tar.Writer(out);
                // the node count is only known after the walk: it follows the nodes, in context/count
                // compact: only the first block, whose state the context holds; the import rebuilds the others
                List<L2Block> stored = o.compact() ? blocks.subList(0, 1) : blocks;
                metadata = new SnapshotMetadata(o.compact() ? SnapshotMetadata.COMPACT_FORMAT_VERSION
                        : SnapshotMetadata.FORMAT_VERSION, rollup, mode.label(), level, first,
                        new CommitmentHash(lastCommitment.bytes()).toBase58(),
                        lastCommitmentLevel, lastCommitmentTicks, new CommitmentHash(lcc.bytes()).toBase58(), lccLevel,
                        o.compact(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), origination,
                        st.pvmVersion(), null, new StateHash(st.genesisStateHash32()).toBase58(),
                        new CommitmentHash(st.genesisCommitmentHash32()).toBase58(),
                        new CommitmentHash(baseCommitment.bytes()).toBase58(), baseLevel, baseTicks,
                        Hex.encode(head.l1Hash()), new StateHash(head.stateHash().bytes()).toBase58(),
                        head.totalTicks(), Math.min(st.lastPublishedLevel(), level),
                        Math.min(st.outboxHandledLevel(), level), stuck, l1Genesis, stored.size(), -1, inputs.size());
                tar.entry(ArchiveLayout.METADATA, metadata.toJson());
                try (ArchiveLayout.ChunkedStream s = new ArchiveLayout.ChunkedStream(tar, ArchiveLayout.BLOCKS)) {
                    for (L2Block b : stored) {
                        // without its messages: they are those of the level's input, stored once
                        ArchiveLayout.writeBlock(s.out, new L2Block(b.level(), b.l1Hash(), b.inboxHash(), List.of(),
                                b.stateHash(), b.ticks(), b.totalTicks(), b.outboxCount(), b.kernelRuns(),
                                b.commitment()));
                        s.recordDone();
                    }
                }
                try (ArchiveLayout.ChunkedStream s = new ArchiveLayout.ChunkedStream(tar, ArchiveLayout.INBOXES)) {
                    for (LevelInput in : inputs) {
                        ArchiveLayout.writeInput(s.out, in);
                        s.recordDone();
                    }
                }
                try (ArchiveLayout.ChunkedStream s = new ArchiveLayout.ChunkedStream(tar, ArchiveLayout.COMMITMENTS)) {
                    for (Commitment c : commitments) {
                        s.out.write(c.encode());
                        s.recordDone();
                    }
                }
                nodeCount = writeContext(tar, context, st, blocks, first, o.compact());
                tar.entry(ArchiveLayout.NODE_COUNT, Long.toString(nodeCount).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                writePreimages(tar, dataDir.resolve("wasm_2_0_0"));
                tar.finish();
                archiveBytes = tar.written();
            }
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(part);
            throw e;
        }
        double writeMillis = (System.nanoTime() - t1) / 1e6;
        long size = Files.size(target);
        LOG.info("snapshot of {} at level {} written to {} ({} bytes, {} tree nodes, {} ms)", rollup, level, target,
                size, nodeCount, String.format(Locale.ROOT, "%.0f", writeMillis));
        double checkMillis = 0;
        if (o.check()) {
            o.progress().phase("check", -1);
            long t2 = System.nanoTime();
            Path scratch = Files.createTempDirectory(dir, ".snapshot-check-");
            try {
                SnapshotImporter.importSnapshot(new SnapshotImporter.Options(
                        SnapshotImporter.Source.file(target), scratch.resolve("data"), o.l1(), false, true));
            } catch (ImportCheckException e) {
                Files.deleteIfExists(target);
                throw new IllegalStateException("the integrity check of the exported snapshot failed, file removed: "
                        + e.getMessage(), e);
            } finally {
                deleteRecursively(scratch);
            }
            checkMillis = (System.nanoTime() - t2) / 1e6;
            LOG.info("snapshot {} checked in {} ms", target, String.format(Locale.ROOT, "%.0f", checkMillis));
        }
        metadata = new SnapshotMetadata(metadata.formatVersion(), metadata.rollupAddress(), metadata.historyMode(),
                metadata.headLevel(), metadata.firstLevel(), metadata.lastCommitment(), metadata.lastCommitmentLevel(),
                metadata.lastCommitmentTotalTicks(), metadata.lcc(), metadata.lccLevel(), metadata.compact(),
                metadata.created(), metadata.originationLevel(), metadata.pvmVersion(), metadata.kernelHash(),
                metadata.genesisState(), metadata.genesisCommitment(), metadata.baseCommitment(),
                metadata.baseCommitmentLevel(), metadata.baseCommitmentTotalTicks(), metadata.headL1Hash(),
                metadata.headState(), metadata.totalTicks(), metadata.lastPublishedLevel(),
                metadata.outboxHandledLevel(), metadata.stuck(), metadata.l1Genesis(), metadata.blocks(), nodeCount,
                metadata.levelInputs());
        return new Result(target, header, metadata, size, archiveBytes, cutMillis, writeMillis, checkMillis);
    }

    /** The history mode of the node: {@code history-mode} of config.json, archive by default. */
    static HistoryMode historyMode(Path dataDir) throws IOException {
        Path config = dataDir.resolve("config.json");
        if (Files.exists(config)) {
            var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(config.toFile());
            if (node.hasNonNull("history-mode")) {
                return HistoryMode.fromLabel(node.get("history-mode").asText());
            }
        }
        return HistoryMode.ARCHIVE;
    }

    private static List<LevelInput> levelInputs(Options o, String rollup, List<L2Block> blocks,
                                                ReadOnlyStores.L1Blocks l1Blocks) {
        List<LevelInput> out = new ArrayList<>(blocks.size());
        for (L2Block b : blocks) {
            Optional<L1Block> block = l1Block(o, l1Blocks, b.level());
            Optional<L1Block> pred = l1Block(o, l1Blocks, b.level() - 1);
            if (block.isEmpty() || pred.isEmpty()) {
                throw new IllegalStateException("the L1 block of level " + b.level() + " (or its predecessor) is not in "
                        + "the data directory's l1-blocks; give the L1 endpoint with -E");
            }
            if (!Arrays.equals(block.get().hash(), b.l1Hash())) {
                throw new IllegalStateException("the L1 block of level " + b.level() + " is not the one L2 block "
                        + b.level() + " was made from (an L1 reorg is in progress?); export again");
            }
            LevelInput input = Inbox.forRollup(rollup, block.get(), pred.get());
            if (!Arrays.equals(Inbox.hash(input), b.inboxHash().bytes())) {
                throw new IllegalStateException("the inbox of level " + b.level() + " rebuilt from L1 does not match the "
                        + "L2 block's inbox hash");
            }
            out.add(input);
        }
        return out;
    }

    /**
     * The commitment before the first exported block when a GC has deleted the blocks below it: the predecessor
     * named by the first commitment of the exported blocks (its total ticks into {@code baseTicks[0]}). Commitment bodies travel in the publish operations on
     * L1: they are read from L1 ({@code -E}) or the data directory's {@code l1-blocks/}.
     */
    private static Commitment commitmentBeforeCollectedHistory(Options o, String rollup, List<L2Block> blocks,
                                                               ReadOnlyStores.L1Blocks l1Blocks,
                                                               long[] baseTicks) {
        L2Block firstCommitted = blocks.stream().filter(b -> b.commitment().isPresent()).findFirst()
                .orElseThrow(() -> new IllegalStateException("the history below level " + blocks.get(0).level()
                        + " was collected (history mode full) and no exported block up to level "
                        + blocks.get(blocks.size() - 1).level() + " has a commitment naming its predecessor; "
                        + "export a higher level"));
        Commitment body = publishedBody(o, rollup, firstCommitted, l1Blocks);
        Hash predecessor = body.predecessor();
        baseTicks[0] = firstCommitted.totalTicks() - body.ticks();
        // the predecessor's level: its own publication, before the first commitment's
        Optional<Commitment> found = publishedBody(o, rollup, predecessor, firstCommitted.level(), l1Blocks, false);
        return found.orElseThrow(() -> new IllegalStateException("the commitment "
                + new CommitmentHash(predecessor.bytes()) + " before level " + blocks.get(0).level()
                + " (the history below was collected) is not published in the L1 blocks at hand; give the L1 "
                + "endpoint with -E"));
    }

    /** The body of the commitment of {@code b}, from its publication on L1. */
    private static Commitment publishedBody(Options o, String rollup, L2Block b, ReadOnlyStores.L1Blocks l1Blocks) {
        Hash h = b.commitment().orElseThrow();
        Commitment c = publishedBody(o, rollup, h, b.level(), l1Blocks, true).orElseThrow(() ->
                new IllegalStateException("the commitment " + new CommitmentHash(h.bytes()) + " of level " + b.level()
                        + " is not published in the L1 blocks at hand, and the history below level " + b.level()
                        + " was collected; give the L1 endpoint with -E"));
        if (!c.state().equals(b.stateHash()) || c.inboxLevel() != b.level()) {
            throw new IllegalStateException("the commitment " + new CommitmentHash(h.bytes()) + " published on L1 is "
                    + "not that of L2 block " + b.level());
        }
        return c;
    }

    /**
     * A published commitment body by hash: from L1's list when {@code -E} is given, else by walking the local L1
     * blocks from {@code level} (up for the commitment of that level, published after it; down for an earlier one).
     */
    private static Optional<Commitment> publishedBody(Options o, String rollup, Hash h, int level,
                                                      ReadOnlyStores.L1Blocks l1Blocks, boolean up) {
        if (o.l1() != null) {
            for (L1Source.PublishedCommitment p : o.l1().commitments(rollup)) {
                if (Arrays.equals(p.hash(), h.bytes())) {
                    return Optional.of(new Commitment(Hash.fromBytes(p.stateHash()), p.inboxLevel(),
                            Hash.fromBytes(p.predecessor()), p.ticks()));
                }
            }
        }
        if (l1Blocks == null) {
            return Optional.empty();
        }
        int top = l1Blocks.lastLevel().orElse(level);
        for (int l = level; up ? l <= top : l > 0; l += up ? 1 : -1) {
            Optional<L1Block> block = l1Blocks.get(l);
            if (block.isEmpty()) {
                continue;
            }
            for (io.flotilla.actors.l1.L1Operation op : block.get().operations()) {
                if (op instanceof io.flotilla.actors.l1.L1Operation.Publish p && rollup.equals(p.rollup())
                        && p.commitment() != null && p.commitment().length == Commitment.SIZE) {
                    Commitment c = Commitment.decode(p.commitment());
                    if (c.hash().equals(h)) {
                        return Optional.of(c);
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<L1Block> l1Block(Options o, ReadOnlyStores.L1Blocks l1Blocks, int level) {
        Optional<L1Block> b = l1Blocks == null ? Optional.empty() : l1Blocks.get(level);
        if (b.isEmpty() && o.l1() != null) {
            b = o.l1().block(level);
        }
        return b;
    }

    /**
     * The tree nodes of the exported states, each once: every block's state (and the genesis state when the
     * snapshot starts at origination), or with {@code compact} the first block's state only.
     */
    private static long writeContext(Tar.Writer tar, NodeStore context, RollupSnapshot st, List<L2Block> blocks,
                                     int first, boolean compact) throws IOException {
        try (ArchiveLayout.ChunkedStream s = new ArchiveLayout.ChunkedStream(tar, ArchiveLayout.NODES)) {
            Set<Hash> written = new HashSet<>();
            NodeStore collector = new NodeStore() {
                @Override
                public byte[] get(Hash h) {
                    return context.get(h);
                }

                @Override
                public boolean contains(Hash h) {
                    return written.contains(h);
                }

                @Override
                public void put(Hash h, byte[] encoding) {
                    if (written.add(h)) {
                        try {
                            ArchiveLayout.writeNode(s.out, h, encoding);
                            s.recordDone();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                }
            };
            List<Hash> roots = new ArrayList<>();
            if (!compact && first == st.originationLevel() + 1) {
                roots.add(Hash.fromBytes(st.genesisStateHash32()));
            }
            for (L2Block b : compact ? blocks.subList(0, 1) : blocks) {
                roots.add(b.stateHash());
            }
            try {
                for (Hash root : roots) {
                    Tree.load(root, context).copyTo(collector);
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            return s.records;
        }
    }

    private static void writePreimages(Tar.Writer tar, Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.sorted().toList()) {
                String name = p.getFileName().toString();
                if (Files.isRegularFile(p) && name.matches("[0-9a-f]{66}")) {
                    tar.entry(ArchiveLayout.PREIMAGES + name, Files.readAllBytes(p));
                }
            }
        }
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }

    /** Counts the compressed bytes going to the file. */
    static final class CountingOutputStream extends java.io.FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
