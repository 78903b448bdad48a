package io.flotilla.pvm.host;

import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.durable.Durable;
import io.flotilla.pvm.reveal.PreimageSource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What host functions read and change while a level is evaluated: durable storage, the level's
 * inbox, the level's outbox, the reveal channel. One context lives for one level; its durable
 * storage survives traps (writes take effect as the call runs, as in Octez).
 */
public final class HostContext {

    /** Outbox messages per level (protocol {@code outbox_message_limit}). */
    public static final int MAX_OUTBOX_MESSAGES = 100;
    /** Largest inbox message, outbox message and reveal payload. */
    public static final int MAX_IO_SIZE = 4096;
    /** Largest single store_read / store_write. */
    public static final int MAX_STORE_IO = 2048;

    private Durable durable;
    private PvmVersion version;
    private final int level;
    private final List<byte[]> inbox;
    private int nextInput;
    private final List<byte[]> outbox = new ArrayList<>();
    private final PreimageSource preimages;
    private final RollupMetadata metadata;
    private Consumer<byte[]> debugSink;

    public HostContext(Durable durable, PvmVersion version, int level, List<byte[]> inbox,
                       PreimageSource preimages, RollupMetadata metadata) {
        this.durable = durable;
        this.version = version;
        this.level = level;
        this.inbox = List.copyOf(inbox);
        this.preimages = preimages;
        this.metadata = metadata;
    }

    public Durable durable() {
        return durable;
    }

    public void durable(Durable d) {
        this.durable = d;
    }

    public PvmVersion version() {
        return version;
    }

    public void version(PvmVersion v) {
        this.version = v;
    }

    public int level() {
        return level;
    }

    public List<byte[]> inbox() {
        return inbox;
    }

    /** Index of the next unread input. */
    public int nextInput() {
        return nextInput;
    }

    /** The next unread input, consumed; null when the inbox is exhausted. */
    byte[] takeInput() {
        return nextInput < inbox.size() ? inbox.get(nextInput++) : null;
    }

    /** Drops unread inputs (the kernel yielded). */
    public void dropInputs() {
        nextInput = inbox.size();
    }

    public boolean inputsLeft() {
        return nextInput < inbox.size();
    }

    public List<byte[]> outbox() {
        return outbox;
    }

    boolean appendOutput(byte[] message) {
        if (outbox.size() >= MAX_OUTBOX_MESSAGES) {
            return false;
        }
        outbox.add(message);
        return true;
    }

    public PreimageSource preimages() {
        return preimages;
    }

    public RollupMetadata metadata() {
        return metadata;
    }

    /** Where write_debug output goes; null to discard (the default, as in the node). */
    public void debugSink(Consumer<byte[]> sink) {
        this.debugSink = sink;
    }

    Consumer<byte[]> debugSink() {
        return debugSink;
    }
}
