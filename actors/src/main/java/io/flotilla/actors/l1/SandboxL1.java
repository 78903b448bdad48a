package io.flotilla.actors.l1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flotilla.pvm.crypto.Blake2b;
import io.flotilla.pvm.tree.Hash;
import io.flotilla.pvm.util.Hex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated Tezos-like L1 in this JVM: blocks on a timer (or on {@link #produceBlock()} in manual mode),
 * each holding the operations injected since the previous one, in injection order, validated as
 * {@link Ledger} describes. Block hashes are Blake2b-256 of the block content ({@link L1Codec#blockHash});
 * the genesis block is level 0. A block's timestamp is its predecessor's plus the block time (whole
 * seconds, at least 1), plus one more block time per "round" when that is needed to make a hash unique
 * (blocks that replace others in a reorg). Thread-safe.
 *
 * <p>{@code new SandboxL1(config)} keeps the chain in memory. {@link #open(Path, Config)} keeps it in a
 * directory, so that it survives restarts and crashes:
 * <pre>
 *   DIR/sandbox.json  written once when the chain is made (atomically: temporary file, fsync, rename):
 *                     format "flotilla-sandbox-l1/1", chain_name, protocol, genesis_timestamp, genesis_hash,
 *                     constants {commitment_period, challenge_window, block_time_ms}
 *   DIR/chain.log     append-only records, each a 16-byte frame (magic "FLB1", payload length, CRC32C of
 *                     the payload, CRC32C of the frame) and a payload: a BLOCK record (one new head, in
 *                     {@link L1Codec#encodeBlock} form) or a REORG record (the fork level and all the blocks
 *                     that replace the old tail, in one record so a reorg is stored whole or not at all).
 *                     Locked while a sandbox has it open.
 * </pre>
 * A block (or reorg) is appended and fsync'd before it becomes the head, so a subscriber, an RPC client or a
 * rollup node's journal never sees a block that a crash could take back. On open the log is read from the
 * start: each block must extend the chain and have the hash of its content; the ledger (rollups,
 * commitments, cementations, executed outbox messages, contract calls) is rebuilt by applying the main
 * chain's operations again, each of which must come out as stored. A damaged last record (a write torn by a
 * crash) is cut off with a warning; damage with valid records after it is a {@link SandboxStoreException}
 * naming the file and the offset. Operations still pending (injected, not yet in a block) are not stored.
 */
public final class SandboxL1 implements L1Source {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxL1.class);

    /** The protocol every sandbox block runs (the hash of Tezos' development protocol, alpha). */
    public static final String DEFAULT_PROTOCOL = "ProtoALphaALphaALphaALphaALphaALphaALphaALphaDdp3zK";

    /** The {@code format} of a durable sandbox's header file. */
    static final String HEADER_FORMAT = "flotilla-sandbox-l1/1";

    /**
     * How a sandbox is set up.
     *
     * @param manual           blocks only on {@link #produceBlock()}; otherwise one every block time
     * @param genesisTimestamp seconds since the epoch
     * @param chainName        salted into the genesis hash, so different sandboxes have different chains
     */
    public record Config(SandboxConstants constants, boolean manual, long genesisTimestamp, String protocol,
                         String chainName) {
        public Config {
            Objects.requireNonNull(constants, "constants");
            Objects.requireNonNull(protocol, "protocol");
            Objects.requireNonNull(chainName, "chainName");
        }

        /** Manual block production, sandbox constants, a fixed genesis time: fully deterministic. */
        public static Config manualMode() {
            return new Config(SandboxConstants.SANDBOX, true, 1_700_000_000L, DEFAULT_PROTOCOL, "sandbox");
        }

        /** A block every second from now on, sandbox constants. */
        public static Config timed() {
            return new Config(SandboxConstants.SANDBOX, false, Instant.now().getEpochSecond(), DEFAULT_PROTOCOL,
                    "sandbox");
        }

        public Config withConstants(SandboxConstants c) {
            return new Config(c, manual, genesisTimestamp, protocol, chainName);
        }

        public Config withBlockTime(Duration d) {
            return withConstants(constants.withBlockTime(d));
        }
    }

    /**
     * The outcome of {@link #reorg(int)}.
     *
     * @param removed  the blocks that left the main chain, oldest first
     * @param added    the blocks that replaced them, oldest first (one more than removed)
     * @param refused  operations of the removed blocks (or pending ones) that were no longer valid at their new
     *                 level, with the reason; they are not in the new chain
     */
    public record Reorg(List<L1Block> removed, List<L1Block> added, List<String> refused) {}

    private final Config config;
    /** Where blocks are stored before they are shown; null for an in-memory sandbox. */
    private final ChainLog store;
    private final long blockSeconds;
    private final List<L1Block> chain = new ArrayList<>();
    private final Map<Hash, L1Block> known = new HashMap<>();
    private final List<L1Operation> pending = new ArrayList<>();
    private Ledger headLedger;
    /** headLedger plus the pending operations; null while none are pending. */
    private Ledger pendingLedger;
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer;
    private volatile boolean closed;

    /** A sandbox whose chain lives in memory only: it is gone when the JVM stops. */
    public SandboxL1(Config config) {
        this(config, null, List.of(genesis(config)), List.of(), new Ledger(config.constants()));
    }

    private SandboxL1(Config config, ChainLog store, List<L1Block> mainChain, List<L1Block> offChain, Ledger ledger) {
        this.config = config;
        this.store = store;
        this.blockSeconds = Math.max(1, (config.constants().blockTime().toMillis() + 999) / 1000);
        this.headLedger = ledger;
        chain.addAll(mainChain);
        for (L1Block b : offChain) {
            known.put(Hash.fromBytes(b.hash()), b);
        }
        for (L1Block b : mainChain) {
            known.put(Hash.fromBytes(b.hash()), b);
        }
        if (config.manual()) {
            timer = null;
        } else {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sandbox-l1-baker");
                t.setDaemon(true);
                return t;
            });
            long ms = config.constants().blockTime().toMillis();
            timer.scheduleAtFixedRate(() -> {
                try {
                    if (!closed) {
                        produceBlock();
                    }
                } catch (RuntimeException e) {
                    LOG.error("sandbox L1: producing a block failed", e);
                }
            }, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A durable sandbox whose chain is kept in {@code dir} (created if needed): a new chain made with
     * {@code config} if the directory holds none, otherwise the stored chain, reloaded block by block with
     * its ledger rebuilt by applying the blocks' operations again. A stored chain keeps its genesis (time,
     * protocol, chain name) and its commitment period and challenge window; {@code config} must agree with
     * those except for the genesis time, which is ignored (so {@link Config#timed()} reopens a chain made
     * days ago). Whether blocks are manual or timed, and the block time, come from {@code config}. Blocks made
     * after a restart continue from the stored head. Operations injected but not yet in a block are not
     * stored: they are lost when the sandbox is closed or the process dies, and must be injected again.
     *
     * @throws SandboxStoreException    the stored chain is damaged (not just a torn last record, which is
     *                                  dropped), or another sandbox has the directory open
     * @throws IllegalArgumentException {@code config} disagrees with the stored chain
     */
    public static SandboxL1 open(Path dir, Config config) throws IOException {
        Objects.requireNonNull(config, "config");
        Path headerFile = dir.resolve(ChainLog.HEADER_FILE);
        byte[] stored = ChainLog.readHeader(dir);
        Config effective;
        if (stored == null) {
            if (Files.exists(dir.resolve(ChainLog.LOG_FILE)) && Files.size(dir.resolve(ChainLog.LOG_FILE)) > 0) {
                throw new SandboxStoreException(headerFile, -1, "missing, but " + ChainLog.LOG_FILE + " holds blocks; "
                        + "without the header the chain's genesis is unknown");
            }
            effective = config;
            ChainLog.writeHeader(dir, L1Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(
                    header(config)));
        } else {
            effective = fromHeader(headerFile, stored, config);
        }
        L1Block genesis = genesis(effective);
        List<L1Block> mainChain = new ArrayList<>();
        List<L1Block> offChain = new ArrayList<>();
        mainChain.add(genesis);
        Map<Hash, L1Block> seen = new HashMap<>();
        seen.put(Hash.fromBytes(genesis.hash()), genesis);
        ChainLog log = ChainLog.open(dir, new ChainLog.Reader() {
            @Override
            public void block(L1Block b) {
                extend(b);
            }

            @Override
            public void reorg(int forkLevel, List<L1Block> blocks) {
                int headLevel = mainChain.size() - 1;
                if (forkLevel < 0 || forkLevel >= headLevel) {
                    throw new IllegalArgumentException("a reorg forking at level " + forkLevel + " while the head is at "
                            + "level " + headLevel);
                }
                while (mainChain.size() > forkLevel + 1) {
                    offChain.add(mainChain.remove(mainChain.size() - 1));
                }
                blocks.forEach(this::extend);
            }

            private void extend(L1Block b) {
                L1Block head = mainChain.get(mainChain.size() - 1);
                if (b.level() != head.level() + 1 || !Arrays.equals(b.predecessor(), head.hash())) {
                    throw new IllegalArgumentException("block " + b + " does not follow the head " + head);
                }
                if (!effective.protocol().equals(b.protocol())) {
                    throw new IllegalArgumentException("block " + b + " has protocol " + b.protocol() + ", not "
                            + effective.protocol());
                }
                byte[] hash = L1Codec.blockHash(b.level(), b.predecessor(), b.timestamp(), b.protocol(), b.operations());
                if (!Arrays.equals(hash, b.hash())) {
                    throw new IllegalArgumentException("block " + b + " does not have the hash of its content");
                }
                if (seen.putIfAbsent(Hash.fromBytes(hash), b) != null) {
                    throw new IllegalArgumentException("block " + b + " appears twice");
                }
                mainChain.add(b);
            }
        });
        try {
            Ledger ledger;
            try {
                ledger = replay(effective.constants(), mainChain, mainChain.size() - 1, true);
            } catch (IllegalStateException e) {
                throw new SandboxStoreException(log.file(), -1, e.getMessage(), e);
            }
            LOG.info("sandbox L1: reopened {} at level {} ({} blocks off the main chain)", dir,
                    mainChain.size() - 1, offChain.size());
            return new SandboxL1(effective, log, mainChain, offChain, ledger);
        } catch (IOException | RuntimeException e) {
            log.close();
            throw e;
        }
    }

    /** A manual-mode sandbox with the default constants. */
    public static SandboxL1 manual() {
        return new SandboxL1(Config.manualMode());
    }

    public Config config() {
        return config;
    }

    // ------------------------------------------------------------------ L1Source

    @Override
    public L1Block head() {
        synchronized (this) {
            return chain.get(chain.size() - 1);
        }
    }

    @Override
    public Optional<L1Block> block(int level) {
        synchronized (this) {
            return level >= 0 && level < chain.size() ? Optional.of(chain.get(level)) : Optional.empty();
        }
    }

    @Override
    public Optional<L1Block> blockByHash(byte[] hash) {
        if (hash == null || hash.length != 32) {
            return Optional.empty();
        }
        synchronized (this) {
            return Optional.ofNullable(known.get(Hash.fromBytes(hash)));
        }
    }

    @Override
    public AutoCloseable subscribe(Consumer<L1Block> onNewHead) {
        Subscription s = new Subscription(onNewHead);
        subscriptions.add(s);
        return s;
    }

    @Override
    public Optional<RollupInfo> rollup(String sr1) {
        synchronized (this) {
            return Optional.ofNullable(headLedger.rollup(sr1));
        }
    }

    @Override
    public Optional<CementedCommitment> lastCementedCommitment(String sr1) {
        synchronized (this) {
            return Optional.ofNullable(headLedger.lcc(sr1));
        }
    }

    @Override
    public List<PublishedCommitment> commitments(String sr1) {
        synchronized (this) {
            return headLedger.commitments(sr1);
        }
    }

    @Override
    public SandboxConstants constants() {
        return config.constants();
    }

    @Override
    public OperationResult inject(L1Operation op) {
        synchronized (this) {
            if (closed) {
                return OperationResult.refused("the sandbox L1 is closed");
            }
            int level = chain.size();
            Ledger next = pendingLedger != null ? pendingLedger : headLedger.copy();
            L1Operation applied;
            try {
                applied = next.apply(op, level);
            } catch (L1OperationException e) {
                return OperationResult.refused(e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("sandbox L1: operation refused by an unexpected error", e);
                return OperationResult.refused("invalid operation: " + e);
            }
            pendingLedger = next;
            pending.add(applied);
            return OperationResult.applied(level, pending.size() - 1, applied);
        }
    }

    // ------------------------------------------------------------------ sandbox

    /** The contract calls made by executed outbox messages, in execution order, as of the head. */
    public List<ContractCall> calls() {
        synchronized (this) {
            return headLedger.calls();
        }
    }

    /** The addresses of every originated rollup, as of the head. */
    public List<String> rollups() {
        synchronized (this) {
            return headLedger.rollupAddresses();
        }
    }

    /** Operations injected since the last block (in the form they will have in the next block). */
    public List<L1Operation> pendingOperations() {
        synchronized (this) {
            return List.copyOf(pending);
        }
    }

    /** Bakes the next block with the pending operations and tells the subscribers. */
    public L1Block produceBlock() {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the sandbox L1 is closed");
            }
            L1Block b = bake(head(), List.copyOf(pending));
            persist(List.of(b), () -> store.appendBlock(b));
            pending.clear();
            if (pendingLedger != null) {
                headLedger = pendingLedger;
                pendingLedger = null;
            }
            chain.add(b);
            notifySubscribers(b);
            return b;
        }
    }

    /**
     * Test-only: replaces the last {@code depth} blocks by {@code depth + 1} new ones. The operations of the
     * replaced blocks are included again, in order, in the first new block (the same level as the first
     * replaced one), so the new chain's content is that of a chain that only ever saw them there; an
     * operation that is no longer valid there (for example a cementation whose window is no longer over) is
     * left out and reported. Pending operations stay pending. Subscribers are told about the new head only.
     */
    public Reorg reorg(int depth) {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the sandbox L1 is closed");
            }
            int headLevel = chain.size() - 1;
            if (depth < 1 || depth > headLevel) {
                throw new IllegalArgumentException("reorg depth must be 1 .. " + headLevel + " (the head level), got "
                        + depth);
            }
            int fork = headLevel - depth; // last common block
            List<L1Block> removed = new ArrayList<>(chain.subList(fork + 1, chain.size()));
            Ledger ledger = replay(config.constants(), chain, fork, false);
            List<String> refused = new ArrayList<>();
            List<L1Operation> again = new ArrayList<>();
            for (L1Block b : removed) {
                for (L1Operation op : b.operations()) {
                    try {
                        again.add(ledger.apply(op, fork + 1));
                    } catch (L1OperationException e) {
                        refused.add(L1Operation.kind(op) + " of level " + b.level() + ": " + e.getMessage());
                    }
                }
            }
            List<L1Block> added = new ArrayList<>();
            L1Block last = bake(chain.get(fork), again);
            added.add(last);
            for (int i = 0; i < depth; i++) {
                last = bake(last, List.of());
                added.add(last);
            }
            persist(added, () -> store.appendReorg(fork, added));
            while (chain.size() > fork + 1) {
                chain.remove(chain.size() - 1);
            }
            chain.addAll(added);
            headLedger = ledger;
            pendingLedger = null;
            List<L1Operation> stillPending = new ArrayList<>();
            for (L1Operation op : pending) {
                Ledger next = pendingLedger != null ? pendingLedger : headLedger.copy();
                try {
                    stillPending.add(next.apply(op, chain.size()));
                    pendingLedger = next;
                } catch (L1OperationException e) {
                    refused.add("pending " + L1Operation.kind(op) + ": " + e.getMessage());
                }
            }
            pending.clear();
            pending.addAll(stillPending);
            L1Block newHead = head();
            notifySubscribers(newHead);
            LOG.info("sandbox L1: reorg of depth {} at level {}: new head {}", depth, fork + 1, newHead);
            return new Reorg(removed, added, refused);
        }
    }

    /** The directory keeping the chain, for a durable sandbox ({@link #open}). */
    public Optional<Path> directory() {
        return store == null ? Optional.empty() : Optional.of(store.file().getParent());
    }

    /** Stops the timer and the subscriptions, and closes the chain's files. Pending operations are dropped. */
    @Override
    public void close() {
        synchronized (this) {
            if (!closed && store != null) {
                store.close();
            }
            closed = true;
        }
        if (timer != null) {
            timer.shutdownNow();
        }
        for (Subscription s : subscriptions) {
            s.close();
        }
    }

    /** Stores new blocks (if durable); if that fails, forgets them and throws. */
    private void persist(List<L1Block> blocks, IoAction write) {
        if (store == null) {
            return;
        }
        try {
            write.run();
        } catch (IOException e) {
            for (L1Block b : blocks) {
                known.remove(Hash.fromBytes(b.hash()));
            }
            throw new UncheckedIOException("sandbox L1: storing " + blocks.get(blocks.size() - 1) + " in "
                    + store.file() + " failed; the chain is unchanged", e);
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static L1Block genesis(Config config) {
        byte[] salt = Blake2b.hash256(("flotilla-sandbox-chain/" + config.chainName()).getBytes(StandardCharsets.UTF_8));
        byte[] hash = L1Codec.blockHash(0, salt, config.genesisTimestamp(), config.protocol(), List.of());
        return new L1Block(0, hash, new byte[32], config.genesisTimestamp(), config.protocol(), List.of());
    }

    /**
     * The ledger after the operations of levels 1 .. {@code upTo} of {@code chain}. With {@code check}, each
     * operation must come out as the block records it (derived fields included).
     */
    private static Ledger replay(SandboxConstants constants, List<L1Block> chain, int upTo, boolean check) {
        Ledger ledger = new Ledger(constants);
        for (int l = 1; l <= upTo; l++) {
            List<L1Operation> ops = chain.get(l).operations();
            for (int i = 0; i < ops.size(); i++) {
                L1Operation applied;
                try {
                    applied = ledger.apply(ops.get(i), l);
                } catch (L1OperationException e) {
                    throw new IllegalStateException("replaying operation " + i + " (" + L1Operation.kind(ops.get(i))
                            + ") of level " + l + " failed: " + e.getMessage(), e);
                }
                if (check && !L1Codec.sameContent(applied, ops.get(i))) {
                    throw new IllegalStateException("replaying operation " + i + " (" + L1Operation.kind(ops.get(i))
                            + ") of level " + l + " gives a different result than the stored block");
                }
            }
        }
        return ledger;
    }

    private static ObjectNode header(Config c) {
        ObjectNode n = L1Json.MAPPER.createObjectNode();
        n.put("format", HEADER_FORMAT);
        n.put("chain_name", c.chainName());
        n.put("protocol", c.protocol());
        n.put("genesis_timestamp", c.genesisTimestamp());
        n.put("genesis_hash", Hex.encode(genesis(c).hash()));
        n.set("constants", L1Json.constants(c.constants()));
        return n;
    }

    private static Config fromHeader(Path file, byte[] bytes, Config given) throws SandboxStoreException {
        Config stored;
        byte[] genesisHash;
        try {
            JsonNode n = L1Json.MAPPER.readTree(bytes);
            if (n == null || !HEADER_FORMAT.equals(n.path("format").asText())) {
                throw new IllegalArgumentException("not a " + HEADER_FORMAT + " header");
            }
            SandboxConstants sc = L1Json.toConstants(n.get("constants"));
            stored = new Config(sc, given.manual(), n.get("genesis_timestamp").asLong(), n.get("protocol").asText(),
                    n.get("chain_name").asText());
            genesisHash = Hex.decode(n.get("genesis_hash").asText());
        } catch (IOException | RuntimeException e) {
            throw new SandboxStoreException(file, -1, "unreadable header: " + e.getMessage(), e);
        }
        if (!Arrays.equals(genesisHash, genesis(stored).hash())) {
            throw new SandboxStoreException(file, -1, "the genesis hash does not match the header's content");
        }
        List<String> diff = new ArrayList<>();
        SandboxConstants s = stored.constants();
        SandboxConstants g = given.constants();
        if (s.commitmentPeriod() != g.commitmentPeriod()) {
            diff.add("commitment period " + s.commitmentPeriod() + " (asked for " + g.commitmentPeriod() + ")");
        }
        if (s.challengeWindow() != g.challengeWindow()) {
            diff.add("challenge window " + s.challengeWindow() + " (asked for " + g.challengeWindow() + ")");
        }
        if (!stored.protocol().equals(given.protocol())) {
            diff.add("protocol " + stored.protocol() + " (asked for " + given.protocol() + ")");
        }
        if (!stored.chainName().equals(given.chainName())) {
            diff.add("chain name '" + stored.chainName() + "' (asked for '" + given.chainName() + "')");
        }
        if (!diff.isEmpty()) {
            throw new IllegalArgumentException(file + ": the stored sandbox chain has " + String.join(", ", diff)
                    + "; use the same settings, or another directory for a new chain");
        }
        if (stored.genesisTimestamp() != given.genesisTimestamp()) {
            LOG.debug("sandbox L1: keeping the stored genesis time {} of {}", stored.genesisTimestamp(), file);
        }
        return stored.withBlockTime(g.blockTime());
    }

    private L1Block bake(L1Block pred, List<L1Operation> ops) {
        for (int round = 0; ; round++) {
            long ts = pred.timestamp() + blockSeconds * (1 + round);
            int level = pred.level() + 1;
            byte[] hash = L1Codec.blockHash(level, pred.hash(), ts, config.protocol(), ops);
            Hash h = Hash.fromBytes(hash);
            if (!known.containsKey(h)) {
                L1Block b = new L1Block(level, hash, pred.hash(), ts, config.protocol(), ops);
                known.put(h, b);
                return b;
            }
        }
    }

    private void notifySubscribers(L1Block b) {
        for (Subscription s : subscriptions) {
            s.deliver(b);
        }
    }

    private final class Subscription implements AutoCloseable {
        private final Consumer<L1Block> consumer;
        private final ExecutorService exec = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sandbox-l1-subscriber");
            t.setDaemon(true);
            return t;
        });
        private volatile boolean done;

        Subscription(Consumer<L1Block> consumer) {
            this.consumer = consumer;
        }

        void deliver(L1Block b) {
            if (done) {
                return;
            }
            try {
                exec.execute(() -> {
                    if (!done) {
                        try {
                            consumer.accept(b);
                        } catch (RuntimeException e) {
                            LOG.warn("sandbox L1: a head subscriber failed on {}", b, e);
                        }
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closed meanwhile
            }
        }

        @Override
        public void close() {
            done = true;
            subscriptions.remove(this);
            exec.shutdown();
        }
    }
}
