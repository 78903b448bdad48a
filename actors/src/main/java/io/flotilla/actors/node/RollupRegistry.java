package io.flotilla.actors.node;

import io.flotilla.actors.rollup.RollupMode;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rollups a node serves, each with its mode and operator account. {@link #mode} and
 * {@link #operator} are what {@code RollupServices.modeOf} / {@code operatorOf} point at, so a rollup
 * registered while the node runs gets its settings too. A rollup never registered is observed.
 */
public final class RollupRegistry {

    /** A served rollup's settings; {@code operator} is a {@code tz1} address (null in observer mode). */
    public record Settings(RollupMode mode, String operator) {
        public Settings {
            Objects.requireNonNull(mode, "mode");
        }
    }

    private final Map<String, Settings> rollups = new ConcurrentHashMap<>();

    public void register(String rollup, RollupMode mode, String operator) {
        rollups.put(rollup, new Settings(mode, operator));
    }

    public Optional<Settings> settings(String rollup) {
        return Optional.ofNullable(rollups.get(rollup));
    }

    public RollupMode mode(String rollup) {
        Settings s = rollups.get(rollup);
        return s == null ? RollupMode.OBSERVER : s.mode();
    }

    public String operator(String rollup) {
        Settings s = rollups.get(rollup);
        return s == null ? null : s.operator();
    }
}
