package io.flotilla.pvm.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flotilla.pvm.crypto.Blake2b;
import io.flotilla.pvm.util.Hex;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Fixed hashes, so the encoding cannot drift silently; encodings are also spelled out byte by byte. */
class GoldenHashTest {
    private static byte[] cat(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof String s) {
                out.writeBytes(Hex.decode(s));
            } else {
                out.writeBytes((byte[]) p);
            }
        }
        return out.toByteArray();
    }

    private static byte[] h(byte[] enc) {
        return Blake2b.hash256(enc);
    }

    private static byte[] step(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return cat(new byte[] {(byte) (b.length >> 8), (byte) b.length}, b);
    }

    @Test
    void emptyTree() {
        byte[] enc = Hex.decode("0300000000");
        assertEquals(Hex.encode(h(enc)), Tree.empty().hash().hex());
        assertEquals("b269fc2d4b81f3f268df797e4603611b4a98f49c910b6d69372dcf64ea84d00d", Tree.empty().hash().hex());
    }

    @Test
    void singleLeafAndSmallDirectory() {
        byte[] leafX = Hex.decode("010000000178"); // inline leaf "x"
        byte[] leafEmpty = Hex.decode("0100000000");
        assertEquals(Hex.encode(h(leafX)), Tree.ofValue(Value.of("x".getBytes(StandardCharsets.UTF_8))).hash().hex());

        // {"a": "x", "b": {"@": ""}, "é": "x"}
        byte[] dirB = cat("0300000001", step("@"), h(leafEmpty));
        byte[] root = cat("0300000003", step("a"), h(leafX), step("b"), h(dirB), step("\u00e9"), h(leafX));
        Tree t = Tree.empty()
                .set(List.of("\u00e9"), Value.of(new byte[] {'x'}))
                .set(List.of("b", "@"), Value.EMPTY)
                .set(List.of("a"), Value.of(new byte[] {'x'}));
        assertEquals(Hex.encode(h(root)), t.hash().hex());
        assertEquals("d022462a57f8c6098617a8b68e9e71ddd85c066c42416938c9b2ce122060fb46", t.hash().hex());
    }

    @Test
    void chunkedValue() {
        // 10000 bytes i % 251: chunks of 4096, 4096, 1808 under one index node of height 1
        byte[] v = new byte[10000];
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) (i % 251);
        }
        byte[] c0 = cat("04", java.util.Arrays.copyOfRange(v, 0, 4096));
        byte[] c1 = cat("04", java.util.Arrays.copyOfRange(v, 4096, 8192));
        byte[] c2 = cat("04", java.util.Arrays.copyOfRange(v, 8192, 10000));
        byte[] index = cat("05010003", h(c0), h(c1), h(c2));
        byte[] leaf = cat("0200002710", h(index));
        assertEquals(Hex.encode(h(index)), Value.of(v).hash().hex());
        Tree t = Tree.empty().set(List.of("k", "@"), Value.of(v));
        byte[] dirK = cat("0300000001", step("@"), h(leaf));
        byte[] root = cat("0300000001", step("k"), h(dirK));
        assertEquals(Hex.encode(h(root)), t.hash().hex());
        assertEquals("33796ceafc3dc8374154ed1e925d53c23a8d489b407d9e816567bb85bfc62705", t.hash().hex());
    }

    @Test
    void zerosValue() {
        // 2^31-1 zero bytes: height 4; hash fixed
        assertEquals("0206cebaa38744c9f275101a10a49715a3f29dd847b4a0e39af716f11c0a0b40", Value.zeros(Value.MAX_SIZE).hash().hex());
        assertEquals("c7b29a22bf33e7dd2dc684a1f64cf7cb9b35bca6c3a8cceb5dff78f039b872f7", Tree.ofValue(Value.zeros(5000)).hash().hex());
    }
}
