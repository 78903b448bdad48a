package io.flotilla.node;

import io.flotilla.actors.l1.L1Block;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.L1Source;
import io.flotilla.actors.node.FleetNode;
import io.flotilla.actors.node.RollupRegistry;
import io.flotilla.actors.rollup.RollupEntity;
import io.flotilla.http.BlockEvent;
import io.flotilla.http.ChainHead;
import io.flotilla.http.CommitmentRef;
import io.flotilla.http.CommitmentView;
import io.flotilla.http.DurableView;
import io.flotilla.http.GcInfo;
import io.flotilla.http.L2BlockView;
import io.flotilla.http.OutboxPending;
import io.flotilla.http.RollupQueries;
import io.flotilla.http.RollupSummary;
import io.flotilla.http.StateView;
import io.flotilla.persistence.chain.L2Block;
import io.flotilla.pvm.Commitment;
import io.flotilla.pvm.LevelInput;
import io.flotilla.pvm.PvmState;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.durable.Durable;
import io.flotilla.pvm.durable.DurableKey;
import io.flotilla.pvm.tree.Hash;
import io.flotilla.pvm.tree.Tree;
import io.flotilla.pvm.util.Hex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API's view of a {@link FleetNode}: summaries from the rollup entities' status and the L1
 * head; heads, blocks, durable storage, outboxes and proofs straight from the stores (the L2 chain store,
 * the PVM states in the context store), without asking the entities, which may be busy running levels;
 * commitments from L1 and the chain store, the batcher, and block streams fed by polling the chain store
 * on a short period. Decoded states and L1 inbox framing are cached by hash (immutable content).
 */
public final class NodeQueries implements RollupQueries, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeQueries.class);

    private final FleetNode fleet;
    private final RollupRegistry registry;
    private final L1Source l1;
    private final Batcher batcher;
    private final Executor blocking;
    private final Map<String, L1Source.RollupInfo> infos = new ConcurrentHashMap<>();
    private final Map<String, Hash> genesisStates = new ConcurrentHashMap<>();
    private final BlockFeeds feeds;
    private final AutoCloseable headListener;
    private final Object scanLock = new Object();
    private final Map<String, Set<Long>> executed = new ConcurrentHashMap<>();
    private int scannedLevel = -1;
    /** Recent PVM states by state hash: a cached tree keeps the nodes reads decoded (states are immutable). */
    private final ReadCache<Hash, PvmState> states = new ReadCache<>(STATE_CACHE);
    /** What frames an L2 block's inbox, by L1 block hash (an L1 block never changes under its hash). */
    private final ReadCache<String, Framing> framings = new ReadCache<>(FRAMING_CACHE);

    /** States kept decoded: the heads of a couple of hundred rollups (only the nodes reads visited are held). */
    static final int STATE_CACHE = 256;
    static final int FRAMING_CACHE = 1024;

    /** The L1 facts around a level's messages: the predecessor's timestamp and hash, a protocol migration. */
    private record Framing(long predecessorTimestamp, byte[] predecessorHash, Optional<String> migration) {}

    public NodeQueries(FleetNode fleet, RollupRegistry registry, long monitorPollMillis) {
        this.fleet = fleet;
        this.registry = registry;
        this.l1 = fleet.services().l1();
        this.batcher = new Batcher(l1, registry);
        this.blocking = fleet.system().dispatchers().lookup(DispatcherSelector.blocking());
        this.feeds = new BlockFeeds(monitorPollMillis);
        this.headListener = fleet.onNewHead(h -> batcher.flush());
    }

    @Override
    public void close() {
        try {
            headListener.close();
        } catch (Exception e) {
            // nothing to release
        }
        feeds.close();
    }

    // ---------------------------------------------------------------- helpers

    private Optional<L1Source.RollupInfo> info(String rollup) {
        L1Source.RollupInfo i = infos.get(rollup);
        if (i != null) {
            return Optional.of(i);
        }
        Optional<L1Source.RollupInfo> found = l1.rollup(rollup);
        found.ifPresent(f -> infos.put(rollup, f));
        return found;
    }

    private Hash genesisState(L1Source.RollupInfo info) {
        return genesisStates.computeIfAbsent(info.address(),
                a -> PvmState.originate(info.kernel(), PvmVersion.parse(info.pvmVersion())).hash());
    }

    private RollupEntity.Status statusNow(String rollup) {
        try {
            return fleet.status(rollup).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("rollup " + rollup + " did not answer: " + e, e);
        }
    }

    private Optional<PvmState> state(String rollup, int level) {
        return fleet.services().chain().get(rollup, level).flatMap(b -> loadState(b.stateHash()));
    }

    private Optional<PvmState> loadState(Hash hash) {
        return states.get(hash, h -> fleet.services().contextStore().contains(h)
                ? Optional.of(new PvmState(Tree.load(h, fleet.services().contextStore())))
                : Optional.empty());
    }

    private static String hex(byte[] b) {
        return b == null ? null : Hex.encode(b);
    }

    // ---------------------------------------------------------------- RollupQueries

    @Override
    public List<String> rollups() {
        return fleet.rollups();
    }

    @Override
    public boolean serves(String rollup) {
        return fleet.serves(rollup);
    }

    @Override
    public Optional<ChainHead> chainHead(String rollup) {
        if (!fleet.serves(rollup)) {
            return Optional.empty();
        }
        // the L2 block is stored before the event that commits it, and a revert truncates the store before its
        // event: the store's last level is the entity's head, or the level it is committing right now
        Optional<Integer> last = fleet.services().chain().lastLevel(rollup);
        Optional<L1Source.RollupInfo> info = info(rollup);
        if (last.isEmpty() || info.isEmpty() || last.get() <= info.get().originationLevel()) {
            return Optional.empty();
        }
        return Optional.of(new ChainHead(last.get(), info.get().originationLevel()));
    }

    @Override
    public CompletionStage<Optional<RollupSummary>> summary(String rollup) {
        if (!fleet.serves(rollup)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return fleet.status(rollup).thenApplyAsync(st -> Optional.of(summaryOf(rollup, st)), blocking);
    }

    private RollupSummary summaryOf(String rollup, RollupEntity.Status st) {
        Optional<L1Source.RollupInfo> info = info(rollup);
        boolean hasBlock = st.originated() && st.headLevel() > st.originationLevel();
        Optional<CommitmentRef> stored = st.lastCommitment() == null ? Optional.empty()
                : Optional.of(new CommitmentRef(st.lastCommitment(), st.lastCommitmentLevel()));
        Optional<CommitmentRef> published = Optional.empty();
        Optional<CommitmentRef> lcc = Optional.empty();
        if (info.isPresent()) {
            String operator = registry.operator(rollup);
            if (operator != null) {
                for (L1Source.PublishedCommitment c : l1.commitments(rollup)) {
                    if (c.stakers().contains(operator)
                            && (published.isEmpty() || c.inboxLevel() >= published.get().level())) {
                        published = Optional.of(new CommitmentRef(Hex.encode(c.hash()), c.inboxLevel()));
                    }
                }
            }
            lcc = l1.lastCementedCommitment(rollup).map(c -> new CommitmentRef(Hex.encode(c.hash()), c.inboxLevel()));
        }
        if (lcc.isEmpty() && st.lcc() != null) {
            lcc = Optional.of(new CommitmentRef(st.lcc(), st.lccLevel()));
        }
        String status = !st.originated() ? "not originated" : st.stuck() != null ? "stuck: " + st.stuck() : "running";
        L1Block head = fleet.l1Head();
        return new RollupSummary(rollup,
                hasBlock ? Optional.of(st.headLevel()) : Optional.empty(),
                hasBlock ? Optional.ofNullable(st.headStateHash()) : Optional.empty(),
                st.totalTicks(), stored, published, lcc, status, st.mode(),
                st.originated() ? st.originationLevel() : info.map(L1Source.RollupInfo::originationLevel).orElse(0),
                info.map(L1Source.RollupInfo::pvmVersion).orElse(PvmVersion.DEFAULT.label()),
                head == null ? Optional.empty() : Optional.of(head.level()),
                head == null ? Optional.empty() : Optional.of(head.hashHex()));
    }

    @Override
    public Optional<L2BlockView> block(String rollup, int level) {
        return fleet.services().chain().get(rollup, level).map(b -> view(rollup, b));
    }

    private L2BlockView view(String rollup, L2Block b) {
        return new L2BlockView(b.level(), Hex.encode(b.l1Hash()), b.inboxHash().hex(), framedInbox(b),
                b.stateHash().hex(), b.ticks(), b.totalTicks(), b.outboxCount(), b.kernelRuns(),
                b.commitment().map(Hash::hex));
    }

    /** The level's whole inbox as the kernel read it (framing rebuilt from L1), else the bare messages. */
    private List<String> framedInbox(L2Block b) {
        List<byte[]> msgs = b.messages();
        try {
            Optional<Framing> f = framings.get(Hex.encode(b.l1Hash()), h -> {
                Optional<L1Block> l1b = l1.blockByHash(b.l1Hash());
                return l1b.flatMap(x -> l1.blockByHash(x.predecessor())).map(pred -> new Framing(pred.timestamp(),
                        pred.hash(), pred.protocol().equals(l1b.get().protocol())
                                ? Optional.empty() : Optional.of(l1b.get().protocol())));
            });
            if (f.isPresent()) {
                msgs = new LevelInput(b.level(), f.get().predecessorTimestamp(), f.get().predecessorHash(),
                        f.get().migration(), b.messages()).inbox();
            }
        } catch (RuntimeException e) {
            LOG.debug("L1 block of level {} unavailable, inbox without framing: {}", b.level(), e.toString());
        }
        return msgs.stream().map(Hex::encode).toList();
    }

    @Override
    public Optional<Integer> levelOfL1Hash(String rollup, String l1HashHex) {
        byte[] h;
        try {
            h = Hex.decode(l1HashHex);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return l1.blockByHash(h).map(L1Block::level)
                .filter(level -> fleet.services().chain().get(rollup, level)
                        .map(b -> Arrays.equals(b.l1Hash(), h)).orElse(false));
    }

    @Override
    public Optional<DurableView> durable(String rollup, int level) {
        return state(rollup, level).map(s -> new StateDurableView(s.durable()));
    }

    private record StateDurableView(Durable d) implements DurableView {
        @Override
        public Optional<byte[]> value(DurableKey key) {
            return d.bytes(key);
        }

        @Override
        public Optional<Long> length(DurableKey key) {
            return d.value(key).map(v -> v.size());
        }

        @Override
        public List<String> subkeys(DurableKey key) {
            return d.children(key).stream().filter(s -> !s.equals(Durable.VALUE_STEP)).sorted().toList();
        }

        @Override
        public Map<String, byte[]> values(DurableKey key) {
            Map<String, byte[]> out = new TreeMap<>();
            for (String step : subkeys(key)) {
                d.bytes(key.child(step)).ifPresent(v -> out.put(step, v));
            }
            return out;
        }
    }

    @Override
    public Optional<String> stateHashAt(String rollup, int level) {
        // the block's state hash without the rest of its view (inbox framing, hex of its messages)
        return fleet.services().chain().get(rollup, level).map(b -> b.stateHash().hex());
    }

    @Override
    public Optional<StateView> stateByHash(String rollup, String stateHashHex) {
        return loadState(Hash.fromHex(stateHashHex)).map(PvmStateView::new);
    }

    /** One PVM state read by hash: the HTTP layer keeps these reads' answers by state hash. */
    private record PvmStateView(PvmState s) implements StateView {
        @Override
        public DurableView durable() {
            return new StateDurableView(s.durable());
        }

        @Override
        public List<byte[]> outbox(int outboxLevel) {
            return s.outbox(outboxLevel);
        }

        @Override
        public Optional<byte[]> outboxProof(int outboxLevel, int index) {
            return index >= 0 && index < s.outbox(outboxLevel).size()
                    ? Optional.of(s.proveOutboxMessage(outboxLevel, index).toBytes()) : Optional.empty();
        }
    }

    @Override
    public List<byte[]> outbox(String rollup, int level, int outboxLevel) {
        return state(rollup, level).map(s -> s.outbox(outboxLevel)).orElse(List.of());
    }

    @Override
    public Optional<byte[]> outboxProof(String rollup, int level, int outboxLevel, int index) {
        if (index < 0) {
            throw new IllegalArgumentException("negative message index " + index);
        }
        return state(rollup, level)
                .filter(s -> index < s.outbox(outboxLevel).size())
                .map(s -> s.proveOutboxMessage(outboxLevel, index).toBytes());
    }

    @Override
    public Optional<CommitmentView> commitment(String rollup, String hashHex) {
        Optional<L1Source.RollupInfo> info = info(rollup);
        if (info.isEmpty()) {
            return Optional.empty();
        }
        for (L1Source.PublishedCommitment c : l1.commitments(rollup)) {
            if (Hex.encode(c.hash()).equals(hashHex)) {
                return Optional.of(new CommitmentView(hashHex, Hex.encode(c.stateHash()), c.inboxLevel(),
                        Hex.encode(c.predecessor()), c.ticks(), Optional.of(c.publishedLevel())));
            }
        }
        int origination = info.get().originationLevel();
        if (Hex.encode(info.get().genesisCommitment()).equals(hashHex)) {
            return Optional.of(new CommitmentView(hashHex, genesisState(info.get()).hex(), origination,
                    Hex.encode(new byte[32]), 0, Optional.of(origination)));
        }
        // commitments this node made: every commitment period from the origination
        int period = l1.constants().commitmentPeriod();
        byte[] predecessor = info.get().genesisCommitment();
        long predecessorTicks = 0;
        for (int level = origination + period; ; level += period) {
            Optional<L2Block> b = fleet.services().chain().get(rollup, level);
            if (b.isEmpty() || b.get().commitment().isEmpty()) {
                return Optional.empty();
            }
            Hash h = b.get().commitment().get();
            if (h.hex().equals(hashHex)) {
                long ticks = b.get().totalTicks() - predecessorTicks;
                Commitment c = new Commitment(b.get().stateHash(), level, Hash.fromBytes(predecessor), ticks);
                if (!c.hash().equals(h)) {
                    LOG.warn("rollup {}: the commitment of level {} does not match its block", rollup, level);
                }
                return Optional.of(new CommitmentView(hashHex, b.get().stateHash().hex(), level,
                        Hex.encode(predecessor), ticks, Optional.empty()));
            }
            predecessor = h.bytes();
            predecessorTicks = b.get().totalTicks();
        }
    }

    @Override
    public List<OutboxPending> pendingOutbox(String rollup) {
        RollupEntity.Status st = statusNow(rollup);
        if (!st.originated() || st.headLevel() <= st.originationLevel()) {
            return List.of();
        }
        Optional<PvmState> head = state(rollup, st.headLevel());
        if (head.isEmpty()) {
            return List.of();
        }
        Set<Long> done = executedOutbox(rollup);
        int lccLevel = l1.lastCementedCommitment(rollup).map(L1Source.CementedCommitment::inboxLevel)
                .orElse(st.lccLevel());
        List<OutboxPending> out = new ArrayList<>();
        for (int level : head.get().outboxLevels()) {
            List<byte[]> msgs = head.get().outbox(level);
            for (int i = 0; i < msgs.size(); i++) {
                if (!done.contains(key(level, i))) {
                    out.add(new OutboxPending(level, i, msgs.get(i), level <= lccLevel));
                }
            }
        }
        return out;
    }

    private static long key(int level, int index) {
        return ((long) level << 32) | (index & 0xffffffffL);
    }

    /** The outbox messages of the rollup executed on L1, from the execute_outbox operations of L1 blocks. */
    private Set<Long> executedOutbox(String rollup) {
        synchronized (scanLock) {
            int from = scannedLevel + 1;
            if (scannedLevel < 0) {
                from = fleet.rollups().stream().map(this::info).flatMap(Optional::stream)
                        .mapToInt(L1Source.RollupInfo::originationLevel).min().orElse(0);
            }
            L1Block head = fleet.l1Head() != null ? fleet.l1Head() : l1.head();
            for (int level = from; level <= head.level(); level++) {
                Optional<L1Block> b = l1.block(level);
                if (b.isEmpty()) {
                    break;
                }
                for (L1Operation op : b.get().operations()) {
                    if (op instanceof L1Operation.ExecuteOutbox e) {
                        executed.computeIfAbsent(e.rollup(), r -> ConcurrentHashMap.newKeySet())
                                .add(key(e.outboxLevel(), e.index()));
                    }
                }
                scannedLevel = level;
            }
            return new HashSet<>(executed.getOrDefault(rollup, Set.of()));
        }
    }

    @Override
    public CompletionStage<List<String>> inject(String rollup, List<byte[]> messages) {
        try {
            return CompletableFuture.completedFuture(batcher.enqueue(rollup, messages));
        } catch (IllegalStateException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public List<String> batcherQueue(String rollup) {
        return batcher.queue(rollup);
    }

    @Override
    public GcInfo gcInfo(String rollup) {
        int first = fleet.services().chain().firstLevel(rollup)
                .orElse(info(rollup).map(i -> i.originationLevel() + 1).orElse(0));
        var gc = fleet.services().gc();
        if (gc == null) {
            return new GcInfo(first, Optional.empty(), Optional.empty(), Optional.empty());
        }
        var i = gc.info(rollup);
        return new GcInfo(first, boxed(i.lastGcStartedAt()), boxed(i.lastContextSplitLevel()),
                boxed(i.lastSuccessfulGcTarget()));
    }

    private static Optional<Integer> boxed(java.util.OptionalInt v) {
        return v.isPresent() ? Optional.of(v.getAsInt()) : Optional.empty();
    }

    @Override
    public boolean cancelGc(String rollup) {
        var gc = fleet.services().gc();
        return gc != null && gc.cancel(rollup); // true when a collection of this rollup was running
    }

    @Override
    public Source<BlockEvent, ?> monitorBlocks(String rollup) {
        return feeds.subscribe(rollup, false);
    }

    @Override
    public Source<BlockEvent, ?> monitorFinalizedBlocks(String rollup) {
        return feeds.subscribe(rollup, true);
    }

    @Override
    public String metricsText() {
        List<String> rs = fleet.rollups();
        Map<String, CompletableFuture<RollupEntity.Status>> asks = new TreeMap<>();
        for (String r : rs) {
            asks.put(r, fleet.status(r).toCompletableFuture());
        }
        StringBuilder sb = new StringBuilder();
        gauge(sb, "flotilla_rollups_served", "Rollups served by this node.");
        sb.append("flotilla_rollups_served ").append(rs.size()).append('\n');
        // where Cluster Sharding runs the entities now: they move when a node dies and come back on rebalance
        try {
            int hosted = fleet.hostedRollups().toCompletableFuture().get(10, TimeUnit.SECONDS).size();
            gauge(sb, "flotilla_rollups_hosted", "Rollup entities running on this node of the cluster.");
            sb.append("flotilla_rollups_hosted ").append(hosted).append('\n');
        } catch (Exception e) {
            // sharding busy (a node joining or leaving): left out of this scrape
        }
        int up = 0;
        for (var m : org.apache.pekko.cluster.typed.Cluster.get(fleet.system()).state().getMembers()) {
            if (m.status() == org.apache.pekko.cluster.MemberStatus.up()) {
                up++;
            }
        }
        gauge(sb, "flotilla_cluster_members_up", "Members of the Pekko cluster this node sees up.");
        sb.append("flotilla_cluster_members_up ").append(up).append('\n');
        L1Block head = fleet.l1Head();
        gauge(sb, "flotilla_l1_head_level", "Level of the L1 head the node follows.");
        sb.append("flotilla_l1_head_level ").append(head == null ? -1 : head.level()).append('\n');
        StringBuilder heads = new StringBuilder();
        StringBuilder ticks = new StringBuilder();
        StringBuilder stuck = new StringBuilder();
        StringBuilder queues = new StringBuilder();
        asks.forEach((r, f) -> {
            String label = "{rollup=\"" + r + "\"}";
            try {
                RollupEntity.Status st = f.get(2, TimeUnit.SECONDS);
                heads.append("flotilla_rollup_head_level").append(label).append(' ').append(st.headLevel()).append('\n');
                ticks.append("flotilla_rollup_total_ticks").append(label).append(' ').append(st.totalTicks()).append('\n');
                stuck.append("flotilla_rollup_stuck").append(label).append(' ').append(st.stuck() == null ? 0 : 1)
                        .append('\n');
            } catch (Exception e) {
                // an entity that does not answer is left out of this scrape
            }
            queues.append("flotilla_batcher_queue_length").append(label).append(' ').append(batcher.size(r)).append('\n');
        });
        gauge(sb, "flotilla_rollup_head_level", "Level of the rollup's last L2 block.");
        sb.append(heads);
        gauge(sb, "flotilla_rollup_total_ticks", "Ticks executed since origination, at the head.");
        sb.append(ticks);
        gauge(sb, "flotilla_rollup_stuck", "1 when the rollup's PVM is stuck for good.");
        sb.append(stuck);
        gauge(sb, "flotilla_batcher_queue_length", "Messages waiting in the batcher.");
        sb.append(queues);
        return sb.toString();
    }

    private static void gauge(StringBuilder sb, String name, String help) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" gauge\n");
    }

    // ---------------------------------------------------------------- block streams

    /**
     * Live block streams: every subscriber gets a bounded queue; a poller reads the chain head of the
     * rollups that have subscribers from the chain store and pushes the blocks produced since the last poll
     * (finalized: the head minus two). Nothing is replayed to a new subscriber.
     */
    private final class BlockFeeds implements AutoCloseable {
        private final class Feed {
            final List<org.apache.pekko.stream.BoundedSourceQueue<BlockEvent>> heads =
                    new java.util.concurrent.CopyOnWriteArrayList<>();
            final List<org.apache.pekko.stream.BoundedSourceQueue<BlockEvent>> finals =
                    new java.util.concurrent.CopyOnWriteArrayList<>();
            int lastHead = -1;
            int lastFinal = -1;
        }

        private final Map<String, Feed> feeds = new ConcurrentHashMap<>();
        private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "flotilla-block-feeds");
            t.setDaemon(true);
            return t;
        });

        BlockFeeds(long periodMillis) {
            poller.scheduleWithFixedDelay(this::pollSafely, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        }

        Source<BlockEvent, ?> subscribe(String rollup, boolean finalized) {
            Feed f = feeds.computeIfAbsent(rollup, r -> new Feed());
            var subs = finalized ? f.finals : f.heads;
            return Source.<BlockEvent>queue(256).watchTermination((q, done) -> {
                subs.add(q);
                done.whenComplete((d, err) -> subs.remove(q)); // the client went away
                return q;
            });
        }

        private void pollSafely() {
            try {
                poll();
            } catch (RuntimeException e) {
                LOG.warn("block feeds: polling failed", e);
            }
        }

        private void poll() {
            feeds.forEach((rollup, f) -> {
                if (f.heads.isEmpty() && f.finals.isEmpty()) {
                    f.lastHead = -1;
                    f.lastFinal = -1;
                    return;
                }
                // the head as the stores have it: the entity, busy running levels, is not asked
                Optional<ChainHead> h = chainHead(rollup);
                if (h.isEmpty()) {
                    return;
                }
                int head = h.get().level();
                int fin = Math.max(h.get().originationLevel() + 1, head - 2);
                f.lastHead = push(rollup, f.heads, f.lastHead, head);
                f.lastFinal = fin <= head - 2 ? push(rollup, f.finals, f.lastFinal, fin) : f.lastFinal;
            });
        }

        /** Pushes the blocks after {@code last} up to {@code to}; the first poll only records where it is. */
        private int push(String rollup, List<org.apache.pekko.stream.BoundedSourceQueue<BlockEvent>> subs, int last,
                         int to) {
            if (subs.isEmpty()) {
                return -1;
            }
            if (last < 0) {
                return to;
            }
            int from = to < last ? to : last + 1; // a reorg went back: announce the new head
            for (int level = from; level <= to; level++) {
                Optional<L2Block> b = fleet.services().chain().get(rollup, level);
                if (b.isEmpty()) {
                    return level - 1;
                }
                BlockEvent e = BlockEvent.of(rollup, view(rollup, b.get()));
                for (var q : subs) {
                    var r = q.offer(e);
                    if (r instanceof org.apache.pekko.stream.QueueOfferResult.QueueClosed$
                            || r instanceof org.apache.pekko.stream.QueueOfferResult.Failure) {
                        subs.remove(q);
                    }
                }
            }
            return to;
        }

        @Override
        public void close() {
            poller.shutdownNow();
            feeds.values().forEach(f -> Stream.concat(f.heads.stream(), f.finals.stream()).forEach(q -> {
                try {
                    q.complete();
                } catch (IllegalStateException e) {
                    // already completed or cancelled
                }
            }));
        }
    }
}
