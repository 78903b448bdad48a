package io.flotilla.actors.rollup;

import io.flotilla.actors.l1.L1Block;
import io.flotilla.actors.l1.L1Operation;
import io.flotilla.actors.l1.OctezProtocols;
import io.flotilla.pvm.LevelInput;
import io.flotilla.pvm.crypto.Blake2b;
import io.flotilla.pvm.encoding.ContractHash;
import io.flotilla.pvm.encoding.InboxMessage;
import io.flotilla.pvm.encoding.PublicKeyHash;
import io.flotilla.pvm.encoding.RollupAddress;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A rollup's inbox for one L1 level, built as L1 builds it: the external messages of every applied
 * add-messages operation (shared by all rollups) and the transfers addressed to this rollup, in
 * block order; the PVM frames them with Start_of_level, Info_per_level (the predecessor's
 * timestamp and hash), a Protocol_migration when the protocol changes, and End_of_level.
 */
public final class Inbox {
    private Inbox() {}

    public static LevelInput forRollup(String rollup, L1Block block, L1Block predecessor) {
        List<byte[]> messages = new ArrayList<>();
        RollupAddress self = RollupAddress.fromBase58(rollup);
        for (L1Operation op : block.operations()) {
            if (op instanceof L1Operation.AddMessages add) {
                for (byte[] payload : add.messages()) {
                    messages.add(LevelInput.external(payload));
                }
            } else if (op instanceof L1Operation.Transfer t && t.rollup().equals(rollup)) {
                messages.add(new InboxMessage.Transfer(t.parametersMicheline(), ContractHash.fromBase58(t.sender()),
                        PublicKeyHash.fromBase58(t.source()), self).encode());
            }
        }
        // the message names the protocol's version value (quebec_021), not the hash blocks carry
        Optional<String> migration = predecessor.protocol().equals(block.protocol())
                ? Optional.empty() : Optional.of(OctezProtocols.migrationName(block.protocol()));
        return new LevelInput(block.level(), predecessor.timestamp(), predecessor.hash(), migration, messages);
    }

    /** The inbox hash of a level: Blake2b-256 over the framed inbox, each message length-prefixed. */
    public static byte[] hash(LevelInput input) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(4).putInt(input.level()).array());
        for (byte[] m : input.inbox()) {
            out.writeBytes(ByteBuffer.allocate(4).putInt(m.length).array());
            out.writeBytes(m);
        }
        return Blake2b.hash256(out.toByteArray());
    }
}
