package io.flotilla.pvm;

import com.dylibso.chicory.wabt.Wat2Wasm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads kernels from files: WebAssembly binaries ({@code .wasm}) or text ({@code .wat}, {@code .wast}). */
public final class KernelFiles {
    private KernelFiles() {}

    public static byte[] load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kernel " + file + ": " + e.getMessage(), e);
        }
        String name = file.getFileName().toString();
        if (name.endsWith(".wat") || name.endsWith(".wast")) {
            return fromText(new String(bytes, StandardCharsets.UTF_8), name);
        }
        return bytes;
    }

    /** Compiles WebAssembly text in-process (no wat2wasm needed on the machine). */
    public static byte[] fromText(String wat, String name) {
        try {
            return Wat2Wasm.parse(wat);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot compile " + name + " from WebAssembly text: " + e.getMessage(), e);
        }
    }
}
