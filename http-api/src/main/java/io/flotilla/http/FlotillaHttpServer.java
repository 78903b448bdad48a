package io.flotilla.http;

import com.typesafe.config.Config;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The node's HTTP server: binds {@link FlotillaRoutes} (default 127.0.0.1:8932). Remote addresses
 * are taken from the connection (request attribute), so admin endpoints can refuse non-loopback
 * clients whatever headers they send.
 */
public final class FlotillaHttpServer implements AutoCloseable {

    /** The dispatcher the routes' store reads run on (reference.conf of this module). */
    public static final String READ_DISPATCHER = "flotilla.http.read-dispatcher";

    /**
     * Where and how to serve.
     *
     * @param stateAnswerBytes how many bytes of answers that depend only on a PVM state (outbox messages, durable
     *                         values) are kept by state hash; 0 keeps none
     */
    public record Settings(String host, int port, Duration streamHeartbeat, Duration queryTimeout, long maxBodyBytes,
                           long stateAnswerBytes) {
        public static final String DEFAULT_HOST = "127.0.0.1";
        public static final int DEFAULT_PORT = 8932;

        public Settings {
            Objects.requireNonNull(host, "host");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            if (stateAnswerBytes < 0) {
                throw new IllegalArgumentException("negative state-answer-bytes: " + stateAnswerBytes);
            }
        }

        public static Settings defaults() {
            return new Settings(DEFAULT_HOST, DEFAULT_PORT, Duration.ofSeconds(20), Duration.ofSeconds(10), 1 << 20, 32L << 20);
        }

        /** Reads {@code flotilla.http.*} (reference.conf of this module holds the defaults). */
        public static Settings fromConfig(Config config) {
            Settings d = defaults();
            Config c = config.hasPath("flotilla.http") ? config.getConfig("flotilla.http") : null;
            if (c == null) {
                return d;
            }
            return new Settings(
                    c.hasPath("host") ? c.getString("host") : d.host(),
                    c.hasPath("port") ? c.getInt("port") : d.port(),
                    c.hasPath("stream-heartbeat") ? c.getDuration("stream-heartbeat") : d.streamHeartbeat(),
                    c.hasPath("query-timeout") ? c.getDuration("query-timeout") : d.queryTimeout(),
                    c.hasPath("max-body-bytes") ? c.getBytes("max-body-bytes") : d.maxBodyBytes(),
                    c.hasPath("state-answer-bytes") ? c.getBytes("state-answer-bytes") : d.stateAnswerBytes());
        }

        public Settings withAddress(String host, int port) {
            return new Settings(host, port, streamHeartbeat, queryTimeout, maxBodyBytes, stateAnswerBytes);
        }

        public Settings withStreamHeartbeat(Duration d) {
            return new Settings(host, port, d, queryTimeout, maxBodyBytes, stateAnswerBytes);
        }

        public Settings withQueryTimeout(Duration d) {
            return new Settings(host, port, streamHeartbeat, d, maxBodyBytes, stateAnswerBytes);
        }

        public Settings withStateAnswerBytes(long n) {
            return new Settings(host, port, streamHeartbeat, queryTimeout, maxBodyBytes, n);
        }

        public Settings withMaxBodyBytes(long n) {
            return new Settings(host, port, streamHeartbeat, queryTimeout, n, stateAnswerBytes);
        }
    }

    private final ActorSystem<?> system;
    private final Settings settings;
    private final HttpMetrics metrics = new HttpMetrics();
    private final FlotillaRoutes routes;
    private final BlockReadDispatch blockReads;
    private volatile ServerBinding binding;

    public FlotillaHttpServer(ActorSystem<?> system, RollupQueries queries, Settings settings) {
        this.system = system;
        this.settings = settings;
        // reads that may block on the stores get their own bounded pool: a burst of them neither starves the HTTP
        // and actor dispatchers nor queues behind other blocking work of the node
        Executor reads = system.dispatchers().lookup(DispatcherSelector.fromConfig(READ_DISPATCHER));
        this.routes = new FlotillaRoutes(queries, reads, metrics, settings);
        this.blockReads = new BlockReadDispatch(routes, queries, metrics);
    }

    /** With {@code flotilla.http.*} from the actor system's configuration. */
    public FlotillaHttpServer(ActorSystem<?> system, RollupQueries queries) {
        this(system, queries, Settings.fromConfig(system.settings().config()));
    }

    public Route route() {
        return routes.route();
    }

    public FlotillaRoutes routes() {
        return routes;
    }

    BlockReadDispatch blockReads() {
        return blockReads;
    }

    public HttpMetrics metrics() {
        return metrics;
    }

    public Settings settings() {
        return settings;
    }

    /** Binds; completes with the bound address (port 0 binds an ephemeral port). */
    public synchronized CompletionStage<InetSocketAddress> start() {
        if (binding != null) {
            return CompletableFuture.completedFuture(binding.localAddress());
        }
        return Http.get(system)
                .newServerAt(settings.host(), settings.port())
                .adaptSettings(s -> s.withRemoteAddressAttribute(true)
                        .withParsingErrorHandler(JsonParsingErrorHandler.class.getName()))
                .bind(handler())
                .thenApply(b -> {
                    binding = b;
                    system.log().info("HTTP API listening on {}", b.localAddress());
                    return b.localAddress();
                });
    }

    /**
     * What the server runs for each request: the block read routes by hand ({@link BlockReadDispatch}), everything
     * else (and anything those do not match exactly) through the routing DSL.
     */
    public org.apache.pekko.japi.function.Function<HttpRequest, CompletionStage<HttpResponse>> handler() {
        org.apache.pekko.japi.function.Function<HttpRequest, CompletionStage<HttpResponse>> dsl =
                routes.route().handler(system);
        return req -> {
            CompletionStage<HttpResponse> answer = blockReads.dispatch(req);
            return answer != null ? answer : dsl.apply(req);
        };
    }

    /** The bound address; null before {@link #start()} completes. */
    public InetSocketAddress address() {
        ServerBinding b = binding;
        return b == null ? null : b.localAddress();
    }

    /** Unbinds and lets open requests finish (streams are cut after a few seconds). */
    public synchronized CompletionStage<Void> stop() {
        ServerBinding b = binding;
        binding = null;
        if (b == null) {
            return CompletableFuture.completedFuture(null);
        }
        return b.terminate(Duration.ofSeconds(3)).thenApply(t -> null);
    }

    @Override
    public void close() {
        stop().toCompletableFuture().join();
    }
}
