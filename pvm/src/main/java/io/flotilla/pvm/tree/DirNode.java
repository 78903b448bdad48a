package io.flotilla.pvm.tree;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A directory in the small form (at most {@link Directory#THRESHOLD} children): steps in ascending UTF-8 byte order
 * and a reference per child.
 */
final class DirNode extends Directory {
    static final DirNode EMPTY = new DirNode(new String[0], new Ref[0]);

    final String[] steps;
    final Ref[] children;

    DirNode(String[] steps, Ref[] children) {
        this.steps = steps;
        this.children = children;
    }

    @Override
    long size() {
        return steps.length;
    }

    @Override
    Ref child(String step) {
        int i = find(step);
        return i >= 0 ? children[i] : null;
    }

    @Override
    String childName(long index) {
        return steps[(int) index];
    }

    @Override
    Directory put(String step, Ref child) {
        int i = find(step);
        if (i >= 0) {
            return replace(i, child);
        }
        DirNode d = insert(-i - 1, step, child);
        return d.steps.length > THRESHOLD ? BigDir.build(d.steps, d.children) : d;
    }

    @Override
    Directory delete(String step) {
        int i = find(step);
        return i < 0 ? this : remove(i);
    }

    @Override
    List<String> steps() {
        return Collections.unmodifiableList(Arrays.asList(steps));
    }

    /** Index of {@code step}, or {@code -(insertion point) - 1}. */
    int find(String step) {
        int lo = 0;
        int hi = steps.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Steps.compare(steps[mid], step);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    DirNode replace(int idx, Ref child) {
        Ref[] c = children.clone();
        c[idx] = child;
        return new DirNode(steps, c);
    }

    DirNode insert(int pos, String step, Ref child) {
        int n = steps.length;
        String[] s = new String[n + 1];
        Ref[] c = new Ref[n + 1];
        System.arraycopy(steps, 0, s, 0, pos);
        System.arraycopy(children, 0, c, 0, pos);
        s[pos] = step;
        c[pos] = child;
        System.arraycopy(steps, pos, s, pos + 1, n - pos);
        System.arraycopy(children, pos, c, pos + 1, n - pos);
        return new DirNode(s, c);
    }

    DirNode remove(int idx) {
        int n = steps.length;
        if (n == 1) {
            return EMPTY;
        }
        String[] s = new String[n - 1];
        Ref[] c = new Ref[n - 1];
        System.arraycopy(steps, 0, s, 0, idx);
        System.arraycopy(children, 0, c, 0, idx);
        System.arraycopy(steps, idx + 1, s, idx, n - idx - 1);
        System.arraycopy(children, idx + 1, c, idx, n - idx - 1);
        return new DirNode(s, c);
    }

    @Override
    byte[] encode() {
        int n = steps.length;
        byte[][] names = new byte[n][];
        int len = 1 + 4;
        for (int i = 0; i < n; i++) {
            names[i] = steps[i].getBytes(StandardCharsets.UTF_8);
            len += 2 + names[i].length + Hash.SIZE;
        }
        byte[] out = new byte[len];
        out[0] = Codec.TAG_DIR;
        Codec.putU32(out, 1, n);
        int p = 5;
        for (int i = 0; i < n; i++) {
            byte[] nm = names[i];
            Codec.putU16(out, p, nm.length);
            p += 2;
            System.arraycopy(nm, 0, out, p, nm.length);
            p += nm.length;
            children[i].hash().writeTo(out, p);
            p += Hash.SIZE;
        }
        return out;
    }

    @Override
    Ref.Kind reloadKind() {
        return steps.length == 0 ? Ref.Kind.TREE_ROOT : Ref.Kind.TREE_CHILD;
    }

    @Override
    public String toString() {
        return "Dir" + Arrays.toString(steps);
    }
}
