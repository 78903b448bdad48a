package io.flotilla.pvm.encoding;

import io.flotilla.pvm.util.Hex;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;

/**
 * A smart rollup inbox message in the bytes a kernel reads with {@code read_input} (Octez
 * {@code Sc_rollup_inbox_message_repr.encoding}):
 * <pre>
 *   00 00  Transfer: Micheline payload, sender KT1 (20 B), source pkh (21 B), destination sr1 (20 B)
 *   00 01  Start_of_level
 *   00 02  End_of_level
 *   00 03  Info_per_level: predecessor timestamp (int64 BE, seconds), predecessor block hash (32 B)
 *   00 04  Protocol_migration: uint32 BE length + protocol name
 *   01     External: the raw payload, up to the end
 * </pre>
 * A serialized message is at most {@value #MAX_SIZE} bytes; constructors reject anything larger. The
 * {@code Dal_attested_slots} internal message of the newest protocol (tag {@code 00 05}) is not modelled.
 */
public sealed interface InboxMessage {

    /** Maximum size of a serialized inbox message ({@code sc_rollup_message_size_limit}). */
    int MAX_SIZE = 4096;

    /** Maximum payload of an external message (the tag takes one byte). */
    int MAX_EXTERNAL_PAYLOAD = MAX_SIZE - 1;

    /** The serialized bytes, exactly as the kernel reads them. */
    byte[] encode();

    /** A one-line human-readable form for the debugger. */
    String describe();

    /** Marks the start of a level's inbox. */
    record StartOfLevel() implements InboxMessage {
        @Override
        public byte[] encode() {
            return new byte[] {0, 1};
        }

        @Override
        public String describe() {
            return "StartOfLevel";
        }
    }

    /** Marks the end of a level's inbox. */
    record EndOfLevel() implements InboxMessage {
        @Override
        public byte[] encode() {
            return new byte[] {0, 2};
        }

        @Override
        public String describe() {
            return "EndOfLevel";
        }
    }

    /** Sent after {@link StartOfLevel}: timestamp (Unix seconds) and hash of the predecessor block. */
    record InfoPerLevel(long predecessorTimestamp, BlockHash predecessor) implements InboxMessage {
        public InfoPerLevel {
            if (predecessor == null) {
                throw new IllegalArgumentException("Info_per_level needs a predecessor block hash");
            }
        }

        @Override
        public byte[] encode() {
            return new ByteWriter().u8(0).u8(3).i64(predecessorTimestamp).bytes(predecessor.bytes()).toByteArray();
        }

        @Override
        public String describe() {
            String time;
            try {
                time = Instant.ofEpochSecond(predecessorTimestamp) + " (" + predecessorTimestamp + ")";
            } catch (DateTimeException e) {
                time = String.valueOf(predecessorTimestamp);
            }
            return "InfoPerLevel{predecessorTimestamp=" + time + ", predecessor=" + predecessor.toBase58() + "}";
        }
    }

    /** Sent on the first level of a new protocol; {@code protocol} is the name the protocol announces. */
    record ProtocolMigration(String protocol) implements InboxMessage {
        public ProtocolMigration {
            if (protocol == null) {
                throw new IllegalArgumentException("Protocol_migration needs a protocol name");
            }
            int size = 2 + 4 + protocol.getBytes(StandardCharsets.UTF_8).length;
            if (size > MAX_SIZE) {
                throw new IllegalArgumentException("Protocol_migration message of " + size
                        + " bytes exceeds the " + MAX_SIZE + "-byte limit");
            }
        }

        @Override
        public byte[] encode() {
            return new ByteWriter().u8(0).u8(4).sized(protocol.getBytes(StandardCharsets.UTF_8)).toByteArray();
        }

        @Override
        public String describe() {
            return "ProtocolMigration{protocol=" + protocol + "}";
        }
    }

    /**
     * An internal transfer from a Layer 1 contract. {@code payloadMicheline} is the binary Micheline of the
     * parameters (no {@code 05} prefix) and must hold exactly one expression.
     */
    record Transfer(byte[] payloadMicheline, ContractHash sender, PublicKeyHash source, RollupAddress destination)
            implements InboxMessage {

        /** Bytes taken by everything but the payload: tags, sender, source, destination. */
        public static final int OVERHEAD = 2 + ContractHash.LENGTH + PublicKeyHash.LENGTH + RollupAddress.LENGTH;

        /** Largest payload that fits in a message. */
        public static final int MAX_PAYLOAD = MAX_SIZE - OVERHEAD;

        public Transfer {
            if (payloadMicheline == null || sender == null || source == null || destination == null) {
                throw new IllegalArgumentException("Transfer needs payload, sender, source and destination");
            }
            payloadMicheline = payloadMicheline.clone();
            if (payloadMicheline.length > MAX_PAYLOAD) {
                throw new IllegalArgumentException("Transfer message of " + (payloadMicheline.length + OVERHEAD)
                        + " bytes exceeds the " + MAX_SIZE + "-byte limit (payload " + payloadMicheline.length
                        + " bytes, at most " + MAX_PAYLOAD + ")");
            }
            try {
                Micheline.decode(payloadMicheline);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Transfer payload is not one Micheline expression: "
                        + e.getMessage(), e);
            }
        }

        /** Builds a transfer from a Micheline value. */
        public static Transfer of(Micheline payload, ContractHash sender, PublicKeyHash source,
                RollupAddress destination) {
            return new Transfer(payload.encode(), sender, source, destination);
        }

        /** The payload as a Micheline value. */
        public Micheline payload() {
            return Micheline.decode(payloadMicheline);
        }

        @Override
        public byte[] payloadMicheline() {
            return payloadMicheline.clone();
        }

        @Override
        public byte[] encode() {
            return new ByteWriter().u8(0).u8(0).bytes(payloadMicheline).bytes(sender.bytes()).bytes(source.bytes())
                    .bytes(destination.bytes()).toByteArray();
        }

        @Override
        public String describe() {
            return "Transfer{payload=" + payload().print() + ", sender=" + sender.toBase58() + ", source="
                    + source.toBase58() + ", destination=" + destination.toBase58() + "}";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Transfer t && Arrays.equals(t.payloadMicheline, payloadMicheline)
                    && t.sender.equals(sender) && t.source.equals(source) && t.destination.equals(destination);
        }

        @Override
        public int hashCode() {
            return ((Arrays.hashCode(payloadMicheline) * 31 + sender.hashCode()) * 31 + source.hashCode()) * 31
                    + destination.hashCode();
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /** An external message: arbitrary bytes posted to the shared inbox. */
    record External(byte[] payload) implements InboxMessage {
        public External {
            if (payload == null) {
                throw new IllegalArgumentException("External message needs a payload");
            }
            if (payload.length > MAX_EXTERNAL_PAYLOAD) {
                throw new IllegalArgumentException("External message payload of " + payload.length
                        + " bytes exceeds the limit of " + MAX_EXTERNAL_PAYLOAD + " bytes (" + MAX_SIZE
                        + " bytes serialized)");
            }
            payload = payload.clone();
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        @Override
        public byte[] encode() {
            return new ByteWriter().u8(1).bytes(payload).toByteArray();
        }

        @Override
        public String describe() {
            return "External{payload=" + Hex.encode(payload) + "}";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof External e && Arrays.equals(e.payload, payload);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /**
     * Decodes a serialized message. Errors are IllegalArgumentExceptions starting with
     * {@code "malformed inbox message: "} and naming the byte offset.
     */
    static InboxMessage decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new IllegalArgumentException("malformed inbox message: empty");
        }
        if (bytes.length > MAX_SIZE) {
            throw new IllegalArgumentException("malformed inbox message: " + bytes.length + " bytes exceeds the "
                    + MAX_SIZE + "-byte limit");
        }
        try {
            ByteReader r = new ByteReader(bytes);
            int tag = r.u8("message tag");
            if (tag == 1) {
                return new External(r.rest());
            }
            if (tag != 0) {
                throw new IllegalArgumentException("unknown message tag " + tag + " (expected 0 internal or 1 external)");
            }
            int kind = r.u8("internal message tag");
            InboxMessage m;
            switch (kind) {
                case 0: {
                    int start = r.position();
                    int len = Micheline.decode(bytes, start).length(); // validates, finds the payload's end
                    byte[] payload = r.bytes(len, "Micheline payload");
                    ContractHash sender = new ContractHash(r.bytes(ContractHash.LENGTH, "sender"));
                    int at = r.position();
                    byte[] src = r.bytes(PublicKeyHash.LENGTH, "source");
                    PublicKeyHash source;
                    try {
                        source = new PublicKeyHash(src);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(e.getMessage() + " in the source at byte offset " + at, e);
                    }
                    RollupAddress destination = new RollupAddress(r.bytes(RollupAddress.LENGTH, "destination"));
                    m = new Transfer(payload, sender, source, destination);
                    break;
                }
                case 1:
                    m = new StartOfLevel();
                    break;
                case 2:
                    m = new EndOfLevel();
                    break;
                case 3: {
                    long ts = r.i64("predecessor timestamp");
                    m = new InfoPerLevel(ts, new BlockHash(r.bytes(BlockHash.LENGTH, "predecessor block hash")));
                    break;
                }
                case 4: {
                    int at = r.position();
                    byte[] name = r.bytes(r.length("protocol name"), "protocol name");
                    m = new ProtocolMigration(utf8(name, at));
                    break;
                }
                case 5:
                    throw new IllegalArgumentException("internal message tag 5 (Dal_attested_slots) is not supported");
                default:
                    throw new IllegalArgumentException("unknown internal message tag " + kind + " (expected 0..4)");
            }
            r.expectEnd("after the " + m.getClass().getSimpleName() + " message");
            return m;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed inbox message: " + e.getMessage(), e);
        }
    }

    private static String utf8(byte[] b, int at) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("protocol name at byte offset " + at + " is not valid UTF-8", e);
        }
    }
}
