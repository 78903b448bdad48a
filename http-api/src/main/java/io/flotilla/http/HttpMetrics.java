package io.flotilla.http;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;

/** The HTTP layer's own Prometheus metrics: requests and errors by method and status, and a latency histogram. */
public final class HttpMetrics {
    static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
    private final AtomicLongArray bucketCounts = new AtomicLongArray(BUCKETS.length);
    private final AtomicLong count = new AtomicLong();
    private final DoubleAdder sum = new DoubleAdder();

    /** Records a response (time to response headers for streams). */
    public void record(String method, int status, long nanos) {
        String labels = "method=\"" + method + "\",code=\"" + status + "\"";
        requests.computeIfAbsent(labels, k -> new AtomicLong()).incrementAndGet();
        if (status >= 400) {
            errors.computeIfAbsent(labels, k -> new AtomicLong()).incrementAndGet();
        }
        double seconds = nanos / 1e9;
        for (int i = 0; i < BUCKETS.length; i++) {
            if (seconds <= BUCKETS[i]) {
                bucketCounts.incrementAndGet(i);
            }
        }
        count.incrementAndGet();
        sum.add(seconds);
    }

    public long requestCount() {
        return count.get();
    }

    public String text() {
        StringBuilder sb = new StringBuilder();
        sb.append("# HELP flotilla_http_requests_total HTTP requests answered, by method and status code.\n");
        sb.append("# TYPE flotilla_http_requests_total counter\n");
        new TreeMap<>(requests).forEach((l, v) -> sb.append("flotilla_http_requests_total{").append(l).append("} ")
                .append(v.get()).append('\n'));
        sb.append("# HELP flotilla_http_errors_total HTTP requests answered with a 4xx or 5xx status.\n");
        sb.append("# TYPE flotilla_http_errors_total counter\n");
        new TreeMap<>(errors).forEach((l, v) -> sb.append("flotilla_http_errors_total{").append(l).append("} ")
                .append(v.get()).append('\n'));
        sb.append("# HELP flotilla_http_request_duration_seconds Time to the response headers.\n");
        sb.append("# TYPE flotilla_http_request_duration_seconds histogram\n");
        for (int i = 0; i < BUCKETS.length; i++) {
            sb.append("flotilla_http_request_duration_seconds_bucket{le=\"").append(fmt(BUCKETS[i])).append("\"} ")
                    .append(bucketCounts.get(i)).append('\n');
        }
        long n = count.get();
        sb.append("flotilla_http_request_duration_seconds_bucket{le=\"+Inf\"} ").append(n).append('\n');
        sb.append("flotilla_http_request_duration_seconds_sum ").append(fmt(sum.sum())).append('\n');
        sb.append("flotilla_http_request_duration_seconds_count ").append(n).append('\n');
        return sb.toString();
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%s", d);
    }
}
