package io.flotilla.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.pvm.tree.Hash;
import io.flotilla.pvm.tree.InMemoryNodeStore;
import io.flotilla.pvm.tree.MissingNodeException;
import io.flotilla.pvm.tree.NodeStore;
import io.flotilla.pvm.tree.StoredNodes;
import io.flotilla.pvm.tree.Tree;
import io.flotilla.pvm.tree.Value;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link ContextWalk}: the tree nodes walked on their own thread give the entries {@link ArchiveLayout.ChunkedStream}
 * gives (cut after the record reaching 8 MiB), and a walk that fails or is abandoned ends.
 */
class ContextWalkTest {

    /** Two states of about 10 MiB of values in all (4 KiB chunks): more than one chunk of nodes. */
    private static List<Hash> states(NodeStore store) {
        List<Hash> roots = new ArrayList<>();
        Tree t = Tree.empty();
        for (int i = 0; i < 2500; i++) {
            byte[] v = new byte[4096];
            for (int j = 0; j < v.length; j++) {
                // every value differs (its index every 64 bytes): no two share a chunk node
                v[j] = (byte) (j % 64 < 2 ? i >>> (8 * (j % 64)) : j * 13 + (j >>> 5));
            }
            t = t.set(List.of("accounts", Integer.toString(i)), Value.of(v));
            if (i == 1200 || i == 2499) {
                t.persist(store);
                roots.add(t.hash());
            }
        }
        return roots;
    }

    /** The archive bytes of {@code roots}' nodes: through ContextWalk, or as the exporter wrote them before. */
    private static byte[] archive(NodeStore store, List<Hash> roots, boolean walked) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Tar.Writer tar = new Tar.Writer(bytes);
        long count;
        if (walked) {
            try (ContextWalk walk = new ContextWalk(store, roots)) {
                count = walk.writeTo(tar);
            }
        } else {
            try (ArchiveLayout.ChunkedStream s = new ArchiveLayout.ChunkedStream(tar, ArchiveLayout.NODES)) {
                Set<Hash> written = new HashSet<>();
                for (Hash root : roots) {
                    StoredNodes.walk(root, store, written, (h, enc) -> {
                        ArchiveLayout.writeNode(s.out, h, enc);
                        s.recordDone();
                    });
                }
                count = s.records;
            }
        }
        tar.entry(ArchiveLayout.NODE_COUNT, Long.toString(count).getBytes());
        tar.finish();
        return bytes.toByteArray();
    }

    @Test
    void theEntriesAreThoseOfTheChunkedStream() throws Exception {
        InMemoryNodeStore store = NodeStore.inMemory();
        List<Hash> roots = states(store);
        byte[] expected = archive(store, roots, false);
        byte[] walked = archive(store, roots, true);
        assertArrayEquals(expected, walked);
        List<String> names = new ArrayList<>();
        Tar.Reader r = new Tar.Reader(new java.io.ByteArrayInputStream(walked));
        for (Tar.Entry e = r.next(); e != null; e = r.next()) {
            names.add(e.name());
        }
        assertEquals(List.of("context/nodes.000000", "context/nodes.000001", "context/count"), names);
    }

    @Test
    void aMissingNodeFailsTheWriter() throws Exception {
        InMemoryNodeStore complete = NodeStore.inMemory();
        List<Hash> roots = states(complete);
        // every node but one value chunk
        NodeStore holed = new NodeStore() {
            Hash hole;

            @Override
            public synchronized byte[] get(Hash h) {
                byte[] enc = complete.get(h);
                if (hole == null && enc != null && enc.length > 4000) {
                    hole = h;
                }
                return h.equals(hole) ? null : enc;
            }

            @Override
            public void put(Hash h, byte[] encoding) {
                throw new UnsupportedOperationException();
            }
        };
        try (ContextWalk walk = new ContextWalk(holed, roots)) {
            assertThrows(MissingNodeException.class, () -> walk.writeTo(new Tar.Writer(new ByteArrayOutputStream())));
        }
    }

    @Test
    void anAbandonedWalkStops() throws Exception {
        InMemoryNodeStore store = NodeStore.inMemory();
        List<Hash> roots = states(store);
        Thread[] walker = new Thread[1];
        ContextWalk walk = new ContextWalk(new NodeStore() {
            @Override
            public byte[] get(Hash h) {
                walker[0] = Thread.currentThread();
                return store.get(h);
            }

            @Override
            public void put(Hash h, byte[] encoding) {
                throw new UnsupportedOperationException();
            }
        }, roots);
        // nobody takes the chunks (the export failed elsewhere): closing ends the thread
        walk.close();
        assertTrue(walker[0] == null || !walker[0].isAlive(), "the walk's thread ended");
        assertFalse(Thread.currentThread().isInterrupted());
    }
}
