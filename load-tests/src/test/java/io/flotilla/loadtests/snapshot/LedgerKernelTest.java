package io.flotilla.loadtests.snapshot;

import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.pvm.LevelInput;
import io.flotilla.pvm.LevelResult;
import io.flotilla.pvm.Pvm;
import io.flotilla.pvm.PvmConfig;
import io.flotilla.pvm.PvmState;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.durable.Durable;
import io.flotilla.pvm.durable.DurableKey;
import io.flotilla.pvm.host.RollupMetadata;
import io.flotilla.pvm.reveal.PreimageDirectory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The snapshot bench's ledger kernel does what it says: run through the PVM on the bench's transfer batches, its
 * durable storage holds the balances and nonces a plain Java ledger computes from the same transfers.
 */
class LedgerKernelTest {
    @TempDir
    Path preimages;

    @Test
    void theLedgerAppliesTheBenchsTransfers() throws Exception {
        Pvm pvm = new Pvm(PvmConfig.defaults(), new PreimageDirectory(preimages), new RollupMetadata(new byte[20], 1));
        PvmState state = PvmState.originate(SnapshotBench.ledgerKernel(), PvmVersion.DEFAULT);
        Map<Integer, Long> balances = new HashMap<>();
        Map<Integer, Long> nonces = new HashMap<>();
        long transfers = 0;
        for (int level = 2; level < 8; level++) {
            byte[] batch = SnapshotBench.transfers(level, 4000);
            assertEquals(55 * 72, batch.length);
            // a transfer that overdraws is refused: one per level, of more than anyone holds
            byte[] overdraw = ByteBuffer.allocate(72).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 7)
                    .putShort((short) 8).putInt(2_000_000_000).array();
            List<byte[]> messages = new ArrayList<>();
            messages.add(external(batch));
            messages.add(external(overdraw));
            LevelResult r = pvm.runLevel(state, new LevelInput(level, 1_700_000_000L + level, new byte[32],
                    Optional.empty(), messages));
            state = r.state();
            assertFalse(r.stuck(), "stuck at level " + level);
            for (byte[] m : List.of(batch, overdraw)) {
                ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
                while (b.remaining() >= 72) {
                    int from = (b.getShort() & 0xffff) % 1024;
                    int to = (b.getShort() & 0xffff) % 1024;
                    long amount = b.getInt() & 0xffffffffL;
                    b.position(b.position() + 64);
                    long fromBalance = balances.getOrDefault(from, 1_000_000L);
                    if (fromBalance >= amount && from != to) {
                        balances.put(from, fromBalance - amount);
                        balances.put(to, balances.getOrDefault(to, 1_000_000L) + amount);
                    }
                    nonces.merge(from, 1L, Long::sum);
                    transfers++;
                }
            }
        }
        Durable d = state.durable();
        assertEquals(transfers, int64(d, "/ledger/transfers"));
        long total = 0;
        int accounts = 0;
        for (int a = 0; a < 1024; a++) {
            String key = String.format("/accounts/%03x/", a);
            Optional<byte[]> balance = d.bytes(DurableKey.parse(key + "balance"));
            assertEquals(balances.containsKey(a), balance.isPresent(), "account " + a);
            if (balance.isPresent()) {
                assertEquals(balances.get(a), int64(d, key + "balance"), "balance of " + a);
                total += balances.get(a) - 1_000_000L;
                accounts++;
            }
            assertEquals(nonces.getOrDefault(a, 0L), d.bytes(DurableKey.parse(key + "nonce")).isPresent()
                    ? int64(d, key + "nonce") : 0L, "nonce of " + a);
        }
        assertEquals(0, total, "transfers move tokens, they do not make them");
        assertTrue(accounts > 300, "accounts touched: " + accounts);
    }

    static byte[] external(byte[] payload) {
        byte[] m = new byte[payload.length + 1];
        m[0] = 1;
        System.arraycopy(payload, 0, m, 1, payload.length);
        return m;
    }

    static long int64(Durable d, String key) {
        return ByteBuffer.wrap(d.bytes(DurableKey.parse(key)).orElseThrow()).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }
}
