package io.flotilla.pvm;

import java.util.Map;
import java.util.Optional;

/** Which PVM version a Protocol_migration message installs (Octez's {@code version_for_protocol}). */
public final class ProtocolMigrations {
    private ProtocolMigrations() {}

    private static final Map<String, PvmVersion> VERSIONS = Map.of(
            "nairobi_017", PvmVersion.V2_0_0_R1,
            "oxford_018", PvmVersion.V2_0_0_R2,
            "paris_019", PvmVersion.V2_0_0_R4,
            "paris_020", PvmVersion.V2_0_0_R4,
            "quebec_021", PvmVersion.V2_0_0_R5,
            "r022_022", PvmVersion.V2_0_0_R5,
            "s023_023", PvmVersion.V2_0_0_R5,
            "t024_024", PvmVersion.V2_0_0_R5);

    /** The version for a migration name; unknown names change nothing (as in Octez). */
    public static Optional<PvmVersion> versionFor(String protocol) {
        return Optional.ofNullable(VERSIONS.get(protocol));
    }
}
