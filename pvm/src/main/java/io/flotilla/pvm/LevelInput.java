package io.flotilla.pvm;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The inputs of one inbox level. {@link #inbox()} frames the level's messages as L1 does:
 * Start_of_level, [Protocol_migration], Info_per_level, the messages in L1 order, End_of_level.
 * (Octez's inbox puts a migration right after Start_of_level, before Info_per_level.)
 *
 * @param messages serialized messages as kernels read them: {@code 01 ++ payload} for external
 *                 messages, {@code 00 00 ++ ...} for transfers
 */
public record LevelInput(int level, long predecessorTimestamp, byte[] predecessorHash,
                         Optional<String> protocolMigration, List<byte[]> messages) {

    public static final int MAX_MESSAGE_SIZE = 4096;

    public LevelInput {
        if (predecessorHash.length != 32) {
            throw new IllegalArgumentException("predecessor block hash must be 32 bytes, got " + predecessorHash.length);
        }
        messages = List.copyOf(messages);
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i).length > MAX_MESSAGE_SIZE) {
                throw new IllegalArgumentException("message " + i + " of level " + level + " has "
                        + messages.get(i).length + " bytes; at most " + MAX_MESSAGE_SIZE + " are allowed");
            }
        }
    }

    /** A level with external messages only, the predecessor at time 0 with a zero hash (tests, sandbox). */
    public static LevelInput ofExternal(int level, List<byte[]> payloads) {
        List<byte[]> msgs = new ArrayList<>();
        for (byte[] p : payloads) {
            msgs.add(external(p));
        }
        return new LevelInput(level, 0, new byte[32], Optional.empty(), msgs);
    }

    public static byte[] external(byte[] payload) {
        byte[] m = new byte[payload.length + 1];
        m[0] = 1;
        System.arraycopy(payload, 0, m, 1, payload.length);
        return m;
    }

    public static final byte[] START_OF_LEVEL = {0, 1};
    public static final byte[] END_OF_LEVEL = {0, 2};

    public static byte[] infoPerLevel(long predecessorTimestamp, byte[] predecessorHash) {
        return ByteBuffer.allocate(42).put((byte) 0).put((byte) 3).putLong(predecessorTimestamp)
                .put(predecessorHash).array();
    }

    public static byte[] protocolMigration(String protocol) {
        byte[] name = protocol.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(6 + name.length).put((byte) 0).put((byte) 4).putInt(name.length).put(name).array();
    }

    /** The whole inbox of the level, framed. */
    public List<byte[]> inbox() {
        List<byte[]> all = new ArrayList<>(messages.size() + 4);
        all.add(START_OF_LEVEL.clone());
        protocolMigration.ifPresent(p -> all.add(protocolMigration(p)));
        all.add(infoPerLevel(predecessorTimestamp, predecessorHash));
        all.addAll(messages);
        all.add(END_OF_LEVEL.clone());
        return all;
    }
}
