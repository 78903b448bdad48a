package io.flotilla.persistence.events;

import java.util.Arrays;
import java.util.Objects;

/**
 * The rollup was originated on L1 (or adopted by this node): its first event.
 *
 * @param address                 the rollup address, {@code sr1...}
 * @param originationLevel        L1 level of the origination operation
 * @param pvmVersion              PVM version the rollup runs, e.g. {@code 2.0.0-r5}
 * @param mode                    operating mode of this node for the rollup (observer, operator, ...)
 * @param kernelHash32            Blake2b-256 of the kernel (boot sector)
 * @param genesisStateHash32      state hash after origination
 * @param genesisCommitmentHash32 hash of the genesis commitment
 * @param originationL1BlockHash32 hash of the L1 block at {@code originationLevel} (the entity's first head), all
 *                                zeros when the L1 source did not know it
 */
public record RollupOriginated(String address, int originationLevel, String pvmVersion, String mode,
                               byte[] kernelHash32, byte[] genesisStateHash32, byte[] genesisCommitmentHash32,
                               byte[] originationL1BlockHash32)
        implements RollupEvent {
    public RollupOriginated {
        Objects.requireNonNull(address, "address");
        Events.level("originationLevel", originationLevel);
        Objects.requireNonNull(pvmVersion, "pvmVersion");
        Objects.requireNonNull(mode, "mode");
        Events.hash32("kernelHash32", kernelHash32);
        Events.hash32("genesisStateHash32", genesisStateHash32);
        Events.hash32("genesisCommitmentHash32", genesisCommitmentHash32);
        Events.hash32("originationL1BlockHash32", originationL1BlockHash32);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RollupOriginated e && address.equals(e.address) && originationLevel == e.originationLevel
                && pvmVersion.equals(e.pvmVersion) && mode.equals(e.mode)
                && Arrays.equals(kernelHash32, e.kernelHash32)
                && Arrays.equals(genesisStateHash32, e.genesisStateHash32)
                && Arrays.equals(genesisCommitmentHash32, e.genesisCommitmentHash32)
                && Arrays.equals(originationL1BlockHash32, e.originationL1BlockHash32);
    }

    @Override
    public int hashCode() {
        return Objects.hash(address, originationLevel, pvmVersion, mode, Arrays.hashCode(kernelHash32),
                Arrays.hashCode(genesisStateHash32), Arrays.hashCode(genesisCommitmentHash32),
                Arrays.hashCode(originationL1BlockHash32));
    }

    @Override
    public String toString() {
        return "RollupOriginated[" + address + ", originationLevel=" + originationLevel + ", pvmVersion=" + pvmVersion
                + ", mode=" + mode + ", kernel=" + Events.hex(kernelHash32) + ", genesisState="
                + Events.hex(genesisStateHash32) + ", genesisCommitment=" + Events.hex(genesisCommitmentHash32)
                + ", originationL1Block=" + Events.hex(originationL1BlockHash32) + "]";
    }
}
