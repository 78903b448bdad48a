package io.flotilla.actors.l1;

import io.flotilla.actors.l1.L1Source.CementedCommitment;
import io.flotilla.actors.l1.L1Source.PublishedCommitment;
import io.flotilla.actors.l1.L1Source.RollupInfo;
import io.flotilla.actors.l1.L1Source.SandboxConstants;
import io.flotilla.pvm.Commitment;
import io.flotilla.pvm.OutboxProof;
import io.flotilla.pvm.PvmState;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.crypto.Blake2b;
import io.flotilla.pvm.encoding.Base58Check;
import io.flotilla.pvm.encoding.CommitmentHash;
import io.flotilla.pvm.encoding.ContractHash;
import io.flotilla.pvm.encoding.InboxMessage;
import io.flotilla.pvm.encoding.Micheline;
import io.flotilla.pvm.encoding.OutboxMessage;
import io.flotilla.pvm.encoding.PublicKeyHash;
import io.flotilla.pvm.encoding.RollupAddress;
import io.flotilla.pvm.tree.Hash;
import io.flotilla.pvm.util.Hex;
import io.flotilla.pvm.wasm.KernelValidator;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rollup-related state of the sandbox L1 (its "context"): rollups, commitments, cementation, executed
 * outbox messages and the contract calls they made. {@link #apply} validates one operation against the
 * state and, only if it is valid, applies it. Not thread-safe: {@link SandboxL1} guards it.
 */
final class Ledger {

    /** At most this many messages in one add-messages operation. */
    static final int MAX_MESSAGES_PER_OPERATION = 1000;
    /** Largest external message payload (4,096 bytes serialized with its {@code 01} tag). */
    static final int MAX_EXTERNAL_PAYLOAD = InboxMessage.MAX_EXTERNAL_PAYLOAD;

    private final SandboxConstants constants;
    /** Origination state hashes by kernel hash and version; shared by copies (a pure function's cache). */
    private final Map<String, Hash> genesisStates;
    private int originations;
    private final LinkedHashMap<String, Rollup> rollups = new LinkedHashMap<>();
    private final List<ContractCall> calls = new ArrayList<>();

    Ledger(SandboxConstants constants) {
        this(constants, new ConcurrentHashMap<>());
    }

    private Ledger(SandboxConstants constants, Map<String, Hash> genesisStates) {
        this.constants = constants;
        this.genesisStates = genesisStates;
    }

    Ledger copy() {
        Ledger l = new Ledger(constants, genesisStates);
        l.originations = originations;
        rollups.forEach((k, v) -> l.rollups.put(k, v.copy()));
        l.calls.addAll(calls);
        return l;
    }

    // ------------------------------------------------------------------ queries

    RollupInfo rollup(String address) {
        Rollup r = rollups.get(address);
        return r == null ? null : r.info;
    }

    CementedCommitment lcc(String address) {
        Rollup r = rollups.get(address);
        if (r == null) {
            return null;
        }
        Commitment c = r.cemented.get(r.lcc);
        return new CementedCommitment(r.lcc.bytes(), c.inboxLevel(), c.state().bytes());
    }

    List<PublishedCommitment> commitments(String address) {
        Rollup r = rollups.get(address);
        if (r == null) {
            return List.of();
        }
        List<Published> ps = new ArrayList<>(r.published.values());
        ps.sort((a, b) -> Integer.compare(a.commitment.inboxLevel(), b.commitment.inboxLevel()));
        List<PublishedCommitment> out = new ArrayList<>();
        for (Published p : ps) {
            out.add(new PublishedCommitment(p.hash.bytes(), p.commitment.state().bytes(), p.commitment.inboxLevel(),
                    p.commitment.predecessor().bytes(), p.commitment.ticks(), p.publishedLevel, p.stakers,
                    p.conflicted, p.cemented));
        }
        return out;
    }

    List<ContractCall> calls() {
        return List.copyOf(calls);
    }

    List<String> rollupAddresses() {
        return List.copyOf(rollups.keySet());
    }

    // ------------------------------------------------------------------ operations

    /**
     * Validates {@code op} for inclusion in the block at {@code level} and applies it.
     *
     * @return the operation as recorded in the block (derived fields filled in)
     * @throws L1OperationException when the operation is refused; the state is then unchanged
     */
    L1Operation apply(L1Operation op, int level) {
        if (op == null) {
            throw refuse("no operation");
        }
        checkSource(op.source());
        if (op instanceof L1Operation.Originate o) {
            return originate(o, level);
        } else if (op instanceof L1Operation.AddMessages m) {
            return addMessages(m);
        } else if (op instanceof L1Operation.Transfer t) {
            return transfer(t);
        } else if (op instanceof L1Operation.Publish p) {
            return publish(p, level);
        } else if (op instanceof L1Operation.Cement c) {
            return cement(c, level);
        } else {
            return executeOutbox((L1Operation.ExecuteOutbox) op, level);
        }
    }

    private L1Operation originate(L1Operation.Originate o, int level) {
        if (o.kernel() == null || o.kernel().length == 0) {
            throw refuse("originate: no kernel");
        }
        String label = o.pvmVersion() == null || o.pvmVersion().isEmpty() ? PvmVersion.DEFAULT.label() : o.pvmVersion();
        PvmVersion version = PvmVersion.fromLabel(label).orElseThrow(() -> refuse("originate: unknown PVM version '"
                + label + "' (expected one of 2.0.0, 2.0.0-r1 ... 2.0.0-r5)"));
        String type = o.parametersType() == null || o.parametersType().isBlank() ? "bytes" : o.parametersType();
        try {
            Micheline.parse(type);
        } catch (IllegalArgumentException e) {
            throw refuse("originate: the parameters type is not a Michelson type: " + e.getMessage());
        }
        try {
            KernelValidator.validate(o.kernel(), version);
        } catch (RuntimeException e) {
            throw refuse("originate: kernel refused for PVM " + label + ": " + e.getMessage());
        }
        byte[] kernelHash = Blake2b.hash256(o.kernel());
        Hash state = genesisStates.computeIfAbsent(Hex.encode(kernelHash) + "/" + label,
                k -> PvmState.originate(o.kernel(), version).hash());
        ByteArrayOutputStream nonce = new ByteArrayOutputStream();
        nonce.writeBytes("flotilla-sandbox-origination".getBytes(StandardCharsets.US_ASCII));
        nonce.writeBytes(ByteBuffer.allocate(4).putInt(originations).array());
        nonce.writeBytes(PublicKeyHash.fromBase58(o.source()).bytes());
        nonce.writeBytes(kernelHash);
        String address = new RollupAddress(Blake2b.hash(nonce.toByteArray(), RollupAddress.LENGTH)).toBase58();
        Commitment genesis = Commitment.genesis(state, level);
        Hash genesisHash = genesis.hash();
        // valid: apply
        originations++;
        Rollup r = new Rollup(new RollupInfo(address, level, o.kernel().clone(), label, type, genesisHash.bytes()),
                version);
        r.lcc = genesisHash;
        r.cemented.put(genesisHash, genesis);
        rollups.put(address, r);
        return new L1Operation.Originate(o.source(), address, o.kernel(), type, label, genesisHash.bytes());
    }

    private L1Operation addMessages(L1Operation.AddMessages m) {
        List<byte[]> msgs = m.messages();
        if (msgs.isEmpty()) {
            throw refuse("add_messages: no messages");
        }
        if (msgs.size() > MAX_MESSAGES_PER_OPERATION) {
            throw refuse("add_messages: " + msgs.size() + " messages; an operation carries at most "
                    + MAX_MESSAGES_PER_OPERATION);
        }
        for (int i = 0; i < msgs.size(); i++) {
            if (msgs.get(i).length > MAX_EXTERNAL_PAYLOAD) {
                throw refuse("add_messages: message " + i + " has " + msgs.get(i).length
                        + " bytes; an external message payload is at most " + MAX_EXTERNAL_PAYLOAD + " bytes ("
                        + (MAX_EXTERNAL_PAYLOAD + 1) + " serialized)");
            }
        }
        return m;
    }

    private L1Operation transfer(L1Operation.Transfer t) {
        Rollup r = rollup("transfer", t.rollup());
        ContractHash sender;
        try {
            sender = ContractHash.fromBase58(t.sender());
        } catch (IllegalArgumentException e) {
            throw refuse("transfer: the sender must be a KT1 contract: " + e.getMessage());
        }
        if (t.parametersMicheline() == null) {
            throw refuse("transfer: no parameters");
        }
        try {
            new InboxMessage.Transfer(t.parametersMicheline(), sender, PublicKeyHash.fromBase58(t.source()),
                    RollupAddress.fromBase58(r.info.address()));
        } catch (IllegalArgumentException e) {
            throw refuse("transfer: " + e.getMessage());
        }
        return t;
    }

    private L1Operation publish(L1Operation.Publish p, int level) {
        Rollup r = rollup("publish", p.rollup());
        if (p.commitment() == null) {
            throw refuse("publish: no commitment");
        }
        Commitment c;
        try {
            c = Commitment.decode(p.commitment());
        } catch (IllegalArgumentException e) {
            throw refuse("publish: " + e.getMessage());
        }
        Hash hash = c.hash();
        if (p.commitmentHash() != null && !hash.equals(hashOrNull(p.commitmentHash()))) {
            throw refuse("publish: the commitment hashes to " + src1(hash) + ", not to the given hash "
                    + Hex.encode(p.commitmentHash()));
        }
        if (p.inboxLevel() >= 0 && p.inboxLevel() != c.inboxLevel()) {
            throw refuse("publish: the commitment is for inbox level " + c.inboxLevel() + ", not " + p.inboxLevel());
        }
        if (c.inboxLevel() >= level) {
            throw refuse("publish: inbox level " + c.inboxLevel() + " is not final yet; the commitment can be "
                    + "published from level " + (c.inboxLevel() + 1) + " (this block is level " + level + ")");
        }
        if (c.ticks() <= 0) {
            throw refuse("publish: a commitment must have a positive number of ticks, got " + c.ticks());
        }
        int lccLevel = r.cemented.get(r.lcc).inboxLevel();
        if (c.inboxLevel() <= lccLevel) {
            throw refuse("publish: inbox level " + c.inboxLevel() + " is not after the last cemented commitment's "
                    + "level " + lccLevel);
        }
        int predLevel;
        if (c.predecessor().equals(r.lcc)) {
            predLevel = lccLevel;
        } else {
            Published pred = r.published.get(c.predecessor());
            if (pred == null || pred.cemented || pred.commitment.inboxLevel() <= lccLevel) {
                throw refuse("publish: the predecessor " + src1(c.predecessor())
                        + " is neither the last cemented commitment " + src1(r.lcc) + " nor a published commitment");
            }
            predLevel = pred.commitment.inboxLevel();
        }
        if (c.inboxLevel() != predLevel + constants.commitmentPeriod()) {
            throw refuse("publish: inbox level " + c.inboxLevel() + " must be the predecessor's level " + predLevel
                    + " + the commitment period " + constants.commitmentPeriod() + " = "
                    + (predLevel + constants.commitmentPeriod()));
        }
        Published same = r.published.get(hash);
        if (same != null && same.stakers.contains(p.source())) {
            throw refuse("publish: " + p.source() + " already published " + src1(hash));
        }
        List<Published> rivals = new ArrayList<>();
        for (Published other : r.published.values()) {
            if (other.commitment.inboxLevel() == c.inboxLevel() && !other.hash.equals(hash)) {
                if (other.stakers.contains(p.source())) {
                    throw refuse("publish: " + p.source() + " already staked on " + src1(other.hash)
                            + " for inbox level " + c.inboxLevel() + "; a staker cannot publish two commitments "
                            + "for one level");
                }
                if (other.commitment.predecessor().equals(c.predecessor())) {
                    rivals.add(other);
                }
            }
        }
        // valid: apply
        if (same == null) {
            same = new Published(c, hash, level);
            r.published.put(hash, same);
        }
        same.stakers.add(p.source());
        for (Published rival : rivals) {
            rival.conflicted = true;
            same.conflicted = true;
        }
        return new L1Operation.Publish(p.source(), p.rollup(), hash.bytes(), c.inboxLevel(), p.commitment());
    }

    private L1Operation cement(L1Operation.Cement ce, int level) {
        Rollup r = rollup("cement", ce.rollup());
        Hash hash = hashOrNull(ce.commitmentHash());
        if (hash == null) {
            throw refuse("cement: the commitment hash must be 32 bytes");
        }
        Published p = r.published.get(hash);
        if (p == null) {
            throw refuse("cement: " + src1(hash) + " is not a published commitment of " + ce.rollup());
        }
        if (p.cemented) {
            throw refuse("cement: " + src1(hash) + " is already cemented");
        }
        if (ce.inboxLevel() >= 0 && ce.inboxLevel() != p.commitment.inboxLevel()) {
            throw refuse("cement: the commitment is for inbox level " + p.commitment.inboxLevel() + ", not "
                    + ce.inboxLevel());
        }
        if (p.conflicted) {
            throw refuse("cement: " + src1(hash) + " is in conflict with another staker's commitment for inbox level "
                    + p.commitment.inboxLevel() + " and cannot be cemented (the sandbox has no refutation game)");
        }
        if (!p.commitment.predecessor().equals(r.lcc)) {
            throw refuse("cement: the predecessor of " + src1(hash) + " is " + src1(p.commitment.predecessor())
                    + ", not the last cemented commitment " + src1(r.lcc) + "; cement it first");
        }
        int from = p.publishedLevel + constants.challengeWindow();
        if (level < from) {
            throw refuse("cement: the challenge window of " + src1(hash) + " is not over: published at level "
                    + p.publishedLevel + ", it can be cemented from level " + from + " (this block is level " + level
                    + ")");
        }
        p.cemented = true;
        r.lcc = hash;
        r.cemented.put(hash, p.commitment);
        return new L1Operation.Cement(ce.source(), ce.rollup(), hash.bytes(), p.commitment.inboxLevel());
    }

    private L1Operation executeOutbox(L1Operation.ExecuteOutbox e, int level) {
        Rollup r = rollup("execute_outbox", e.rollup());
        Hash hash = hashOrNull(e.cementedCommitment());
        if (hash == null) {
            throw refuse("execute_outbox: the cemented commitment hash must be 32 bytes");
        }
        Commitment c = r.cemented.get(hash);
        if (c == null) {
            throw refuse("execute_outbox: " + src1(hash) + " is not a cemented commitment of " + e.rollup());
        }
        if (e.outputProof() == null) {
            throw refuse("execute_outbox: no output proof");
        }
        OutboxProof proof;
        byte[] message;
        try {
            proof = OutboxProof.fromBytes(e.outputProof());
            message = proof.verify(c.state());
        } catch (RuntimeException ex) {
            throw refuse("execute_outbox: invalid output proof against the state " + srs1(c.state()) + " of "
                    + src1(hash) + ": " + ex.getMessage());
        }
        int outboxLevel = proof.level();
        if (outboxLevel > c.inboxLevel()) {
            throw refuse("execute_outbox: outbox level " + outboxLevel + " is after the inbox level "
                    + c.inboxLevel() + " of the cemented commitment");
        }
        if (outboxLevel <= r.info.originationLevel()) {
            throw refuse("execute_outbox: outbox level " + outboxLevel + " is not after the origination level "
                    + r.info.originationLevel());
        }
        int lccLevel = r.cemented.get(r.lcc).inboxLevel();
        int validity = r.version.outboxValidityLevels();
        if (outboxLevel <= lccLevel - validity) {
            throw refuse("execute_outbox: outbox level " + outboxLevel + " has expired: messages of PVM "
                    + r.version.label() + " stay executable for " + validity + " levels and the last cemented "
                    + "level is " + lccLevel);
        }
        long key = ((long) outboxLevel << 32) | (proof.index() & 0xffffffffL);
        if (r.executed.contains(key)) {
            throw refuse("execute_outbox: outbox message " + proof.index() + " of level " + outboxLevel
                    + " was already executed");
        }
        OutboxMessage decoded;
        try {
            decoded = OutboxMessage.decode(message);
        } catch (IllegalArgumentException ex) {
            throw refuse("execute_outbox: " + ex.getMessage());
        }
        List<ContractCall> made = new ArrayList<>();
        if (decoded instanceof OutboxMessage.AtomicTransactionBatch b) {
            for (OutboxMessage.Transaction t : b.transactions()) {
                made.add(new ContractCall(t.destination().toBase58(), t.entrypoint(), t.parameters().print(), level));
            }
        } else if (decoded instanceof OutboxMessage.AtomicTransactionBatchTyped b) {
            for (OutboxMessage.TypedTransaction t : b.transactions()) {
                made.add(new ContractCall(t.destination().toBase58(), t.entrypoint(), t.parameters().print(), level));
            }
        }
        // whitelist updates and signals make no contract call
        r.executed.add(key);
        calls.addAll(made);
        return e;
    }

    // ------------------------------------------------------------------ helpers

    private static void checkSource(String source) {
        if (source == null || !SandboxAccounts.isAccount(source)) {
            StringBuilder known = new StringBuilder();
            for (SandboxAccounts.Account a : SandboxAccounts.all()) {
                known.append(known.length() == 0 ? "" : ", ").append(a.alias()).append(' ').append(a.address());
            }
            throw refuse("the source '" + source + "' is not a sandbox account (" + known + ")");
        }
    }

    private Rollup rollup(String what, String address) {
        try {
            RollupAddress.fromBase58(address);
        } catch (IllegalArgumentException e) {
            throw refuse(what + ": " + e.getMessage());
        }
        Rollup r = rollups.get(address);
        if (r == null) {
            throw refuse(what + ": rollup " + address + " does not exist");
        }
        return r;
    }

    private static Hash hashOrNull(byte[] b) {
        return b == null || b.length != Hash.SIZE ? null : Hash.fromBytes(b);
    }

    static String src1(Hash h) {
        return new CommitmentHash(h.bytes()).toBase58();
    }

    static String srs1(Hash h) {
        return Base58Check.encode(Base58Check.Prefix.SMART_ROLLUP_STATE, h.bytes());
    }

    private static L1OperationException refuse(String message) {
        return new L1OperationException(message);
    }

    private static final class Rollup {
        final RollupInfo info;
        final PvmVersion version;
        Hash lcc;
        final Map<Hash, Commitment> cemented = new LinkedHashMap<>();
        final LinkedHashMap<Hash, Published> published = new LinkedHashMap<>();
        final Set<Long> executed = new HashSet<>();

        Rollup(RollupInfo info, PvmVersion version) {
            this.info = info;
            this.version = version;
        }

        Rollup copy() {
            Rollup r = new Rollup(info, version);
            r.lcc = lcc;
            r.cemented.putAll(cemented);
            published.forEach((k, v) -> r.published.put(k, v.copy()));
            r.executed.addAll(executed);
            return r;
        }
    }

    private static final class Published {
        final Commitment commitment;
        final Hash hash;
        final int publishedLevel;
        final List<String> stakers = new ArrayList<>();
        boolean conflicted;
        boolean cemented;

        Published(Commitment commitment, Hash hash, int publishedLevel) {
            this.commitment = commitment;
            this.hash = hash;
            this.publishedLevel = publishedLevel;
        }

        Published copy() {
            Published p = new Published(commitment, hash, publishedLevel);
            p.stakers.addAll(stakers);
            p.conflicted = conflicted;
            p.cemented = cemented;
            return p;
        }
    }
}
