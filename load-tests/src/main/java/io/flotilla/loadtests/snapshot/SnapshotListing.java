package io.flotilla.loadtests.snapshot;

import io.flotilla.snapshot.ArchiveLayout;
import io.flotilla.snapshot.Compression;
import io.flotilla.snapshot.SnapshotHeader;
import io.flotilla.snapshot.Tar;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a snapshot holds, entry type by entry type: the tar listing grouped by record stream ({@code chain/blocks},
 * {@code inboxes/levels}, {@code context/nodes}, ...) with the entries' bytes and the bytes each stream takes once
 * compressed on its own (zstd, the export's level). The per-stream compressed sizes do not add up exactly to the
 * file's size (one zstd frame over everything shares its window), but they show where the bytes go.
 *
 * <pre>java ... io.flotilla.loadtests.snapshot.SnapshotListing SNAPSHOT...</pre>
 */
public final class SnapshotListing {
    private SnapshotListing() {}

    /** One stream of the archive: its entries, their bytes and those bytes compressed alone. */
    public record Stream(String name, int entries, long bytes, long zstdBytes) {}

    public static void main(String[] args) throws IOException {
        for (String a : args) {
            Path p = Path.of(a);
            System.out.println(p + " (" + Files.size(p) + " bytes)");
            System.out.println(table(list(p)));
        }
    }

    /** The streams of a snapshot file, in archive order. */
    public static Map<String, Stream> list(Path snapshot) throws IOException {
        Map<String, ByteArrayOutputStream> data = new LinkedHashMap<>();
        Map<String, Integer> entries = new LinkedHashMap<>();
        try (InputStream raw = Files.newInputStream(snapshot)) {
            Compression.Opened opened = Compression.open(raw);
            byte[] header = opened.stream().readNBytes(SnapshotHeader.LENGTH);
            data.computeIfAbsent("(header)", k -> new ByteArrayOutputStream()).writeBytes(header);
            entries.merge("(header)", 1, Integer::sum);
            Tar.Reader tar = new Tar.Reader(opened.stream());
            Tar.Entry e;
            while ((e = tar.next()) != null) {
                String stream = e.name().startsWith(ArchiveLayout.PREIMAGES) ? ArchiveLayout.PREIMAGES + "*"
                        : ArchiveLayout.streamOf(e.name());
                data.computeIfAbsent(stream, k -> new ByteArrayOutputStream()).writeBytes(tar.data().readAllBytes());
                entries.merge(stream, 1, Integer::sum);
            }
        }
        Map<String, Stream> out = new LinkedHashMap<>();
        for (var d : data.entrySet()) {
            byte[] bytes = d.getValue().toByteArray();
            out.put(d.getKey(), new Stream(d.getKey(), entries.get(d.getKey()), bytes.length, zstd(bytes)));
        }
        return out;
    }

    static long zstd(byte[] bytes) throws IOException {
        long[] count = {0};
        OutputStream sink = new OutputStream() {
            @Override
            public void write(int b) {
                count[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                count[0] += len;
            }
        };
        try (OutputStream z = Compression.ZSTD.compress(sink)) {
            z.write(bytes);
        }
        return count[0];
    }

    /** A Markdown table of the streams. */
    public static String table(Map<String, Stream> streams) {
        StringBuilder sb = new StringBuilder("| entry | entries | bytes | zstd alone |\n|---|---|---|---|\n");
        long bytes = 0;
        long zstd = 0;
        for (Stream s : streams.values()) {
            sb.append(String.format(Locale.ROOT, "| `%s` | %d | %,d | %,d |%n", s.name(), s.entries(), s.bytes(),
                    s.zstdBytes()));
            bytes += s.bytes();
            zstd += s.zstdBytes();
        }
        sb.append(String.format(Locale.ROOT, "| total | | %,d | %,d |%n", bytes, zstd));
        return sb.toString();
    }
}
