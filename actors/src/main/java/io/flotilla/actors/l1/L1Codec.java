package io.flotilla.actors.l1;

import io.flotilla.pvm.crypto.Blake2b;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A canonical binary form of sandbox blocks and operations: what a block hash is computed over, and a
 * way to compare operations by content (records holding arrays compare by identity).
 * Strings and byte strings are uint32-length-prefixed; a missing value is length {@code 0xffffffff}.
 * The same form, read back by {@link #decode} and {@link #decodeBlock}, is how a durable {@link SandboxL1}
 * stores its blocks.
 */
public final class L1Codec {
    private L1Codec() {}

    /** The bytes of one operation: a kind tag, then its fields in declaration order. */
    public static byte[] encode(L1Operation op) {
        Out o = new Out();
        write(o, op);
        return o.bytes();
    }

    /**
     * Reads an operation written by {@link #encode}.
     *
     * @throws IllegalArgumentException when the bytes are not one well-formed operation
     */
    public static L1Operation decode(byte[] bytes) {
        In in = new In(bytes);
        L1Operation op = read(in);
        in.end();
        return op;
    }

    /** A whole block: level, timestamp, hash, predecessor, protocol, then the encoded operations. */
    public static byte[] encodeBlock(L1Block b) {
        Out o = new Out();
        o.i32(b.level()).i64(b.timestamp()).raw(b.hash()).raw(b.predecessor()).str(b.protocol());
        o.i32(b.operations().size());
        for (L1Operation op : b.operations()) {
            o.bytes(encode(op));
        }
        return o.bytes();
    }

    /**
     * Reads a block written by {@link #encodeBlock}; its hash is not checked against its content.
     *
     * @throws IllegalArgumentException when the bytes are not one well-formed block
     */
    public static L1Block decodeBlock(byte[] bytes) {
        In in = new In(bytes);
        int level = in.i32();
        long timestamp = in.i64();
        byte[] hash = in.raw(32);
        byte[] predecessor = in.raw(32);
        String protocol = in.str();
        if (protocol == null) {
            throw new IllegalArgumentException("a block has a protocol");
        }
        int n = in.count();
        List<L1Operation> ops = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] op = in.bytes();
            if (op == null) {
                throw new IllegalArgumentException("operation " + i + " is missing");
            }
            try {
                ops.add(decode(op));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("operation " + i + ": " + e.getMessage(), e);
            }
        }
        in.end();
        return new L1Block(level, hash, predecessor, timestamp, protocol, ops);
    }

    /** The hash of a block with this content: Blake2b-256 of the encoded header and operations. */
    public static byte[] blockHash(int level, byte[] predecessor, long timestamp, String protocol,
            List<L1Operation> operations) {
        Out o = new Out();
        o.str("flotilla-sandbox-block");
        o.i32(level);
        o.raw(predecessor);
        o.i64(timestamp);
        o.str(protocol);
        o.i32(operations.size());
        for (L1Operation op : operations) {
            o.bytes(encode(op));
        }
        return Blake2b.hash256(o.bytes());
    }

    /** True when both operations have the same content. */
    public static boolean sameContent(L1Operation a, L1Operation b) {
        return java.util.Arrays.equals(encode(a), encode(b));
    }

    /** True when both blocks have the same header and operations. */
    public static boolean sameContent(L1Block a, L1Block b) {
        if (a.level() != b.level() || a.timestamp() != b.timestamp() || !a.protocol().equals(b.protocol())
                || !java.util.Arrays.equals(a.hash(), b.hash()) || !java.util.Arrays.equals(a.predecessor(), b.predecessor())
                || a.operations().size() != b.operations().size()) {
            return false;
        }
        for (int i = 0; i < a.operations().size(); i++) {
            if (!sameContent(a.operations().get(i), b.operations().get(i))) {
                return false;
            }
        }
        return true;
    }

    private static void write(Out o, L1Operation op) {
        if (op instanceof L1Operation.Originate x) {
            o.u8(0).str(x.source()).str(x.rollup()).bytes(x.kernel()).str(x.parametersType()).str(x.pvmVersion())
                    .bytes(x.genesisCommitment());
        } else if (op instanceof L1Operation.AddMessages x) {
            o.u8(1).str(x.source()).i32(x.messages().size());
            for (byte[] m : x.messages()) {
                o.bytes(m);
            }
        } else if (op instanceof L1Operation.Transfer x) {
            o.u8(2).str(x.source()).str(x.sender()).str(x.rollup()).bytes(x.parametersMicheline());
        } else if (op instanceof L1Operation.Publish x) {
            o.u8(3).str(x.source()).str(x.rollup()).bytes(x.commitmentHash()).i32(x.inboxLevel()).bytes(x.commitment());
        } else if (op instanceof L1Operation.Cement x) {
            o.u8(4).str(x.source()).str(x.rollup()).bytes(x.commitmentHash()).i32(x.inboxLevel());
        } else if (op instanceof L1Operation.ExecuteOutbox x) {
            o.u8(5).str(x.source()).str(x.rollup()).bytes(x.cementedCommitment()).bytes(x.outputProof());
        } else {
            throw new IllegalArgumentException("unknown operation " + op);
        }
    }

    private static L1Operation read(In in) {
        int tag = in.u8();
        switch (tag) {
            case 0:
                return new L1Operation.Originate(in.str(), in.str(), in.bytes(), in.str(), in.str(), in.bytes());
            case 1: {
                String source = in.str();
                int n = in.count();
                List<byte[]> msgs = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    byte[] m = in.bytes();
                    if (m == null) {
                        throw new IllegalArgumentException("add_messages: message " + i + " is missing");
                    }
                    msgs.add(m);
                }
                return new L1Operation.AddMessages(source, msgs);
            }
            case 2:
                return new L1Operation.Transfer(in.str(), in.str(), in.str(), in.bytes());
            case 3:
                return new L1Operation.Publish(in.str(), in.str(), in.bytes(), in.i32(), in.bytes());
            case 4:
                return new L1Operation.Cement(in.str(), in.str(), in.bytes(), in.i32());
            case 5:
                return new L1Operation.ExecuteOutbox(in.str(), in.str(), in.bytes(), in.bytes());
            default:
                throw new IllegalArgumentException("unknown operation tag " + tag);
        }
    }

    private static final class In {
        private final ByteBuffer buf;

        In(byte[] b) {
            buf = ByteBuffer.wrap(b);
        }

        int u8() {
            try {
                return buf.get() & 0xff;
            } catch (BufferUnderflowException e) {
                throw truncated();
            }
        }

        int i32() {
            try {
                return buf.getInt();
            } catch (BufferUnderflowException e) {
                throw truncated();
            }
        }

        long i64() {
            try {
                return buf.getLong();
            } catch (BufferUnderflowException e) {
                throw truncated();
            }
        }

        /** A non-negative element count, at most what the remaining bytes could hold. */
        int count() {
            int n = i32();
            if (n < 0 || n > buf.remaining()) {
                throw new IllegalArgumentException("bad count " + n + " at byte " + (buf.position() - 4));
            }
            return n;
        }

        byte[] raw(int n) {
            if (buf.remaining() < n) {
                throw truncated();
            }
            byte[] b = new byte[n];
            buf.get(b);
            return b;
        }

        byte[] bytes() {
            int n = i32();
            if (n == -1) {
                return null;
            }
            if (n < 0) {
                throw new IllegalArgumentException("bad length " + n + " at byte " + (buf.position() - 4));
            }
            return raw(n);
        }

        String str() {
            byte[] b = bytes();
            return b == null ? null : new String(b, StandardCharsets.UTF_8);
        }

        void end() {
            if (buf.hasRemaining()) {
                throw new IllegalArgumentException(buf.remaining() + " trailing bytes");
            }
        }

        private IllegalArgumentException truncated() {
            return new IllegalArgumentException("truncated at byte " + buf.position() + " of " + buf.limit());
        }
    }

    private static final class Out {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(buf);

        Out u8(int v) {
            try {
                out.writeByte(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Out i32(int v) {
            try {
                out.writeInt(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Out i64(long v) {
            try {
                out.writeLong(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Out raw(byte[] b) {
            try {
                out.write(b);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Out bytes(byte[] b) {
            if (b == null) {
                return i32(-1);
            }
            i32(b.length);
            try {
                out.write(b);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Out str(String s) {
            return bytes(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
        }

        byte[] bytes() {
            return buf.toByteArray();
        }
    }
}
