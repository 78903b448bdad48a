package io.flotilla.snapshot.hosting;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves a directory of immutable snapshot files over HTTP (the JDK's server, no actor system):
 * <ul>
 *   <li>{@code GET /} or {@code /index.json}: the JSON index of every snapshot (rollup, level, history mode,
 *       last commitment, LCC, file, URL, sha256, size, compression, format version, created);</li>
 *   <li>{@code GET /snapshots/NAME} and {@code /snapshots/NAME.sha256}: a file and its checksum, with a strong
 *       ETag (the SHA-256), Last-Modified, {@code If-None-Match} / {@code If-Modified-Since} (304),
 *       {@code If-Match} (412), single, suffix and multiple byte ranges ({@code multipart/byteranges}),
 *       {@code If-Range}, and 416 for an unsatisfiable or malformed range;</li>
 *   <li>{@code GET /latest/SR1/MODE} (MODE {@code archive} or {@code full}; also {@code .sha256}): a 302 to the
 *       newest immutable file, never cached.</li>
 * </ul>
 * Request paths with {@code ..}, empty segments, backslashes, control characters or encoded slashes are
 * refused with 400 before any file is looked at; only files the {@link SnapshotCatalog} lists are ever read.
 */
public final class SnapshotServer implements AutoCloseable {

    /** Default port of {@code flotilla snapshot-server}. */
    public static final int DEFAULT_PORT = 8940;

    /** More ranges than this in one request are refused (416) rather than served as tiny parts. */
    static final int MAX_RANGES = 32;

    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final String IMMUTABLE = "public, max-age=31536000, immutable";

    private final SnapshotCatalog catalog;
    private final String publicUrl;
    private final HttpServer server;
    private final ExecutorService executor;
    private final ObjectMapper json = new ObjectMapper();
    private final PrintStream log;
    private volatile boolean closed;

    /**
     * Starts serving.
     *
     * @param catalog the served directory's snapshots
     * @param address where to listen (port 0: any free port)
     * @param publicUrl the base URL written in the index (e.g. {@code https://snapshots.example.org}); null:
     *     the request's {@code Host}
     * @param log where failures of a request are reported
     */
    public SnapshotServer(SnapshotCatalog catalog, InetSocketAddress address, String publicUrl, PrintStream log)
            throws IOException {
        this.catalog = catalog;
        this.publicUrl = publicUrl == null ? null : publicUrl.replaceAll("/+$", "");
        this.log = log;
        this.server = HttpServer.create(address, 64);
        AtomicInteger n = new AtomicInteger();
        // downloads are long blocking copies: a small pool of their own
        this.executor = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "snapshot-server-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The base URL the server listens on, e.g. {@code http://127.0.0.1:8940}. */
    public URI uri() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + a.getPort());
    }

    /** The socket address listened on. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** The port listened on. */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                text(ex, 405, "method " + method + " not allowed: the snapshot server is read-only (GET, HEAD)");
                return;
            }
            List<String> segments;
            try {
                segments = segments(rawPath(ex.getRequestURI()));
            } catch (IllegalArgumentException e) {
                text(ex, 400, e.getMessage());
                return;
            }
            route(ex, segments);
        } catch (IOException e) {
            // mostly a client that went away mid-download; nothing to answer
            if (!closed && !isBrokenPipe(e)) {
                log.println("snapshot-server: " + ex.getRequestMethod() + " " + ex.getRequestURI() + ": " + e);
            }
        } catch (RuntimeException e) {
            log.println("snapshot-server: " + ex.getRequestMethod() + " " + ex.getRequestURI() + ": " + e);
            try {
                text(ex, 500, "internal error: " + e.getMessage());
            } catch (IOException | RuntimeException ignored) {
                // headers already sent
            }
        }
    }

    private void route(HttpExchange ex, List<String> seg) throws IOException {
        if (seg.isEmpty() || (seg.size() == 1 && seg.get(0).equals("index.json"))) {
            index(ex);
        } else if (seg.size() == 2 && seg.get(0).equals("snapshots")) {
            String name = seg.get(1);
            boolean checksum = name.endsWith(SnapshotCatalog.SHA256_SUFFIX);
            String snapshot = checksum ? name.substring(0, name.length() - SnapshotCatalog.SHA256_SUFFIX.length()) : name;
            Optional<HostedSnapshot> s = catalog.find(snapshot);
            if (s.isEmpty()) {
                text(ex, 404, "no snapshot " + snapshot + " here; the list is at /index.json");
            } else if (checksum) {
                byte[] body = s.get().sha256Line().getBytes(StandardCharsets.UTF_8);
                String etag = '"' + s.get().sha256() + ".sha256\"";
                serveBytes(ex, body, "text/plain; charset=utf-8", etag, s.get().created());
            } else {
                serveFile(ex, s.get());
            }
        } else if (seg.size() == 3 && seg.get(0).equals("latest")) {
            String mode = seg.get(2);
            String suffix = "";
            if (mode.endsWith(SnapshotCatalog.SHA256_SUFFIX)) {
                suffix = SnapshotCatalog.SHA256_SUFFIX;
                mode = mode.substring(0, mode.length() - suffix.length());
            }
            if (!mode.equals("archive") && !mode.equals("full")) {
                text(ex, 404, "history mode must be archive or full, not " + mode);
                return;
            }
            Optional<HostedSnapshot> s = catalog.latest(seg.get(1), mode);
            if (s.isEmpty()) {
                text(ex, 404, "no " + mode + " snapshot of " + seg.get(1) + " here; the list is at /index.json");
                return;
            }
            Headers h = ex.getResponseHeaders();
            h.set("Location", "/snapshots/" + s.get().file() + suffix);
            h.set("Cache-Control", "no-cache");
            text(ex, 302, "latest " + mode + " snapshot of " + seg.get(1) + ": /snapshots/" + s.get().file() + suffix);
        } else {
            text(ex, 404, "not found; the snapshot list is at /index.json");
        }
    }

    private void index(HttpExchange ex) throws IOException {
        String base = publicUrl != null ? publicUrl : requestBase(ex);
        ObjectNode root = json.createObjectNode();
        ArrayNode list = root.putArray("snapshots");
        for (HostedSnapshot s : catalog.list()) {
            ObjectNode o = list.addObject();
            o.put("rollup_address", s.rollup());
            o.put("level", s.level());
            o.put("history_mode", s.historyMode());
            o.put("last_commitment", s.lastCommitment());
            if (s.lcc() != null) {
                o.put("last_cemented_commitment", s.lcc());
            } else {
                o.putNull("last_cemented_commitment");
            }
            if (s.lccLevel() >= 0) {
                o.put("last_cemented_level", s.lccLevel());
            }
            o.put("file", s.file());
            o.put("url", base + "/snapshots/" + s.file());
            o.put("sha256", s.sha256());
            o.put("sha256_url", base + "/snapshots/" + s.file() + SnapshotCatalog.SHA256_SUFFIX);
            o.put("size", s.size());
            o.put("compression", s.compression());
            o.put("format_version", s.formatVersion());
            o.put("created", s.created().truncatedTo(ChronoUnit.SECONDS).toString());
        }
        byte[] body = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        String etag = "W/\"" + HexFormat.of().formatHex(SnapshotCatalog.sha256Digest().digest(body), 0, 16) + '"';
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        serveBytes(ex, body, "application/json", etag, null);
    }

    private static String requestBase(HttpExchange ex) {
        String host = ex.getRequestHeaders().getFirst("Host");
        if (host == null || host.isBlank() || !host.matches("[A-Za-z0-9.\\-\\[\\]:]+")) {
            InetSocketAddress local = ex.getLocalAddress();
            host = local.getAddress().getHostAddress() + ":" + local.getPort();
        }
        return "http://" + host;
    }

    /** The request target's path as sent: {@code //etc/passwd} parses as an authority, so it is put back. */
    static String rawPath(URI target) {
        if (target.getScheme() == null && target.getRawAuthority() != null) {
            return "//" + target.getRawAuthority() + (target.getRawPath() == null ? "" : target.getRawPath());
        }
        return target.getRawPath();
    }

    /**
     * Splits a raw request path into decoded segments, refusing anything that could leave the served tree.
     *
     * @throws IllegalArgumentException with the reason, for a 400
     */
    static List<String> segments(String rawPath) {
        if (rawPath == null || !rawPath.startsWith("/")) {
            throw new IllegalArgumentException("bad request path: it must start with /");
        }
        String lower = rawPath.toLowerCase(Locale.ROOT);
        if (lower.contains("%2f") || lower.contains("%5c")) {
            throw new IllegalArgumentException("bad request path: encoded slashes are not allowed");
        }
        List<String> out = new ArrayList<>();
        String path = rawPath.substring(1);
        if (path.isEmpty()) {
            return out;
        }
        String[] parts = path.split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (p.isEmpty()) {
                if (i == parts.length - 1 && i > 0) {
                    continue; // a trailing slash
                }
                throw new IllegalArgumentException("bad request path: empty segment (absolute paths are not allowed)");
            }
            String d;
            try {
                d = java.net.URLDecoder.decode(p.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad request path: malformed percent-encoding");
            }
            if (d.equals("..") || d.equals(".")) {
                throw new IllegalArgumentException("bad request path: '" + d + "' segments are not allowed");
            }
            if (d.indexOf('/') >= 0 || d.indexOf('\\') >= 0 || d.chars().anyMatch(c -> c < 0x20 || c == 0x7f)
                    || d.contains(":")) {
                throw new IllegalArgumentException("bad request path: a segment holds a slash, backslash, colon or control character");
            }
            out.add(d);
        }
        return out;
    }

    // ---- conditional requests and ranges ----------------------------------------------------------------

    /** A byte range, both ends inclusive. */
    record Range(long first, long last) {
        long length() {
            return last - first + 1;
        }
    }

    /** The outcome of a Range header against a length: null ranges = serve everything. */
    record RangeRequest(List<Range> ranges, boolean unsatisfiable) {
        static final RangeRequest WHOLE = new RangeRequest(null, false);
        static final RangeRequest BAD = new RangeRequest(null, true);
    }

    /**
     * Parses {@code bytes=0-99}, {@code bytes=100-}, {@code bytes=-500} and lists of them. An unknown unit is
     * ignored (the whole file, as RFC 9110 allows); a malformed, inverted or unsatisfiable set gives 416.
     */
    static RangeRequest parseRange(String header, long size) {
        if (header == null) {
            return RangeRequest.WHOLE;
        }
        String h = header.trim();
        int eq = h.indexOf('=');
        if (eq < 0) {
            return RangeRequest.BAD;
        }
        if (!h.substring(0, eq).trim().equalsIgnoreCase("bytes")) {
            return RangeRequest.WHOLE;
        }
        String[] specs = h.substring(eq + 1).split(",", -1);
        if (specs.length > MAX_RANGES) {
            return RangeRequest.BAD;
        }
        List<Range> ranges = new ArrayList<>();
        for (String raw : specs) {
            String spec = raw.trim();
            int dash = spec.indexOf('-');
            if (dash < 0 || spec.indexOf('-', dash + 1) >= 0) {
                return RangeRequest.BAD;
            }
            String a = spec.substring(0, dash).trim();
            String b = spec.substring(dash + 1).trim();
            if (!a.matches("\\d{0,18}") || !b.matches("\\d{0,18}") || (a.isEmpty() && b.isEmpty())) {
                return RangeRequest.BAD;
            }
            if (a.isEmpty()) {
                long suffix = Long.parseLong(b);
                if (suffix > 0 && size > 0) {
                    ranges.add(new Range(Math.max(0, size - suffix), size - 1));
                }
                continue;
            }
            long first = Long.parseLong(a);
            long last = b.isEmpty() ? Long.MAX_VALUE : Long.parseLong(b);
            if (last < first) {
                return RangeRequest.BAD;
            }
            if (first < size) {
                ranges.add(new Range(first, Math.min(last, size - 1)));
            }
        }
        return ranges.isEmpty() ? RangeRequest.BAD : new RangeRequest(ranges, false);
    }

    /** RFC 9110 weak comparison against a comma-separated If-None-Match list. */
    static boolean noneMatchHits(String header, String etag) {
        if (header.trim().equals("*")) {
            return true;
        }
        String opaque = stripWeak(etag);
        for (String t : header.split(",")) {
            if (stripWeak(t.trim()).equals(opaque)) {
                return true;
            }
        }
        return false;
    }

    /** RFC 9110 strong comparison against an If-Match list. */
    static boolean matchHits(String header, String etag) {
        if (header.trim().equals("*")) {
            return true;
        }
        if (etag.startsWith("W/")) {
            return false;
        }
        for (String t : header.split(",")) {
            if (t.trim().equals(etag)) {
                return true;
            }
        }
        return false;
    }

    private static String stripWeak(String tag) {
        return tag.startsWith("W/") ? tag.substring(2) : tag;
    }

    /** If-Range holds an ETag (strong comparison) or an HTTP date (exactly the Last-Modified). */
    static boolean ifRangeHolds(String header, String etag, Instant lastModified) {
        String h = header.trim();
        if (h.startsWith("\"") || h.startsWith("W/")) {
            return !etag.startsWith("W/") && h.equals(etag);
        }
        if (lastModified == null) {
            return false;
        }
        try {
            Instant when = Instant.from(HTTP_DATE.parse(h));
            return when.equals(lastModified.truncatedTo(ChronoUnit.SECONDS));
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private void serveFile(HttpExchange ex, HostedSnapshot s) throws IOException {
        Path file = catalog.directory().resolve(s.file());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            serve(ex, new Body() {
                @Override
                public long size() {
                    return s.size();
                }

                @Override
                public void copy(OutputStream out, long from, long length) throws IOException {
                    copyRange(ch, out, from, length);
                }
            }, "application/octet-stream", s.etag(), s.created(), IMMUTABLE);
        } catch (NoSuchFileException e) {
            text(ex, 404, "snapshot " + s.file() + " was just removed (pruned); the list is at /index.json");
        }
    }

    private void serveBytes(HttpExchange ex, byte[] bytes, String type, String etag, Instant modified)
            throws IOException {
        String cache = ex.getResponseHeaders().containsKey("Cache-Control") ? null : IMMUTABLE;
        serve(ex, new Body() {
            @Override
            public long size() {
                return bytes.length;
            }

            @Override
            public void copy(OutputStream out, long from, long length) throws IOException {
                out.write(bytes, (int) from, (int) length);
            }
        }, type, etag, modified, cache);
    }

    /** Content that can be sent whole or by ranges. */
    private interface Body {
        long size();

        void copy(OutputStream out, long from, long length) throws IOException;
    }

    private void serve(HttpExchange ex, Body body, String type, String etag, Instant modified, String cache)
            throws IOException {
        Headers req = ex.getRequestHeaders();
        Headers h = ex.getResponseHeaders();
        Instant lastModified = modified == null ? null : modified.truncatedTo(ChronoUnit.SECONDS);
        h.set("ETag", etag);
        h.set("Accept-Ranges", "bytes");
        if (lastModified != null) {
            h.set("Last-Modified", HTTP_DATE.format(lastModified));
        }
        if (cache != null) {
            h.set("Cache-Control", cache);
        }
        String ifMatch = req.getFirst("If-Match");
        if (ifMatch != null && !matchHits(ifMatch, etag)) {
            text(ex, 412, "If-Match " + ifMatch + " does not match " + etag);
            return;
        }
        String ifNoneMatch = req.getFirst("If-None-Match");
        if (ifNoneMatch != null ? noneMatchHits(ifNoneMatch, etag) : notModifiedSince(req, lastModified)) {
            ex.sendResponseHeaders(304, -1);
            return;
        }
        long size = body.size();
        boolean head = ex.getRequestMethod().equals("HEAD");
        RangeRequest rr = RangeRequest.WHOLE;
        String range = req.getFirst("Range");
        String ifRange = req.getFirst("If-Range");
        if (range != null && !head && (ifRange == null || ifRangeHolds(ifRange, etag, lastModified))) {
            rr = parseRange(range, size);
        }
        if (rr.unsatisfiable()) {
            h.set("Content-Range", "bytes */" + size);
            text(ex, 416, "range not satisfiable: " + range + " (the file has " + size + " bytes)");
            return;
        }
        if (rr.ranges() == null) {
            h.set("Content-Type", type);
            send(ex, 200, size, head);
            if (!head) {
                body.copy(ex.getResponseBody(), 0, size);
            }
            return;
        }
        if (rr.ranges().size() == 1) {
            Range r = rr.ranges().get(0);
            h.set("Content-Type", type);
            h.set("Content-Range", "bytes " + r.first() + "-" + r.last() + "/" + size);
            send(ex, 206, r.length(), false);
            body.copy(ex.getResponseBody(), r.first(), r.length());
            return;
        }
        String boundary = "flotilla-" + etag.replaceAll("[^0-9a-f]", "").substring(0, Math.min(16, etag.length() - 2));
        List<byte[]> partHeads = new ArrayList<>();
        long total = 0;
        for (Range r : rr.ranges()) {
            byte[] ph = ("\r\n--" + boundary + "\r\nContent-Type: " + type + "\r\nContent-Range: bytes " + r.first()
                    + "-" + r.last() + "/" + size + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            partHeads.add(ph);
            total += ph.length + r.length();
        }
        byte[] end = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        total += end.length;
        h.set("Content-Type", "multipart/byteranges; boundary=" + boundary);
        send(ex, 206, total, false);
        OutputStream out = ex.getResponseBody();
        for (int i = 0; i < partHeads.size(); i++) {
            out.write(partHeads.get(i));
            Range r = rr.ranges().get(i);
            body.copy(out, r.first(), r.length());
        }
        out.write(end);
    }

    private static boolean notModifiedSince(Headers req, Instant lastModified) {
        String ims = req.getFirst("If-Modified-Since");
        if (ims == null || lastModified == null) {
            return false;
        }
        try {
            return !lastModified.isAfter(Instant.from(HTTP_DATE.parse(ims.trim())));
        } catch (DateTimeParseException e) {
            return false; // an invalid date is ignored
        }
    }

    /** Sends the status line and headers; a HEAD answer keeps the Content-Length of the GET it stands for. */
    private static void send(HttpExchange ex, int status, long length, boolean head) throws IOException {
        if (head) {
            ex.getResponseHeaders().set("Content-Length", Long.toString(length));
            ex.sendResponseHeaders(status, -1);
        } else {
            ex.sendResponseHeaders(status, length == 0 ? -1 : length);
        }
    }

    private static void copyRange(FileChannel ch, OutputStream out, long from, long length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        long pos = from;
        long left = length;
        while (left > 0) {
            buf.clear();
            if (left < buf.capacity()) {
                buf.limit((int) left);
            }
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("file shorter than listed");
            }
            out.write(buf.array(), 0, n);
            pos += n;
            left -= n;
        }
    }

    private static void text(HttpExchange ex, int status, String message) throws IOException {
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    private static boolean isBrokenPipe(IOException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        return m.contains("broken pipe") || m.contains("connection reset") || m.contains("stream is closed")
                || m.contains("closed");
    }
}
