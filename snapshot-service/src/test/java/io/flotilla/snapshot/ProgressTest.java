package io.flotilla.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What Progress prints, on a clock the test moves by hand. */
class ProgressTest {

    static final long SECOND = 1_000_000_000L;
    static final int MIB = 1 << 20;

    final AtomicLong now = new AtomicLong(1000 * SECOND);
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Progress progress(boolean terminal, long interval) {
        return new Progress("import", new PrintStream(out, true, StandardCharsets.UTF_8), terminal, interval, now::get);
    }

    String printed() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void lineShowsBytesPercentRateAndTimeLeft() {
        Progress p = progress(false, 5 * SECOND);
        p.phase("download", 48L * MIB);
        now.addAndGet(3 * SECOND);
        p.advance(12L * MIB);
        assertEquals("import download 12.0 MiB / 48.0 MiB 25% 4.0 MiB/s ETA 0:09", p.line());
        p.phase("extract", -1);
        now.addAndGet(2 * SECOND);
        p.advance(3000);
        assertEquals("import extract 2.9 KiB 1.5 KiB/s", p.line(), "no total: no percentage nor ETA");
        assertEquals("1:02:03", Progress.duration(3723));
        assertEquals("512 B", Progress.size(512));
        assertEquals("3.0 GiB", Progress.size(3L << 30));
    }

    @Test
    void logLinesComeEveryIntervalOnly() throws Exception {
        byte[] data = new byte[10 * MIB];
        try (Progress p = progress(false, 5 * SECOND)) {
            p.phase("read", data.length);
            try (InputStream in = p.wrap(new ByteArrayInputStream(data))) {
                byte[] buf = new byte[MIB];
                for (int i = 0; i < 10; i++) {
                    now.addAndGet(SECOND); // one MiB a second
                    assertEquals(MIB, in.readNBytes(buf, 0, MIB));
                }
            }
            assertEquals(data.length, p.bytes());
        }
        String[] lines = printed().split("\n");
        // the phase's start, a line at 5 s and at 10 s, and the final line on close
        assertEquals(4, lines.length, printed());
        assertEquals("import read 0 B / 10.0 MiB 0%", lines[0]);
        assertEquals("import read 5.0 MiB / 10.0 MiB 50% 1.0 MiB/s ETA 0:05", lines[1]);
        assertEquals("import read 10.0 MiB / 10.0 MiB 100% 1.0 MiB/s", lines[3]);
        assertTrue(!printed().contains("\r"));
    }

    @Test
    void terminalRewritesOneLine() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (Progress p = progress(true, SECOND)) {
            p.phase("compress", 4 * MIB);
            try (OutputStream os = p.wrap(sink)) {
                for (int i = 0; i < 4; i++) {
                    now.addAndGet(SECOND);
                    os.write(new byte[MIB]);
                }
            }
            p.note("checking the export");
        }
        assertEquals(4 * MIB, sink.size());
        String s = printed();
        assertTrue(s.startsWith("\rimport compress 0 B / 4.0 MiB 0%"), s);
        assertTrue(s.contains("\rimport compress 2.0 MiB / 4.0 MiB 50% 1.0 MiB/s ETA 0:02"), s);
        // a note clears the line, prints itself on a line of its own; close ends with a newline
        assertTrue(s.contains("\rimport: checking the export\n"), s);
        assertTrue(s.endsWith("\rimport compress 4.0 MiB / 4.0 MiB 100% 1.0 MiB/s\n"), s);
        assertEquals(2, s.split("\n", -1).length - 1, "only the note and the end break the line: " + s);
    }

    @Test
    void wrappedStreamsPassTheBytesThrough() throws Exception {
        byte[] data = "hello snapshot".getBytes(StandardCharsets.UTF_8);
        Progress p = Progress.silent("export");
        p.phase("copy", data.length);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream os = p.wrap(sink)) {
            os.write(data[0]);
            os.write(data, 1, data.length - 1);
        }
        assertArrayEquals(data, sink.toByteArray());
        assertEquals(data.length, p.bytes());
    }
}
