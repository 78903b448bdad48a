package io.flotilla.http;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Requests too malformed to reach the routes (bad percent-encoding, bad request line or headers)
 * still get a JSON error {@code {"error": ..., "kind": "malformed_request"}}. Installed by
 * {@link FlotillaHttpServer} through {@code pekko.http.server.parsing.error-handler}.
 */
public final class JsonParsingErrorHandler extends ParsingErrorHandler {

    @Override
    public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
        log.debug("Illegal request, responding with status '{}': {}", status, info.formatPretty());
        String message = info.summary().isEmpty() ? status.reason() : info.summary();
        String kind = status.intValue() == 413 ? "payload_too_large"
                : status.intValue() == 414 ? "uri_too_long"
                : status.intValue() == 431 ? "headers_too_large"
                : "malformed_request";
        return FlotillaRoutes.error(status.intValue(), kind, message);
    }
}
