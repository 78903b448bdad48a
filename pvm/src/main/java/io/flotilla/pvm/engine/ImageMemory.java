package io.flotilla.pvm.engine;

import com.dylibso.chicory.runtime.ConstantEvaluators;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.UninstantiableException;
import com.dylibso.chicory.wasm.types.ActiveDataSegment;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.PassiveDataSegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A kernel's linear memory, in 64 KiB pages, that starts as a copy-on-write view of a
 * {@link MemoryImage}: an instance shares the image's pages (and one shared page of zeroes) for
 * reading, and copies a page the first time it writes to it. Creating one costs two small arrays
 * instead of zeroing and filling every initial page, and pages a kernel_run never writes are
 * never copied. The shared pages are never written, so instances do not see each other's writes.
 *
 * <p>Reads go through {@code read}, writes through {@code write}: the same page once it is owned,
 * null in {@code write} while it is not. A store to a page not owned yet fails on the null slot and
 * the failure path copies the page and retries, so stores cost no more than in Chicory's own
 * memories (one array load, null and bounds checks folded into the access). Addresses past the
 * memory fail the same way on the slot, then trap as out of bounds.
 *
 * <p>Chicory's {@code Instance.initialize} calls {@link #zero()} and then
 * {@link #initialize(Instance, DataSegment[], int)} with the module's data segments. The first
 * time, on a memory that still holds the image, that pair would rebuild exactly what is there, so
 * both are skipped; called again, or with other segments, they do the full work.
 * Only unshared memories (the PVM's) are supported: the atomic wait operations fail and notify
 * wakes no one, as for any unshared wasm memory.
 */
final class ImageMemory implements Memory {
    static final int PAGE_SIZE = Memory.PAGE_SIZE;
    static final int MAX_PAGES = Memory.RUNTIME_MAX_PAGES;
    private static final int SHIFT = 16;
    private static final int MASK = PAGE_SIZE - 1;
    /** Shared by every memory for pages never written; never written itself. */
    private static final byte[] ZERO_PAGE = new byte[PAGE_SIZE];

    private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final MemoryLimits limits;
    private final MemoryImage image;
    /** Every page for reading: owned, the image's or {@link #ZERO_PAGE}; null past {@link #nPages}. */
    private byte[][] read;
    /** Owned pages only (null otherwise): the only arrays ever written. */
    private byte[][] write;
    private int nPages;
    private DataSegment[] segments;
    /**
     * Not initialised yet: the content is exactly the image. Chicory creates a memory and
     * initialises it inside {@code Instance.Builder.build()}, before any code can reach it.
     */
    private boolean pristine;
    /** {@link #zero()} was skipped on a pristine memory; the next initialize must make up for it if needed. */
    private boolean zeroSkipped;

    ImageMemory(MemoryLimits limits, MemoryImage image) {
        if (limits.shared()) {
            throw new IllegalArgumentException("shared memories are not supported");
        }
        if (limits.initialPages() != image.initialPages()) {
            throw new IllegalArgumentException("memory of " + limits.initialPages()
                    + " initial pages from an image of " + image.initialPages());
        }
        this.limits = limits;
        this.image = image;
        int n = limits.initialPages();
        int slots = Math.min(maximumPages(), Math.max(n, 16));
        this.read = new byte[slots][];
        this.write = new byte[slots][];
        for (int i = 0; i < n; i++) {
            byte[] p = image.page(i);
            read[i] = p == null ? ZERO_PAGE : p;
        }
        this.nPages = n;
        this.pristine = true;
    }

    /** The page holding {@code addr}, copied first if this memory does not own it yet. */
    private byte[] own(int page) {
        byte[] p = write[page];
        if (p == null) {
            byte[] shared = read[page];
            p = shared == ZERO_PAGE ? new byte[PAGE_SIZE] : shared.clone();
            write[page] = p;
            read[page] = p;
        }
        return p;
    }

    /** After a store failed on {@code addr}'s slot: the page to retry on, or the trap. */
    private byte[] ownAfterFailure(RuntimeException e, int addr, int len) {
        int page = addr >>> SHIFT;
        if (e instanceof NullPointerException && page < nPages) {
            return own(page);
        }
        throw trap(e, addr, len);
    }

    /** Whether this memory owns the page (for tests). */
    boolean owns(int page) {
        return page < nPages && write[page] != null;
    }

    // ------------------------------------------------------------------ size

    @Override
    public int pages() {
        return nPages;
    }

    @Override
    public int grow(int delta) {
        int before = nPages;
        long after = (long) before + delta;
        if (delta < 0 || after > maximumPages()) {
            return -1;
        }
        int n = (int) after;
        if (n > read.length) {
            int slots = (int) Math.min(maximumPages(), Math.max(n, 2L * read.length));
            read = Arrays.copyOf(read, slots);
            write = Arrays.copyOf(write, slots);
        }
        for (int i = before; i < n; i++) {
            read[i] = ZERO_PAGE;
        }
        nPages = n;
        return before;
    }

    @Override
    public int initialPages() {
        return limits.initialPages();
    }

    @Override
    public int maximumPages() {
        return Math.min(limits.maximumPages(), MAX_PAGES);
    }

    @Override
    public boolean shared() {
        return false;
    }

    private long size() {
        return (long) nPages * PAGE_SIZE;
    }

    // ------------------------------------------------------------------ initialisation

    @Override
    public void zero() {
        if (pristine) {
            zeroSkipped = true; // the content is the image, which initialize() will find it should be
            return;
        }
        for (int i = 0; i < nPages; i++) {
            read[i] = ZERO_PAGE;
            write[i] = null;
        }
    }

    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments) {
        initialize(instance, dataSegments, 0);
    }

    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments, int memoryIndex) {
        this.segments = dataSegments;
        if (pristine && zeroSkipped && memoryIndex == 0 && image.madeFrom(dataSegments)) {
            zeroSkipped = false; // zero + these segments = the image we hold
            pristine = false;
            return;
        }
        if (zeroSkipped) {
            zeroSkipped = false;
            pristine = false;
            zero();
        }
        pristine = false;
        if (dataSegments == null) {
            return;
        }
        for (DataSegment s : dataSegments) {
            if (s instanceof ActiveDataSegment a) {
                if (a.index() != memoryIndex) {
                    continue;
                }
                int offset = (int) ConstantEvaluators.computeConstantValue(instance, a.offsetInstructions())[0];
                byte[] data = a.data();
                if (offset < 0 || offset + (long) data.length > size()) {
                    throw new UninstantiableException("out of bounds memory access");
                }
                write(offset, data, 0, data.length);
            } else if (!(s instanceof PassiveDataSegment)) {
                throw new ChicoryException("data segment neither active nor passive: " + s);
            }
        }
    }

    @Override
    public void initPassiveSegment(int segmentId, int dest, int offset, int size) {
        write(dest, segments[segmentId].data(), offset, size);
    }

    @Override
    public void drop(int segment) {
        segments[segment] = PassiveDataSegment.EMPTY;
    }

    // ------------------------------------------------------------------ bulk

    private WasmRuntimeException outOfBounds(long addr, long len) {
        return new WasmRuntimeException("out of bounds memory access: attempted to access address: "
                + addr + " but limit is: " + size() + " and size: " + len);
    }

    private void check(int addr, int len) {
        if (addr < 0 || len < 0 || (long) addr + len > size()) {
            throw outOfBounds(addr, len);
        }
    }

    @Override
    public void write(int addr, byte[] data, int offset, int size) {
        if (offset < 0 || size < 0 || (long) offset + size > data.length) {
            throw new WasmRuntimeException("out of bounds memory access: source range " + offset + "+" + size
                    + " of " + data.length);
        }
        check(addr, size);
        while (size > 0) {
            int in = addr & MASK;
            int chunk = Math.min(size, PAGE_SIZE - in);
            System.arraycopy(data, offset, own(addr >>> SHIFT), in, chunk);
            addr += chunk;
            offset += chunk;
            size -= chunk;
        }
    }

    @Override
    public byte[] readBytes(int addr, int len) {
        check(addr, len);
        byte[] out = new byte[len];
        int done = 0;
        while (done < len) {
            int in = addr & MASK;
            int chunk = Math.min(len - done, PAGE_SIZE - in);
            System.arraycopy(read[addr >>> SHIFT], in, out, done, chunk);
            addr += chunk;
            done += chunk;
        }
        return out;
    }

    @Override
    public void fill(byte value, int fromIndex, int toIndex) {
        int len = toIndex - fromIndex;
        check(fromIndex, len);
        int addr = fromIndex;
        while (len > 0) {
            int in = addr & MASK;
            int chunk = Math.min(len, PAGE_SIZE - in);
            Arrays.fill(own(addr >>> SHIFT), in, in + chunk, value);
            addr += chunk;
            len -= chunk;
        }
    }

    @Override
    public void copy(int dest, int src, int size) {
        check(dest, size);
        check(src, size);
        if (size == 0 || dest == src) {
            return;
        }
        if (dest > src && dest < src + size) { // overlapping, destination after source: back to front
            int d = dest + size;
            int s = src + size;
            while (size > 0) {
                int dIn = ((d - 1) & MASK) + 1;
                int sIn = ((s - 1) & MASK) + 1;
                int chunk = Math.min(size, Math.min(dIn, sIn));
                d -= chunk;
                s -= chunk;
                byte[] to = own(d >>> SHIFT);
                System.arraycopy(read[s >>> SHIFT], s & MASK, to, d & MASK, chunk);
                size -= chunk;
            }
        } else {
            while (size > 0) {
                int chunk = Math.min(size, PAGE_SIZE - Math.max(dest & MASK, src & MASK));
                byte[] to = own(dest >>> SHIFT);
                System.arraycopy(read[src >>> SHIFT], src & MASK, to, dest & MASK, chunk);
                dest += chunk;
                src += chunk;
                size -= chunk;
            }
        }
    }

    // ------------------------------------------------------------------ loads and stores
    // The fast paths rely on the page lookup failing for addresses past the memory (a null
    // slot or an index past the array, negative addresses included) and turn that into a trap.

    private RuntimeException trap(RuntimeException e, int addr, int len) {
        if (e instanceof NullPointerException || e instanceof IndexOutOfBoundsException) {
            return outOfBounds(Integer.toUnsignedLong(addr), len);
        }
        return e;
    }

    @Override
    public byte read(int addr) {
        try {
            return read[addr >>> SHIFT][addr & MASK];
        } catch (RuntimeException e) {
            throw trap(e, addr, 1);
        }
    }

    @Override
    public void writeByte(int addr, byte data) {
        try {
            write[addr >>> SHIFT][addr & MASK] = data;
        } catch (RuntimeException e) {
            ownAfterFailure(e, addr, 1)[addr & MASK] = data;
        }
    }

    @Override
    public short readShort(int addr) {
        int in = addr & MASK;
        if (in <= PAGE_SIZE - 2) {
            try {
                return (short) I16.get(read[addr >>> SHIFT], in);
            } catch (RuntimeException e) {
                throw trap(e, addr, 2);
            }
        }
        check(addr, 2);
        return (short) ((read(addr) & 0xff) | (read(addr + 1) << 8));
    }

    @Override
    public long readU16(int addr) {
        return readShort(addr) & 0xffffL;
    }

    @Override
    public void writeShort(int addr, short data) {
        int in = addr & MASK;
        if (in <= PAGE_SIZE - 2) {
            try {
                I16.set(write[addr >>> SHIFT], in, data);
            } catch (RuntimeException e) {
                I16.set(ownAfterFailure(e, addr, 2), in, data);
            }
            return;
        }
        check(addr, 2);
        writeByte(addr, (byte) data);
        writeByte(addr + 1, (byte) (data >> 8));
    }

    @Override
    public int readInt(int addr) {
        int in = addr & MASK;
        if (in <= PAGE_SIZE - 4) {
            try {
                return (int) I32.get(read[addr >>> SHIFT], in);
            } catch (RuntimeException e) {
                throw trap(e, addr, 4);
            }
        }
        check(addr, 4);
        int v = 0;
        for (int i = 3; i >= 0; i--) {
            v = (v << 8) | (read(addr + i) & 0xff);
        }
        return v;
    }

    @Override
    public void writeI32(int addr, int data) {
        int in = addr & MASK;
        if (in <= PAGE_SIZE - 4) {
            try {
                I32.set(write[addr >>> SHIFT], in, data);
            } catch (RuntimeException e) {
                I32.set(ownAfterFailure(e, addr, 4), in, data);
            }
            return;
        }
        check(addr, 4);
        for (int i = 0; i < 4; i++) {
            writeByte(addr + i, (byte) (data >>> (8 * i)));
        }
    }

    @Override
    public long readLong(int addr) {
        int in = addr & MASK;
        if (in <= PAGE_SIZE - 8) {
            try {
                return (long) I64.get(read[addr >>> SHIFT], in);
            } catch (RuntimeException e) {
                throw trap(e, addr, 8);
            }
        }
        check(addr, 8);
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (read(addr + i) & 0xffL);
        }
        return v;
    }

    @Override
    public void writeLong(int addr, long data) {
        int in = addr & MASK;
        if (in <= PAGE_SIZE - 8) {
            try {
                I64.set(write[addr >>> SHIFT], in, data);
            } catch (RuntimeException e) {
                I64.set(ownAfterFailure(e, addr, 8), in, data);
            }
            return;
        }
        check(addr, 8);
        for (int i = 0; i < 8; i++) {
            writeByte(addr + i, (byte) (data >>> (8 * i)));
        }
    }

    @Override
    public long readF32(int addr) {
        return readInt(addr);
    }

    @Override
    public float readFloat(int addr) {
        return Float.intBitsToFloat(readInt(addr));
    }

    @Override
    public void writeF32(int addr, float data) {
        writeI32(addr, Float.floatToRawIntBits(data));
    }

    @Override
    public long readF64(int addr) {
        return readLong(addr);
    }

    @Override
    public double readDouble(int addr) {
        return Double.longBitsToDouble(readLong(addr));
    }

    @Override
    public void writeF64(int addr, double data) {
        writeLong(addr, Double.doubleToRawLongBits(data));
    }

    // ------------------------------------------------------------------ threads (unshared memory)

    @Override
    @SuppressWarnings("removal")
    public Object lock(int address) {
        throw new UnsupportedOperationException();
    }

    @Override
    @SuppressWarnings("removal")
    public int waitOn(int address, int expected, long timeout) {
        throw new ChicoryException("Attempt to wait on a non-shared memory, not supported.");
    }

    @Override
    @SuppressWarnings("removal")
    public int waitOn(int address, long expected, long timeout) {
        throw new ChicoryException("Attempt to wait on a non-shared memory, not supported.");
    }

    @Override
    @SuppressWarnings("removal")
    public int notify(int address, int maxThreads) {
        return 0;
    }
}
