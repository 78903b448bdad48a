package io.flotilla.pvm.reveal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Fetches preimages from a pre-images endpoint ({@code GET <endpoint>/<66 hex digits>}, as Octez's
 * {@code pre_images_endpoint}). The hash is checked before a preimage is used; the result is
 * stored in a local {@link PreimageDirectory} so it is fetched once.
 */
public final class HttpPreimageSource implements PreimageSource {
    private final URI endpoint;
    private final PreimageDirectory cache;
    private final HttpClient client;
    private final Duration timeout;

    public HttpPreimageSource(URI endpoint, PreimageDirectory cache, Duration timeout) {
        String s = endpoint.toString();
        this.endpoint = URI.create(s.endsWith("/") ? s : s + "/");
        this.cache = cache;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public Optional<byte[]> find(byte[] hash) {
        if (!RevealHash.isWellFormed(hash)) {
            return Optional.empty();
        }
        HttpRequest req = HttpRequest.newBuilder(endpoint.resolve(RevealHash.fileName(hash)))
                .timeout(timeout).GET().build();
        HttpResponse<byte[]> resp;
        try {
            resp = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new RevealUnavailableException("pre-images endpoint " + endpoint + " unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RevealUnavailableException("interrupted while fetching a preimage", e);
        }
        if (resp.statusCode() == 404) {
            return Optional.empty();
        }
        if (resp.statusCode() != 200) {
            throw new RevealUnavailableException("pre-images endpoint answered HTTP " + resp.statusCode()
                    + " for " + RevealHash.fileName(hash), null);
        }
        byte[] body = resp.body();
        if (body.length > MAX_PREIMAGE_SIZE || !RevealHash.matches(hash, body)) {
            // a wrong answer is never handed to the kernel
            return Optional.empty();
        }
        if (cache != null) {
            cache.store(body);
        }
        return Optional.of(body);
    }
}
