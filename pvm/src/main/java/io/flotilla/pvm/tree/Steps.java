package io.flotilla.pvm.tree;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Validation and ordering of path steps. Steps are ordered by their UTF-8 bytes, compared unsigned. */
final class Steps {
    static final int MAX_STEP_BYTES = 0xFFFF;

    private Steps() {}

    /** Checks that {@code step} is a non-empty, well-formed string whose UTF-8 encoding has at most 65535 bytes. */
    static void check(String step) {
        if (step == null) {
            throw new IllegalArgumentException("null path step");
        }
        int n = step.length();
        if (n == 0) {
            throw new IllegalArgumentException("empty path step");
        }
        long utf8 = 0;
        for (int i = 0; i < n; i++) {
            char c = step.charAt(i);
            if (c < 0x80) {
                utf8 += 1;
            } else if (c < 0x800) {
                utf8 += 2;
            } else if (Character.isHighSurrogate(c)) {
                if (i + 1 >= n || !Character.isLowSurrogate(step.charAt(i + 1))) {
                    throw new IllegalArgumentException("path step has an unpaired surrogate at " + i);
                }
                utf8 += 4;
                i++;
            } else if (Character.isLowSurrogate(c)) {
                throw new IllegalArgumentException("path step has an unpaired surrogate at " + i);
            } else {
                utf8 += 3;
            }
        }
        if (utf8 > MAX_STEP_BYTES) {
            throw new IllegalArgumentException("path step is longer than " + MAX_STEP_BYTES + " UTF-8 bytes");
        }
    }

    static void checkPath(List<String> path) {
        if (path == null) {
            throw new IllegalArgumentException("null path");
        }
        for (String s : path) {
            check(s);
        }
    }

    static byte[] utf8(String step) {
        return step.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Compares well-formed strings in the order of their UTF-8 encodings compared as unsigned bytes,
     * which is code point order (not String.compareTo's UTF-16 order).
     */
    static int compare(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char ca = a.charAt(i);
            char cb = b.charAt(i);
            if (ca != cb) {
                boolean sa = Character.isSurrogate(ca);
                boolean sb = Character.isSurrogate(cb);
                if (sa == sb) {
                    return Character.compare(ca, cb);
                }
                return sa ? 1 : -1;
            }
        }
        return Integer.compare(a.length(), b.length());
    }
}
