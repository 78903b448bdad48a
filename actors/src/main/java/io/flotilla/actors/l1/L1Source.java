package io.flotilla.actors.l1;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where Flotilla reads the L1 chain from and injects operations into: the in-process {@link SandboxL1},
 * a {@link RemoteSandboxL1} served by another JVM, or an Octez node over RPC ({@link OctezRpcL1}, observer only;
 * {@link L1Endpoint} picks one for a URL).
 * Hashes are raw bytes (32 for blocks, commitments and states); rollup addresses are {@code sr1...}.
 * Implementations are thread-safe.
 */
public interface L1Source extends AutoCloseable {

    /** The current head of the main chain. */
    L1Block head();

    /** The block at {@code level} on the current main chain. */
    Optional<L1Block> block(int level);

    /** A block by hash; a block that was reorganised away may still be found. */
    Optional<L1Block> blockByHash(byte[] hash);

    /**
     * Calls {@code onNewHead} with every new head, in order, on a thread of the source's own (never
     * concurrently for one subscription). After a reorganisation the new head is delivered like any other:
     * compare its predecessor with the previous head to notice it. Closing the handle stops the deliveries.
     */
    AutoCloseable subscribe(Consumer<L1Block> onNewHead);

    /** The rollup as L1 knows it at the head, if it is originated. */
    Optional<RollupInfo> rollup(String sr1);

    /** The rollup's last cemented commitment (its genesis commitment until one is cemented). */
    Optional<CementedCommitment> lastCementedCommitment(String sr1);

    /** The commitments published for the rollup at the head, by inbox level then order of publication. */
    List<PublishedCommitment> commitments(String sr1);

    SandboxConstants constants();

    /**
     * Injects an operation; if valid it is included in the next block. A refused operation gives a result
     * with {@code ok == false} and the reason ({@link OperationResult#orThrow()} turns that into an exception).
     */
    OperationResult inject(L1Operation op);

    /** Releases threads and connections (default: nothing to release). */
    @Override
    default void close() {}

    // ------------------------------------------------------------------ values

    /**
     * A rollup as originated on L1.
     *
     * @param genesisCommitment hash of {@code Commitment.genesis(originationStateHash, originationLevel)}
     */
    record RollupInfo(String address, int originationLevel, byte[] kernel, String pvmVersion, String parametersType,
                      byte[] genesisCommitment) {}

    /** The last cemented commitment of a rollup. */
    record CementedCommitment(byte[] hash, int inboxLevel, byte[] stateHash) {}

    /**
     * A commitment published on L1.
     *
     * @param publishedLevel level of the block that first included it
     * @param stakers        accounts that published it, first publisher first
     * @param conflicted     another staker published a different commitment with the same predecessor and
     *                       inbox level; neither can be cemented (the sandbox has no refutation game)
     */
    record PublishedCommitment(byte[] hash, byte[] stateHash, int inboxLevel, byte[] predecessor, long ticks,
                               int publishedLevel, List<String> stakers, boolean conflicted, boolean cemented) {
        public PublishedCommitment {
            stakers = List.copyOf(stakers);
        }
    }

    /**
     * Protocol constants of the followed network.
     *
     * @param commitmentPeriod levels between two commitments
     * @param challengeWindow  levels a commitment waits, after publication, before it can be cemented
     * @param blockTime        minimal time between blocks
     */
    record SandboxConstants(int commitmentPeriod, int challengeWindow, Duration blockTime) {
        /** Small values for local sandboxes and tests. */
        public static final SandboxConstants SANDBOX = new SandboxConstants(20, 40, Duration.ofSeconds(1));
        /** Tezos mainnet. */
        public static final SandboxConstants MAINNET = new SandboxConstants(150, 201_600, Duration.ofSeconds(6));

        public SandboxConstants {
            if (commitmentPeriod <= 0 || challengeWindow < 0) {
                throw new IllegalArgumentException("commitment period must be > 0 and challenge window >= 0");
            }
            Objects.requireNonNull(blockTime, "blockTime");
            if (blockTime.isNegative() || blockTime.isZero()) {
                throw new IllegalArgumentException("block time must be positive");
            }
        }

        /** The constants of a network by name: {@code sandbox} or {@code mainnet}. */
        public static SandboxConstants forNetwork(String network) {
            switch (network.toLowerCase(java.util.Locale.ROOT)) {
                case "sandbox":
                    return SANDBOX;
                case "mainnet":
                    return MAINNET;
                default:
                    throw new IllegalArgumentException("unknown network '" + network + "' (expected sandbox or mainnet)");
            }
        }

        public SandboxConstants withBlockTime(Duration d) {
            return new SandboxConstants(commitmentPeriod, challengeWindow, d);
        }
    }

    /**
     * What became of an injected operation.
     *
     * @param level     the level of the block that will include it (when {@code ok})
     * @param index     its position in that block
     * @param operation the operation as it will appear in the block, with the fields L1 derives filled in
     */
    record OperationResult(boolean ok, String error, int level, int index, L1Operation operation) {

        public static OperationResult applied(int level, int index, L1Operation operation) {
            return new OperationResult(true, null, level, index, operation);
        }

        public static OperationResult refused(String error) {
            return new OperationResult(false, error, -1, -1, null);
        }

        /** This result if the operation was accepted, else an {@link L1OperationException} with the reason. */
        public OperationResult orThrow() {
            if (!ok) {
                throw new L1OperationException(error);
            }
            return this;
        }

        /** The address of the originated rollup, for an accepted origination. */
        public Optional<String> rollup() {
            return operation instanceof L1Operation.Originate o ? Optional.ofNullable(o.rollup()) : Optional.empty();
        }

        /** The hash of the genesis commitment, for an accepted origination. */
        public Optional<byte[]> genesisCommitment() {
            return operation instanceof L1Operation.Originate o ? Optional.ofNullable(o.genesisCommitment())
                    : Optional.empty();
        }
    }
}
