package io.flotilla.actors.rollup;

import io.flotilla.actors.l1.L1Block;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.L1Source;
import io.flotilla.pvm.Commitment;
import io.flotilla.pvm.PvmState;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.crypto.Blake2b;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A tiny hand-driven L1 for entity tests: blocks are added explicitly, reorgs replace the tail. */
final class FakeL1 implements L1Source {
    final List<L1Block> chain = new CopyOnWriteArrayList<>();
    final List<L1Operation> injected = new CopyOnWriteArrayList<>();
    private final List<Consumer<L1Block>> subscribers = new CopyOnWriteArrayList<>();
    private RollupInfo rollup;
    private int salt;

    FakeL1() {
        chain.add(new L1Block(0, hash(0, 0), new byte[32], 1_700_000_000L, "sandbox", List.of()));
    }

    synchronized void originate(String address, byte[] kernel) {
        int level = chain.size();
        addBlock(List.of());
        byte[] genesis = Commitment.genesis(PvmState.originate(kernel, PvmVersion.DEFAULT).hash(), level).hash().bytes();
        rollup = new RollupInfo(address, level, kernel, PvmVersion.DEFAULT.label(), "bytes", genesis);
    }

    synchronized L1Block addBlock(List<L1Operation> ops) {
        L1Block pred = chain.get(chain.size() - 1);
        int level = pred.level() + 1;
        L1Block b = new L1Block(level, hash(level, salt), pred.hash(), pred.timestamp() + 6, "sandbox", ops);
        chain.add(b);
        subscribers.forEach(s -> s.accept(b));
        return b;
    }

    /** Replaces the last {@code depth} blocks with new ones carrying the same operations. */
    synchronized void reorg(int depth) {
        salt++;
        List<L1Block> dropped = new ArrayList<>(chain.subList(chain.size() - depth, chain.size()));
        for (int i = 0; i < depth; i++) {
            chain.remove(chain.size() - 1);
        }
        for (L1Block d : dropped) {
            addBlock(d.operations());
        }
    }

    private static byte[] hash(int level, int salt) {
        return Blake2b.hash256(ByteBuffer.allocate(8).putInt(level).putInt(salt).array());
    }

    @Override
    public L1Block head() {
        return chain.get(chain.size() - 1);
    }

    @Override
    public Optional<L1Block> block(int level) {
        return level >= 0 && level < chain.size() ? Optional.of(chain.get(level)) : Optional.empty();
    }

    @Override
    public Optional<L1Block> blockByHash(byte[] hash) {
        return chain.stream().filter(b -> java.util.Arrays.equals(b.hash(), hash)).findFirst();
    }

    @Override
    public AutoCloseable subscribe(Consumer<L1Block> onNewHead) {
        subscribers.add(onNewHead);
        return () -> subscribers.remove(onNewHead);
    }

    @Override
    public Optional<RollupInfo> rollup(String sr1) {
        return rollup != null && rollup.address().equals(sr1) ? Optional.of(rollup) : Optional.empty();
    }

    @Override
    public Optional<CementedCommitment> lastCementedCommitment(String sr1) {
        return Optional.empty();
    }

    @Override
    public List<PublishedCommitment> commitments(String sr1) {
        return List.of();
    }

    @Override
    public SandboxConstants constants() {
        return new SandboxConstants(5, 10, Duration.ofSeconds(1));
    }

    @Override
    public OperationResult inject(L1Operation op) {
        injected.add(op);
        return OperationResult.applied(chain.size(), injected.size() - 1, op);
    }
}
