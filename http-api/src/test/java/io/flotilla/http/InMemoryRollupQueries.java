package io.flotilla.http;

import io.flotilla.pvm.crypto.Blake2b;
import io.flotilla.pvm.durable.DurableKey;
import io.flotilla.pvm.encoding.Base58Check;
import io.flotilla.pvm.encoding.Base58Check.Prefix;
import io.flotilla.pvm.util.Hex;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.javadsl.Source;

/** A RollupQueries over maps, with a few ready-made rollups for the HTTP tests. */
class InMemoryRollupQueries implements RollupQueries {

    /** Everything the node knows about one rollup. */
    static final class Rollup {
        final String address;
        volatile RollupSummary summary;
        final Map<Integer, L2BlockView> blocks = new ConcurrentHashMap<>();
        final Map<String, Integer> levelByL1Hash = new ConcurrentHashMap<>();
        /** level -> (key text -> value) */
        final Map<Integer, TreeMap<String, byte[]>> durable = new ConcurrentHashMap<>();
        /** "level/outboxLevel" -> messages */
        final Map<String, List<byte[]>> outbox = new ConcurrentHashMap<>();
        final Map<String, CommitmentView> commitments = new ConcurrentHashMap<>();
        final List<OutboxPending> pending = new CopyOnWriteArrayList<>();
        final List<String> queue = new CopyOnWriteArrayList<>();
        volatile boolean batches = true;
        volatile boolean gcRunning = true;
        volatile GcInfo gc = new GcInfo(5, Optional.of(30), Optional.of(30), Optional.of(25));
        final List<BoundedSourceQueue<BlockEvent>> heads = new CopyOnWriteArrayList<>();
        final List<BoundedSourceQueue<BlockEvent>> finalized = new CopyOnWriteArrayList<>();

        Rollup(String address) {
            this.address = address;
        }
    }

    final Map<String, Rollup> rollups = new LinkedHashMap<>();

    static String address(int seed) {
        byte[] b = new byte[20];
        for (int i = 0; i < 20; i++) {
            b[i] = (byte) (seed * 31 + i);
        }
        return Base58Check.encode(Prefix.SMART_ROLLUP_ADDRESS, b);
    }

    /** 32 bytes of hex derived from a label. */
    static String h(String label) {
        return Hex.encode(Blake2b.hash256(label.getBytes(StandardCharsets.UTF_8)));
    }

    /** Origination at 5, blocks 5..head, a commitment every 10 levels, LCC at 15, L1 head at head. */
    Rollup addRollup(String address, int head, String mode) {
        Rollup r = new Rollup(address);
        int origination = 5;
        long total = 0;
        String prevCommitment = "00".repeat(32);
        for (int level = origination; level <= head; level++) {
            long ticks = 1_000_000_000_000L + level;
            total += ticks;
            Optional<String> commitment = Optional.empty();
            if ((level - origination) % 10 == 0) {
                String c = h(address + "commitment" + level);
                r.commitments.put(c, new CommitmentView(c, h(address + "state" + level), level, prevCommitment,
                        ticks, level <= 15 ? Optional.of(level + 1) : Optional.empty()));
                prevCommitment = c;
                commitment = Optional.of(c);
            }
            List<String> messages = List.of("0001", "01" + Hex.encode(("level " + level).getBytes(StandardCharsets.UTF_8)),
                    "0002");
            r.blocks.put(level, new L2BlockView(level, h(address + "l1" + level), h(address + "inbox" + level), messages,
                    h(address + "state" + level), ticks, total, level % 3, 1, commitment));
            r.levelByL1Hash.put(h(address + "l1" + level), level);
            TreeMap<String, byte[]> d = new TreeMap<>();
            d.put("/kernel/boot.wasm", new byte[] {0, 0x61, 0x73, 0x6d});
            d.put("/counter", new byte[] {(byte) level});
            d.put("/accounts/alice", "100".getBytes(StandardCharsets.UTF_8));
            d.put("/accounts/bob", "7".getBytes(StandardCharsets.UTF_8));
            d.put("/accounts/carol/nonce", new byte[] {1});
            r.durable.put(level, d);
            r.outbox.put(level + "/" + level, List.of(new byte[] {0, 1, (byte) level}, new byte[] {0, 2, (byte) level}));
        }
        r.outbox.put(head + "/" + (head - 1), List.of(new byte[] {9, 9}));
        r.pending.add(new OutboxPending(10, 0, new byte[] {0, 1, 10}, true));
        r.pending.add(new OutboxPending(10, 1, new byte[] {0, 2, 10}, true));
        r.pending.add(new OutboxPending(22, 0, new byte[] {0, 1, 22}, false));
        String lcc = h(address + "commitment15");
        String stored = h(address + "commitment" + (origination + ((head - origination) / 10) * 10));
        r.summary = new RollupSummary(address, Optional.of(head), Optional.of(h(address + "state" + head)), total,
                Optional.of(new CommitmentRef(stored, origination + ((head - origination) / 10) * 10)),
                Optional.of(new CommitmentRef(lcc, 15)), Optional.of(new CommitmentRef(lcc, 15)), "running", mode,
                origination, "2.0.0-r5", Optional.of(head), Optional.of(h(address + "l1" + head)));
        r.batches = mode.equals("batcher") || mode.equals("operator");
        rollups.put(address, r);
        return r;
    }

    Rollup get(String address) {
        return rollups.get(address);
    }

    /** Pushes a head event to every subscriber of monitor_blocks. */
    int pushHead(String address, BlockEvent e) {
        int n = 0;
        for (BoundedSourceQueue<BlockEvent> q : get(address).heads) {
            q.offer(e);
            n++;
        }
        return n;
    }

    int pushFinalized(String address, BlockEvent e) {
        int n = 0;
        for (BoundedSourceQueue<BlockEvent> q : get(address).finalized) {
            q.offer(e);
            n++;
        }
        return n;
    }

    @Override
    public List<String> rollups() {
        return List.copyOf(rollups.keySet());
    }

    @Override
    public Optional<ChainHead> chainHead(String rollup) {
        Rollup r = rollups.get(rollup);
        if (r == null || r.summary.headLevel().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ChainHead(r.summary.headLevel().get(), r.summary.originationLevel()));
    }

    @Override
    public CompletionStage<Optional<RollupSummary>> summary(String rollup) {
        Rollup r = rollups.get(rollup);
        return CompletableFuture.completedFuture(r == null ? Optional.empty() : Optional.of(r.summary));
    }

    @Override
    public Optional<L2BlockView> block(String rollup, int level) {
        return Optional.ofNullable(get(rollup).blocks.get(level));
    }

    @Override
    public Optional<Integer> levelOfL1Hash(String rollup, String l1HashHex) {
        return Optional.ofNullable(get(rollup).levelByL1Hash.get(l1HashHex));
    }

    @Override
    public Optional<DurableView> durable(String rollup, int level) {
        TreeMap<String, byte[]> d = get(rollup).durable.get(level);
        if (d == null) {
            return Optional.empty();
        }
        return Optional.of(durableView(d));
    }

    /** Reads of one durable storage given as key text -> value. */
    static DurableView durableView(TreeMap<String, byte[]> d) {
        return new DurableView() {
            @Override
            public Optional<byte[]> value(DurableKey key) {
                return Optional.ofNullable(d.get(key.toString()));
            }

            @Override
            public Optional<Long> length(DurableKey key) {
                return value(key).map(v -> (long) v.length);
            }

            private String prefix(DurableKey key) {
                return key.isRoot() ? "/" : key + "/";
            }

            @Override
            public List<String> subkeys(DurableKey key) {
                String p = prefix(key);
                TreeSet<String> out = new TreeSet<>();
                for (String k : d.keySet()) {
                    if (k.startsWith(p)) {
                        String rest = k.substring(p.length());
                        int slash = rest.indexOf('/');
                        out.add(slash < 0 ? rest : rest.substring(0, slash));
                    }
                }
                return new ArrayList<>(out);
            }

            @Override
            public Map<String, byte[]> values(DurableKey key) {
                String p = prefix(key);
                Map<String, byte[]> out = new TreeMap<>();
                d.forEach((k, v) -> {
                    if (k.startsWith(p) && k.indexOf('/', p.length()) < 0) {
                        out.put(k.substring(p.length()), v);
                    }
                });
                return out;
            }
        };
    }

    @Override
    public List<byte[]> outbox(String rollup, int level, int outboxLevel) {
        return get(rollup).outbox.getOrDefault(level + "/" + outboxLevel, List.of());
    }

    @Override
    public Optional<byte[]> outboxProof(String rollup, int level, int outboxLevel, int index) {
        List<byte[]> msgs = outbox(rollup, level, outboxLevel);
        if (index >= msgs.size()) {
            return Optional.empty();
        }
        byte[] m = msgs.get(index);
        byte[] proof = new byte[m.length + 2];
        proof[0] = (byte) 0xaa;
        proof[1] = (byte) index;
        System.arraycopy(m, 0, proof, 2, m.length);
        return Optional.of(proof);
    }

    @Override
    public Optional<CommitmentView> commitment(String rollup, String hashHex) {
        return Optional.ofNullable(get(rollup).commitments.get(hashHex));
    }

    @Override
    public List<OutboxPending> pendingOutbox(String rollup) {
        return List.copyOf(get(rollup).pending);
    }

    @Override
    public CompletionStage<List<String>> inject(String rollup, List<byte[]> messages) {
        Rollup r = get(rollup);
        if (!r.batches) {
            return CompletableFuture.failedFuture(new IllegalStateException("rollup " + rollup + " runs in mode "
                    + r.summary.mode() + ", which does not batch messages"));
        }
        List<String> ids = new ArrayList<>();
        for (byte[] m : messages) {
            String id = Hex.encode(Blake2b.hash256(m));
            ids.add(id);
            r.queue.add(id);
        }
        return CompletableFuture.completedFuture(ids);
    }

    @Override
    public List<String> batcherQueue(String rollup) {
        return List.copyOf(get(rollup).queue);
    }

    @Override
    public GcInfo gcInfo(String rollup) {
        return get(rollup).gc;
    }

    @Override
    public boolean cancelGc(String rollup) {
        Rollup r = get(rollup);
        boolean was = r.gcRunning;
        r.gcRunning = false;
        return was;
    }

    @Override
    public Source<BlockEvent, ?> monitorBlocks(String rollup) {
        Rollup r = get(rollup);
        return Source.<BlockEvent>queue(64).mapMaterializedValue(q -> {
            r.heads.add(q);
            return q;
        });
    }

    @Override
    public Source<BlockEvent, ?> monitorFinalizedBlocks(String rollup) {
        Rollup r = get(rollup);
        return Source.<BlockEvent>queue(64).mapMaterializedValue(q -> {
            r.finalized.add(q);
            return q;
        });
    }

    @Override
    public String metricsText() {
        return "# HELP flotilla_rollups Rollups served.\n# TYPE flotilla_rollups gauge\nflotilla_rollups "
                + rollups.size() + "\n";
    }
}
