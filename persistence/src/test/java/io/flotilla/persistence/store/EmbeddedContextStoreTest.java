package io.flotilla.persistence.store;

import io.flotilla.pvm.tree.Hash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedContextStoreTest extends ContextStoreContract {
    @TempDir
    Path dir;

    @Override
    protected ContextStore createOrOpen() {
        return EmbeddedContextStore.open(dir.resolve("context"));
    }

    @Override
    protected void corruptStoredData() throws Exception {
        Path d = dir.resolve("context");
        // move everything out of the write-ahead log into table files, then damage the table files' data blocks
        try (EmbeddedContextStore s = EmbeddedContextStore.open(d)) {
            s.flush();
        }
        List<Path> tables;
        try (Stream<Path> files = Files.list(d)) {
            tables = files.filter(p -> p.toString().endsWith(".sst")).toList();
        }
        assertTrue(!tables.isEmpty(), "no table files to corrupt");
        for (Path t : tables) {
            try (RandomAccessFile f = new RandomAccessFile(t.toFile(), "rw")) {
                long dataEnd = f.length() * 3 / 4;
                for (long off = 100; off < dataEnd; off += 997) {
                    f.seek(off);
                    int b = f.read();
                    f.seek(off);
                    f.write(b ^ 0x5a);
                }
            }
        }
    }

    @Test
    void aSecondOpenOfTheSameDirectoryIsRefused() {
        try (EmbeddedContextStore s = EmbeddedContextStore.open(dir.resolve("context"))) {
            ContextStoreException e = assertThrows(ContextStoreException.class,
                    () -> EmbeddedContextStore.open(dir.resolve("context")));
            assertTrue(e.getMessage().contains("is locked"), e.getMessage());
            assertEquals(0, s.stats().nodes());
        }
    }

    @Test
    void aDirectoryWithOtherFilesIsRefused() throws Exception {
        Path d = dir.resolve("other");
        Files.createDirectories(d);
        Files.writeString(d.resolve("notes.txt"), "hello");
        ContextStoreException e = assertThrows(ContextStoreException.class, () -> EmbeddedContextStore.open(d));
        assertTrue(e.getMessage().contains("not a context store"), e.getMessage());
    }

    @Test
    void damageInsideTheWriteAheadLogIsReportedNotSilentlyTruncated() throws Exception {
        Path d = dir.resolve("context");
        Map<Hash, byte[]> m = nodes(9, 2000, 500, 1500);
        try (EmbeddedContextStore s = EmbeddedContextStore.open(d)) {
            s.putAll(m);
        }
        List<Path> logs;
        try (Stream<Path> files = Files.list(d)) {
            logs = files.filter(p -> p.toString().endsWith(".log") && Files.isRegularFile(p))
                    .filter(p -> p.toFile().length() > 1_000_000).toList();
        }
        org.junit.jupiter.api.Assumptions.assumeFalse(logs.isEmpty(), "data already flushed to table files");
        try (RandomAccessFile f = new RandomAccessFile(logs.get(0).toFile(), "rw")) {
            long off = f.length() / 2;
            f.seek(off);
            int b = f.read();
            f.seek(off);
            f.write(b ^ 0xff);
        }
        ContextStoreException e = assertThrows(ContextStoreException.class, () -> EmbeddedContextStore.open(d));
        assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
    }

    @Test
    void statsReportDiskUsage() {
        try (EmbeddedContextStore s = EmbeddedContextStore.open(dir.resolve("context"))) {
            s.putAll(nodes(1, 100, 1000, 1000));
            assertTrue(s.stats().diskBytes() >= 100_000, "disk " + s.stats().diskBytes());
        }
    }

    /**
     * A writer process is killed with SIGKILL while writing batches: every batch it acknowledged is complete after
     * reopening, and while it runs another process cannot open the directory.
     */
    @Test
    void acknowledgedBatchesSurviveKillMinus9OfTheWriter() throws Exception {
        Path d = dir.resolve("killed");
        long seed = 77;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                ContextStoreBench.class.getName(), "writer", "rocksdb", d.toString(), Long.toString(seed))
                .redirectErrorStream(true).start();
        int acked = -1;
        StringBuilder other = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    acked = Integer.parseInt(line.substring(4));
                    if (acked == 2) {
                        ContextStoreException e = assertThrows(ContextStoreException.class,
                                () -> EmbeddedContextStore.open(d));
                        assertTrue(e.getMessage().contains("is locked"), e.getMessage());
                    }
                    if (acked >= 4) {
                        p.destroyForcibly();
                        break;
                    }
                } else {
                    other.append(line).append('\n');
                }
            }
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        assertTrue(acked >= 4, "writer output: " + other);
        try (EmbeddedContextStore s = EmbeddedContextStore.open(d)) {
            for (int b = 0; b <= acked; b++) {
                for (Map.Entry<Hash, byte[]> e : ContextStoreBench.batch(seed, b).entrySet()) {
                    assertArrayEquals(e.getValue(), s.get(e.getKey()), "batch " + b);
                }
            }
            assertTrue(s.stats().nodes() >= (acked + 1L) * ContextStoreBench.BATCH);
            assertEquals(0, s.stats().nodes() % ContextStoreBench.BATCH, "a partial batch is visible");
        }
    }
}
