package io.flotilla.pvm;

import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.pvm.durable.DurableKey;
import io.flotilla.pvm.engine.ChicoryEngine;
import io.flotilla.pvm.host.RollupMetadata;
import io.flotilla.pvm.reveal.PreimageSource;
import io.flotilla.pvm.wasm.KernelValidator;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A kernel compiled from C by clang (kernels/c/inbox_hasher.c, checked in with its .wasm). */
class CKernelTest {

    static byte[] kernel() throws Exception {
        try (InputStream in = CKernelTest.class.getResourceAsStream("/kernels/c/inbox_hasher.wasm")) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @EnumSource(ChicoryEngine.class)
    void hashesExternalPayloadsAcrossLevels(ChicoryEngine engine) throws Exception {
        byte[] wasm = kernel();
        KernelValidator.validate(wasm, PvmVersion.DEFAULT);
        ByteArrayOutputStream debug = new ByteArrayOutputStream();
        Pvm pvm = new Pvm(PvmConfig.defaults().withEngine(engine), PreimageSource.none(), RollupMetadata.DEFAULT)
                .debugSink(debug::writeBytes);
        PvmState s = PvmState.originate(wasm, PvmVersion.DEFAULT);

        byte[] prev = new byte[32];
        long count = 0;
        for (int level = 1; level <= 3; level++) {
            List<byte[]> payloads = new ArrayList<>();
            for (int i = 0; i < level; i++) {
                payloads.add(("level " + level + " message " + i).getBytes(StandardCharsets.UTF_8));
            }
            LevelResult r = pvm.runLevel(s, LevelInput.ofExternal(level, payloads));
            assertFalse(r.stuck(), () -> r.state().stuck().orElse(""));
            assertEquals(1, r.kernelRuns(), "the C kernel reads the whole inbox in one call");
            s = r.state();

            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(prev);
            for (byte[] p : payloads) {
                sha.update(p);
            }
            prev = sha.digest();
            count += payloads.size();

            byte[] expected = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN).putLong(count).put(prev).array();
            assertArrayEquals(expected, r.outbox().get(0), "outbox of level " + level);
            assertArrayEquals(prev, s.durable().bytes(DurableKey.parse("/state/hash")).orElseThrow());
        }
        assertTrue(debug.toString(StandardCharsets.UTF_8).startsWith("inbox hashed\n"));
        assertEquals(3, debug.toString(StandardCharsets.UTF_8).split("\n").length);
    }

    @ParameterizedTest
    @EnumSource(ChicoryEngine.class)
    void sameStateHashInBothEngines(ChicoryEngine engine) throws Exception {
        PvmState a = PvmState.originate(kernel(), PvmVersion.DEFAULT);
        PvmState b = a;
        Pvm ref = new Pvm(PvmConfig.defaults().withEngine(ChicoryEngine.INTERPRETER), PreimageSource.none(), RollupMetadata.DEFAULT);
        Pvm other = new Pvm(PvmConfig.defaults().withEngine(engine), PreimageSource.none(), RollupMetadata.DEFAULT);
        for (int level = 1; level <= 3; level++) {
            LevelInput in = LevelInput.ofExternal(level, List.of(new byte[level * 100], "x".getBytes(StandardCharsets.UTF_8)));
            LevelResult ra = ref.runLevel(a, in);
            LevelResult rb = other.runLevel(b, in);
            assertEquals(ra.runs().get(0).gasUsed(), rb.runs().get(0).gasUsed());
            a = ra.state();
            b = rb.state();
            assertEquals(a.hash(), b.hash());
        }
        assertFalse(Arrays.equals(new byte[32], a.hash().bytes()));
    }
}
