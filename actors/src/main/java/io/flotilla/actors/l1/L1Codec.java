package io.flotilla.actors.l1;

import io.flotilla.pvm.crypto.Blake2b;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A canonical binary form of sandbox blocks and operations: what a block hash is computed over, and a
 * way to compare operations by content (records holding arrays compare by identity).
 * Strings and byte strings are uint32-length-prefixed; a missing value is length {@code 0xffffffff}.
 */
public final class L1Codec {
    private L1Codec() {}

    /** The bytes of one operation: a kind tag, then its fields in declaration order. */
    public static byte[] encode(L1Operation op) {
        Out o = new Out();
        write(o, op);
        return o.bytes();
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
