package io.flotilla.pvm.durable;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A durable-storage key as kernels write it: {@code /step/step...}. Steps are non-empty and made of
 * {@code [A-Za-z0-9._-]}; the whole key is at most {@value #MAX_LENGTH} bytes. The root {@code ""}
 * (no step) is accepted where Octez accepts it (for listing the root).
 */
public record DurableKey(List<String> steps) {

    /** Octez: 250 bytes less the {@code /durable} prefix and the {@code /@} value suffix. */
    public static final int MAX_LENGTH = 240;

    public static final String READONLY = "readonly";

    public DurableKey {
        steps = List.copyOf(steps);
    }

    public static final DurableKey ROOT = new DurableKey(List.of());

    /** Why a key was refused; maps to host error codes. */
    public static final class InvalidKeyException extends RuntimeException {
        private final boolean tooLarge;

        InvalidKeyException(String message, boolean tooLarge) {
            super(message);
            this.tooLarge = tooLarge;
        }

        public boolean tooLarge() {
            return tooLarge;
        }
    }

    public static DurableKey parse(String key) {
        return parse(key.getBytes(StandardCharsets.US_ASCII));
    }

    /** Parses raw key bytes read from kernel memory. */
    public static DurableKey parse(byte[] raw) {
        if (raw.length > MAX_LENGTH) {
            throw new InvalidKeyException("key of " + raw.length + " bytes exceeds " + MAX_LENGTH, true);
        }
        if (raw.length == 0) {
            return ROOT;
        }
        if (raw[0] != '/') {
            throw new InvalidKeyException("key must start with '/'", false);
        }
        List<String> steps = new ArrayList<>();
        int start = 1;
        for (int i = 1; i <= raw.length; i++) {
            if (i == raw.length || raw[i] == '/') {
                if (i == start) {
                    throw new InvalidKeyException("key has an empty step", false);
                }
                steps.add(new String(raw, start, i - start, StandardCharsets.US_ASCII));
                start = i + 1;
            } else if (!validChar(raw[i])) {
                throw new InvalidKeyException("key has an invalid character 0x"
                        + Integer.toHexString(raw[i] & 0xff) + " (steps use [A-Za-z0-9._-])", false);
            }
        }
        return new DurableKey(Collections.unmodifiableList(steps));
    }

    private static boolean validChar(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                || b == '.' || b == '_' || b == '-';
    }

    public boolean isReadonly() {
        return !steps.isEmpty() && steps.get(0).equals(READONLY);
    }

    public boolean isRoot() {
        return steps.isEmpty();
    }

    /** Whether {@code other} equals this key or lies under it. */
    public boolean isPrefixOf(DurableKey other) {
        return other.steps.size() >= steps.size() && other.steps.subList(0, steps.size()).equals(steps);
    }

    public DurableKey child(String step) {
        List<String> s = new ArrayList<>(steps);
        s.add(step);
        return new DurableKey(s);
    }

    @Override
    public String toString() {
        return steps.isEmpty() ? "/" : "/" + String.join("/", steps);
    }
}
