package io.flotilla.snapshot;

import io.flotilla.pvm.tree.Hash;
import io.flotilla.pvm.tree.NodeStore;
import io.flotilla.pvm.tree.StoredNodes;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The {@code context/nodes} stream of an export, walked ({@link StoredNodes#walk}, each node once, roots in order) on
 * a thread of its own while the exporter reads the L2 blocks and builds the level inputs, which come first in the
 * archive: the store reads of the walk, most of an export's work, overlap with the rest instead of following it.
 * The walk runs ahead by at most {@value #AHEAD} chunks ({@link ArchiveLayout#CHUNK} each), then waits for
 * {@link #writeTo} to take them; the entries are those {@link ArchiveLayout.ChunkedStream} writes (same cuts, same
 * names), so the archive is unchanged.
 *
 * <p>A failure of the walk (a missing or malformed node) is rethrown by {@link #writeTo}; {@link #close()} stops a
 * walk whose chunks will not be taken (the export failed elsewhere).
 */
final class ContextWalk implements AutoCloseable {
    /** Chunks waiting to be written: enough to hold the whole walk of a small state while the inputs are built. */
    static final int AHEAD = 2;

    private static final byte[] END = new byte[0];

    private final NodeStore context;
    private final List<Hash> roots;
    private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(AHEAD);
    private final Thread thread;
    private volatile Throwable failure;
    private volatile long count;

    /** Starts walking {@code roots} of {@code context}, which must allow reads from another thread. */
    ContextWalk(NodeStore context, List<Hash> roots) {
        this.context = context;
        this.roots = List.copyOf(roots);
        this.thread = new Thread(this::walk, "snapshot-context-walk");
        thread.setDaemon(true);
        thread.start();
    }

    private void walk() {
        ArchiveLayout.RecordBuffer buffer = new ArchiveLayout.RecordBuffer(ArchiveLayout.CHUNK + (1 << 16));
        DataOutputStream out = new DataOutputStream(buffer);
        long[] n = {0};
        try {
            Set<Hash> written = new HashSet<>();
            StoredNodes.Sink sink = (h, encoding) -> {
                ArchiveLayout.writeNode(out, h, encoding);
                n[0]++;
                // cut as ChunkedStream does: after the record that reaches a chunk's size
                if (buffer.size() >= ArchiveLayout.CHUNK) {
                    chunks.put(buffer.toByteArray());
                    buffer.reset();
                }
            };
            for (Hash root : roots) {
                StoredNodes.walk(root, context, written, sink);
            }
            if (buffer.size() > 0) {
                chunks.put(buffer.toByteArray());
            }
            count = n[0];
            chunks.put(END);
        } catch (InterruptedException e) {
            // closed: the export failed elsewhere and takes no more chunks
        } catch (Throwable t) {
            failure = t;
            // wakes the writer whatever the queue holds; the export fails, the chunks are not needed
            chunks.clear();
            chunks.offer(END);
        }
    }

    /** Writes the walk's chunks as {@code context/nodes.NNNNNN} entries as they come; returns the number of nodes. */
    long writeTo(Tar.Writer tar) throws IOException {
        int index = 0;
        while (true) {
            byte[] chunk;
            try {
                chunk = chunks.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while writing the tree nodes");
            }
            if (chunk == END) {
                Throwable t = failure;
                if (t instanceof RuntimeException r) {
                    throw r;
                }
                if (t instanceof Error err) {
                    throw err;
                }
                if (t != null) {
                    throw new IllegalStateException(t);
                }
                return count;
            }
            tar.entry(ArchiveLayout.NODES + "." + String.format("%06d", index++), chunk);
        }
    }

    /** Stops the walk if it still runs. */
    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
