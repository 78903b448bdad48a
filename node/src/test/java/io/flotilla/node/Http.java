package io.flotilla.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;

/** A small JSON client of a node's HTTP API for the tests. */
final class Http {
    static final ObjectMapper MAPPER = new ObjectMapper();
    final String base;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    Http(String base) {
        this.base = base;
    }

    record Response(int status, JsonNode json, String text) {}

    Response send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = client.send(b.timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode n = null;
            try {
                n = MAPPER.readTree(r.body());
            } catch (IOException e) {
                // not JSON (metrics)
            }
            return new Response(r.statusCode(), n, r.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    JsonNode json(String path) {
        Response r = get(path);
        if (r.status() != 200) {
            throw new AssertionError("GET " + path + " answered " + r.status() + ": " + r.text());
        }
        return r.json();
    }

    Response post(String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Polls {@code path} until the JSON satisfies {@code ok} (or fails after {@code timeout}). */
    JsonNode await(String path, Predicate<JsonNode> ok, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Response last = null;
        while (System.nanoTime() < deadline) {
            last = get(path);
            if (last.status() == 200 && ok.test(last.json())) {
                return last.json();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("GET " + path + " did not reach the expected value in " + timeout + "; last: "
                + (last == null ? "none" : last.status() + " " + last.text()));
    }

    static void await(String what, java.util.function.BooleanSupplier ok, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
