package io.flotilla.pvm.tree;

import java.util.List;

/**
 * A directory node: either the small form ({@link DirNode}, all children in one node) or the paged form
 * ({@link BigDir}, children in a canonical tree of pages), chosen by the number of children alone: a directory
 * with at most {@link #THRESHOLD} children is small, a larger one is paged. Both forms order children by the UTF-8
 * bytes of their steps.
 */
abstract class Directory extends Node {
    /** The largest number of children of a directory in the small form; larger directories are paged. */
    static final int THRESHOLD = 256;

    /** Number of children. */
    abstract long size();

    /** The child named {@code step}, or null. */
    abstract Ref child(String step);

    /** The step of the {@code index}-th child, for {@code 0 <= index < size()}. */
    abstract String childName(long index);

    /** The directory with {@code step} bound to {@code child} (added or replaced), in its canonical form. */
    abstract Directory put(String step, Ref child);

    /** The directory without {@code step} in its canonical form; {@code this} when there is no such child. */
    abstract Directory delete(String step);

    /** All steps in ascending order. */
    abstract List<String> steps();

    /** The canonical directory holding the sorted, distinct {@code steps} bound to {@code refs}. */
    static Directory of(String[] steps, Ref[] refs) {
        return steps.length <= THRESHOLD ? new DirNode(steps, refs) : BigDir.build(steps, refs);
    }
}
