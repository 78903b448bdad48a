package io.flotilla.pvm;

import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.pvm.engine.ChicoryEngine;
import io.flotilla.pvm.host.RollupMetadata;
import io.flotilla.pvm.reveal.PreimageSource;
import io.flotilla.pvm.reveal.RevealHash;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every corpus kernel over the same fixed multi-level input in both engines, asserting
 * identical state hashes, ticks, outboxes and per-run gas, and compares the final state hash and
 * total ticks with {@code src/test/resources/golden/corpus-state-hashes.txt}, so that any drift in
 * the state encoding or in the PVM's semantics fails the build.
 *
 * <p>After an intended change, regenerate the golden file with
 * <pre>  mvn -o -pl pvm test -Dtest=CorpusTest -Dflotilla.golden.update=true</pre>
 * and review its diff.
 */
class CorpusTest {

    static final String GOLDEN = "golden/corpus-state-hashes.txt";
    static final boolean UPDATE = Boolean.getBoolean("flotilla.golden.update");
    static final Map<String, String> COMPUTED = new ConcurrentSkipListMap<>();

    /** A corpus kernel with what it needs: version, pre-populated durable values, configuration. */
    record Entry(String name, Supplier<byte[]> kernel, PvmVersion version, Map<String, ?> values,
                 Function<PvmConfig, PvmConfig> config) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Entry e(String name, PvmVersion v) {
        return new Entry(name, () -> TestKernels.wasm(name), v, Map.of(), c -> c);
    }

    static Entry e(String name, PvmVersion v, Map<String, ?> values) {
        return new Entry(name, () -> TestKernels.wasm(name), v, values, c -> c);
    }

    static final byte[] PREIMAGE = HostFunctionTest.pattern(300);

    static List<Entry> corpus() {
        return List.of(
                e("echo", PvmVersion.V2_0_0_R5),
                e("counter", PvmVersion.V2_0_0),
                e("hello", PvmVersion.V2_0_0_R1),
                e("inbox", PvmVersion.V2_0_0_R3),
                e("upgrade", PvmVersion.V2_0_0_R5),
                e("reboot", PvmVersion.V2_0_0_R5, Map.of("/threshold", Harness.le32(990))),
                e("trap", PvmVersion.V2_0_0_R5),
                new Entry("loop", () -> TestKernels.wasm("loop"), PvmVersion.V2_0_0_R5, Map.of(), c -> c.withGas(100_000)),
                e("recursion", PvmVersion.V2_0_0_R5),
                new Entry("recursion-exhausted", () -> TestKernels.wasm("recursion"), PvmVersion.V2_0_0,
                        Map.of("/depth", Harness.le32(400)), c -> c),
                new Entry("memgrow", () -> TestKernels.wasm("memgrow"), PvmVersion.V2_0_0_R5, Map.of(),
                        c -> c.withMaxMemoryPages(16)),
                new Entry("huge", HostileKernelTest::huge, PvmVersion.V2_0_0_R5, Map.of(), c -> c),
                e("io", PvmVersion.V2_0_0),
                e("store_basic", PvmVersion.V2_0_0_R5, HostFunctionTest.map("/a", "v", "/a/b", "x", "/a/c", "",
                        "/d/e", "y", "/f", "zz", "/g/longname", "1", "/h", "H", "/h/-", "1", "/h/0", "1",
                        "/h/Z", "1", "/h/_", "1", "/h/a", "1", "/k", "K", "/k/s", "S")),
                e("store_rw", PvmVersion.V2_0_0_R5, HostFunctionTest.map("/w", "hello", "/r", HostFunctionTest.pattern(3000),
                        "/d/e", "y", "/h1/x", "1", "/h2/x", "1", "/h3/x", "2")),
                e("store_copy_move", PvmVersion.V2_0_0_R5, HostFunctionTest.map("/src", "S", "/src/sub", "T",
                        "/dst", "D", "/dst/other", "O", "/m", "M", "/m/k", "K")),
                e("reveal", PvmVersion.V2_0_0_R5, Map.of("/hash", RevealHash.of(PREIMAGE))));
    }

    /** The fixed input: three levels with externals, an empty level and an internal transfer. */
    static List<LevelInput> inputs() {
        byte[] transfer = new byte[2 + 7 + 61];
        transfer[1] = 0;
        System.arraycopy(new byte[] {1, 0, 0, 0, 2, 'h', 'i'}, 0, transfer, 2, 7);
        return List.of(
                LevelInput.ofExternal(1, List.of("hello".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3})),
                new LevelInput(2, 1_700_000_000L, filled(32, 0x5a), Optional.empty(), List.of()),
                new LevelInput(3, 1_700_000_006L, filled(32, 0x33), Optional.empty(),
                        List.of(LevelInput.external(filled(100, 'x')), transfer)));
    }

    static byte[] filled(int n, int b) {
        byte[] a = new byte[n];
        Arrays.fill(a, (byte) b);
        return a;
    }

    static Pvm pvm(Entry e, ChicoryEngine engine) {
        PreimageSource preimages = h -> Arrays.equals(h, RevealHash.of(PREIMAGE)) ? Optional.of(PREIMAGE) : Optional.empty();
        return new Pvm(e.config().apply(PvmConfig.defaults().withEngine(engine)), preimages,
                new RollupMetadata(filled(20, 7), 42));
    }

    static List<LevelResult> run(Entry e, ChicoryEngine engine) {
        Pvm pvm = pvm(e, engine);
        PvmState s = Harness.originate(e.kernel().get(), e.version(), e.values());
        List<LevelResult> out = new ArrayList<>();
        for (LevelInput in : inputs()) {
            LevelResult r = pvm.runLevel(s, in);
            out.add(r);
            s = r.state();
        }
        return out;
    }

    static Stream<Entry> entries() {
        return corpus().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void bothEnginesAgreeAndMatchTheGoldenHash(Entry e) {
        List<LevelResult> a = run(e, ChicoryEngine.INTERPRETER);
        List<LevelResult> b = run(e, ChicoryEngine.COMPILER);
        for (int i = 0; i < a.size(); i++) {
            LevelResult ra = a.get(i);
            LevelResult rb = b.get(i);
            String where = e.name() + " level " + ra.level();
            assertEquals(ra.state().hash(), rb.state().hash(), where + ": state hash");
            assertEquals(ra.ticks(), rb.ticks(), where + ": ticks");
            assertEquals(ra.kernelRuns(), rb.kernelRuns(), where + ": runs");
            assertEquals(ra.outbox().size(), rb.outbox().size(), where + ": outbox size");
            for (int j = 0; j < ra.outbox().size(); j++) {
                assertArrayEquals(ra.outbox().get(j), rb.outbox().get(j), where + ": outbox message " + j);
            }
            for (int j = 0; j < ra.runs().size(); j++) {
                KernelRunReport x = ra.runs().get(j);
                KernelRunReport y = rb.runs().get(j);
                assertEquals(x.outcome(), y.outcome(), where + " run " + j + ": outcome");
                assertEquals(x.gasUsed(), y.gasUsed(), where + " run " + j + ": gasUsed");
                assertEquals(x.inputsRead(), y.inputsRead(), where + " run " + j + ": inputs read");
            }
        }
        PvmState last = a.get(a.size() - 1).state();
        String line = last.hash().hex() + " " + last.ticks();
        COMPUTED.put(e.name(), line);
        if (!UPDATE) {
            String expected = golden().get(e.name());
            assertNotNull(expected, "no golden hash for " + e.name() + "; run with -Dflotilla.golden.update=true");
            assertEquals(expected, line, e.name() + ": final state hash and total ticks drifted from " + GOLDEN
                    + " (if intended, rerun with -Dflotilla.golden.update=true and review the diff)");
        }
    }

    @Test
    void theGoldenFileListsExactlyTheCorpus() {
        if (!UPDATE) {
            assertEquals(corpus().stream().map(Entry::name).sorted().toList(), List.copyOf(golden().keySet()));
        }
    }

    static Map<String, String> golden() {
        Map<String, String> m = new TreeMap<>();
        try (InputStream in = CorpusTest.class.getResourceAsStream("/" + GOLDEN)) {
            if (in == null) {
                return m;
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int sp = line.indexOf(' ');
                m.put(line.substring(0, sp), line.substring(sp + 1));
            }
        } catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
        return m;
    }

    @AfterAll
    static void writeGolden() throws IOException {
        if (!UPDATE || COMPUTED.isEmpty()) {
            return;
        }
        Path file = Path.of(System.getProperty("basedir", ".")).resolve("src/test/resources").resolve(GOLDEN);
        StringBuilder sb = new StringBuilder();
        sb.append("# Corpus kernel -> final state hash (hex) and total ticks after CorpusTest's fixed 3-level input.\n");
        sb.append("# Checked by CorpusTest in both engines. After an intended change of state encoding or semantics:\n");
        sb.append("#   mvn -o -pl pvm test -Dtest=CorpusTest -Dflotilla.golden.update=true\n");
        COMPUTED.forEach((k, v) -> sb.append(k).append(' ').append(v).append('\n'));
        Files.createDirectories(file.getParent());
        Files.writeString(file, sb.toString());
    }
}
