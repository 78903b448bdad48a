package io.flotilla.actors.l1;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The HTTP side shared by the remote L1 clients ({@link RemoteSandboxL1}, {@link OctezRpcL1}): one base URI without
 * a trailing slash, one HTTP/1.1 client, a request timeout, and errors that name the server they came from.
 */
final class L1Http {
    private final URI base;
    private final String who;
    private final Duration requestTimeout;
    private final HttpClient client;

    /** {@code who} names the server in errors, e.g. "L1" or "Octez node" (followed by " at " and the base). */
    L1Http(URI base, String who, Duration requestTimeout) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.who = who;
        this.requestTimeout = requestTimeout;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    URI base() {
        return base;
    }

    /** "Octez node at http://...": how errors name the server. */
    String name() {
        return who + " at " + base;
    }

    /** A request for {@code path} (starting with '/') with the request timeout set. */
    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(requestTimeout);
    }

    HttpResponse<byte[]> send(HttpRequest req) {
        return send(req, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Sends {@code req}; an I/O failure becomes an {@link UncheckedIOException} naming the server and the path. */
    <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> body) {
        try {
            return client.send(req, body);
        } catch (IOException e) {
            throw new UncheckedIOException(name() + ": " + req.method() + " " + req.uri().getPath() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted", e));
        }
    }

    /** Parses a JSON body; malformed JSON is an error naming the server. */
    JsonNode parse(byte[] body) {
        try {
            return L1Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("malformed JSON from the " + name() + ": " + e.getMessage(), e);
        }
    }
}
