package io.flotilla.actors.chain;

import io.flotilla.actors.l1.L1Block;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.L1Source;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The L1 as the rollup entities see it when an {@link L1ChainActor} follows the chain: blocks ({@link #head},
 * {@link #block}, {@link #blockByHash}) come from the journaled L1 block store, up to the last head the chain actor
 * journaled, and {@link #subscribe} hears every block the chain actor journals, in order, after its event is
 * persisted. Everything else (rollups, commitments, constants, injection) is the upstream source's.
 *
 * <p>A rollup originated above the journaled head is not reported by {@link #rollup} yet, so an entity never starts
 * before the chain actor has its origination block. Levels below the first journaled one (the chain actor's
 * {@code start-level}) are read from upstream.
 */
public final class JournaledL1Source implements L1Source {
    private static final Logger LOG = LoggerFactory.getLogger(JournaledL1Source.class);

    private final L1Blocks blocks;
    private final L1Source upstream;
    private final List<Consumer<L1Block>> subscribers = new CopyOnWriteArrayList<>();
    private final ExecutorService delivery = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "journaled-l1-heads");
        t.setDaemon(true);
        return t;
    });
    private final Object headLock = new Object();
    private volatile L1Block head;
    private long lastSequenceNr = -1;

    public JournaledL1Source(L1Blocks blocks, L1Source upstream) {
        this.blocks = blocks;
        this.upstream = upstream;
    }

    public L1Source upstream() {
        return upstream;
    }

    public L1Blocks blocks() {
        return blocks;
    }

    /**
     * Called by the chain actor once the event of {@code b} is journaled (or, at recovery, with its journaled head):
     * makes it the head and tells the subscribers (a block equal to the current head is not told again).
     */
    public void journaled(L1Block b) {
        synchronized (headLock) {
            L1Block h = head;
            if (h != null && h.level() == b.level() && Arrays.equals(h.hash(), b.hash())) {
                return;
            }
            head = b;
            headLock.notifyAll();
        }
        for (Consumer<L1Block> s : subscribers) {
            delivery.execute(() -> {
                try {
                    s.accept(b);
                } catch (RuntimeException e) {
                    LOG.warn("an L1 head subscriber failed on {}", b, e);
                }
            });
        }
    }

    /**
     * As {@link #journaled(L1Block)}, for heads that may arrive late or twice (the cluster-wide {@link L1Heads}
     * topic, the chain actor's own announcements): a head is taken only if its chain-actor journal sequence number
     * is newer than the last one taken, so an old head never replaces a newer one.
     */
    public void journaled(L1Block b, long sequenceNr) {
        synchronized (headLock) {
            if (sequenceNr <= lastSequenceNr) {
                return;
            }
            lastSequenceNr = sequenceNr;
        }
        journaled(b);
    }

    /** The journaled head, if the chain actor journaled one (or the store holds one from an earlier run). */
    public Optional<L1Block> journaledHead() {
        L1Block h = head;
        if (h != null) {
            return Optional.of(h);
        }
        OptionalInt last = blocks.lastLevel();
        return last.isPresent() ? blocks.get(last.getAsInt()) : Optional.empty();
    }

    /** Waits until the journaled head reaches {@code level}; false on timeout. */
    public boolean awaitLevel(int level, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (headLock) {
            while (head == null || head.level() < level) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                headLock.wait(left);
            }
            return true;
        }
    }

    private int headLevel() {
        return journaledHead().map(L1Block::level).orElse(-1);
    }

    @Override
    public L1Block head() {
        return journaledHead().orElseThrow(() -> new IllegalStateException("no L1 block journaled yet"));
    }

    @Override
    public Optional<L1Block> block(int level) {
        if (level < 0 || level > headLevel()) {
            return Optional.empty();
        }
        Optional<L1Block> journaledBlock = blocks.get(level);
        if (journaledBlock.isPresent()) {
            return journaledBlock;
        }
        // only a miss asks for the first journaled level (an iterator on the store: too dear for every read)
        OptionalInt first = blocks.firstLevel();
        if (first.isPresent() && level < first.getAsInt()) {
            return upstream.block(level);
        }
        return Optional.empty();
    }

    @Override
    public Optional<L1Block> blockByHash(byte[] hash) {
        return blocks.byHash(hash);
    }

    @Override
    public AutoCloseable subscribe(Consumer<L1Block> onNewHead) {
        subscribers.add(onNewHead);
        return () -> subscribers.remove(onNewHead);
    }

    @Override
    public Optional<RollupInfo> rollup(String sr1) {
        return upstream.rollup(sr1).filter(i -> i.originationLevel() <= headLevel());
    }

    @Override
    public Optional<CementedCommitment> lastCementedCommitment(String sr1) {
        return upstream.lastCementedCommitment(sr1);
    }

    @Override
    public List<PublishedCommitment> commitments(String sr1) {
        return upstream.commitments(sr1);
    }

    @Override
    public SandboxConstants constants() {
        return upstream.constants();
    }

    @Override
    public OperationResult inject(L1Operation op) {
        return upstream.inject(op);
    }

    /** Stops the deliveries (the upstream source and the store belong to whoever made them). */
    @Override
    public void close() {
        subscribers.clear();
        delivery.shutdown();
        try {
            delivery.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
