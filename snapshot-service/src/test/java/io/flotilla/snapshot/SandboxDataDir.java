package io.flotilla.snapshot;

import io.flotilla.actors.l1.L1Block;
import io.flotilla.actors.l1.L1Codec;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.L1Source;
import io.flotilla.actors.l1.SandboxAccounts;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.actors.rollup.Inbox;
import io.flotilla.persistence.chain.EmbeddedL1BlockStore;
import io.flotilla.persistence.chain.EmbeddedL2ChainStore;
import io.flotilla.persistence.chain.L2Block;
import io.flotilla.persistence.snapshots.RollupSnapshot;
import io.flotilla.persistence.store.EmbeddedContextStore;
import io.flotilla.persistence.store.LevelWriter;
import io.flotilla.pvm.Commitment;
import io.flotilla.pvm.KernelFiles;
import io.flotilla.pvm.LevelInput;
import io.flotilla.pvm.LevelResult;
import io.flotilla.pvm.Pvm;
import io.flotilla.pvm.PvmConfig;
import io.flotilla.pvm.PvmState;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.crypto.Blake2b;
import io.flotilla.pvm.encoding.RollupAddress;
import io.flotilla.pvm.host.RollupMetadata;
import io.flotilla.pvm.reveal.PreimageDirectory;
import io.flotilla.pvm.tree.Hash;
import io.flotilla.pvm.util.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A small data directory made the way a node makes it, with nothing time- or run-dependent in it: a manual sandbox
 * L1 with a fixed genesis time, the bundled echo kernel, one external message per level, each level evaluated by
 * the PVM as the rollup entity does (tree nodes, then the L2 block with its commitment every period), the L1 blocks
 * in {@code l1-blocks/}, the rollup's state journaled as a snapshot, and one reveal preimage. Snapshot tests export
 * it; the same arguments always give the same stores.
 */
final class SandboxDataDir {
    /** Commitment period 4, challenge window 20. */
    static final L1Source.SandboxConstants CONSTANTS = new L1Source.SandboxConstants(4, 20, Duration.ofSeconds(1));

    final Path dir;
    final String rollup;
    final SandboxL1 l1;
    final int originationLevel;
    final int headLevel;

    private SandboxDataDir(Path dir, String rollup, SandboxL1 l1, int originationLevel, int headLevel) {
        this.dir = dir;
        this.rollup = rollup;
        this.l1 = l1;
        this.originationLevel = originationLevel;
        this.headLevel = headLevel;
    }

    static byte[] message(int i, int size) {
        byte[] b = new byte[size];
        for (int j = 0; j < size; j++) {
            b[j] = (byte) (j < size / 2 ? 'a' + (j % 26) : (i * 31 + j * 17) ^ (j >>> 3));
        }
        return b;
    }

    /** {@code levels} levels after the origination, each with one {@code payload}-byte external message. */
    static SandboxDataDir create(Path dir, int levels, int payload) throws IOException {
        SandboxL1 l1 = new SandboxL1(SandboxL1.Config.manualMode().withConstants(CONSTANTS));
        byte[] kernel;
        try (InputStream in = SandboxDataDir.class.getResourceAsStream("/kernels/echo.wat")) {
            kernel = KernelFiles.fromText(new String(in.readAllBytes(), StandardCharsets.UTF_8), "echo");
        }
        String source = SandboxAccounts.bootstrap(1).address();
        String rollup = l1.inject(L1Operation.originate(source, kernel, "bytes", PvmVersion.DEFAULT.label())).orThrow()
                .rollup().orElseThrow();
        int origination = l1.produceBlock().level();
        for (int i = 0; i < levels; i++) {
            l1.inject(L1Operation.addMessages(source, List.of(message(i, payload)))).orThrow();
            l1.produceBlock();
        }
        int head = l1.head().level();
        Files.createDirectories(dir);
        Path preimages = Files.createDirectories(dir.resolve("wasm_2_0_0"));
        byte[] preimage = "a preimage the kernel could reveal".getBytes(StandardCharsets.US_ASCII);
        Files.write(preimages.resolve("00" + Hex.encode(Blake2b.hash256(preimage))), preimage);

        RollupSnapshot state;
        try (EmbeddedContextStore context = EmbeddedContextStore.open(dir.resolve("context"));
             EmbeddedL2ChainStore chain = new EmbeddedL2ChainStore(dir.resolve("chain"));
             EmbeddedL1BlockStore blocks = new EmbeddedL1BlockStore(dir.resolve("l1-blocks"))) {
            for (int l = 0; l <= head; l++) {
                L1Block b = l1.block(l).orElseThrow();
                blocks.put(l, b.hash(), L1Codec.encodeBlock(b));
            }
            LevelWriter writer = context.writer();
            PvmState s = PvmState.originate(kernel, PvmVersion.DEFAULT);
            s.tree().persist(writer);
            writer.commit();
            Hash genesisState = s.hash();
            Hash genesisCommitment = Commitment.genesis(genesisState, origination).hash();
            Pvm pvm = new Pvm(PvmConfig.defaults(), new PreimageDirectory(preimages),
                    new RollupMetadata(RollupAddress.fromBase58(rollup).bytes(), origination));
            Hash lastCommitment = genesisCommitment;
            int lastCommitmentLevel = origination;
            long lastCommitmentTicks = 0;
            long total = 0;
            for (int l = origination + 1; l <= head; l++) {
                L1Block block = l1.block(l).orElseThrow();
                LevelInput input = Inbox.forRollup(rollup, block, l1.block(l - 1).orElseThrow());
                LevelResult r = pvm.runLevel(s, input);
                s = r.state();
                // as the rollup entity: tree nodes first, then the L2 block
                s.tree().persist(writer);
                writer.commit();
                long before = total;
                total = s.ticks();
                Optional<Hash> commitment = Optional.empty();
                if (l == lastCommitmentLevel + CONSTANTS.commitmentPeriod()) {
                    Commitment c = new Commitment(s.hash(), l, lastCommitment, total - lastCommitmentTicks);
                    commitment = Optional.of(c.hash());
                    lastCommitment = c.hash();
                    lastCommitmentLevel = l;
                    lastCommitmentTicks = total;
                }
                chain.put(rollup, new L2Block(l, block.hash(), Hash.fromBytes(Inbox.hash(input)), input.messages(),
                        s.hash(), total - before, total, r.outbox().size(), r.kernelRuns(), commitment));
            }
            state = new RollupSnapshot(true, origination, PvmVersion.DEFAULT.label(), genesisState.bytes(),
                    genesisCommitment.bytes(), head, l1.block(head).orElseThrow().hash(), s.hash().bytes(), total,
                    lastCommitmentLevel, lastCommitment.bytes(), lastCommitmentTicks, origination, origination,
                    genesisCommitment.bytes(), s.stuck().orElse(null), origination);
        }
        RollupJournal.writeImported(dir, rollup, state);
        return new SandboxDataDir(dir, rollup, l1, origination, head);
    }
}
