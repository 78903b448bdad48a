package io.flotilla.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.actors.l1.L1Source;
import io.flotilla.actors.rollup.Inbox;
import io.flotilla.persistence.chain.L2Block;
import io.flotilla.persistence.snapshots.RollupSnapshot;
import io.flotilla.persistence.store.EmbeddedContextStore;
import io.flotilla.pvm.Commitment;
import io.flotilla.pvm.LevelInput;
import io.flotilla.pvm.LevelResult;
import io.flotilla.pvm.Pvm;
import io.flotilla.pvm.PvmConfig;
import io.flotilla.pvm.PvmState;
import io.flotilla.pvm.encoding.CommitmentHash;
import io.flotilla.pvm.encoding.RollupAddress;
import io.flotilla.pvm.encoding.StateHash;
import io.flotilla.pvm.host.RollupMetadata;
import io.flotilla.pvm.reveal.PreimageDirectory;
import io.flotilla.pvm.tree.Hash;
import io.flotilla.pvm.tree.NodeStore;
import io.flotilla.pvm.tree.StoredNodes;
import io.flotilla.pvm.tree.Tree;
import io.flotilla.pvm.util.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code flotilla snapshot import}: reads a snapshot into a data directory after the checks of {@link ImportCheck},
 * in order. Everything is built in a staging directory next to the data directory and switched in only once every
 * check passed, so an import that fails for any reason leaves the data directory as it was. The rollup entity
 * then recovers from the imported state (written as its journal snapshot) and continues from the snapshot head.
 */
public final class SnapshotImporter {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotImporter.class);

    /** Where a snapshot comes from: a file, standard input, or (hosting) a resumable download. */
    public interface Source {
        InputStream open() throws IOException;

        String describe();

        static Source file(Path p) {
            return new Source() {
                @Override
                public InputStream open() throws IOException {
                    if (!Files.isRegularFile(p)) {
                        throw new IOException("no snapshot file " + p);
                    }
                    return Files.newInputStream(p);
                }

                @Override
                public String describe() {
                    return p.toString();
                }
            };
        }

        static Source stream(InputStream in, String description) {
            return new Source() {
                @Override
                public InputStream open() {
                    return in;
                }

                @Override
                public String describe() {
                    return description;
                }
            };
        }
    }

    /**
     * @param l1    the L1 node to check against (required for the L1 checks; null skips them, the exporter's own
     *              check runs that way without an L1)
     * @param check false: {@code --no-check}, only the checks kept with it run
     */
    public record Options(Source source, Path dataDir, L1Source l1, boolean force, boolean check, PvmConfig pvm) {
        public Options {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(dataDir, "dataDir");
            pvm = pvm == null ? PvmConfig.defaults() : pvm;
        }

        public Options(Source source, Path dataDir, L1Source l1, boolean force, boolean check) {
            this(source, dataDir, l1, force, check, PvmConfig.defaults());
        }
    }

    /** What was imported; {@code replayedLevels} is the number of levels a compact snapshot re-evaluated. */
    public record Result(SnapshotHeader header, SnapshotMetadata metadata, Compression compression, long treeNodes,
                         int replayedLevels, double millis) {}

    private SnapshotImporter() {}

    /** Directories and files of a data directory that an import replaces. */
    static final List<String> IMPORTED = List.of("context", "chain", "journal", "journal-rocks", "l1-chain");

    public static Result importSnapshot(Options o) {
        long t0 = System.nanoTime();
        Path dataDir = o.dataDir().toAbsolutePath().normalize();
        boolean populated = populated(dataDir);
        if (populated && !o.force()) {
            throw new IllegalArgumentException("the data directory " + dataDir + " already holds a node's data "
                    + "(context, chain or journal); use --force to import over it");
        }
        Path stage = null;
        try {
            Files.createDirectories(dataDir.getParent());
            stage = Files.createTempDirectory(dataDir.getParent(), "." + dataDir.getFileName() + ".import-");
            Result r;
            try (InputStream raw = o.source().open()) {
                r = new Run(o, dataDir, populated, stage).run(raw);
            }
            switchIn(stage, dataDir);
            LOG.info("snapshot {} imported into {}: rollup {} at level {} ({} ms)", o.source().describe(), dataDir,
                    r.header().rollup(), r.header().headLevel(), String.format(Locale.ROOT, "%.0f", r.millis()));
            return new Result(r.header(), r.metadata(), r.compression(), r.treeNodes(), r.replayedLevels(),
                    (System.nanoTime() - t0) / 1e6);
        } catch (IOException e) {
            throw new UncheckedIOException("snapshot import failed, " + dataDir + " unchanged: " + e.getMessage(), e);
        } finally {
            removeStage(stage);
        }
    }

    static boolean populated(Path dataDir) {
        for (String name : List.of("context", "chain", "journal", "journal-rocks")) {
            if (Files.exists(dataDir.resolve(name))) {
                return true;
            }
        }
        return false;
    }

    /** Moves the staged stores into the data directory; what they replace is restored if a move fails. */
    private static void switchIn(Path stage, Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Path aside = Files.createTempDirectory(dataDir.getParent(), "." + dataDir.getFileName() + ".replaced-");
        List<String> movedAside = new ArrayList<>();
        List<String> movedIn = new ArrayList<>();
        try {
            for (String name : IMPORTED) {
                if (Files.exists(dataDir.resolve(name))) {
                    Files.move(dataDir.resolve(name), aside.resolve(name), StandardCopyOption.ATOMIC_MOVE);
                    movedAside.add(name);
                }
            }
            for (String name : IMPORTED) {
                if (Files.exists(stage.resolve(name))) {
                    Files.move(stage.resolve(name), dataDir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
                    movedIn.add(name);
                }
            }
        } catch (IOException e) {
            for (String name : movedIn) {
                SnapshotExporter.deleteRecursively(dataDir.resolve(name));
            }
            for (String name : movedAside) {
                Files.move(aside.resolve(name), dataDir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
            }
            throw e;
        }
        SnapshotExporter.deleteRecursively(aside);
        // preimages are content-addressed: add the snapshot's to those already there
        Path preimages = stage.resolve("wasm_2_0_0");
        if (Files.isDirectory(preimages)) {
            Path target = Files.createDirectories(dataDir.resolve("wasm_2_0_0"));
            try (Stream<Path> files = Files.list(preimages)) {
                for (Path p : files.toList()) {
                    if (!Files.exists(target.resolve(p.getFileName()))) {
                        Files.move(p, target.resolve(p.getFileName()));
                    }
                }
            }
        }
    }

    /** One import: reading, checks, staging. */
    private static final class Run {
        private final Options o;
        private final Path dataDir;
        private final boolean populated;
        private final Path stage;
        private SnapshotHeader header;
        private SnapshotMetadata meta;
        private final List<L2Block> blocks = new ArrayList<>();
        private final List<LevelInput> inputs = new ArrayList<>();
        private final Map<Hash, Commitment> commitments = new LinkedHashMap<>();
        /** The state of a block a compact import has yet to rebuild. */
        private static final Hash PENDING = Hash.fromBytes(new byte[32]);
        private long nodes;
        private long declaredNodes = -1;
        /**
         * The first nodes read (up to {@link #READ_BACK_BYTES}), kept for the block checks' walks, which otherwise
         * read every node back from the store just written (a snapshot of up to that size is walked in memory).
         */
        private final Map<Hash, byte[]> readBack = new HashMap<>();
        private long readBackBytes;
        private static final long READ_BACK_BYTES = 64L << 20;

        Run(Options o, Path dataDir, boolean populated, Path stage) {
            this.o = o;
            this.dataDir = dataDir;
            this.populated = populated;
            this.stage = stage;
        }

        private boolean on(ImportCheck c) {
            return o.check() || c.keptWithNoCheck();
        }

        Result run(InputStream raw) throws IOException {
            long t0 = System.nanoTime();
            Compression.Opened opened;
            Tar.Reader tar;
            try {
                opened = Compression.open(raw);
                header = SnapshotHeader.readFrom(opened.stream());
                tar = new Tar.Reader(opened.stream());
                Tar.Entry first = tar.next();
                if (first == null || !first.name().equals(ArchiveLayout.METADATA)) {
                    throw new SnapshotFormatException("the first entry of the archive must be "
                            + ArchiveLayout.METADATA + ", found " + (first == null ? "nothing" : first.name()));
                }
                meta = SnapshotMetadata.fromJson(tar.data().readAllBytes());
            } catch (SnapshotFormatException | IOException e) {
                throw new ImportCheckException(ImportCheck.ARCHIVE, e.getMessage(), e);
            }
            checkAddress();
            checkHistoryMode();
            checkHead();
            String rollup = header.rollup().toBase58();
            int replayed;
            Path preimageDir = stage.resolve("wasm_2_0_0");
            try (EmbeddedContextStore context = EmbeddedContextStore.open(stage.resolve("context"))) {
                try {
                    readEntries(tar, context, preimageDir);
                } catch (SnapshotFormatException e) {
                    throw new ImportCheckException(ImportCheck.ARCHIVE, e.getMessage(), e);
                } catch (IOException e) {
                    throw new ImportCheckException(ImportCheck.ARCHIVE, "truncated or corrupted archive: "
                            + e.getMessage(), e);
                }
                checkComplete();
                Hash lastCommitment = checkHeaderCommitmentInputs();
                if (on(ImportCheck.COMMITMENT_PUBLISHED) && o.l1() != null) {
                    checkPublished(rollup);
                }
                if (on(ImportCheck.HEADER_COMMITMENT)) {
                    checkHeaderCommitment(lastCommitment);
                }
                Hash lcc = Hash.fromBytes(CommitmentHash.fromBase58(meta.lcc()).bytes());
                int lccLevel = meta.lccLevel();
                if (o.l1() != null && o.check()) {
                    var cemented = o.l1().lastCementedCommitment(rollup).orElseThrow(() -> new ImportCheckException(
                            ImportCheck.LCC_IN_SNAPSHOT, "L1 knows no cemented commitment of " + rollup));
                    lcc = Hash.fromBytes(cemented.hash());
                    lccLevel = cemented.inboxLevel();
                }
                if (on(ImportCheck.LCC_IN_SNAPSHOT)) {
                    checkLcc(lcc);
                }
                if (on(ImportCheck.COMMITMENT_CHAIN)) {
                    checkChain(lcc);
                }
                replayed = checkBlocks(rollup, context, preimageDir);
                L2Block head = blocks.get(blocks.size() - 1);
                String stuck = new PvmState(Tree.load(head.stateHash(), context)).stuck().orElse(null);
                writeStores(rollup, head, lastCommitment, lcc, lccLevel, stuck);
            }
            return new Result(header, meta, opened.compression(), nodes, replayed, (System.nanoTime() - t0) / 1e6);
        }

        // ------------------------------------------------------------ checks kept with --no-check

        private static Optional<JsonNode> config(Path dataDir) {
            Path config = dataDir.resolve("config.json");
            if (!Files.exists(config)) {
                return Optional.empty();
            }
            try {
                return Optional.of(new ObjectMapper().readTree(config.toFile()));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + config + ": " + e.getMessage(), e);
            }
        }

        private void checkAddress() {
            String address = header.rollup().toBase58();
            if (!address.equals(meta.rollupAddress())) {
                throw new ImportCheckException(ImportCheck.ROLLUP_ADDRESS, "the header names rollup " + address
                        + " but the archive holds " + meta.rollupAddress());
            }
            Optional<String> configured = config(dataDir).map(c -> c.path("smart-rollup-address").asText(null));
            if (configured.isPresent() && configured.get() != null && !configured.get().equals(address)) {
                throw new ImportCheckException(ImportCheck.ROLLUP_ADDRESS, "the snapshot is of rollup " + address
                        + " but the data directory is configured for " + configured.get());
            }
        }

        private void checkHistoryMode() {
            HistoryMode mode = header.historyMode();
            HistoryMode recorded;
            try {
                recorded = meta.mode();
            } catch (IllegalArgumentException e) {
                throw new ImportCheckException(ImportCheck.HISTORY_MODE, e.getMessage(), e);
            }
            if (mode != recorded) {
                throw new ImportCheckException(ImportCheck.HISTORY_MODE, "the header says " + mode.label()
                        + " but the archive was exported in " + recorded.label() + " mode");
            }
            Optional<String> configured = config(dataDir).map(c -> c.path("history-mode").asText(null));
            if (configured.isPresent() && configured.get() != null) {
                HistoryMode node = HistoryMode.fromLabel(configured.get());
                // a full node may import an archive snapshot, not the other way round
                if (node == HistoryMode.ARCHIVE && mode == HistoryMode.FULL) {
                    throw new ImportCheckException(ImportCheck.HISTORY_MODE, "an archive node cannot import a full "
                            + "snapshot (its history before the LCC is gone)");
                }
            }
        }

        /** The head on disk: the rollup's last L2 block in the data directory's chain store (read-only). */
        private void checkHead() {
            if (!populated || !Files.exists(dataDir.resolve("chain").resolve("CURRENT"))) {
                return;
            }
            java.util.OptionalInt existing;
            try (ReadOnlyStores stores = new ReadOnlyStores()) {
                existing = stores.chain(dataDir.resolve("chain"), header.rollup().toBase58()).lastLevel();
            } catch (RuntimeException e) {
                throw new ImportCheckException(ImportCheck.HEAD_NEWER, "cannot read the data directory's head: "
                        + e.getMessage(), e);
            }
            if (existing.isPresent() && existing.getAsInt() >= header.headLevel()) {
                throw new ImportCheckException(ImportCheck.HEAD_NEWER, "the snapshot's head " + header.headLevel()
                        + " is not newer than the data directory's head " + existing.getAsInt());
            }
        }

        // ------------------------------------------------------------ reading

        private void readEntries(Tar.Reader tar, EmbeddedContextStore context, Path preimageDir) throws IOException {
            Map<Hash, byte[]> batch = new HashMap<>();
            long batchBytes = 0;
            Tar.Entry e;
            while ((e = tar.next()) != null) {
                String stream = ArchiveLayout.streamOf(e.name());
                ArchiveLayout.Records records = new ArchiveLayout.Records(tar.data(), e.name());
                switch (stream) {
                    case ArchiveLayout.BLOCKS -> {
                        while (records.more()) {
                            blocks.add(records.block());
                        }
                    }
                    case ArchiveLayout.INBOXES -> {
                        while (records.more()) {
                            inputs.add(records.input());
                        }
                    }
                    case ArchiveLayout.COMMITMENTS -> {
                        while (records.more()) {
                            Commitment c = Commitment.decode(records.fixed(Commitment.SIZE));
                            commitments.put(c.hash(), c);
                        }
                    }
                    case ArchiveLayout.NODES -> {
                        while (records.more()) {
                            Object[] n = records.node();
                            Hash h = (Hash) n[0];
                            byte[] enc = (byte[]) n[1];
                            // content addressing: a node is only what hashes to its key
                            if (o.check() && !Hash.of(enc).equals(h)) {
                                throw new SnapshotFormatException("corrupted archive: tree node " + h
                                        + " does not hash to its key");
                            }
                            batch.put(h, enc);
                            batchBytes += enc.length;
                            // only verified nodes: then a hash has one encoding, that of the store
                            if (o.check() && readBackBytes + enc.length <= READ_BACK_BYTES) {
                                readBack.put(h, enc);
                                readBackBytes += enc.length;
                            }
                            nodes++;
                            if (batch.size() >= 20_000 || batchBytes >= (32 << 20)) {
                                context.putAll(batch);
                                batch.clear();
                                batchBytes = 0;
                            }
                        }
                    }
                    case ArchiveLayout.NODE_COUNT -> {
                        try {
                            declaredNodes = Long.parseLong(new String(tar.data().readAllBytes(),
                                    StandardCharsets.US_ASCII).strip());
                        } catch (NumberFormatException ex) {
                            throw new SnapshotFormatException("corrupted archive: bad " + ArchiveLayout.NODE_COUNT);
                        }
                    }
                    default -> {
                        if (e.name().startsWith(ArchiveLayout.PREIMAGES)) {
                            String name = e.name().substring(ArchiveLayout.PREIMAGES.length());
                            if (!name.matches("[0-9a-f]{66}")) {
                                throw new SnapshotFormatException("corrupted archive: bad preimage name " + e.name());
                            }
                            Files.createDirectories(preimageDir);
                            Files.write(preimageDir.resolve(name), tar.data().readAllBytes());
                        } else {
                            LOG.warn("snapshot entry {} is unknown to this version; ignored", e.name());
                        }
                    }
                }
            }
            if (!batch.isEmpty()) {
                context.putAll(batch);
            }
        }

        private void checkComplete() {
            List<String> missing = new ArrayList<>();
            if (blocks.size() != meta.blocks()) {
                missing.add(blocks.size() + " L2 blocks of " + meta.blocks());
            }
            if (inputs.size() != meta.levelInputs()) {
                missing.add(inputs.size() + " level inputs of " + meta.levelInputs());
            }
            if (declaredNodes < 0) {
                missing.add("no " + ArchiveLayout.NODE_COUNT);
            } else if (declaredNodes != nodes) {
                missing.add(nodes + " tree nodes of " + declaredNodes);
            }
            if (!missing.isEmpty()) {
                throw new ImportCheckException(ImportCheck.ARCHIVE, "truncated archive: " + String.join(", ", missing));
            }
            if (blocks.isEmpty()) {
                throw new ImportCheckException(ImportCheck.ARCHIVE, "the archive holds no L2 block");
            }
            if (meta.rebuildsBlocks() && inputs.size() != meta.headLevel() - meta.firstLevel() + 1) {
                throw new ImportCheckException(ImportCheck.ARCHIVE, "truncated archive: " + inputs.size()
                        + " level inputs for levels " + meta.firstLevel() + " to " + meta.headLevel());
            }
            for (int i = 0; i < inputs.size(); i++) {
                int expected = meta.firstLevel() + i;
                if ((i < blocks.size() && blocks.get(i).level() != expected) || inputs.get(i).level() != expected) {
                    throw new ImportCheckException(ImportCheck.ARCHIVE, "corrupted archive: L2 block or inbox "
                            + i + " is not of level " + expected);
                }
            }
            // blocks travel without their messages: those of the level's input (whose hash check 9 verifies)
            for (int i = 0; i < blocks.size(); i++) {
                L2Block b = blocks.get(i);
                if (!b.messages().isEmpty()) {
                    throw new ImportCheckException(ImportCheck.ARCHIVE, "corrupted archive: L2 block " + b.level()
                            + " carries messages, they belong to inboxes/levels");
                }
                blocks.set(i, new L2Block(b.level(), b.l1Hash(), b.inboxHash(), inputs.get(i).messages(),
                        b.stateHash(), b.ticks(), b.totalTicks(), b.outboxCount(), b.kernelRuns(), b.commitment()));
            }
            if (meta.rebuildsBlocks()) {
                addPendingBlocks();
            }
            if (blocks.get(blocks.size() - 1).level() != header.headLevel()) {
                throw new ImportCheckException(ImportCheck.ARCHIVE, "the archive's last L2 block is of level "
                        + blocks.get(blocks.size() - 1).level() + ", the header's head level is " + header.headLevel());
            }
        }

        /**
         * Compact, format 2: the blocks after the first, from what the archive says of them without their states.
         * The L1 hash of a level is the predecessor hash of the next level's input (of the head: the metadata's);
         * the inbox hash is that of the input; the commitment, that of the archive's commitments at this level.
         * State, ticks, outbox count and kernel runs stay {@link #PENDING} until the replay fills them in.
         */
        private void addPendingBlocks() {
            Map<Integer, Hash> commitmentAt = new HashMap<>();
            for (var c : commitments.entrySet()) {
                if (commitmentAt.put(c.getValue().inboxLevel(), c.getKey()) != null) {
                    throw new ImportCheckException(ImportCheck.ARCHIVE, "corrupted archive: two commitments for "
                            + "level " + c.getValue().inboxLevel());
                }
            }
            byte[] headL1;
            try {
                headL1 = Hex.decode(meta.headL1Hash());
            } catch (RuntimeException e) {
                throw new ImportCheckException(ImportCheck.ARCHIVE, "corrupted archive: bad head_l1_hash", e);
            }
            if (headL1.length != 32) {
                throw new ImportCheckException(ImportCheck.ARCHIVE, "corrupted archive: bad head_l1_hash");
            }
            for (int i = 1; i < inputs.size(); i++) {
                LevelInput in = inputs.get(i);
                byte[] l1Hash = i + 1 < inputs.size() ? inputs.get(i + 1).predecessorHash() : headL1;
                blocks.add(new L2Block(in.level(), l1Hash, Hash.fromBytes(Inbox.hash(in)), in.messages(), PENDING, 0,
                        0, 0, 0, Optional.ofNullable(commitmentAt.get(in.level()))));
            }
        }

        /** The snapshot's last commitment: that of the last block with one, else the base commitment. */
        private Hash checkHeaderCommitmentInputs() {
            Hash last = Hash.fromBytes(CommitmentHash.fromBase58(meta.baseCommitment()).bytes());
            for (L2Block b : blocks) {
                if (b.commitment().isPresent()) {
                    last = b.commitment().get();
                }
            }
            return last;
        }

        // ------------------------------------------------------------ checks against L1 and the content

        private void checkPublished(String rollup) {
            byte[] h = header.lastCommitment().bytes();
            var info = o.l1().rollup(rollup).orElseThrow(() -> new ImportCheckException(
                    ImportCheck.COMMITMENT_PUBLISHED, "rollup " + rollup + " is not originated on this L1"));
            if (Arrays.equals(info.genesisCommitment(), h)) {
                return;
            }
            for (L1Source.PublishedCommitment c : o.l1().commitments(rollup)) {
                if (Arrays.equals(c.hash(), h)) {
                    return;
                }
            }
            throw new ImportCheckException(ImportCheck.COMMITMENT_PUBLISHED, "commitment "
                    + header.lastCommitment() + " of the header was never published on L1");
        }

        private void checkHeaderCommitment(Hash last) {
            CommitmentHash inArchive = new CommitmentHash(last.bytes());
            if (!header.lastCommitment().equals(inArchive) || !meta.lastCommitment().equals(inArchive.toBase58())) {
                throw new ImportCheckException(ImportCheck.HEADER_COMMITMENT, "the header's commitment "
                        + header.lastCommitment() + " is not the snapshot's last commitment " + inArchive
                        + " (metadata says " + meta.lastCommitment() + ")");
            }
        }

        private void checkLcc(Hash lcc) {
            if (commitments.containsKey(lcc)
                    || lcc.equals(Hash.fromBytes(CommitmentHash.fromBase58(meta.baseCommitment()).bytes()))) {
                return;
            }
            for (L2Block b : blocks) {
                if (b.commitment().isPresent() && b.commitment().get().equals(lcc)) {
                    return;
                }
            }
            throw new ImportCheckException(ImportCheck.LCC_IN_SNAPSHOT, "the last cemented commitment "
                    + new CommitmentHash(lcc.bytes()) + " is not a commitment of the snapshot");
        }

        private void checkChain(Hash lcc) {
            Hash cur = Hash.fromBytes(header.lastCommitment().bytes());
            int steps = 0;
            while (!cur.equals(lcc)) {
                Commitment c = commitments.get(cur);
                if (c == null) {
                    throw new ImportCheckException(ImportCheck.COMMITMENT_CHAIN, "commitment "
                            + new CommitmentHash(cur.bytes()) + " is not in the snapshot, the chain from "
                            + header.lastCommitment() + " does not reach the LCC " + new CommitmentHash(lcc.bytes()));
                }
                if (c.predecessor().equals(Commitment.ZERO) || ++steps > commitments.size()) {
                    throw new ImportCheckException(ImportCheck.COMMITMENT_CHAIN, "the chain from "
                            + header.lastCommitment() + " ends at level " + c.inboxLevel()
                            + " without reaching the LCC " + new CommitmentHash(lcc.bytes()));
                }
                cur = c.predecessor();
            }
        }

        /**
         * Per block, in level order: the inbox hash is that of the level's inputs; the state is in the content
         * (whole tree present; a compact snapshot's later states are rebuilt by replaying the inputs through the PVM
         * and must hash as the blocks say); the commitment, if any, is that of this block's state.
         */
        private int checkBlocks(String rollup, EmbeddedContextStore context, Path preimageDir) {
            boolean verify = on(ImportCheck.BLOCKS);
            Hash prevCommitment = Hash.fromBytes(CommitmentHash.fromBase58(meta.baseCommitment()).bytes());
            long prevTicks = meta.baseCommitmentTotalTicks();
            Set<Hash> verified = new HashSet<>();
            PvmState replayState = null;
            Pvm pvm = null;
            NodeStore writer = context.writer();
            // the same bytes as the store holds (put there from the same records), without reading them back
            NodeStore stored = new NodeStore() {
                @Override
                public byte[] get(Hash h) {
                    byte[] enc = readBack.get(h);
                    return enc != null ? enc : context.get(h);
                }

                @Override
                public void put(Hash h, byte[] encoding) {
                    throw new UnsupportedOperationException("the block checks only read");
                }
            };
            int replayed = 0;
            for (int i = 0; i < blocks.size(); i++) {
                L2Block b = blocks.get(i);
                LevelInput in = inputs.get(i);
                if (verify) {
                    if (!Arrays.equals(Inbox.hash(in), b.inboxHash().bytes())) {
                        throw blockLies(b, "inbox hash " + b.inboxHash() + " is not that of the level's inbox");
                    }
                    if (i > 0 && !Arrays.equals(in.predecessorHash(), blocks.get(i - 1).l1Hash())) {
                        throw blockLies(b, "its inbox does not follow the L1 block of the previous level");
                    }
                }
                if (meta.compact() && i > 0) {
                    if (pvm == null) {
                        pvm = new Pvm(o.pvm(), new PreimageDirectory(preimageDir),
                                new RollupMetadata(RollupAddress.fromBase58(rollup).bytes(), meta.originationLevel()));
                    }
                    LevelResult r = pvm.runLevel(replayState, in);
                    replayState = r.state();
                    replayState.tree().persist(writer);
                    ((io.flotilla.persistence.store.LevelWriter) writer).commit();
                    replayed++;
                    if (meta.rebuildsBlocks()) {
                        // the block is what the replay made; its commitment (below) and the head are asserted
                        long before = blocks.get(i - 1).totalTicks();
                        b = new L2Block(b.level(), b.l1Hash(), b.inboxHash(), b.messages(), replayState.hash(),
                                replayState.ticks() - before, replayState.ticks(), r.outbox().size(), r.kernelRuns(),
                                b.commitment());
                        blocks.set(i, b);
                    } else if (!replayState.hash().equals(b.stateHash()) || replayState.ticks() != b.totalTicks()) {
                        throw blockLies(b, "replaying its inbox gives state " + replayState.hash() + " after "
                                + replayState.ticks() + " ticks, the block says " + b.stateHash() + " after "
                                + b.totalTicks());
                    }
                } else if (verify || (meta.compact() && i == 0)) {
                    try {
                        // the nodes' hashes were verified as they were read: here presence and well-formedness,
                        // each node once across all states
                        StoredNodes.walkChecked(b.stateHash(), stored, verified, (h, enc) -> { });
                    } catch (Exception e) {
                        throw blockLies(b, "its state " + new StateHash(b.stateHash().bytes())
                                + " is not (wholly) in the snapshot: " + e.getMessage());
                    }
                    if (meta.compact()) {
                        replayState = new PvmState(Tree.load(b.stateHash(), writer));
                    }
                }
                if (b.commitment().isPresent()) {
                    Commitment expected = new Commitment(b.stateHash(), b.level(), prevCommitment,
                            b.totalTicks() - prevTicks);
                    if (verify && !expected.hash().equals(b.commitment().get())) {
                        throw blockLies(b, "its commitment " + new CommitmentHash(b.commitment().get().bytes())
                                + " is not the commitment of its state " + new StateHash(b.stateHash().bytes()));
                    }
                    prevCommitment = b.commitment().get();
                    prevTicks = b.totalTicks();
                }
            }
            readBack.clear();
            L2Block head = blocks.get(blocks.size() - 1);
            if (verify && meta.rebuildsBlocks()
                    && (!new StateHash(head.stateHash().bytes()).toBase58().equals(meta.headState())
                    || head.totalTicks() != meta.totalTicks())) {
                throw blockLies(head, "replaying the inputs gives state " + new StateHash(head.stateHash().bytes())
                        + " after " + head.totalTicks() + " ticks, the snapshot's head is " + meta.headState()
                        + " after " + meta.totalTicks());
            }
            return replayed;
        }

        private static ImportCheckException blockLies(L2Block b, String what) {
            return new ImportCheckException(ImportCheck.BLOCKS, "L2 block " + b.level() + ": " + what);
        }

        // ------------------------------------------------------------ staging

        private void writeStores(String rollup, L2Block head, Hash lastCommitment, Hash lcc, int lccLevel,
                                 String stuck) throws IOException {
            StagedChain.write(stage.resolve("chain"), rollup, blocks);
            int lastCommitmentLevel = meta.baseCommitmentLevel();
            long lastCommitmentTicks = meta.baseCommitmentTotalTicks();
            for (L2Block b : blocks) {
                if (b.commitment().isPresent()) {
                    lastCommitmentLevel = b.level();
                    lastCommitmentTicks = b.totalTicks();
                }
            }
            RollupSnapshot state = new RollupSnapshot(true, meta.originationLevel(), meta.pvmVersion(),
                    StateHash.fromBase58(meta.genesisState()).bytes(),
                    CommitmentHash.fromBase58(meta.genesisCommitment()).bytes(), head.level(), head.l1Hash(),
                    head.stateHash().bytes(), head.totalTicks(), lastCommitmentLevel, lastCommitment.bytes(),
                    lastCommitmentTicks, Math.min(meta.lastPublishedLevel(), head.level()), lccLevel, lcc.bytes(),
                    stuck, Math.min(meta.outboxHandledLevel(), head.level()));
            RollupJournal.writeImported(stage, rollup, state);
            if (meta.l1Genesis() != null) {
                // the L1 chain the journal belongs to (NodeRuntime moves a journal of another chain aside)
                Files.writeString(stage.resolve("l1-chain"), meta.l1Genesis() + "\n", StandardCharsets.UTF_8);
            }
        }
    }

    /** For {@code snapshot info}: the header and compression of a snapshot, without reading the archive. */
    public record Info(SnapshotHeader header, Compression compression) {
        public String describe() {
            return header.describe() + "\ncompression: " + compression.label();
        }
    }

    public static Info info(Source source) throws IOException {
        try (InputStream raw = source.open()) {
            Compression.Opened opened = Compression.open(raw);
            return new Info(SnapshotHeader.readFrom(opened.stream()), opened.compression());
        }
    }

    static String hex(byte[] b) {
        return Hex.encode(b);
    }

    /** Removes a staging directory (null: nothing staged); a failure is logged, the import's outcome stands. */
    static void removeStage(Path stage) {
        if (stage == null) {
            return;
        }
        try {
            SnapshotExporter.deleteRecursively(stage);
        } catch (IOException e) {
            LOG.warn("cannot remove the staging directory {}: {}", stage, e.toString());
        }
    }
}
