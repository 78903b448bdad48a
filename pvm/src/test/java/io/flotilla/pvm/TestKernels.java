package io.flotilla.pvm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

/** The test corpus: WAT sources under src/test/resources/kernels, compiled in-process once. */
public final class TestKernels {
    private static final ConcurrentHashMap<String, byte[]> CACHE = new ConcurrentHashMap<>();

    private TestKernels() {}

    public static String source(String name) {
        try (InputStream in = TestKernels.class.getResourceAsStream("/kernels/" + name + ".wat")) {
            if (in == null) {
                throw new IllegalArgumentException("no test kernel " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] wasm(String name) {
        return CACHE.computeIfAbsent(name, n -> KernelFiles.fromText(source(n), n + ".wat")).clone();
    }
}
