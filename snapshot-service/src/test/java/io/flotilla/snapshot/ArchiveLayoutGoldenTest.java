package io.flotilla.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.pvm.util.Hex;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive layout, frozen: a small deterministic export ({@link SandboxDataDir}: fixed sandbox chain, echo
 * kernel, 10 levels; the clock that dates the snapshot fixed) must give exactly the entries (names, sizes, order),
 * the header and the sha256 of the uncompressed {@code header + tar} recorded in
 * {@code src/test/resources/golden/archive-layout.txt}. Any change to what an export writes (record encodings, node
 * order, chunking, metadata fields, tar framing) shows up here; when it is intended, regenerate the file and
 * update {@code SNAPSHOTS.md} with it. The compact form (format 2) has its own file,
 * {@code golden/archive-layout-compact.txt}:
 *
 * <pre>mvn -o -q verify -pl snapshot-service -am -Dtest=ArchiveLayoutGoldenTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dflotilla.golden.update=true</pre>
 *
 * <p>An intended change of the format also bumps {@code format_version}, and the importer keeps reading
 * {@link FormatCompatibilityTest}'s sample of the old one.
 */
class ArchiveLayoutGoldenTest {
    static final String GOLDEN = "golden/archive-layout.txt";
    static final String GOLDEN_COMPACT = "golden/archive-layout-compact.txt";
    static final Clock FIXED = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    @TempDir
    static Path tmp;
    static SandboxDataDir data;

    @BeforeAll
    static void dataDir() throws IOException {
        data = SandboxDataDir.create(tmp.resolve("data"), 10, 300);
    }

    static SnapshotExporter.Result export(Path out, Compression compression, boolean check) throws IOException {
        return export(out, compression, check, false);
    }

    static SnapshotExporter.Result export(Path out, Compression compression, boolean check, boolean compact)
            throws IOException {
        return SnapshotExporter.export(SnapshotExporter.Options.of(data.dir, Files.createDirectories(out))
                .withLevel("head").withCompression(compression).withCheck(check).withCompact(compact), FIXED);
    }

    /** The golden text of an uncompressed snapshot: sha256, header, then one line per tar entry. */
    static String describe(byte[] snapshot, boolean compact) throws Exception {
        StringBuilder s = new StringBuilder();
        s.append("# the archive layout of SandboxDataDir.create(dir, 10, 300) exported at head")
                .append(compact ? ", compact" : "").append(", uncompressed, created ")
                .append(FIXED.instant()).append("\n# written by ArchiveLayoutGoldenTest -Dflotilla.golden.update=true\n");
        s.append("sha256 ").append(Hex.encode(MessageDigest.getInstance("SHA-256").digest(snapshot))).append('\n');
        s.append("header ").append(Hex.encode(Arrays.copyOf(snapshot, SnapshotHeader.LENGTH))).append('\n');
        InputStream in = new ByteArrayInputStream(snapshot);
        in.skipNBytes(SnapshotHeader.LENGTH);
        Tar.Reader tar = new Tar.Reader(in);
        Tar.Entry e;
        while ((e = tar.next()) != null) {
            s.append("entry ").append(e.name()).append(' ').append(e.size()).append('\n');
        }
        return s.toString();
    }

    static Path goldenFile(String golden) {
        return Path.of(System.getProperty("basedir", ".")).resolve("src/test/resources").resolve(golden);
    }

    /** Compares {@code actual} with the golden file (or rewrites it with -Dflotilla.golden.update=true). */
    static void assertGolden(String golden, String actual) throws IOException {
        if (Boolean.getBoolean("flotilla.golden.update")) {
            Files.createDirectories(goldenFile(golden).getParent());
            Files.writeString(goldenFile(golden), actual, StandardCharsets.UTF_8);
            return;
        }
        String expected;
        try (InputStream in = ArchiveLayoutGoldenTest.class.getResourceAsStream("/" + golden)) {
            expected = in == null ? "(no " + golden + " yet: run with -Dflotilla.golden.update=true)"
                    : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(expected, actual, "the archive layout changed; if intended, regenerate " + golden
                + " (see this test's Javadoc) and update SNAPSHOTS.md");
    }

    @Test
    void theExportMatchesTheGoldenLayout() throws Exception {
        SnapshotExporter.Result r = export(tmp.resolve("plain"), Compression.NONE, true);
        byte[] snapshot = Files.readAllBytes(r.file());
        String actual = describe(snapshot, false);
        if (Boolean.getBoolean("flotilla.golden.update")) {
            FormatCompatibilityTest.writeSampleIfAbsent(data);
        }
        assertGolden(GOLDEN, actual);
        assertEquals(data.headLevel, r.header().headLevel());
        assertEquals(FIXED.instant().toString(), r.metadata().created());
        assertTrue(actual.contains("entry context/nodes.000000 "), actual);
    }

    @Test
    void theCompactExportMatchesItsGoldenLayout() throws Exception {
        SnapshotExporter.Result r = export(tmp.resolve("compact"), Compression.NONE, true, true);
        String actual = describe(Files.readAllBytes(r.file()), true);
        assertGolden(GOLDEN_COMPACT, actual);
        assertTrue(r.metadata().compact());
        assertEquals(SnapshotMetadata.COMPACT_FORMAT_VERSION, r.metadata().formatVersion());
        // format 2: the first block only (the import rebuilds the others)
        assertTrue(actual.contains("entry chain/blocks.000000 "), actual);
    }

    @Test
    void theSameDataGivesTheSameBytesInEveryCompression() throws Exception {
        byte[] plain = Files.readAllBytes(export(tmp.resolve("again"), Compression.NONE, false).file());
        assertArrayEquals(plain, Files.readAllBytes(export(tmp.resolve("again2"), Compression.NONE, false).file()));
        for (Compression c : new Compression[] {Compression.ZSTD, Compression.GZIP}) {
            byte[] packed = Files.readAllBytes(export(tmp.resolve(c.label()), c, false).file());
            assertArrayEquals(packed, Files.readAllBytes(export(tmp.resolve(c.label() + "2"), c, false).file()),
                    c.label() + " output is deterministic");
            Compression.Opened opened = Compression.open(new ByteArrayInputStream(packed));
            assertEquals(c, opened.compression());
            assertArrayEquals(plain, opened.stream().readAllBytes(), c.label() + " wraps the same header + tar");
        }
    }
}
