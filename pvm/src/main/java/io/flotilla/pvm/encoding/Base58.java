package io.flotilla.pvm.encoding;

import java.util.Arrays;

/**
 * Plain Base58 with the Bitcoin alphabet (the one Tezos uses), without checksum.
 * Leading zero bytes are written as leading {@code '1'} characters and vice versa.
 */
public final class Base58 {
    static final String ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private static final int[] INDEXES = new int[128];

    static {
        Arrays.fill(INDEXES, -1);
        for (int i = 0; i < ALPHABET.length(); i++) {
            INDEXES[ALPHABET.charAt(i)] = i;
        }
    }

    private Base58() {}

    public static String encode(byte[] input) {
        if (input.length == 0) {
            return "";
        }
        int zeros = 0;
        while (zeros < input.length && input[zeros] == 0) {
            zeros++;
        }
        // Repeated division of the big-endian base-256 number by 58.
        byte[] number = Arrays.copyOf(input, input.length);
        char[] out = new char[input.length * 2];
        int outStart = out.length;
        int start = zeros;
        while (start < number.length) {
            int remainder = 0;
            for (int i = start; i < number.length; i++) {
                int acc = (remainder << 8) | (number[i] & 0xff);
                number[i] = (byte) (acc / 58);
                remainder = acc % 58;
            }
            out[--outStart] = ALPHABET.charAt(remainder);
            while (start < number.length && number[start] == 0) {
                start++;
            }
        }
        for (int i = 0; i < zeros; i++) {
            out[--outStart] = '1';
        }
        return new String(out, outStart, out.length - outStart);
    }

    /** Decodes Base58 text; throws IllegalArgumentException naming the first invalid character. */
    public static byte[] decode(String input) {
        if (input.isEmpty()) {
            return new byte[0];
        }
        byte[] digits = new byte[input.length()];
        for (int i = 0; i < input.length(); i++) {
            char c = input.charAt(i);
            int d = c < 128 ? INDEXES[c] : -1;
            if (d < 0) {
                throw new IllegalArgumentException(
                        "invalid base58 character '" + c + "' at position " + i);
            }
            digits[i] = (byte) d;
        }
        int zeros = 0;
        while (zeros < digits.length && digits[zeros] == 0) {
            zeros++;
        }
        // Repeated division of the base-58 number by 256.
        byte[] out = new byte[input.length()];
        int outStart = out.length;
        int start = zeros;
        while (start < digits.length) {
            int remainder = 0;
            for (int i = start; i < digits.length; i++) {
                int acc = remainder * 58 + (digits[i] & 0xff);
                digits[i] = (byte) (acc / 256);
                remainder = acc % 256;
            }
            out[--outStart] = (byte) remainder;
            while (start < digits.length && digits[start] == 0) {
                start++;
            }
        }
        byte[] result = new byte[zeros + out.length - outStart];
        System.arraycopy(out, outStart, result, zeros, out.length - outStart);
        return result;
    }
}
