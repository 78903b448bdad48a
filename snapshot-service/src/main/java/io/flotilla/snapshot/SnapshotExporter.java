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
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
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
        return export(o, Clock.systemUTC());
    }

    /** As {@link #export(Options)}, with the clock that dates the snapshot ({@code created}): tests fix it. */
    static Result export(Options o, Clock clock) {
        Path dataDir = o.dataDir().toAbsolutePath();
        if (!Files.isDirectory(dataDir)) {
            throw new IllegalArgumentException("no data directory " + dataDir);
        }
        return export(o, SnapshotSourceStores.embedded(dataDir), clock);
    }

    /**
     * Exports from {@code stores} (closed when done): the embedded stores of {@code o.dataDir()}, or a Cassandra
     * keyspace. The data directory still gives {@code config.json} (history mode), preimages and the GC pause
     * files; with Cassandra it may be absent.
     */
    public static Result export(Options o, SnapshotSourceStores stores) {
        return export(o, stores, Clock.systemUTC());
    }

    private static Result export(Options o, SnapshotSourceStores stores, Clock clock) {
        Path dataDir = o.dataDir().toAbsolutePath();
        // the GC of full mode (in the node's process) must not delete what the export still reads
        try (stores; AutoCloseable gc = Files.isDirectory(dataDir) ? o.gcPause().pause(dataDir) : () -> { }) {
            String rollup = o.rollup() != null ? o.rollup() : onlyRollup(stores);
            RollupAddress.fromBase58(rollup);
            long t0 = System.nanoTime();
            RollupSnapshot state = stores.journaledState(rollup);
            if (state == null || !state.originated()) {
                throw new IllegalArgumentException("rollup " + rollup + " has no history in " + stores.describe());
            }
            long t1 = System.nanoTime();
            SnapshotSourceStores.Chain chain = stores.chain(rollup);
            NodeStore context = stores.context();
            double cutMillis = (System.nanoTime() - t0) / 1e6;
            // L1 blocks are not part of the cut: the export checks each level's block against its L2 block
            SnapshotSourceStores.L1Blocks l1Blocks = stores.l1Blocks();
            LOG.info("snapshot export of {} from {}: consistent cut in {} ms (journal read {} ms, at level {}; stores "
                    + "opened {} ms)", rollup, stores.describe(), String.format(Locale.ROOT, "%.1f", cutMillis),
                    String.format(Locale.ROOT, "%.1f", (t1 - t0) / 1e6), state.headLevel(),
                    String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t1) / 1e6));
            return write(o, dataDir, rollup, state, chain, context, l1Blocks, cutMillis, clock);
        } catch (IOException e) {
            throw new UncheckedIOException("snapshot export failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("snapshot export failed: " + e.getMessage(), e);
        }
    }

    private static String onlyRollup(SnapshotSourceStores stores) {
        List<String> rollups = stores.rollups();
        if (rollups.size() != 1) {
            throw new IllegalArgumentException(rollups.isEmpty() ? "no rollup in " + stores.describe()
                    : stores.describe() + " holds several rollups, choose one with --rollup: " + rollups);
        }
        return rollups.get(0);
    }

    private static int exportLevel(String spec, RollupSnapshot st, SnapshotSourceStores.L1Blocks l1Blocks) {
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

    private static Result write(Options o, Path dataDir, String rollup, RollupSnapshot st, SnapshotSourceStores.Chain chain,
                                NodeStore context, SnapshotSourceStores.L1Blocks l1Blocks, double cutMillis, Clock clock)
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
            // the body as the node made it; its hash is not recomputed here: the import (and so the export's own
            // check) verifies that each block's commitment is that of its state and that the chain holds
            commitments.add(new Commitment(b.stateHash(), b.level(), lastCommitment,
                    b.totalTicks() - lastCommitmentTicks));
            lastCommitment = b.commitment().get();
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
        // the tree nodes are walked on a thread of their own from here on, while the inputs are built and written
        ContextWalk walk = new ContextWalk(context, contextRoots(st, blocks, first, o.compact()));
        List<LevelInput> inputs;
        String stuck;
        String l1Genesis;
        Path target = Files.isDirectory(o.output()) ? o.output().resolve(header.defaultFileName()) : o.output();
        Path dir = target.toAbsolutePath().getParent();
        Path part = dir.resolve("." + target.getFileName() + ".part");
        try {
            inputs = levelInputs(o, rollup, blocks, l1Blocks);
            stuck = new PvmState(Tree.load(head.stateHash(), context)).stuck().orElse(null);
            l1Genesis = l1Blocks != null ? l1Blocks.get(0).map(L1Block::hashHex).orElse(null) : null;
            if (l1Genesis == null && Files.exists(dataDir.resolve("l1-chain"))) {
                l1Genesis = Files.readString(dataDir.resolve("l1-chain")).strip();
            }
            Files.createDirectories(dir);
        } catch (IOException | RuntimeException e) {
            walk.close();
            throw e;
        }
        long archiveBytes;
        long nodeCount;
        SnapshotMetadata metadata;
        try {
            // the size is only known at the end: bytes and rate, no percentage
            o.progress().phase("write", -1);
            OutputStream file = o.progress().wrap(new BufferedOutputStream(Files.newOutputStream(part), 1 << 20));
            // compression and the file on a second thread, as `tar | zstd` runs on two processes
            BackgroundWriter out = new BackgroundWriter(o.compression().compress(file), "snapshot-writer");
            boolean written = false;
            try {
                header.writeTo(out);
                Tar.Writer tar = new Tar.Writer(out);
                // one chunk's room (plus a record's), shared by the streams written one after the other
                ArchiveLayout.RecordBuffer chunk = new ArchiveLayout.RecordBuffer(ArchiveLayout.CHUNK + (1 << 16));
                // the node count is only known after the walk: it follows the nodes, in context/count
                // compact: only the first block, whose state the context holds; the import rebuilds the others
                List<L2Block> stored = o.compact() ? blocks.subList(0, 1) : blocks;
                metadata = new SnapshotMetadata(o.compact() ? SnapshotMetadata.COMPACT_FORMAT_VERSION
                        : SnapshotMetadata.FORMAT_VERSION, rollup, mode.label(), level, first,
                        new CommitmentHash(lastCommitment.bytes()).toBase58(),
                        lastCommitmentLevel, lastCommitmentTicks, new CommitmentHash(lcc.bytes()).toBase58(), lccLevel,
                        o.compact(), clock.instant().truncatedTo(ChronoUnit.SECONDS).toString(), origination,
                        st.pvmVersion(), null, new StateHash(st.genesisStateHash32()).toBase58(),
                        new CommitmentHash(st.genesisCommitmentHash32()).toBase58(),
                        new CommitmentHash(baseCommitment.bytes()).toBase58(), baseLevel, baseTicks,
                        Hex.encode(head.l1Hash()), new StateHash(head.stateHash().bytes()).toBase58(),
                        head.totalTicks(), Math.min(st.lastPublishedLevel(), level),
                        Math.min(st.outboxHandledLevel(), level), stuck, l1Genesis, stored.size(), -1, inputs.size());
                tar.entry(ArchiveLayout.METADATA, metadata.toJson());
                try (ArchiveLayout.ChunkedStream s = new ArchiveLayout.ChunkedStream(tar, ArchiveLayout.BLOCKS, chunk)) {
                    for (L2Block b : stored) {
                        // without its messages: they are those of the level's input, stored once
                        ArchiveLayout.writeBlock(s.out, new L2Block(b.level(), b.l1Hash(), b.inboxHash(), List.of(),
                                b.stateHash(), b.ticks(), b.totalTicks(), b.outboxCount(), b.kernelRuns(),
                                b.commitment()));
                        s.recordDone();
                    }
                }
                try (ArchiveLayout.ChunkedStream s = new ArchiveLayout.ChunkedStream(tar, ArchiveLayout.INBOXES, chunk)) {
                    for (LevelInput in : inputs) {
                        ArchiveLayout.writeInput(s.out, in);
                        s.recordDone();
                    }
                }
                try (ArchiveLayout.ChunkedStream s = new ArchiveLayout.ChunkedStream(tar, ArchiveLayout.COMMITMENTS, chunk)) {
                    for (Commitment c : commitments) {
                        s.out.write(c.encode());
                        s.recordDone();
                    }
                }
                nodeCount = walk.writeTo(tar);
                tar.entry(ArchiveLayout.NODE_COUNT, Long.toString(nodeCount).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                writePreimages(tar, dataDir.resolve("wasm_2_0_0"));
                tar.finish();
                archiveBytes = tar.written();
                out.close();
                written = true;
            } finally {
                if (!written) {
                    out.abort();
                }
            }
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(part);
            throw e;
        } finally {
            walk.close();
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

    /**
     * The input of each exported level, rebuilt from the L1 blocks (each read and decoded once: a level's block is
     * the next level's predecessor). Each block must be the one its L2 block was made from (same L1 hash); the
     * inbox hashes are not recomputed here: the import (and so the export's own check) verifies every one.
     */
    private static List<LevelInput> levelInputs(Options o, String rollup, List<L2Block> blocks,
                                                SnapshotSourceStores.L1Blocks l1Blocks) {
        List<LevelInput> out = new ArrayList<>(blocks.size());
        Optional<L1Block> pred = Optional.empty();
        for (L2Block b : blocks) {
            if (pred.isEmpty() || pred.get().level() != b.level() - 1) {
                pred = l1Block(o, l1Blocks, b.level() - 1);
            }
            Optional<L1Block> block = l1Block(o, l1Blocks, b.level());
            if (block.isEmpty() || pred.isEmpty()) {
                // the node stores an L1 block before its rollups use it, so a main chain ending below a journaled
                // level means a reorg took blocks off it and has not put the new branch's yet
                OptionalInt last = l1Blocks == null ? OptionalInt.empty() : l1Blocks.lastLevel();
                if (o.l1() == null && last.isPresent() && last.getAsInt() < b.level()) {
                    throw new IllegalStateException("the data directory's l1-blocks ends at level " + last.getAsInt()
                            + ", below L2 block " + b.level() + " (an L1 reorg is in progress?); export again");
                }
                throw new IllegalStateException("the L1 block of level " + b.level() + " (or its predecessor) is not in "
                        + "the data directory's l1-blocks; give the L1 endpoint with -E");
            }
            if (!Arrays.equals(block.get().hash(), b.l1Hash())) {
                throw new IllegalStateException("the L1 block of level " + b.level() + " is not the one L2 block "
                        + b.level() + " was made from (an L1 reorg is in progress?); export again");
            }
            out.add(Inbox.forRollup(rollup, block.get(), pred.get()));
            pred = block;
        }
        return out;
    }

    /**
     * The commitment before the first exported block when a GC has deleted the blocks below it: the predecessor
     * named by the first commitment of the exported blocks (its total ticks into {@code baseTicks[0]}). Commitment bodies travel in the publish operations on
     * L1: they are read from L1 ({@code -E}) or the data directory's {@code l1-blocks/}.
     */
    private static Commitment commitmentBeforeCollectedHistory(Options o, String rollup, List<L2Block> blocks,
                                                               SnapshotSourceStores.L1Blocks l1Blocks,
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
    private static Commitment publishedBody(Options o, String rollup, L2Block b, SnapshotSourceStores.L1Blocks l1Blocks) {
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
                                                      SnapshotSourceStores.L1Blocks l1Blocks, boolean up) {
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

    private static Optional<L1Block> l1Block(Options o, SnapshotSourceStores.L1Blocks l1Blocks, int level) {
        Optional<L1Block> b = l1Blocks == null ? Optional.empty() : l1Blocks.get(level);
        if (b.isEmpty() && o.l1() != null) {
            b = o.l1().block(level);
        }
        return b;
    }

    /**
     * The states whose tree nodes the snapshot holds: every block's state (and the genesis state when the snapshot
     * starts at origination), or with {@code compact} the first block's state only. Their nodes are written each
     * once, as stored: no decoding, re-encoding or re-hashing; the importer verifies every hash.
     */
    private static List<Hash> contextRoots(RollupSnapshot st, List<L2Block> blocks, int first, boolean compact) {
        List<Hash> roots = new ArrayList<>();
        if (!compact && first == st.originationLevel() + 1) {
            roots.add(Hash.fromBytes(st.genesisStateHash32()));
        }
        for (L2Block b : compact ? blocks.subList(0, 1) : blocks) {
            roots.add(b.stateHash());
        }
        return roots;
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
}
