package io.flotilla.pvm.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.pvm.util.Hex;
import org.junit.jupiter.api.Test;

class Base58CheckTest {

    @Test
    void plainBase58Vectors() {
        assertEquals("", Base58.encode(new byte[0]));
        assertEquals("1", Base58.encode(new byte[1]));
        assertEquals("111", Base58.encode(new byte[3]));
        assertEquals("2g", Base58.encode("a".getBytes()));
        assertEquals("ZiCa", Base58.encode("abc".getBytes()));
        assertEquals("StV1DL6CwTryKyV", Base58.encode("hello world".getBytes()));
        assertEquals("11233QC4", Base58.encode(Hex.decode("0000287fb4cd")));
        assertArrayEquals(Hex.decode("0000287fb4cd"), Base58.decode("11233QC4"));
        assertArrayEquals("hello world".getBytes(), Base58.decode("StV1DL6CwTryKyV"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Base58.decode("abc0"));
        assertTrue(e.getMessage().contains("position 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Base58.decode("Il"));
    }

    // Byte forms from the Octez kernel SDK's outbox test vectors and the Octez docs.
    @Test
    void contractHashes() {
        assertKt1("KT1ThEdxfUcWUwqsdergy3QnbCWGHSUHeHJq", "d1a37c088a1221b636bb5fccb35e05181038ba7c");
        assertKt1("KT1BuEZtb68c1Q4yjtckcNjGELqWt56Xyesc", "246667a931fe0bd2fb1cb604f714601e88284550");
        assertKt1("KT1AaiUqbT3NmQts2w7ofY4vJviVchztiW4y", "15edad279f55e2fe4011de6d2c24fdf51bf225c5");
    }

    private static void assertKt1(String b58, String hex) {
        ContractHash h = ContractHash.fromBase58(b58);
        assertEquals(hex, Hex.encode(h.bytes()));
        assertEquals(b58, new ContractHash(Hex.decode(hex)).toBase58());
        assertEquals(b58, h.toString());
    }

    @Test
    void publicKeyHashes() {
        PublicKeyHash a = PublicKeyHash.fromBase58("tz1KqTpEZ7Yob7QbPE4Hy4Wo8fHG8LhKxZSx");
        assertEquals("0002298c03ed7d454a101eb7022bc95f7e5f41ac78", Hex.encode(a.bytes()));
        PublicKeyHash b = PublicKeyHash.fromBase58("tz1gjaF81ZRRvdzjobyfVNsAeSC6PScjfQwN");
        assertEquals("00e7670f32038107a59a2b9cfefae36ea21f5aa63c", Hex.encode(b.bytes()));
        assertEquals("tz1KqTpEZ7Yob7QbPE4Hy4Wo8fHG8LhKxZSx", a.toBase58());
        assertEquals(Base58Check.Prefix.ED25519_PUBLIC_KEY_HASH, a.prefix());
        assertEquals("tz1Ke2h7sDdakHJQh8WX4Z372du1KChsksyU", PublicKeyHash.zero().toBase58());
    }

    @Test
    void otherSchemesRoundTripWithTheirTags() {
        byte[] hash = Hex.decode("0102030405060708090a0b0c0d0e0f1011121314");
        String[] texts = {"tz1", "tz2", "tz3", "tz4", "tz5"};
        Base58Check.Prefix[] prefixes = {
            Base58Check.Prefix.ED25519_PUBLIC_KEY_HASH, Base58Check.Prefix.SECP256K1_PUBLIC_KEY_HASH,
            Base58Check.Prefix.P256_PUBLIC_KEY_HASH, Base58Check.Prefix.BLS12_381_PUBLIC_KEY_HASH,
            Base58Check.Prefix.MLDSA44_PUBLIC_KEY_HASH,
        };
        for (int tag = 0; tag < prefixes.length; tag++) {
            PublicKeyHash pkh = PublicKeyHash.of(prefixes[tag], hash);
            String b58 = pkh.toBase58();
            assertTrue(b58.startsWith(texts[tag]), b58);
            assertEquals(36, b58.length());
            PublicKeyHash back = PublicKeyHash.fromBase58(b58);
            assertEquals(pkh, back);
            assertEquals(tag, back.bytes()[0]);
        }
        assertThrows(IllegalArgumentException.class, () -> PublicKeyHash.fromBase58("KT1ThEdxfUcWUwqsdergy3QnbCWGHSUHeHJq"));
        byte[] bad = new byte[21];
        bad[0] = 9;
        assertThrows(IllegalArgumentException.class, () -> new PublicKeyHash(bad));
    }

    @Test
    void zeroValuesAreTheDebuggerDefaults() {
        // The Octez docs name these defaults of octez-smart-rollup-wasm-debugger.
        assertEquals("KT18amZmM5W7qDWVt2pH6uj7sCEd3kbzLrHT", ContractHash.zero().toBase58());
        assertEquals("sr163Lv22CdE8QagCwf48PWDTquk6isQwv57", RollupAddress.zero().toBase58());
        assertEquals(RollupAddress.zero(), RollupAddress.fromBase58("sr163Lv22CdE8QagCwf48PWDTquk6isQwv57"));
    }

    @Test
    void rollupAddresses() {
        for (String s : new String[] {
            "sr1UNDWPUYVeomgG15wn5jSw689EJ4RNnVQa", "sr1UXY5i5Z1sF8xd8ZUyzur827MAaFWREzvj",
            "sr1RYurGZtN8KNSpkMcCt9CgWeUaNkzsAfXf"
        }) {
            RollupAddress a = RollupAddress.fromBase58(s);
            assertEquals(20, a.bytes().length);
            assertEquals(s, a.toBase58());
        }
    }

    @Test
    void thirtyTwoByteHashesHaveTheirDocumentedLengthsAndPrefixes() {
        byte[] h = new byte[32];
        for (int i = 0; i < 32; i++) {
            h[i] = (byte) (i * 7 + 3);
        }
        assertPrefixed(new BlockHash(h).toBase58(), "B", 51);
        assertPrefixed(new ProtocolHash(h).toBase58(), "P", 51);
        assertPrefixed(new CommitmentHash(h).toBase58(), "src1", 54);
        assertPrefixed(new StateHash(h).toBase58(), "srs1", 54);
        assertPrefixed(new InboxHash(h).toBase58(), "srib1", 55);
        assertEquals(new BlockHash(h), BlockHash.fromBase58(new BlockHash(h).toBase58()));
        assertEquals(new CommitmentHash(h), CommitmentHash.fromBase58(new CommitmentHash(h).toBase58()));
        assertEquals(new StateHash(h), StateHash.fromBase58(new StateHash(h).toBase58()));
        assertEquals(new InboxHash(h), InboxHash.fromBase58(new InboxHash(h).toBase58()));
        // every 32-byte value gets the documented leading characters, including the extremes
        byte[] ff = new byte[32];
        java.util.Arrays.fill(ff, (byte) 0xff);
        for (byte[] x : new byte[][] {new byte[32], ff}) {
            assertPrefixed(new BlockHash(x).toBase58(), "B", 51);
            assertPrefixed(new CommitmentHash(x).toBase58(), "src1", 54);
            assertPrefixed(new StateHash(x).toBase58(), "srs1", 54);
            assertPrefixed(new InboxHash(x).toBase58(), "srib1", 55);
        }
    }

    @Test
    void knownBlockAndProtocolHashes() {
        // ghostnet genesis block (hex as given in Octez's etherlink sources) and the genesis protocol
        BlockHash genesis = BlockHash.fromBase58("BLockGenesisGenesisGenesisGenesisGenesis1db77eJNeJ9");
        assertEquals("8fcf233671b6a04fcf679d2a381c2544ea6c1ea29ba6157776ed8423e7c02934", Hex.encode(genesis.bytes()));
        assertEquals("BLockGenesisGenesisGenesisGenesisGenesis1db77eJNeJ9", genesis.toBase58());
        ProtocolHash proto = ProtocolHash.fromBase58("ProtoGenesisGenesisGenesisGenesisGenesisGenesk612im");
        assertEquals("ProtoGenesisGenesisGenesisGenesisGenesisGenesk612im", proto.toBase58());
    }

    private static void assertPrefixed(String s, String prefix, int len) {
        assertTrue(s.startsWith(prefix), s);
        assertEquals(len, s.length(), s);
    }

    @Test
    void checksumAndPrefixErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RollupAddress.fromBase58("sr163Lv22CdE8QagCwf48PWDTquk6isQwv58"));
        assertTrue(e.getMessage().startsWith("not a valid sr1 address: bad checksum"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ContractHash.fromBase58("KT1ThEdxfUcWUwqsdergy3QnbCWGHSUHeHJr"));
        assertTrue(e.getMessage().startsWith("not a valid KT1 contract hash: bad checksum"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RollupAddress.fromBase58("KT1ThEdxfUcWUwqsdergy3QnbCWGHSUHeHJq"));
        assertTrue(e.getMessage().startsWith("not a valid sr1 address: wrong prefix"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RollupAddress.fromBase58("sr1-"));
        assertTrue(e.getMessage().startsWith("not a valid sr1 address: invalid base58 character"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RollupAddress.fromBase58(""));
        assertThrows(IllegalArgumentException.class, () -> new RollupAddress(new byte[19]));
        assertThrows(IllegalArgumentException.class,
                () -> Base58Check.encode(Base58Check.Prefix.BLOCK_HASH, new byte[20]));
    }

    @Test
    void decodeAnyRecognisesThePrefix() {
        Base58Check.Decoded d = Base58Check.decodeAny("tz1KqTpEZ7Yob7QbPE4Hy4Wo8fHG8LhKxZSx");
        assertEquals(Base58Check.Prefix.ED25519_PUBLIC_KEY_HASH, d.prefix());
        assertEquals("02298c03ed7d454a101eb7022bc95f7e5f41ac78", Hex.encode(d.payload()));
        assertEquals(Base58Check.Prefix.SMART_ROLLUP_ADDRESS,
                Base58Check.decodeAny("sr163Lv22CdE8QagCwf48PWDTquk6isQwv57").prefix());
        assertEquals(Base58Check.Prefix.CONTRACT_HASH,
                Base58Check.decodeAny("KT1ThEdxfUcWUwqsdergy3QnbCWGHSUHeHJq").prefix());
        assertThrows(IllegalArgumentException.class, () -> Base58Check.decodeAny("StV1DL6CwTryKyV"));
        assertNotEquals(ContractHash.zero(), ContractHash.fromBase58("KT1ThEdxfUcWUwqsdergy3QnbCWGHSUHeHJq"));
    }
}
