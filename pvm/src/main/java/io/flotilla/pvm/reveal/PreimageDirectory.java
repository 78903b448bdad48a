package io.flotilla.pvm.reveal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Preimages stored as files named by their 66-hex-digit reveal hash, as in Octez's
 * {@code <data-dir>/wasm_2_0_0/}. A file whose content does not match its name is ignored.
 */
public final class PreimageDirectory implements PreimageSource {
    private final Path dir;

    public PreimageDirectory(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    @Override
    public Optional<byte[]> find(byte[] hash) {
        if (!RevealHash.isWellFormed(hash)) {
            return Optional.empty();
        }
        Path file = dir.resolve(RevealHash.fileName(hash));
        try {
            if (Files.size(file) > MAX_PREIMAGE_SIZE) {
                return Optional.empty();
            }
            byte[] data = Files.readAllBytes(file);
            return RevealHash.matches(hash, data) ? Optional.of(data) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read preimage " + file, e);
        }
    }

    /** Stores a preimage under its hash (used by the HTTP source's cache and by tools). */
    public byte[] store(byte[] preimage) {
        byte[] hash = RevealHash.of(preimage);
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".preimage", ".tmp");
            Files.write(tmp, preimage);
            Files.move(tmp, dir.resolve(RevealHash.fileName(hash)),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store preimage in " + dir, e);
        }
        return hash;
    }
}
