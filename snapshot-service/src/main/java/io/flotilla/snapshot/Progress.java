package io.flotilla.snapshot;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Progress of a long snapshot operation (export, import, download): bytes done, rate, phase and the
 * estimated time left. Streams wrapped by {@link #wrap(InputStream)} / {@link #wrap(OutputStream)} count
 * their bytes; a phase ({@code copy}, {@code compress}, {@code download}, {@code check} ...) restarts the
 * count and may know its total.
 *
 * <p>On a terminal ({@link #forTerminal}) one line is rewritten in place with {@code \r}; otherwise a plain
 * line is printed every few seconds, so logs stay readable. Reports go to standard error, so a snapshot
 * written to standard output stays clean. The clock is injectable so that what is printed can be tested
 * without waiting.
 */
public final class Progress implements AutoCloseable {

    /** How often a terminal line is redrawn. */
    static final long TERMINAL_INTERVAL_NANOS = 200_000_000L;
    /** How often a log line is written when the output is not a terminal. */
    static final long LOG_INTERVAL_NANOS = 5_000_000_000L;

    private final String operation;
    private final PrintStream out;
    private final boolean terminal;
    private final long intervalNanos;
    private final LongSupplier clock;

    private String phase = "";
    private long total = -1;
    private long bytes;
    private long phaseStart;
    private long lastReport;
    private int lastLineLength;
    private boolean finished;

    /**
     * @param operation what is being done, first word of every line ({@code export}, {@code import})
     * @param out where to report
     * @param terminal true: one line rewritten in place; false: a line every {@code intervalNanos}
     * @param intervalNanos minimum time between two reports of the same phase
     * @param clock monotonic nanoseconds ({@code System::nanoTime} outside tests)
     */
    public Progress(String operation, PrintStream out, boolean terminal, long intervalNanos, LongSupplier clock) {
        this.operation = Objects.requireNonNull(operation);
        this.out = Objects.requireNonNull(out);
        this.terminal = terminal;
        this.intervalNanos = intervalNanos;
        this.clock = Objects.requireNonNull(clock);
        this.phaseStart = clock.getAsLong();
        this.lastReport = phaseStart;
    }

    /** Progress on standard error: an updating line on a terminal, a log line every 5 s otherwise. */
    public static Progress forTerminal(String operation) {
        boolean terminal = System.console() != null;
        return new Progress(operation, System.err, terminal,
                terminal ? TERMINAL_INTERVAL_NANOS : LOG_INTERVAL_NANOS, System::nanoTime);
    }

    /** Progress that reports nothing (for library callers and tests that do not care). */
    public static Progress silent(String operation) {
        return new Progress(operation, new PrintStream(OutputStream.nullOutputStream()), false, Long.MAX_VALUE,
                System::nanoTime);
    }

    /**
     * Starts a phase: ends the previous one (with a final report of it), resets the byte count.
     *
     * @param name the phase ({@code download}, {@code extract}, {@code check} ...)
     * @param totalBytes the bytes this phase will handle, or -1 when unknown (no percentage, no ETA)
     */
    public synchronized void phase(String name, long totalBytes) {
        if (!phase.isEmpty()) {
            report(true);
        }
        phase = Objects.requireNonNull(name);
        total = totalBytes;
        bytes = 0;
        phaseStart = clock.getAsLong();
        lastReport = phaseStart;
        report(true);
    }

    /** Sets the current phase's total once it becomes known (a download learns it from its headers). */
    public synchronized void total(long totalBytes) {
        total = totalBytes;
    }

    /** Sets the bytes done in this phase (a resumed download starts past zero). */
    public synchronized void position(long bytesDone) {
        bytes = bytesDone;
        maybeReport();
    }

    /** Counts bytes done in this phase. */
    public synchronized void advance(long n) {
        if (n > 0) {
            bytes += n;
            maybeReport();
        }
    }

    /** Bytes done in the current phase. */
    public synchronized long bytes() {
        return bytes;
    }

    /** The current phase's name. */
    public synchronized String currentPhase() {
        return phase;
    }

    /** Prints a message on its own line (a terminal's progress line is moved out of the way first). */
    public synchronized void note(String message) {
        clearTerminalLine();
        out.println(operation + ": " + message);
        out.flush();
    }

    /** Ends the operation with a final report; on a terminal the line is ended with a newline. */
    @Override
    public synchronized void close() {
        if (finished) {
            return;
        }
        finished = true;
        if (!phase.isEmpty()) {
            report(true);
        }
        if (terminal && lastLineLength > 0) {
            out.println();
        }
        out.flush();
    }

    /** Wraps a stream whose bytes read count as progress. */
    public InputStream wrap(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    advance(1);
                }
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                advance(n);
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                long s = super.skip(n);
                advance(s);
                return s;
            }
        };
    }

    /** Wraps a stream whose bytes written count as progress. */
    public OutputStream wrap(OutputStream os) {
        return new FilterOutputStream(os) {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                advance(1);
            }

            @Override
            public void write(byte[] buf, int off, int len) throws IOException {
                out.write(buf, off, len);
                advance(len);
            }
        };
    }

    /** The line describing the current state, e.g. {@code import download 12.0 MiB / 48.0 MiB 25% 4.0 MiB/s ETA 0:09}. */
    public synchronized String line() {
        long elapsed = Math.max(0, clock.getAsLong() - phaseStart);
        StringBuilder s = new StringBuilder(operation).append(' ').append(phase).append(' ').append(size(bytes));
        if (total >= 0) {
            s.append(" / ").append(size(total));
            long pct = total == 0 ? 100 : Math.min(100, bytes * 100 / total);
            s.append(' ').append(pct).append('%');
        }
        if (elapsed > 0) {
            double rate = bytes * 1e9 / elapsed;
            s.append(' ').append(size((long) rate)).append("/s");
            if (total >= 0 && bytes < total && rate > 0) {
                s.append(" ETA ").append(duration((long) ((total - bytes) / rate)));
            }
        }
        return s.toString();
    }

    private void maybeReport() {
        if (clock.getAsLong() - lastReport >= intervalNanos) {
            report(false);
        }
    }

    private void report(boolean force) {
        if (!force && finished) {
            return;
        }
        lastReport = clock.getAsLong();
        String line = line();
        if (terminal) {
            // pad over a longer previous line so no characters of it remain
            String padded = line.length() < lastLineLength ? line + " ".repeat(lastLineLength - line.length()) : line;
            out.print('\r' + padded);
            lastLineLength = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    private void clearTerminalLine() {
        if (terminal && lastLineLength > 0) {
            out.print('\r' + " ".repeat(lastLineLength) + '\r');
            lastLineLength = 0;
        }
    }

    /** {@code 512 B}, {@code 1.5 KiB}, {@code 12.0 MiB}, {@code 3.2 GiB}. */
    static String size(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** {@code 0:09}, {@code 12:34}, {@code 1:02:03}. */
    static String duration(long seconds) {
        long h = seconds / 3600;
        long m = seconds / 60 % 60;
        long s = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%d:%02d", m, s);
    }
}
