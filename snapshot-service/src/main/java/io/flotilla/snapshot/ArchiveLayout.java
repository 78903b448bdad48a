package io.flotilla.snapshot;

import io.flotilla.persistence.chain.L2Block;
import io.flotilla.persistence.chain.L2BlockCodec;
import io.flotilla.pvm.LevelInput;
import io.flotilla.pvm.tree.Hash;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The entries of a snapshot's tar archive (documented in {@code snapshot-service/SNAPSHOTS.md}) and the binary
 * records inside them. Record streams are split into entries of at most {@link #CHUNK} bytes, named
 * {@code <stream>.<6-digit index>}, so an exporter never needs to know a stream's length in advance.
 */
public final class ArchiveLayout {
    private ArchiveLayout() {}

    public static final String METADATA = SnapshotMetadata.ENTRY;
    public static final String BLOCKS = "chain/blocks";
    public static final String INBOXES = "inboxes/levels";
    public static final String COMMITMENTS = "commitments/commitments";
    public static final String NODES = "context/nodes";
    /** The number of tree nodes (ASCII decimal), after them: the exporter learns it while writing them. */
    public static final String NODE_COUNT = "context/count";
    public static final String PREIMAGES = "preimages/";

    static final int CHUNK = 8 << 20;

    public static String streamOf(String entryName) {
        int dot = entryName.lastIndexOf('.');
        return dot < 0 ? entryName : entryName.substring(0, dot);
    }

    /** Writes one record stream as chunked tar entries. */
    static final class ChunkedStream implements AutoCloseable {
        private final Tar.Writer tar;
        private final String name;
        private final RecordBuffer buffer;
        final DataOutputStream out;
        private int index;
        long records;

        ChunkedStream(Tar.Writer tar, String name) {
            this(tar, name, new RecordBuffer());
        }

        /** With {@code buffer} (empty) to assemble chunks in: one exporter shares one across its streams. */
        ChunkedStream(Tar.Writer tar, String name, RecordBuffer buffer) {
            this.tar = tar;
            this.name = name;
            this.buffer = buffer;
            this.out = new DataOutputStream(buffer);
            buffer.reset();
        }

        /** Call after each record: flushes a full chunk. */
        void recordDone() throws IOException {
            records++;
            if (buffer.size() >= CHUNK) {
                flush();
            }
        }

        private void flush() throws IOException {
            out.flush();
            if (buffer.size() == 0) {
                return;
            }
            try (OutputStream o = tar.entry(name + "." + String.format("%06d", index++), buffer.size())) {
                buffer.writeTo(o);
            }
            buffer.reset();
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    /**
     * The bytes of one chunk being assembled: a growable array without {@link ByteArrayOutputStream}'s lock on every
     * write ({@link DataOutputStream} writes an int as four single bytes, a record stream millions of them).
     */
    static final class RecordBuffer extends OutputStream {
        private byte[] bytes;
        private int count;

        RecordBuffer() {
            this(1 << 16);
        }

        /** Room for {@code capacity} bytes before growing: a chunk's worth saves the copies of doubling to 8 MiB. */
        RecordBuffer(int capacity) {
            bytes = new byte[capacity];
        }

        private void room(int n) {
            if (count + n > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, count + n));
            }
        }

        @Override
        public void write(int b) {
            room(1);
            bytes[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            room(len);
            System.arraycopy(b, off, bytes, count, len);
            count += len;
        }

        int size() {
            return count;
        }

        /** A copy of the bytes assembled so far. */
        byte[] toByteArray() {
            return java.util.Arrays.copyOf(bytes, count);
        }

        void writeTo(OutputStream o) throws IOException {
            o.write(bytes, 0, count);
        }

        void reset() {
            count = 0;
        }
    }

    // ------------------------------------------------------------------ records

    public static void writeBlock(DataOutputStream out, L2Block b) throws IOException {
        byte[] enc = L2BlockCodec.encode(b);
        out.writeInt(enc.length);
        out.write(enc);
    }

    public static void writeInput(DataOutputStream out, LevelInput in) throws IOException {
        out.writeInt(in.level());
        out.writeLong(in.predecessorTimestamp());
        out.write(in.predecessorHash());
        if (in.protocolMigration().isPresent()) {
            byte[] p = in.protocolMigration().get().getBytes(StandardCharsets.UTF_8);
            out.writeByte(1);
            out.writeShort(p.length);
            out.write(p);
        } else {
            out.writeByte(0);
        }
        out.writeInt(in.messages().size());
        for (byte[] m : in.messages()) {
            out.writeInt(m.length);
            out.write(m);
        }
    }

    public static void writeNode(DataOutputStream out, Hash h, byte[] encoding) throws IOException {
        out.write(h.bytes());
        out.writeInt(encoding.length);
        out.write(encoding);
    }

    /** Reads the records of one entry; a record cut by the entry's end is a truncated archive. */
    public static final class Records {
        private final DataInputStream in;
        private final String entry;

        public Records(InputStream entryData, String entry) {
            this.in = new DataInputStream(new java.io.BufferedInputStream(entryData, 1 << 16));
            this.entry = entry;
        }

        public boolean more() throws IOException {
            in.mark(1);
            int b = in.read();
            if (b < 0) {
                return false;
            }
            in.reset();
            return true;
        }

        private byte[] bytes(int n, int max) throws IOException {
            if (n < 0 || n > max) {
                throw new SnapshotFormatException("corrupted archive: a record of " + entry + " has a bad length " + n);
            }
            byte[] b = new byte[n];
            in.readFully(b);
            return b;
        }

        public L2Block block() throws IOException {
            try {
                return L2BlockCodec.decode(bytes(in.readInt(), 64 << 20));
            } catch (EOFException e) {
                throw truncated(e);
            } catch (RuntimeException e) {
                if (e instanceof SnapshotFormatException s) {
                    throw s;
                }
                throw new SnapshotFormatException("corrupted archive: an L2 block in " + entry + " cannot be decoded: "
                        + e.getMessage(), e);
            }
        }

        public LevelInput input() throws IOException {
            try {
                int level = in.readInt();
                long ts = in.readLong();
                byte[] pred = bytes(32, 32);
                Optional<String> migration = Optional.empty();
                int flag = in.readUnsignedByte();
                if (flag == 1) {
                    migration = Optional.of(new String(bytes(in.readUnsignedShort(), 1 << 16), StandardCharsets.UTF_8));
                } else if (flag != 0) {
                    throw new SnapshotFormatException("corrupted archive: bad migration flag in " + entry);
                }
                int n = in.readInt();
                if (n < 0 || n > 1_000_000) {
                    throw new SnapshotFormatException("corrupted archive: bad message count in " + entry);
                }
                List<byte[]> messages = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    messages.add(bytes(in.readInt(), LevelInput.MAX_MESSAGE_SIZE));
                }
                return new LevelInput(level, ts, pred, migration, messages);
            } catch (EOFException e) {
                throw truncated(e);
            }
        }

        /** A tree node: hash then encoding. */
        public Object[] node() throws IOException {
            try {
                byte[] h = bytes(32, 32);
                byte[] enc = bytes(in.readInt(), 64 << 20);
                return new Object[] {Hash.fromBytes(h), enc};
            } catch (EOFException e) {
                throw truncated(e);
            }
        }

        public byte[] fixed(int n) throws IOException {
            try {
                return bytes(n, n);
            } catch (EOFException e) {
                throw truncated(e);
            }
        }

        private SnapshotFormatException truncated(EOFException e) {
            return new SnapshotFormatException("truncated archive: " + entry + " ends inside a record", e);
        }
    }
}
