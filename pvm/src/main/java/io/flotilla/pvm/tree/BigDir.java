package io.flotilla.pvm.tree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A directory in the paged form (more than {@link Directory#THRESHOLD} children): a canonical tree of pages whose
 * shape depends only on the set of steps (see {@link Codec}). This node is the top page; lookups, {@code childName}
 * and updates load and rebuild only the pages on one root-to-leaf path (plus, rarely, a neighbour whose boundary
 * moved).
 */
final class BigDir extends Directory {
    final Page top;

    BigDir(Page top) {
        this.top = top;
    }

    @Override
    long size() {
        return top.total;
    }

    @Override
    Ref child(String step) {
        Page p = top;
        while (p.height > 0) {
            int i = p.lowerBound(step);
            if (i == p.size()) {
                return null;
            }
            p = p.child(i);
        }
        int i = p.find(step);
        return i >= 0 ? p.refs[i] : null;
    }

    @Override
    String childName(long index) {
        Page p = top;
        long k = index;
        while (p.height > 0) {
            int i = 0;
            while (k >= p.counts[i]) {
                k -= p.counts[i];
                i++;
            }
            p = p.child(i);
        }
        return p.steps[(int) k];
    }

    @Override
    List<String> steps() {
        List<String> out = new ArrayList<>((int) Math.min(top.total, Integer.MAX_VALUE - 8));
        collect(top, out, null);
        return Collections.unmodifiableList(out);
    }

    private static void collect(Page p, List<String> steps, List<Ref> refs) {
        if (p.height == 0) {
            steps.addAll(Arrays.asList(p.steps));
            if (refs != null) {
                refs.addAll(Arrays.asList(p.refs));
            }
            return;
        }
        for (int i = 0; i < p.size(); i++) {
            collect(p.child(i), steps, refs);
        }
    }

    /**
     * Appends the encodings of this node and of the pages on the path to {@code step} to {@code encs} and returns the
     * child, or null when there is no such child.
     */
    Ref provePath(String step, List<byte[]> encs) {
        encs.add(encode());
        Page p = top;
        while (p.height > 0) {
            int i = p.lowerBound(step);
            if (i == p.size()) {
                return null;
            }
            Page c = p.child(i);
            encs.add(p.refs[i].node().encode());
            p = c;
        }
        int i = p.find(step);
        return i >= 0 ? p.refs[i] : null;
    }

    @Override
    Directory put(String step, Ref child) {
        return update(step, child);
    }

    @Override
    Directory delete(String step) {
        return update(step, null);
    }

    /** Binds (child != null) or removes (child == null) {@code step}, re-chunking only where boundaries changed. */
    private Directory update(String step, Ref child) {
        int h = top.height;
        // start: the path to the leaf page where step is or would be; end: the last page consumed at each level
        Page[] sp = new Page[h + 1];
        int[] si = new int[h + 1];
        sp[h] = top;
        for (int l = h; l > 0; l--) {
            int i = Math.min(sp[l].lowerBound(step), sp[l].size() - 1);
            si[l] = i;
            sp[l - 1] = sp[l].child(i);
        }
        Page leaf = sp[0];
        int pos = leaf.find(step);
        if (child == null && pos < 0) {
            return this;
        }
        Page[] ep = sp.clone();
        int[] ei = si.clone();

        Chunker c = new Chunker(0);
        if (pos >= 0) {
            c.addAll(leaf, 0, pos);
            if (child != null) {
                c.add(step, child, 1, leaf.ranks[pos]);
            }
            c.addAll(leaf, pos + 1, leaf.size());
        } else {
            int ins = -pos - 1;
            c.addAll(leaf, 0, ins);
            c.add(step, child, 1, Page.rank(step));
            c.addAll(leaf, ins, leaf.size());
        }
        while (c.pending() && advance(ep, ei, 0)) {
            c.addAll(ep[0], 0, ep[0].size());
        }
        List<Page> made = c.finish();
        for (int j = 1; j <= h; j++) {
            Chunker cj = new Chunker(j);
            cj.addAll(sp[j], 0, si[j]);
            cj.addPages(made);
            cj.addAll(ep[j], ei[j] + 1, ep[j].size());
            while (cj.pending() && advance(ep, ei, j)) {
                cj.addAll(ep[j], 0, ep[j].size());
            }
            made = cj.finish();
        }
        return fromLevel(made, h);
    }

    /** The directory whose pages at height {@code height} are {@code pages}: adds levels above, or collapses. */
    private static Directory fromLevel(List<Page> pages, int height) {
        List<Page> made = pages;
        int level = height;
        while (made.size() > 1) {
            level++;
            Chunker cu = new Chunker(level);
            cu.addPages(made);
            made = cu.finish();
        }
        if (made.isEmpty()) {
            return DirNode.EMPTY;
        }
        Page t = made.get(0);
        while (t.height > 0 && t.size() == 1) {
            t = t.child(0);
        }
        if (t.total <= THRESHOLD) {
            List<String> steps = new ArrayList<>(THRESHOLD);
            List<Ref> refs = new ArrayList<>(THRESHOLD);
            collect(t, steps, refs);
            return new DirNode(steps.toArray(new String[0]), refs.toArray(new Ref[0]));
        }
        return new BigDir(t);
    }

    /** Moves the end cursor to the next page at {@code level}; false when there is none. */
    private static boolean advance(Page[] pages, int[] idx, int level) {
        int top = pages.length - 1;
        for (int l = level + 1; l <= top; l++) {
            if (idx[l] + 1 < pages[l].size()) {
                idx[l]++;
                for (int m = l - 1; m >= level; m--) {
                    pages[m] = pages[m + 1].child(idx[m + 1]);
                    if (m > level) {
                        idx[m] = 0;
                    }
                }
                return true;
            }
        }
        return false;
    }

    /** The canonical paged directory of the sorted, distinct {@code steps} (more than THRESHOLD of them). */
    static BigDir build(String[] steps, Ref[] refs) {
        Chunker c = new Chunker(0);
        for (int i = 0; i < steps.length; i++) {
            c.add(steps[i], refs[i], 1, Page.rank(steps[i]));
        }
        return (BigDir) fromLevel(c.finish(), 0);
    }

    @Override
    byte[] encode() {
        return top.encode(Codec.TAG_BIG_DIR, true);
    }

    @Override
    Ref.Kind reloadKind() {
        return Ref.Kind.TREE_CHILD;
    }

    @Override
    public String toString() {
        return "BigDir(h=" + top.height + ", n=" + top.total + ")";
    }

    /** Cuts a sequence of entries of one level into pages: after an entry whose rank exceeds the level, or at CAP. */
    static final class Chunker {
        private final int level;
        private final List<Page> out = new ArrayList<>();
        private String[] steps = new String[128];
        private Ref[] refs = new Ref[128];
        private long[] counts = new long[128];
        private byte[] ranks = new byte[128];
        private int n;

        Chunker(int level) {
            this.level = level;
        }

        void add(String step, Ref ref, long count, byte rank) {
            if (n == steps.length) {
                int m = n * 2;
                steps = Arrays.copyOf(steps, m);
                refs = Arrays.copyOf(refs, m);
                counts = Arrays.copyOf(counts, m);
                ranks = Arrays.copyOf(ranks, m);
            }
            steps[n] = step;
            refs[n] = ref;
            counts[n] = count;
            ranks[n] = rank;
            n++;
            if (Page.boundary(rank, level) || n == Page.CAP) {
                emit();
            }
        }

        void addAll(Page p, int from, int to) {
            for (int i = from; i < to; i++) {
                add(p.steps[i], p.refs[i], p.count(i), p.ranks[i]);
            }
        }

        void addPages(List<Page> pages) {
            for (Page p : pages) {
                add(p.last(), new Ref(new PageNode(p)), p.total, p.ranks[p.size() - 1]);
            }
        }

        boolean pending() {
            return n > 0;
        }

        List<Page> finish() {
            if (n > 0) {
                emit();
            }
            return out;
        }

        private void emit() {
            out.add(new Page(level, Arrays.copyOf(steps, n), Arrays.copyOf(refs, n),
                    level == 0 ? null : Arrays.copyOf(counts, n), Arrays.copyOf(ranks, n)));
            n = 0;
        }
    }
}
