package io.flotilla.snapshot;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An output stream whose bytes are written to {@code target} by a thread of its own: the producer (the exporter
 * walking trees and framing tar entries) fills blocks of {@value #BLOCK} bytes and hands them over a small bounded
 * queue, while the other thread compresses and writes them, as {@code tar | zstd} runs on two processes. The
 * bytes reach {@code target} in order, unchanged, so the output is what a direct write would give.
 *
 * <p>A failure of the writing thread is rethrown to the producer at its next write or at {@link #close()}.
 * {@link #close()} flushes, closes {@code target} (ending the compressed stream) and waits for the thread;
 * {@link #abort()} stops the thread without finishing the stream, for a producer that failed.
 */
final class BackgroundWriter extends OutputStream {
    static final int BLOCK = 1 << 20;
    /**
     * Blocks in flight: three archive chunks ({@link ArchiveLayout#CHUNK}), so the producer hands over a finished
     * 8 MiB entry and goes on assembling the next one while it compresses, instead of waiting for room (with 4
     * blocks it stalled on every entry); about 26 MiB at most.
     */
    private static final int QUEUE = 24;

    /** The first {@code length} bytes of {@code bytes}; the length -1 ends the stream. */
    private record Block(byte[] bytes, int length) {}

    private static final Block END = new Block(new byte[0], -1);

    private final OutputStream target;
    private final BlockingQueue<Block> full = new ArrayBlockingQueue<>(QUEUE);
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(QUEUE + 2);
    private final Thread thread;
    private volatile Throwable failure;
    private byte[] block = new byte[BLOCK];
    private int used;
    private boolean closed;

    BackgroundWriter(OutputStream target, String threadName) {
        this.target = target;
        this.thread = new Thread(this::drain, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    private void drain() {
        try {
            while (true) {
                Block b = full.take();
                if (b == END) {
                    target.close();
                    return;
                }
                target.write(b.bytes(), 0, b.length());
                free.offer(b.bytes());
            }
        } catch (InterruptedException e) {
            // aborted: the producer failed and will delete the file
        } catch (Throwable t) {
            failure = t;
            full.clear(); // unblocks a producer waiting for room; it then sees the failure
        }
    }

    @Override
    public void write(int b) throws IOException {
        if (used == BLOCK) {
            hand(BLOCK);
        }
        block[used++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (used == BLOCK) {
                hand(BLOCK);
            }
            int n = Math.min(len, BLOCK - used);
            System.arraycopy(b, off, block, used, n);
            used += n;
            off += n;
            len -= n;
        }
    }

    /** Hands the current block (its first {@code n} bytes) to the writing thread. */
    private void hand(int n) throws IOException {
        check();
        put(new Block(block, n));
        byte[] next = free.poll();
        block = next != null ? next : new byte[BLOCK];
        used = 0;
    }

    private void put(Block b) throws IOException {
        try {
            while (!full.offer(b, 100, TimeUnit.MILLISECONDS)) {
                check();
                if (!thread.isAlive()) {
                    throw new IOException("the snapshot writer thread stopped");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort();
            throw new InterruptedIOException("interrupted while writing the snapshot");
        }
    }

    private void check() throws IOException {
        Throwable t = failure;
        if (t instanceof IOException io) {
            throw new IOException("writing the snapshot failed: " + io.getMessage(), io);
        }
        if (t != null) {
            throw new IOException("writing the snapshot failed: " + t, t);
        }
    }

    /** Bytes are handed over only in whole blocks; {@link #close()} sends the rest. */
    @Override
    public void flush() {
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (used > 0) {
            hand(used);
        }
        put(END);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            thread.interrupt();
            throw new InterruptedIOException("interrupted while finishing the snapshot");
        }
        check();
    }

    /** Stops the writing thread without finishing the stream (the file is incomplete and must be deleted). */
    void abort() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            target.close();
        } catch (IOException | RuntimeException e) {
            // the file is deleted by the caller
        }
    }
}
