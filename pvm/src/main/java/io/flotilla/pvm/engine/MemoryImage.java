package io.flotilla.pvm.engine;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ActiveDataSegment;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.Instruction;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.OpCode;
import com.dylibso.chicory.wasm.types.PassiveDataSegment;
import java.util.List;
import java.util.Optional;

/**
 * The initial contents of a kernel's memory 0: its initial pages with every active data segment
 * applied, computed once per prepared kernel. Pages that no segment touches are {@code null}.
 * Instances start from a copy of it ({@link ImageMemory}) instead of zeroing their memory and
 * copying every data segment again.
 *
 * <p>Only built when the outcome is certain to equal Chicory's own initialisation: one memory,
 * defined by the module (not imported) and not shared, and every data segment either passive or
 * active on memory 0 at an {@code i32.const} offset that lies within the initial pages. Anything
 * else (a segment out of bounds, an offset read from a global, ...) gets no image and is
 * instantiated the ordinary way, failing or not exactly as before.
 */
final class MemoryImage {
    private final int initialPages;
    private final byte[][] pages;
    private final DataSegment[] segments;

    private MemoryImage(int initialPages, byte[][] pages, DataSegment[] segments) {
        this.initialPages = initialPages;
        this.pages = pages;
        this.segments = segments;
    }

    static Optional<MemoryImage> of(WasmModule module) {
        var memories = module.memorySection();
        if (memories.isEmpty() || memories.get().memoryCount() != 1
                || module.importSection().count(com.dylibso.chicory.wasm.types.ExternalType.MEMORY) != 0) {
            return Optional.empty();
        }
        MemoryLimits limits = memories.get().getMemory(0).limits();
        if (limits.shared() || limits.initialPages() > ImageMemory.MAX_PAGES) {
            return Optional.empty();
        }
        int initial = limits.initialPages();
        long size = (long) initial * ImageMemory.PAGE_SIZE;
        DataSegment[] segments = module.dataSection().dataSegments();
        byte[][] pages = new byte[initial][];
        for (DataSegment s : segments) {
            if (s instanceof PassiveDataSegment) {
                continue;
            }
            if (!(s instanceof ActiveDataSegment a) || a.index() != 0) {
                return Optional.empty();
            }
            Optional<Integer> offset = constantOffset(a.offsetInstructions());
            if (offset.isEmpty()) {
                return Optional.empty();
            }
            long start = Integer.toUnsignedLong(offset.get());
            byte[] data = a.data();
            if (start + data.length > size) {
                return Optional.empty(); // Chicory refuses it at instantiation: let it
            }
            int addr = (int) start;
            int done = 0;
            while (done < data.length) {
                int page = addr >>> 16;
                int inPage = addr & (ImageMemory.PAGE_SIZE - 1);
                int chunk = Math.min(data.length - done, ImageMemory.PAGE_SIZE - inPage);
                if (pages[page] == null) {
                    pages[page] = new byte[ImageMemory.PAGE_SIZE];
                }
                System.arraycopy(data, done, pages[page], inPage, chunk);
                addr += chunk;
                done += chunk;
            }
        }
        return Optional.of(new MemoryImage(initial, pages, segments));
    }

    private static Optional<Integer> constantOffset(List<Instruction> expr) {
        List<Instruction> body = expr;
        if (!body.isEmpty() && body.get(body.size() - 1).opcode() == OpCode.END) {
            body = body.subList(0, body.size() - 1);
        }
        if (body.size() == 1 && body.get(0).opcode() == OpCode.I32_CONST) {
            return Optional.of((int) body.get(0).operand(0));
        }
        return Optional.empty();
    }

    int initialPages() {
        return initialPages;
    }

    /** Page {@code i} of the image, or null when it is all zeroes. Never modify it. */
    byte[] page(int i) {
        return pages[i];
    }

    /**
     * Whether {@code segments} are this image's (Chicory hands each instance a fresh array of
     * the module's segment objects, so the elements are compared, not the arrays).
     */
    boolean madeFrom(DataSegment[] segments) {
        if (segments == null || segments.length != this.segments.length) {
            return false;
        }
        for (int i = 0; i < segments.length; i++) {
            if (segments[i] != this.segments[i]) {
                return false;
            }
        }
        return true;
    }
}
