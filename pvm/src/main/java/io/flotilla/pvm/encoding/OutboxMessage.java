package io.flotilla.pvm.encoding;

import io.flotilla.pvm.util.Hex;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.function.BiConsumer;

/**
 * A smart rollup outbox message as written by {@code write_output} (Octez
 * {@code Sc_rollup_outbox_message_repr.encoding}), at most {@value #MAX_SIZE} bytes:
 * <pre>
 *   00  Atomic_transaction_batch: uint32 byte length, then transactions, each
 *         parameters (Micheline, not length-prefixed), destination (01 + KT1 hash + 00 padding),
 *         entrypoint (uint32 length + name, at most 31 bytes)
 *   01  Atomic_transaction_batch_typed: same, with the parameters' type (Micheline) after the parameters
 *   02  Whitelist_update: ff + uint32 byte length + public key hashes (21 B each), or 00 for none
 *   03  Canonical_rollup_signal: uint32 length + payload (newest protocol only)
 * </pre>
 */
public sealed interface OutboxMessage {

    /** Maximum size of a serialized outbox message ({@code sc_rollup_message_size_limit}). */
    int MAX_SIZE = 4096;

    /** Maximum length of an entrypoint name. */
    int MAX_ENTRYPOINT_LENGTH = 31;

    /** The serialized bytes. */
    byte[] encode();

    /** A one-line human-readable form for the debugger. */
    String describe();

    /** A call of {@code destination%entrypoint} with Micheline parameters. */
    record Transaction(Micheline parameters, ContractHash destination, String entrypoint) {
        /** An empty entrypoint means {@code default}, as in Octez. */
        public Transaction {
            if (parameters == null || destination == null) {
                throw new IllegalArgumentException("a transaction needs parameters and a destination");
            }
            entrypoint = checkEntrypoint(entrypoint);
        }

        public Transaction(Micheline parameters, ContractHash destination) {
            this(parameters, destination, "default");
        }

        void writeTo(ByteWriter w) {
            MichelineBinary.write(parameters, w);
            writeDestination(destination, w);
            w.sized(entrypoint.getBytes(StandardCharsets.UTF_8));
        }

        public String describe() {
            return "Transaction{destination=" + destination.toBase58() + ", entrypoint=" + entrypoint
                    + ", parameters=" + parameters.print() + "}";
        }
    }

    /** A call with parameters and their Michelson type. */
    record TypedTransaction(Micheline parameters, Micheline parametersType, ContractHash destination,
            String entrypoint) {
        /** An empty entrypoint means {@code default}, as in Octez. */
        public TypedTransaction {
            if (parameters == null || parametersType == null || destination == null) {
                throw new IllegalArgumentException("a typed transaction needs parameters, their type and a destination");
            }
            entrypoint = checkEntrypoint(entrypoint);
        }

        void writeTo(ByteWriter w) {
            MichelineBinary.write(parameters, w);
            MichelineBinary.write(parametersType, w);
            writeDestination(destination, w);
            w.sized(entrypoint.getBytes(StandardCharsets.UTF_8));
        }

        public String describe() {
            return "TypedTransaction{destination=" + destination.toBase58() + ", entrypoint=" + entrypoint
                    + ", type=" + parametersType.print() + ", parameters=" + parameters.print() + "}";
        }
    }

    /** Tag 0: transactions executed atomically on Layer 1. */
    record AtomicTransactionBatch(List<Transaction> transactions) implements OutboxMessage {
        public AtomicTransactionBatch {
            transactions = List.copyOf(transactions);
            checkSize(encodeBatch(0, transactions, Transaction::writeTo));
        }

        @Override
        public byte[] encode() {
            return encodeBatch(0, transactions, Transaction::writeTo);
        }

        @Override
        public String describe() {
            StringJoiner j = new StringJoiner(", ", "AtomicTransactionBatch[", "]");
            transactions.forEach(t -> j.add(t.describe()));
            return j.toString();
        }
    }

    /** Tag 1: transactions with typed parameters. */
    record AtomicTransactionBatchTyped(List<TypedTransaction> transactions) implements OutboxMessage {
        public AtomicTransactionBatchTyped {
            transactions = List.copyOf(transactions);
            checkSize(encodeBatch(1, transactions, TypedTransaction::writeTo));
        }

        @Override
        public byte[] encode() {
            return encodeBatch(1, transactions, TypedTransaction::writeTo);
        }

        @Override
        public String describe() {
            StringJoiner j = new StringJoiner(", ", "AtomicTransactionBatchTyped[", "]");
            transactions.forEach(t -> j.add(t.describe()));
            return j.toString();
        }
    }

    /** Tag 2: replaces the rollup's whitelist; an empty Optional makes the rollup public. */
    record WhitelistUpdate(Optional<List<PublicKeyHash>> whitelist) implements OutboxMessage {
        public WhitelistUpdate {
            if (whitelist == null) {
                throw new IllegalArgumentException("use Optional.empty() for no whitelist");
            }
            whitelist = whitelist.map(List::copyOf);
            checkSize(encodeWhitelist(whitelist));
        }

        @Override
        public byte[] encode() {
            return encodeWhitelist(whitelist);
        }

        @Override
        public String describe() {
            if (whitelist.isEmpty()) {
                return "WhitelistUpdate{whitelist=none}";
            }
            StringJoiner j = new StringJoiner(", ", "WhitelistUpdate{whitelist=[", "]}");
            whitelist.get().forEach(k -> j.add(k.toBase58()));
            return j.toString();
        }
    }

    /** Tag 3 (newest protocol only): a signal carrying raw bytes. */
    record CanonicalRollupSignal(byte[] payload) implements OutboxMessage {
        public CanonicalRollupSignal {
            if (payload == null) {
                throw new IllegalArgumentException("a signal needs a payload");
            }
            payload = payload.clone();
            checkSize(new ByteWriter().u8(3).sized(payload).toByteArray());
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        @Override
        public byte[] encode() {
            return new ByteWriter().u8(3).sized(payload).toByteArray();
        }

        @Override
        public String describe() {
            return "CanonicalRollupSignal{payload=" + Hex.encode(payload) + "}";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CanonicalRollupSignal s && Arrays.equals(s.payload, payload);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(payload);
        }
    }

    // ------------------------------------------------------------------ decoding

    /**
     * Decodes an outbox message. Errors are IllegalArgumentExceptions starting with
     * {@code "malformed outbox message: "} and naming the byte offset.
     */
    static OutboxMessage decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new IllegalArgumentException("malformed outbox message: empty");
        }
        if (bytes.length > MAX_SIZE) {
            throw new IllegalArgumentException("malformed outbox message: " + bytes.length + " bytes exceeds the "
                    + MAX_SIZE + "-byte limit");
        }
        try {
            ByteReader r = new ByteReader(bytes);
            int tag = r.u8("outbox message tag");
            OutboxMessage m;
            switch (tag) {
                case 0: {
                    ByteReader body = r.slice(r.length("transactions"), "transactions");
                    List<Transaction> txs = new ArrayList<>();
                    while (!body.atEnd()) {
                        Micheline params = MichelineBinary.read(body);
                        ContractHash dest = readDestination(body);
                        txs.add(new Transaction(params, dest, readEntrypoint(body)));
                    }
                    m = new AtomicTransactionBatch(txs);
                    break;
                }
                case 1: {
                    ByteReader body = r.slice(r.length("transactions"), "transactions");
                    List<TypedTransaction> txs = new ArrayList<>();
                    while (!body.atEnd()) {
                        Micheline params = MichelineBinary.read(body);
                        Micheline type = MichelineBinary.read(body);
                        ContractHash dest = readDestination(body);
                        txs.add(new TypedTransaction(params, type, dest, readEntrypoint(body)));
                    }
                    m = new AtomicTransactionBatchTyped(txs);
                    break;
                }
                case 2: {
                    int at = r.position();
                    int present = r.u8("whitelist presence flag");
                    if (present == 0) {
                        m = new WhitelistUpdate(Optional.empty());
                    } else if (present == 0xff) {
                        ByteReader body = r.slice(r.length("whitelist"), "whitelist");
                        List<PublicKeyHash> keys = new ArrayList<>();
                        while (!body.atEnd()) {
                            int keyAt = body.position();
                            byte[] k = body.bytes(PublicKeyHash.LENGTH, "public key hash");
                            try {
                                keys.add(new PublicKeyHash(k));
                            } catch (IllegalArgumentException e) {
                                throw new IllegalArgumentException(e.getMessage() + " at byte offset " + keyAt, e);
                            }
                        }
                        m = new WhitelistUpdate(Optional.of(keys));
                    } else {
                        throw new IllegalArgumentException("invalid whitelist presence flag " + present
                                + " at byte offset " + at + " (expected 0x00 or 0xff)");
                    }
                    break;
                }
                case 3:
                    m = new CanonicalRollupSignal(r.bytes(r.length("signal payload"), "signal payload"));
                    break;
                default:
                    throw new IllegalArgumentException("unknown outbox message tag " + tag + " (expected 0..3)");
            }
            r.expectEnd("after the outbox message");
            return m;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed outbox message: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String checkEntrypoint(String entrypoint) {
        if (entrypoint == null || entrypoint.isEmpty()) {
            return "default";
        }
        int len = entrypoint.getBytes(StandardCharsets.UTF_8).length;
        if (len > MAX_ENTRYPOINT_LENGTH) {
            throw new IllegalArgumentException("entrypoint name '" + entrypoint + "' is " + len
                    + " bytes long, at most " + MAX_ENTRYPOINT_LENGTH + " allowed");
        }
        return entrypoint;
    }

    private static void checkSize(byte[] encoded) {
        if (encoded.length > MAX_SIZE) {
            throw new IllegalArgumentException("outbox message of " + encoded.length + " bytes exceeds the "
                    + MAX_SIZE + "-byte limit");
        }
    }

    private static void writeDestination(ContractHash destination, ByteWriter w) {
        w.u8(1).bytes(destination.bytes()).u8(0);
    }

    /** Reads {@code 01 ‖ hash ‖ padding}; like Octez, the padding byte's value is ignored. */
    private static ContractHash readDestination(ByteReader r) {
        int at = r.position();
        int tag = r.u8("destination");
        if (tag == 0) {
            throw new IllegalArgumentException("destination at byte offset " + at
                    + " is an implicit account; outbox transactions must target a KT1 contract");
        }
        if (tag != 1) {
            throw new IllegalArgumentException("unknown contract tag " + tag + " at byte offset " + at);
        }
        ContractHash h = new ContractHash(r.bytes(ContractHash.LENGTH, "destination contract hash"));
        r.u8("destination padding");
        return h;
    }

    private static String readEntrypoint(ByteReader r) {
        int at = r.position();
        byte[] b = r.bytes(r.length("entrypoint"), "entrypoint");
        if (b.length > MAX_ENTRYPOINT_LENGTH) {
            throw new IllegalArgumentException("entrypoint at byte offset " + at + " is " + b.length
                    + " bytes long, at most " + MAX_ENTRYPOINT_LENGTH + " allowed");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("entrypoint at byte offset " + at + " is not valid UTF-8", e);
        }
    }

    private static <T> byte[] encodeBatch(int tag, List<T> txs, BiConsumer<T, ByteWriter> writer) {
        ByteWriter w = new ByteWriter().u8(tag);
        int at = w.beginLength();
        for (T t : txs) {
            writer.accept(t, w);
        }
        w.endLength(at);
        return w.toByteArray();
    }

    private static byte[] encodeWhitelist(Optional<List<PublicKeyHash>> whitelist) {
        ByteWriter w = new ByteWriter().u8(2);
        if (whitelist.isEmpty()) {
            return w.u8(0).toByteArray();
        }
        w.u8(0xff);
        int at = w.beginLength();
        for (PublicKeyHash k : whitelist.get()) {
            w.bytes(k.bytes());
        }
        w.endLength(at);
        return w.toByteArray();
    }
}
