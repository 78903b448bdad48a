package io.flotilla.http;

import io.flotilla.pvm.durable.DurableKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads of the durable storage of one PVM state. Keys reach it already validated. */
public interface DurableView {

    /** The value stored at {@code key}, if any. */
    Optional<byte[]> value(DurableKey key);

    /** The length of the value at {@code key}, if any. */
    Optional<Long> length(DurableKey key);

    /** The steps directly under {@code key} (subtrees, with or without values), sorted. */
    List<String> subkeys(DurableKey key);

    /** The values directly under {@code key}: subkey step -> value, only the subkeys holding a value. */
    Map<String, byte[]> values(DurableKey key);
}
