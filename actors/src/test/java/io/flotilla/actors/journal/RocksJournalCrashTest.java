package io.flotilla.actors.journal;

import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.actors.node.EmbeddedJournal;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acknowledged means durable: a process writing to the RocksDB journal ({@link JournalCrashWriter}) is killed with
 * SIGKILL, and every event it saw acknowledged is in the journal afterwards, each id's events contiguous from 1.
 * While it runs, the journal is read from this process without stopping it (read-only, as a snapshot export does),
 * and shows at least every event acknowledged before the read.
 */
class RocksJournalCrashTest {

    @TempDir
    Path dataDir;

    /** Highest acknowledged sequence number per id, as printed by the writer. */
    private final Map<String, Long> acked = new ConcurrentHashMap<>();

    private long ackedTotal() {
        return acked.values().stream().mapToLong(Long::longValue).sum();
    }

    private static Map<String, List<Long>> journaled(Path dataDir) {
        Map<String, List<Long>> out = new HashMap<>();
        try (EventJournalReader r = EmbeddedJournal.openReader(dataDir)) {
            assertNotNull(r, "a journal in " + dataDir);
            for (String id : r.persistenceIds()) {
                List<Long> seqs = new ArrayList<>();
                r.eventsAfter(id, 0).forEach(e -> seqs.add(e.sequenceNr()));
                out.put(id, seqs);
            }
        }
        return out;
    }

    private static void assertContiguousFrom1(String id, List<Long> seqs) {
        for (int i = 0; i < seqs.size(); i++) {
            assertEquals(i + 1, seqs.get(i), id + ": events contiguous from 1");
        }
    }

    @Test
    void acknowledgedEventsSurviveKill9() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                JournalCrashWriter.class.getName(), dataDir.toString())
                .redirectError(dataDir.resolveSibling(dataDir.getFileName() + "-writer.err").toFile())
                .start();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    String[] f = line.split(" ");
                    if (f.length == 3 && f[0].equals("ACK")) {
                        acked.merge(f[1], Long.parseLong(f[2]), Math::max);
                    }
                }
            } catch (java.io.IOException | NumberFormatException e) {
                // the process died mid-line: what was read before counts
            }
        });
        reader.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (ackedTotal() < 2_000 && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(p.isAlive(), "the writer runs (see its .err file)");
            assertTrue(ackedTotal() >= 2_000, "the writer got 2,000 acknowledgements in 3 minutes");

            // read the running writer's journal: no lock taken, nothing copied, a consistent point
            Map<String, Long> before = new HashMap<>(acked);
            Map<String, List<Long>> live = journaled(dataDir);
            for (Map.Entry<String, Long> a : before.entrySet()) {
                List<Long> seqs = live.getOrDefault(a.getKey(), List.of());
                assertContiguousFrom1(a.getKey(), seqs);
                assertTrue(seqs.size() >= a.getValue(), a.getKey() + ": acknowledged up to " + a.getValue()
                        + " before the read, the read shows " + seqs.size());
            }
            assertTrue(p.isAlive(), "reading did not stop the writer");
        } finally {
            p.destroyForcibly(); // SIGKILL
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            reader.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertEquals(137, p.exitValue(), "killed by SIGKILL");

        // the writer's ACK lines are all read now: every one of them must be in the journal
        Map<String, List<Long>> after = journaled(dataDir);
        assertEquals(JournalCrashWriter.IDS, acked.size());
        for (Map.Entry<String, Long> a : acked.entrySet()) {
            List<Long> seqs = after.getOrDefault(a.getKey(), List.of());
            assertContiguousFrom1(a.getKey(), seqs);
            assertTrue(seqs.size() >= a.getValue(), a.getKey() + ": acknowledged up to " + a.getValue()
                    + ", journal holds " + seqs.size());
        }
        // and the journal opens for writing again (WAL recovery), with the same highest sequence numbers
        RocksJournalStore store = RocksJournalStore.acquire(dataDir.resolve(EmbeddedJournal.ROCKS_DIR));
        try (RocksJournalStore.View v = store.view()) {
            for (Map.Entry<String, List<Long>> e : after.entrySet()) {
                assertEquals(e.getValue().size(), v.highestSequenceNr(e.getKey()));
            }
        } finally {
            store.release();
        }
    }
}
