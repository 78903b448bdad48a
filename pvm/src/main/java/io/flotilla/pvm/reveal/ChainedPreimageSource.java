package io.flotilla.pvm.reveal;

import java.util.List;
import java.util.Optional;

/** Asks each source in turn: typically the local directory, then the HTTP endpoint. */
public final class ChainedPreimageSource implements PreimageSource {
    private final List<PreimageSource> sources;

    public ChainedPreimageSource(List<PreimageSource> sources) {
        this.sources = List.copyOf(sources);
    }

    @Override
    public Optional<byte[]> find(byte[] hash) {
        for (PreimageSource s : sources) {
            Optional<byte[]> r = s.find(hash);
            if (r.isPresent()) {
                return r;
            }
        }
        return Optional.empty();
    }
}
