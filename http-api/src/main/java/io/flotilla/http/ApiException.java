package io.flotilla.http;

/** A request the API answers with an error status and a JSON body {@code {"error": ..., "kind": ...}}. */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String kind;

    public ApiException(int status, String kind, String message) {
        super(message, null, false, false);
        this.status = status;
        this.kind = kind;
    }

    public int status() {
        return status;
    }

    public String kind() {
        return kind;
    }

    static ApiException badRequest(String kind, String message) {
        return new ApiException(400, kind, message);
    }

    static ApiException notFound(String kind, String message) {
        return new ApiException(404, kind, message);
    }
}
