package io.flotilla.actors.l1;

import java.util.Map;

/**
 * The names L1 puts in a Protocol_migration inbox message. The message does not carry the protocol hash that
 * blocks name (their {@code protocol} field) but the protocol's version value (its
 * {@code Constants_repr.version_value}, e.g. {@code quebec_021}); this table maps the hashes of the protocols that
 * ran smart rollups to those names. A hash not listed (a sandbox's protocol, a protocol released after this table)
 * is used as its own name, so a test or sandbox chain may name its protocols directly.
 */
public final class OctezProtocols {
    private OctezProtocols() {}

    private static final Map<String, String> MIGRATION_NAMES = Map.of(
            "PtNairobiyssHuh87hEhfVBGCVrK3WnS8Z2FT4ymB5tAa4r1nQf", "nairobi_017",
            "ProxfordYmVfjWnRcgjWH36fW6PArwqykTFzotUxRs6gmTcZDuH", "oxford_018",
            "PtParisBxoLz5gzMmn3d9WBQNoPSZakgnkMC2VNuQ3KXfUtUQeZ", "paris_019",
            "PsParisCZo7KAh1Z1smVd9ZMZ1HHn5gkzbM94V3PLCpknFWhUAi", "paris_020",
            "PsQuebecnLByd3JwTiGadoG4nGWi3HYiLXUjkibeFV8dCFeVMUg", "quebec_021",
            "PsRiotumaAMotcRoDWW1bysEhQy2n1M5fy8JgRp8jjRfHGmfeA7", "r022_022",
            "PtSeouLouXkxhg39oWzjxDWaCydNfR3RxCUrNe4Q9Ro8BTehcbh", "s023_023",
            "ProtoALphaALphaALphaALphaALphaALphaALphaALphaDdp3zK", "alpha_current");

    /** The name a Protocol_migration message carries when {@code protocol} (a block's protocol) activates. */
    public static String migrationName(String protocol) {
        return MIGRATION_NAMES.getOrDefault(protocol, protocol);
    }
}
