package io.flotilla.actors.journal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB database behind {@link RocksJournal} and {@link RocksSnapshotStore}: one per data directory
 * ({@code <dataDir>/journal-rocks}), shared by every actor system of the process that journals there (RocksDB locks
 * its directory against a second opening).
 *
 * <p>Keys sort so that a replay is a range scan: {@code 'E' | len(pid) int32 | pid UTF-8 | seqNr int64 BE} for events,
 * {@code 'S' | ... | seqNr} for snapshots and {@code 'H' | len(pid) | pid} for the highest sequence number ever written
 * (kept when events are deleted). The persistence id is length-prefixed so that no id's keys fall inside another's
 * range, whatever characters ids hold.
 *
 * <p>Group commit: every mutation goes through one writer thread, which drains all pending mutations (of every
 * entity) into one {@link WriteBatch} written with {@code sync=true}, then completes their futures. A write is
 * acknowledged only once its batch is on disk, so acknowledged events survive {@code kill -9} and power loss, at one
 * fsync per batch rather than per event.
 */
public final class RocksJournalStore {
    static {
        RocksDB.loadLibrary();
    }

    static final byte EVENT = 'E';
    static final byte SNAPSHOT = 'S';
    static final byte HIGHEST = 'H';
    /** Bytes of the value header in front of a serialized payload: format version. */
    private static final byte FORMAT = 1;
    /** At most this many mutations in one batch (bounds the batch's memory). */
    private static final int MAX_BATCH = 20_000;

    private static final Map<Path, RocksJournalStore> OPEN = new HashMap<>();

    private final Path dir;
    private final RocksDB db;
    private final Options options;
    private final boolean readOnly;
    private final WriteOptions sync;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private final ExecutorService reads;
    private volatile boolean running = true;
    private int refs;

    private record Pending(Consumer<WriteBatch> mutation, CompletableFuture<Void> done) {}

    /** A serialized payload as stored: Pekko serializer id, its manifest and the bytes. */
    public record Payload(int serializerId, String manifest, byte[] bytes) {}

    /** An event as stored. */
    public record StoredEvent(long sequenceNr, long timestamp, String eventManifest, String writerUuid, Payload payload) {}

    /** A snapshot as stored. */
    public record StoredSnapshot(long sequenceNr, long timestamp, Payload payload) {}

    private RocksJournalStore(Path dir, boolean readOnly) {
        this.dir = dir;
        this.readOnly = readOnly;
        // small memtables: a read-only opening (snapshot export of a running node) replays the unflushed WAL, so
        // the memtable size bounds what it reads
        this.options = new Options().setCreateIfMissing(true).setKeepLogFileNum(2).setWriteBufferSize(16L << 20);
        try {
            if (readOnly) {
                this.db = RocksDB.openReadOnly(options, dir.toString());
            } else {
                Files.createDirectories(dir);
                this.db = RocksDB.open(options, dir.toString());
            }
        } catch (RocksDBException | java.io.IOException e) {
            options.close();
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            if (m.contains("lock")) {
                throw new IllegalStateException("the journal in " + dir + " is in use by another process: " + m, e);
            }
            throw new IllegalStateException("cannot open the journal in " + dir + ": " + m, e);
        }
        this.sync = new WriteOptions().setSync(true);
        if (readOnly) {
            this.writer = null;
            this.reads = null;
        } else {
            this.writer = new Thread(this::writeLoop, "flotilla-journal-writer");
            writer.setDaemon(true);
            writer.start();
            // replays and snapshot loads block on RocksDB reads: keep them off the actor dispatchers
            this.reads = Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "flotilla-journal-read");
                t.setDaemon(true);
                return t;
            });
        }
    }

    /** Opens (or shares, when this process has it open already) the journal in {@code dir}; {@link #release()} it. */
    public static RocksJournalStore acquire(Path dir) {
        Path key = dir.toAbsolutePath().normalize();
        synchronized (OPEN) {
            RocksJournalStore s = OPEN.get(key);
            if (s == null) {
                s = new RocksJournalStore(key, false);
                OPEN.put(key, s);
            }
            s.refs++;
            return s;
        }
    }

    /**
     * A read view of the journal in {@code dir}: the instance this process has open if there is one, otherwise a
     * read-only opening, which takes no lock (a node in another process keeps running and writing) and shows the
     * journal as of the opening: the WAL is replayed up to its last complete record, so the view is a consistent
     * point of the primary's history. Null when there is no journal.
     */
    public static RocksJournalStore acquireForRead(Path dir) {
        Path key = dir.toAbsolutePath().normalize();
        synchronized (OPEN) {
            RocksJournalStore s = OPEN.get(key);
            if (s != null) {
                s.refs++;
                return s;
            }
        }
        if (!Files.exists(key.resolve("CURRENT"))) {
            return null;
        }
        IllegalStateException last = null;
        // the primary may delete a WAL or table file between listing and opening it (flush, compaction): retry
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                RocksJournalStore s = new RocksJournalStore(key, true);
                s.refs = 1;
                return s;
            } catch (IllegalStateException e) {
                last = e;
            }
        }
        throw last;
    }

    /** Gives back what {@link #acquire} or {@link #acquireForRead} handed out; the last release closes. */
    public void release() {
        if (readOnly) {
            synchronized (OPEN) {
                if (--refs > 0) {
                    return;
                }
            }
            closeNow();
            return;
        }
        synchronized (OPEN) {
            if (--refs > 0) {
                return;
            }
            OPEN.remove(dir);
        }
        closeNow();
    }

    private void closeNow() {
        running = false;
        if (writer != null) {
            try {
                writer.join(TimeUnit.SECONDS.toMillis(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            reads.shutdown();
            try {
                reads.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        sync.close();
        db.close();
        options.close();
    }

    /** The directory of this journal. */
    public Path dir() {
        return dir;
    }

    /** Where blocking reads run. */
    ExecutorService readExecutor() {
        return reads;
    }

    // ---------------------------------------------------------------- keys and values

    static byte[] key(byte kind, String pid, long seqNr) {
        byte[] p = pid.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 4 + p.length + 8).put(kind).putInt(p.length).put(p).putLong(seqNr).array();
    }

    static byte[] highestKey(String pid) {
        byte[] p = pid.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 4 + p.length).put(HIGHEST).putInt(p.length).put(p).array();
    }

    /** The key just after every key of {@code pid} with sequence number up to {@code seqNr} (unsigned, so MAX works). */
    static byte[] keyAfter(byte kind, String pid, long seqNr) {
        return key(kind, pid, seqNr + 1);
    }

    private static long seqOf(byte[] key) {
        return ByteBuffer.wrap(key, key.length - 8, 8).getLong();
    }

    private static boolean hasPrefix(byte[] key, byte[] prefix) {
        if (key.length != prefix.length + 8) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (key[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] prefix(byte kind, String pid) {
        byte[] p = pid.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 4 + p.length).put(kind).putInt(p.length).put(p).array();
    }

    private static void putString(ByteBuffer b, byte[] s) {
        // a longer manifest would wrap its 16-bit length and corrupt the record: refuse it (the write is rejected)
        if (s.length > 0xFFFF) {
            throw new IllegalArgumentException("a journal manifest or writer id of " + s.length
                    + " bytes is longer than 65,535");
        }
        b.putShort((short) s.length).put(s);
    }

    private static String getString(ByteBuffer b) {
        byte[] s = new byte[Short.toUnsignedInt(b.getShort())];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    static byte[] eventValue(long timestamp, String eventManifest, String writerUuid, Payload p) {
        byte[] em = eventManifest.getBytes(StandardCharsets.UTF_8);
        byte[] wu = writerUuid.getBytes(StandardCharsets.UTF_8);
        byte[] sm = p.manifest().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(1 + 8 + 4 + 2 + sm.length + 2 + em.length + 2 + wu.length + p.bytes().length);
        b.put(FORMAT).putLong(timestamp).putInt(p.serializerId());
        putString(b, sm);
        putString(b, em);
        putString(b, wu);
        return b.put(p.bytes()).array();
    }

    private static StoredEvent decodeEvent(long seqNr, byte[] v) {
        ByteBuffer b = ByteBuffer.wrap(v);
        checkFormat(b.get());
        long ts = b.getLong();
        int serId = b.getInt();
        String sm = getString(b);
        String em = getString(b);
        String wu = getString(b);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return new StoredEvent(seqNr, ts, em, wu, new Payload(serId, sm, bytes));
    }

    static byte[] snapshotValue(long timestamp, Payload p) {
        byte[] sm = p.manifest().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(1 + 8 + 4 + 2 + sm.length + p.bytes().length);
        b.put(FORMAT).putLong(timestamp).putInt(p.serializerId());
        putString(b, sm);
        return b.put(p.bytes()).array();
    }

    private static StoredSnapshot decodeSnapshot(long seqNr, byte[] v) {
        ByteBuffer b = ByteBuffer.wrap(v);
        checkFormat(b.get());
        long ts = b.getLong();
        int serId = b.getInt();
        String sm = getString(b);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return new StoredSnapshot(seqNr, ts, new Payload(serId, sm, bytes));
    }

    private static void checkFormat(byte f) {
        if (f != FORMAT) {
            throw new IllegalStateException("journal record of unknown format " + f + " (this build reads " + FORMAT + ")");
        }
    }

    // ---------------------------------------------------------------- writes

    /** Queues {@code mutation} for the next group commit; the future completes once its batch is durable. */
    CompletableFuture<Void> submit(Consumer<WriteBatch> mutation) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (readOnly || !running) {
            done.completeExceptionally(new IllegalStateException("the journal in " + dir + " is "
                    + (readOnly ? "open read-only" : "closed")));
            return done;
        }
        queue.add(new Pending(mutation, done));
        return done;
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            Pending first;
            try {
                first = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                continue;
            }
            if (first == null) {
                continue;
            }
            batch.clear();
            batch.add(first);
            queue.drainTo(batch, MAX_BATCH - 1);
            try (WriteBatch wb = new WriteBatch()) {
                for (Pending p : batch) {
                    p.mutation().accept(wb);
                }
                db.write(sync, wb);
            } catch (RuntimeException | RocksDBException e) {
                for (Pending p : batch) {
                    p.done().completeExceptionally(e);
                }
                continue;
            }
            for (Pending p : batch) {
                p.done().complete(null);
            }
        }
    }

    /** Adds an event put (and the id's highest sequence number) to {@code wb}. */
    static void putEvent(WriteBatch wb, String pid, long seqNr, byte[] value) {
        try {
            wb.put(key(EVENT, pid, seqNr), value);
            wb.put(highestKey(pid), ByteBuffer.allocate(8).putLong(seqNr).array());
        } catch (RocksDBException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deletes the events of {@code pid} up to {@code toSeqNr} (inclusive); the highest sequence number stays. */
    CompletableFuture<Void> deleteEventsTo(String pid, long toSeqNr) {
        return submit(wb -> {
            try {
                wb.deleteRange(key(EVENT, pid, 0), keyAfter(EVENT, pid, toSeqNr));
            } catch (RocksDBException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Stores a snapshot of {@code pid} at {@code seqNr}. */
    public CompletableFuture<Void> putSnapshot(String pid, long seqNr, long timestamp, Payload p) {
        byte[] v = snapshotValue(timestamp, p);
        return submit(wb -> {
            try {
                wb.put(key(SNAPSHOT, pid, seqNr), v);
            } catch (RocksDBException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Deletes the snapshots of {@code pid} at the given sequence numbers. */
    CompletableFuture<Void> deleteSnapshots(String pid, List<Long> seqNrs) {
        if (seqNrs.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return submit(wb -> {
            try {
                for (long s : seqNrs) {
                    wb.delete(key(SNAPSHOT, pid, s));
                }
            } catch (RocksDBException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    // ---------------------------------------------------------------- reads

    /** A consistent point of this journal for several reads; close it after use. */
    public View view() {
        return new View();
    }

    /** Reads against one RocksDB snapshot: every read of a view sees the same point of the journal. */
    public final class View implements AutoCloseable {
        private final Snapshot snapshot = db.getSnapshot();
        private final ReadOptions ro = new ReadOptions().setSnapshot(snapshot);

        private View() {}

        /** The highest sequence number ever written for {@code pid} (0 if none), deletions notwithstanding. */
        public long highestSequenceNr(String pid) {
            try {
                byte[] v = db.get(ro, highestKey(pid));
                return v == null ? 0 : ByteBuffer.wrap(v).getLong();
            } catch (RocksDBException e) {
                throw new IllegalStateException("cannot read the journal in " + dir + ": " + e.getMessage(), e);
            }
        }

        /** Events of {@code pid} with {@code from <= seqNr <= to}, at most {@code max}, in order. */
        public void events(String pid, long from, long to, long max, Consumer<StoredEvent> out) {
            if (max <= 0 || to < from) {
                return;
            }
            byte[] prefix = prefix(EVENT, pid);
            long n = 0;
            try (RocksIterator it = db.newIterator(ro)) {
                for (it.seek(key(EVENT, pid, Math.max(0, from))); it.isValid(); it.next()) {
                    byte[] k = it.key();
                    if (!hasPrefix(k, prefix)) {
                        break;
                    }
                    long seq = seqOf(k);
                    if (seq > to) {
                        break;
                    }
                    out.accept(decodeEvent(seq, it.value()));
                    if (++n >= max) {
                        break;
                    }
                }
            }
        }

        /** The youngest snapshot of {@code pid} whose sequence number and timestamp {@code accept}s, if any. */
        public Optional<StoredSnapshot> latestSnapshot(String pid, long maxSeqNr, Predicate<StoredSnapshot> accept) {
            byte[] prefix = prefix(SNAPSHOT, pid);
            try (RocksIterator it = db.newIterator(ro)) {
                for (it.seekForPrev(key(SNAPSHOT, pid, maxSeqNr)); it.isValid(); it.prev()) {
                    byte[] k = it.key();
                    if (!hasPrefix(k, prefix)) {
                        break;
                    }
                    StoredSnapshot s = decodeSnapshot(seqOf(k), it.value());
                    if (accept.test(s)) {
                        return Optional.of(s);
                    }
                }
            }
            return Optional.empty();
        }

        /** Sequence numbers and timestamps of every snapshot of {@code pid}, oldest first (payloads not decoded). */
        public List<long[]> snapshotKeys(String pid) {
            byte[] prefix = prefix(SNAPSHOT, pid);
            List<long[]> out = new ArrayList<>();
            try (RocksIterator it = db.newIterator(ro)) {
                for (it.seek(key(SNAPSHOT, pid, 0)); it.isValid(); it.next()) {
                    byte[] k = it.key();
                    if (!hasPrefix(k, prefix)) {
                        break;
                    }
                    out.add(new long[] {seqOf(k), ByteBuffer.wrap(it.value(), 1, 8).getLong()});
                }
            }
            return out;
        }

        /** The persistence ids with events or snapshots (or whose events were all deleted). */
        public List<String> persistenceIds() {
            LinkedHashSet<String> ids = new LinkedHashSet<>();
            for (byte kind : new byte[] {HIGHEST, SNAPSHOT}) {
                try (RocksIterator it = db.newIterator(ro)) {
                    for (it.seek(new byte[] {kind}); it.isValid(); it.next()) {
                        byte[] k = it.key();
                        if (k[0] != kind) {
                            break;
                        }
                        int len = ByteBuffer.wrap(k, 1, 4).getInt();
                        ids.add(new String(k, 5, len, StandardCharsets.UTF_8));
                    }
                }
            }
            return new ArrayList<>(ids);
        }

        @Override
        public void close() {
            ro.close();
            db.releaseSnapshot(snapshot);
        }
    }
}
