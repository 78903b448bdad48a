package io.flotilla.persistence.chain;

import io.flotilla.pvm.tree.Hash;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The stored form of an {@link L2Block}: format byte 1, then level, L1 hash, inbox hash, messages
 * (count, then length-prefixed), state hash, ticks, total ticks, outbox count, kernel runs, and an
 * optional commitment hash — all big-endian.
 */
public final class L2BlockCodec {
    private L2BlockCodec() {}

    static final byte FORMAT = 1;

    public static byte[] encode(L2Block b) {
        int size = 1 + 4 + 32 + 32 + 4 + 32 + 8 + 8 + 4 + 4 + 1 + 32;
        for (byte[] m : b.messages()) {
            size += 4 + m.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(FORMAT).putInt(b.level()).put(b.l1Hash()).put(b.inboxHash().bytes()).putInt(b.messages().size());
        for (byte[] m : b.messages()) {
            out.putInt(m.length).put(m);
        }
        out.put(b.stateHash().bytes()).putLong(b.ticks()).putLong(b.totalTicks()).putInt(b.outboxCount())
                .putInt(b.kernelRuns());
        if (b.commitment().isPresent()) {
            out.put((byte) 1).put(b.commitment().get().bytes());
        } else {
            out.put((byte) 0);
        }
        byte[] r = new byte[out.position()];
        out.flip();
        out.get(r);
        return r;
    }

    public static L2Block decode(byte[] bytes) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            byte format = in.get();
            if (format != FORMAT) {
                throw new IllegalArgumentException("unknown L2 block format " + format);
            }
            int level = in.getInt();
            byte[] l1 = new byte[32];
            in.get(l1);
            Hash inbox = hash(in);
            int n = in.getInt();
            if (n < 0 || n > in.remaining() / 4) {
                throw new IllegalArgumentException("bad message count " + n);
            }
            List<byte[]> msgs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int len = in.getInt();
                if (len < 0 || len > in.remaining()) {
                    throw new IllegalArgumentException("bad message length " + len);
                }
                byte[] m = new byte[len];
                in.get(m);
                msgs.add(m);
            }
            Hash state = hash(in);
            long ticks = in.getLong();
            long total = in.getLong();
            int outbox = in.getInt();
            int runs = in.getInt();
            Optional<Hash> commitment = in.get() == 1 ? Optional.of(hash(in)) : Optional.empty();
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " trailing bytes");
            }
            return new L2Block(level, l1, inbox, msgs, state, ticks, total, outbox, runs, commitment);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated L2 block record", e);
        }
    }

    private static Hash hash(ByteBuffer in) {
        byte[] h = new byte[32];
        in.get(h);
        return Hash.fromBytes(h);
    }
}
