package io.flotilla.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.junit.jupiter.api.Test;

/** {@link BackgroundWriter}: the bytes arrive in order and unchanged; a failing target reaches the producer. */
class BackgroundWriterTest {

    @Test
    void everyByteArrivesInOrderAndTheTargetIsClosed() throws IOException {
        byte[] data = new byte[5 * BackgroundWriter.BLOCK + 12345];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + i / 7);
        }
        boolean[] closed = {false};
        ByteArrayOutputStream target = new ByteArrayOutputStream() {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        try (BackgroundWriter w = new BackgroundWriter(target, "test-writer")) {
            // single bytes, small and large writes, across block boundaries
            w.write(data, 0, 1);
            w.write(data[1]);
            int off = 2;
            for (int n : new int[] {100, BackgroundWriter.BLOCK - 3, 7, 3 * BackgroundWriter.BLOCK}) {
                w.write(data, off, n);
                off += n;
            }
            w.write(data, off, data.length - off);
        }
        assertArrayEquals(data, target.toByteArray());
        assertTrue(closed[0], "closing the writer closes (finishes) the target");
    }

    @Test
    void aFailingTargetFailsTheProducer() {
        OutputStream full = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("No space left on device");
            }
        };
        IOException e = assertThrows(IOException.class, () -> {
            try (BackgroundWriter w = new BackgroundWriter(full, "test-writer")) {
                byte[] block = new byte[BackgroundWriter.BLOCK];
                for (int i = 0; i < 100; i++) {
                    w.write(block);
                }
            }
        });
        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
    }
}
