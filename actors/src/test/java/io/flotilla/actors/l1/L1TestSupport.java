package io.flotilla.actors.l1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.pvm.Commitment;
import io.flotilla.pvm.KernelFiles;
import io.flotilla.pvm.LevelInput;
import io.flotilla.pvm.encoding.ContractHash;
import io.flotilla.pvm.encoding.InboxMessage;
import io.flotilla.pvm.encoding.PublicKeyHash;
import io.flotilla.pvm.encoding.RollupAddress;
import io.flotilla.pvm.tree.Hash;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

final class L1TestSupport {
    static final String B1 = SandboxAccounts.bootstrap(1).address();
    static final String B2 = SandboxAccounts.bootstrap(2).address();
    static final String B3 = SandboxAccounts.bootstrap(3).address();
    static final String KT1 = new ContractHash(filled(20, 7)).toBase58();

    private static byte[] echo;

    private L1TestSupport() {}

    static synchronized byte[] echoKernel() {
        if (echo == null) {
            try (InputStream in = L1TestSupport.class.getResourceAsStream("/kernels/echo.wat")) {
                echo = KernelFiles.fromText(new String(in.readAllBytes(), StandardCharsets.UTF_8), "echo.wat");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return echo.clone();
    }

    static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }

    static Hash hash(int v) {
        return Hash.fromBytes(filled(32, v));
    }

    /** Originates the echo kernel with bootstrap1 and bakes the block; returns the address. */
    static String originateEcho(SandboxL1 l1) {
        var r = l1.inject(L1Operation.originate(B1, echoKernel(), "bytes", null)).orThrow();
        l1.produceBlock();
        return r.rollup().orElseThrow();
    }

    static void produceUntil(SandboxL1 l1, int level) {
        while (l1.head().level() < level) {
            l1.produceBlock();
        }
    }

    static void assertOk(L1Source.OperationResult r) {
        assertTrue(r.ok(), () -> "refused: " + r.error());
    }

    static void assertRefused(L1Source.OperationResult r, String... fragments) {
        assertFalse(r.ok(), "accepted, expected a refusal");
        for (String f : fragments) {
            assertTrue(r.error().contains(f), () -> "error '" + r.error() + "' does not mention '" + f + "'");
        }
    }

    static Commitment commitment(Hash state, int level, byte[] predecessor, long ticks) {
        return new Commitment(state, level, Hash.fromBytes(predecessor), ticks);
    }

    /** The level's inbox for {@code rollup}, built from the L1 blocks as a rollup node builds it. */
    static LevelInput inbox(L1Source l1, String rollup, int level) {
        L1Block b = l1.block(level).orElseThrow();
        L1Block pred = l1.block(level - 1).orElseThrow();
        List<byte[]> msgs = new ArrayList<>();
        for (L1Operation op : b.operations()) {
            if (op instanceof L1Operation.AddMessages m) {
                m.messages().forEach(p -> msgs.add(LevelInput.external(p)));
            } else if (op instanceof L1Operation.Transfer t && t.rollup().equals(rollup)) {
                msgs.add(new InboxMessage.Transfer(t.parametersMicheline(), ContractHash.fromBase58(t.sender()),
                        PublicKeyHash.fromBase58(t.source()), RollupAddress.fromBase58(rollup)).encode());
            }
        }
        return new LevelInput(level, pred.timestamp(), pred.hash(), Optional.empty(), msgs);
    }

    static void assertSameBlock(L1Block expected, L1Block actual) {
        assertTrue(L1Codec.sameContent(expected, actual), () -> "blocks differ: " + expected + " vs " + actual);
        assertEquals(expected.hashHex(), actual.hashHex());
    }
}
