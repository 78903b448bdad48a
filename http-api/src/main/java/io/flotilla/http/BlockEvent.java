package io.flotilla.http;

import java.util.Objects;
import java.util.Optional;

/** A new (or newly finalized) L2 block, as streamed by the monitor endpoints. Hashes are hex. */
public record BlockEvent(
        String rollup,
        int level,
        String l1BlockHashHex,
        String inboxHashHex,
        String stateHashHex,
        long ticks,
        long totalTicks,
        Optional<String> commitmentHashHex) {

    public BlockEvent {
        Objects.requireNonNull(rollup, "rollup");
        Objects.requireNonNull(l1BlockHashHex, "l1BlockHashHex");
        Objects.requireNonNull(inboxHashHex, "inboxHashHex");
        Objects.requireNonNull(stateHashHex, "stateHashHex");
        commitmentHashHex = commitmentHashHex == null ? Optional.empty() : commitmentHashHex;
    }

    public static BlockEvent of(String rollup, L2BlockView b) {
        return new BlockEvent(rollup, b.level(), b.l1BlockHashHex(), b.inboxHashHex(), b.stateHashHex(), b.ticks(),
                b.totalTicks(), b.commitmentHashHex());
    }
}
