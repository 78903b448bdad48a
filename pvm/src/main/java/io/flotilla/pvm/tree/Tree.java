package io.flotilla.pvm.tree;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;

/**
 * A persistent Merkle tree of directories and value leaves. Every update returns a new Tree sharing all untouched
 * nodes with the old one. A Tree loaded from a {@link NodeStore} decodes nodes only when they are visited.
 * Trees are immutable and safe to read from several threads.
 *
 * <p>Paths are lists of non-empty steps; the root path is {@code List.of()}. The root always exists (the empty tree
 * is the empty root directory); no other directory is ever empty: removing the last child of a directory removes the
 * directory too.
 *
 * <p>A directory of more than {@link Directory#THRESHOLD} (256) children is stored as a canonical tree of pages (see
 * {@link Codec}): looking up, adding or removing one child, {@link #childCount} and {@link #childName} read and write
 * O(log n) pages, and a proof through it carries only the pages on the path.
 */
public final class Tree {
    private static final Hash EMPTY_HASH = DirNode.EMPTY.hash();

    final Ref root;

    Tree(Ref root) {
        this.root = root;
    }

    public static Tree empty() {
        return new Tree(new Ref(DirNode.EMPTY));
    }

    public static Tree ofValue(Value v) {
        return new Tree(new Ref(new LeafNode(v)));
    }

    /** The tree with root {@code root} in {@code store}; nothing is read until a node is visited. */
    public static Tree load(Hash root, NodeStore store) {
        return new Tree(new Ref(root, store, Ref.Kind.TREE_ROOT));
    }

    /** The state hash: the hash of the root node's encoding. */
    public Hash hash() {
        return root.hash();
    }

    public boolean isEmpty() {
        Node n = root.loadedNode();
        if (n != null) {
            return n instanceof DirNode d && d.size() == 0;
        }
        return root.hash().equals(EMPTY_HASH);
    }

    public boolean isLeaf() {
        return root.node() instanceof LeafNode;
    }

    // ---- reads

    /** The reference at {@code path} (the node itself is not loaded), or null. */
    private Ref refAt(List<String> path) {
        Steps.checkPath(path);
        Ref r = root;
        for (String step : path) {
            if (!(r.node() instanceof Directory d)) {
                return null;
            }
            r = d.child(step);
            if (r == null) {
                return null;
            }
        }
        return r;
    }

    private Node nodeAt(List<String> path) {
        Ref r = refAt(path);
        return r == null ? null : r.node();
    }

    /** The value of the leaf at {@code path}, if there is a leaf there. */
    public Optional<Value> value(List<String> path) {
        return nodeAt(path) instanceof LeafNode l ? Optional.of(l.value) : Optional.empty();
    }

    /** Whether there is a node (leaf or directory) at {@code path}; always true for the root path. */
    public boolean exists(List<String> path) {
        return refAt(path) != null;
    }

    /** The node at {@code path} as a tree sharing this tree's nodes. */
    public Optional<Tree> subtree(List<String> path) {
        if (path.isEmpty()) {
            return Optional.of(this);
        }
        Ref r = refAt(path);
        return r == null ? Optional.empty() : Optional.of(new Tree(r));
    }

    /** Number of children of the directory at {@code path}; 0 for a leaf or when absent. */
    public long childCount(List<String> path) {
        return nodeAt(path) instanceof Directory d ? d.size() : 0;
    }

    /** The {@code index}-th child's step in ascending UTF-8 byte order, if the directory at path has that many. */
    public Optional<String> childName(List<String> path, long index) {
        if (nodeAt(path) instanceof Directory d && index >= 0 && index < d.size()) {
            return Optional.of(d.childName(index));
        }
        return Optional.empty();
    }

    /** Steps of the children of the directory at {@code path}, in ascending order; empty for a leaf or when absent. */
    public List<String> children(List<String> path) {
        return nodeAt(path) instanceof Directory d ? d.steps() : List.of();
    }

    // ---- updates

    /** Sets a leaf holding {@code v} at {@code path}, replacing whatever was there and any leaf on the way. */
    public Tree set(List<String> path, Value v) {
        if (v == null) {
            throw new IllegalArgumentException("null value");
        }
        return graft(path, new Ref(new LeafNode(v)));
    }

    /** Grafts {@code sub} at {@code path} (sharing its nodes); grafting an empty tree removes the path. */
    public Tree set(List<String> path, Tree sub) {
        if (sub.isEmpty()) {
            return remove(path);
        }
        return graft(path, sub.root);
    }

    private Tree graft(List<String> path, Ref sub) {
        Steps.checkPath(path);
        if (path.isEmpty()) {
            return new Tree(sub);
        }
        return new Tree(setRec(root.node(), path, 0, sub));
    }

    private static Ref setRec(Node node, List<String> path, int i, Ref sub) {
        String step = path.get(i);
        Directory dir = node instanceof Directory d ? d : DirNode.EMPTY;
        Ref child;
        if (i == path.size() - 1) {
            child = sub;
        } else {
            Ref old = dir.child(step);
            child = setRec(old != null ? old.node() : null, path, i + 1, sub);
        }
        return new Ref(dir.put(step, child));
    }

    /** Removes the node at {@code path} (no-op when absent) and every directory left empty by that. */
    public Tree remove(List<String> path) {
        Steps.checkPath(path);
        if (path.isEmpty()) {
            return empty();
        }
        Ref r = removeRec(root, path, 0);
        if (r == root) {
            return this;
        }
        return r == null ? empty() : new Tree(r);
    }

    /** The new reference, the same reference when nothing changed, or null when the node disappears. */
    private static Ref removeRec(Ref ref, List<String> path, int i) {
        if (!(ref.node() instanceof Directory dir)) {
            return ref;
        }
        String step = path.get(i);
        Ref old = dir.child(step);
        if (old == null) {
            return ref;
        }
        Ref c = i == path.size() - 1 ? null : removeRec(old, path, i + 1);
        if (c == old) {
            return ref;
        }
        if (c != null) {
            return new Ref(dir.put(step, c));
        }
        Directory rest = dir.delete(step);
        return rest.size() == 0 ? null : new Ref(rest);
    }

    // ---- persistence

    /**
     * Writes every node and value chunk not yet in {@code store} (children before parents) and returns how many
     * encodings were written. Afterwards the written nodes are only softly cached and are reloaded from the store when
     * the cache has been cleared.
     */
    public int persist(NodeStore store) {
        Persister p = new Persister(store);
        p.tree(root);
        return p.count;
    }

    /**
     * Copies this tree's nodes into {@code target} (children before parents), skipping every subtree whose root the
     * target already holds: content addressing means its descendants are there too, so states that share most of
     * their nodes (the levels of one rollup) are copied in time proportional to what differs. Snapshots use it.
     * Returns how many encodings were written.
     */
    public int copyTo(NodeStore target) {
        Persister p = new Persister(target, true);
        p.tree(root);
        return p.count;
    }

    /**
     * A walk over the nodes and value chunks of a tree, children before parents, entering a node only when
     * {@link #enter} says so (so shared or already handled subtrees are walked once). {@link Persister} writes what
     * it walks; {@link Marker} only reports hashes.
     */
    private abstract static class Walk {
        /** Whether to walk {@code r} and its children. */
        abstract boolean enter(Ref r);

        /** After the children of the node or value index {@code n} at {@code r}. */
        abstract void leave(Ref r, Node n);

        /** A value chunk (height 0) that {@link #enter} accepted. */
        abstract void chunk(Ref r, long len);

        final void tree(Ref r) {
            if (!enter(r)) {
                return;
            }
            Node n = r.node();
            if (n instanceof DirNode d) {
                for (Ref c : d.children) {
                    tree(c);
                }
            } else if (n instanceof BigDir b) {
                page(b.top);
            } else if (n instanceof PageNode pn) {
                page(pn.page);
            } else {
                Value v = ((LeafNode) n).value;
                if (v.size() > Value.INLINE_MAX) {
                    value(v.root, v.height(), v.size());
                }
            }
            leave(r, n);
        }

        /** The entries of a directory page: children at height 0, pages above. */
        private void page(Page p) {
            for (Ref c : p.refs) {
                tree(c);
            }
        }

        private void value(Ref r, int h, long len) {
            if (!enter(r)) {
                return;
            }
            if (h == 0) {
                chunk(r, len);
                return;
            }
            IndexNode x = Value.index(r, h, len);
            long cc = Value.cap(h - 1);
            for (int i = 0; i < x.children.length; i++) {
                value(x.children[i], h - 1, Math.min(cc, len - i * cc));
            }
            leave(r, x);
        }
    }

    private static final class Persister extends Walk {
        final NodeStore store;
        final boolean skipPresent;
        final Set<Hash> written = new HashSet<>();
        int count;

        Persister(NodeStore store) {
            this(store, false);
        }

        Persister(NodeStore store, boolean skipPresent) {
            this.store = store;
            this.skipPresent = skipPresent;
        }

        @Override
        boolean enter(Ref r) {
            return !(r.storedIn(store) || ((r.isPinned() || skipPresent) && store.contains(r.hash())));
        }

        @Override
        void leave(Ref r, Node n) {
            write(r, n);
        }

        @Override
        void chunk(Ref r, long len) {
            write(r, Value.chunk(r, len));
        }

        private void write(Ref r, Node n) {
            byte[] enc = n.encode();
            Hash h = n.hash(enc);
            if (written.add(h)) {
                store.put(h, enc);
                count++;
            }
            r.markStored(store, h, n);
        }
    }

    // ---- reachability (garbage collection)

    /**
     * Visits the hash of every stored encoding reachable from the tree {@code root} in {@code store}: the nodes and
     * value chunks {@link #persist} writes, each at most once per call of {@code enter} returning true. A node's
     * children are visited only when {@code enter} returns true for it, so a caller that remembers what it has seen
     * (a mark set shared by several roots) walks shared subtrees once. Nodes are read from {@code store} (value
     * chunks are not: their hash is in the parent); a missing node throws {@link MissingNodeException}.
     */
    public static void forEachReachable(Hash root, NodeStore store, java.util.function.Predicate<Hash> enter) {
        new Marker(enter).tree(new Ref(root, store, Ref.Kind.TREE_ROOT));
    }

    /** The walk of {@link Persister}, reporting hashes instead of writing encodings. */
    private static final class Marker extends Walk {
        final java.util.function.Predicate<Hash> visit;

        Marker(java.util.function.Predicate<Hash> visit) {
            this.visit = visit;
        }

        @Override
        boolean enter(Ref r) {
            return visit.test(r.hash());
        }

        @Override
        void leave(Ref r, Node n) {
        }

        @Override
        void chunk(Ref r, long len) {
            // a chunk has no children: no need to read it
        }
    }

    // ---- proofs

    /** A proof that the leaf at {@code path} holds its value; NoSuchElementException when there is no leaf there. */
    public MerkleProof prove(List<String> path) {
        Steps.checkPath(path);
        List<byte[]> encs = new ArrayList<>();
        Ref r = root;
        for (String step : path) {
            Node n = r.node();
            Ref c = null;
            if (n instanceof DirNode d) {
                c = d.child(step);
                encs.add(n.encode());
            } else if (n instanceof BigDir b) {
                c = b.provePath(step, encs);
            }
            if (c == null) {
                throw new NoSuchElementException("no leaf at " + path);
            }
            r = c;
        }
        if (!(r.node() instanceof LeafNode leaf)) {
            throw new NoSuchElementException("no leaf at " + path);
        }
        encs.add(leaf.encode());
        if (leaf.value.size() > Value.INLINE_MAX) {
            leaf.value.forEachNode((ref, node) -> {
                encs.add(node.encode());
                return true;
            });
        }
        return new MerkleProof(encs);
    }

    @Override
    public String toString() {
        return "Tree(" + hash() + ")";
    }
}
