package io.flotilla.actors.l1;

import io.flotilla.pvm.crypto.Blake2b;
import io.flotilla.pvm.tree.Hash;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 */
public final class SandboxL1 implements L1Source {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxL1.class);

    /** The protocol every sandbox block runs (the hash of Tezos' development protocol, alpha). */
    public static final String DEFAULT_PROTOCOL = "ProtoALphaALphaALphaALphaALphaALphaALphaALphaDdp3zK";

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

    public SandboxL1(Config config) {
        this.config = config;
        this.blockSeconds = Math.max(1, (config.constants().blockTime().toMillis() + 999) / 1000);
        this.headLedger = new Ledger(config.constants());
        byte[] salt = Blake2b.hash256(("flotilla-sandbox-chain/" + config.chainName()).getBytes(StandardCharsets.UTF_8));
        byte[] hash = L1Codec.blockHash(0, salt, config.genesisTimestamp(), config.protocol(), List.of());
        L1Block genesis = new L1Block(0, hash, new byte[32], config.genesisTimestamp(), config.protocol(), List.of());
        chain.add(genesis);
        known.put(Hash.fromBytes(hash), genesis);
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
                    produceBlock();
                } catch (RuntimeException e) {
                    LOG.error("sandbox L1: producing a block failed", e);
                }
            }, ms, ms, TimeUnit.MILLISECONDS);
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
            int headLevel = chain.size() - 1;
            if (depth < 1 || depth > headLevel) {
                throw new IllegalArgumentException("reorg depth must be 1 .. " + headLevel + " (the head level), got "
                        + depth);
            }
            int fork = headLevel - depth; // last common block
            List<L1Block> removed = new ArrayList<>(chain.subList(fork + 1, chain.size()));
            Ledger ledger = new Ledger(config.constants());
            for (int l = 1; l <= fork; l++) {
                for (L1Operation op : chain.get(l).operations()) {
                    try {
                        ledger.apply(op, l);
                    } catch (L1OperationException e) {
                        throw new IllegalStateException("replaying level " + l + " failed: " + e.getMessage(), e);
                    }
                }
            }
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
            while (chain.size() > fork + 1) {
                chain.remove(chain.size() - 1);
            }
            List<L1Block> added = new ArrayList<>();
            L1Block first = bake(chain.get(fork), again);
            chain.add(first);
            added.add(first);
            for (int i = 0; i < depth; i++) {
                L1Block b = bake(head(), List.of());
                chain.add(b);
                added.add(b);
            }
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

    /** Stops the timer and the subscriptions. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        if (timer != null) {
            timer.shutdownNow();
        }
        for (Subscription s : subscriptions) {
            s.close();
        }
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
