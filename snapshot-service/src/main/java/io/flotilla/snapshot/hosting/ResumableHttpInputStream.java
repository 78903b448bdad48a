package io.flotilla.snapshot.hosting;

import io.flotilla.snapshot.Progress;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The body of an HTTP(S) GET that survives dropped connections: when the connection breaks (an I/O error,
 * or the body ends before its announced length) it reconnects with {@code Range: bytes=N-} and
 * {@code If-Range: <validator>} and carries on from byte N, with exponential backoff, a bounded number of
 * times in a row. The validator is the first response's strong ETag (else its Last-Modified); a file that
 * changed meanwhile (the server answers 200 with another ETag, or a Content-Range of another length) is
 * refused with a {@link ChangedException}, never spliced. A first response redirected (a {@code latest}
 * pointer) is resumed at the immutable file it led to, not at the pointer.
 */
public final class ResumableHttpInputStream extends InputStream {

    /**
     * Retry policy and timeouts.
     *
     * @param maxRetries attempts in a row without a byte of progress before giving up
     * @param maxResumes resumes in all before giving up (a link that keeps breaking)
     */
    public record Options(int maxRetries, int maxResumes, Duration initialBackoff, Duration maxBackoff,
                          Duration connectTimeout, Duration readTimeout) {
        /**
         * 6 attempts in a row, 100 resumes in all, backoff 0.5 s doubling up to 15 s, connect 30 s, a stalled
         * read fails after 60 s.
         */
        public static Options defaults() {
            return new Options(6, 100, Duration.ofMillis(500), Duration.ofSeconds(15), Duration.ofSeconds(30),
                    Duration.ofSeconds(60));
        }

        public Options {
            if (maxRetries < 0 || maxResumes < 0) {
                throw new IllegalArgumentException("maxRetries and maxResumes must not be negative");
            }
            Objects.requireNonNull(initialBackoff);
            Objects.requireNonNull(maxBackoff);
            Objects.requireNonNull(connectTimeout);
            Objects.requireNonNull(readTimeout);
        }
    }

    /** The file behind the URL changed during the download: resuming would splice two files. */
    public static final class ChangedException extends IOException {
        ChangedException(String message) {
            super(message);
        }
    }

    /** An answer that retrying cannot fix (a 404 on resume, a server sending the wrong range). */
    private static final class Fatal extends IOException {
        Fatal(String message) {
            super(message);
        }
    }

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    private final URI requested;
    private final Options options;
    private final Progress progress;
    private URL url;
    private String etag;
    private String lastModified;
    private long total = -1;
    private long position;
    private int reconnections;
    private HttpURLConnection connection;
    private InputStream body;
    private boolean closed;

    private ResumableHttpInputStream(URI uri, Options options, Progress progress) {
        this.requested = uri;
        this.options = options;
        this.progress = progress;
    }

    /**
     * GETs {@code uri}; fails at once (no retry) on an HTTP error status, so a wrong URL is reported as such.
     *
     * @param progress counts the bytes delivered; its total is set from the response's length
     */
    public static ResumableHttpInputStream open(URI uri, Options options, Progress progress) throws IOException {
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            throw new IllegalArgumentException("not an http(s) URL: " + uri);
        }
        ResumableHttpInputStream s = new ResumableHttpInputStream(uri, options, progress);
        s.first();
        return s;
    }

    /** The URL the body comes from, after redirects. */
    public URI resolvedUri() {
        try {
            return url.toURI();
        } catch (java.net.URISyntaxException e) {
            return requested;
        }
    }

    /** The body's length, or -1 when the server did not say. */
    public long totalLength() {
        return total;
    }

    /** The first response's ETag, or null. */
    public String etag() {
        return etag;
    }

    /** Bytes delivered so far. */
    public long position() {
        return position;
    }

    /** How many times the download was resumed. */
    public int reconnections() {
        return reconnections;
    }

    private void first() throws IOException {
        HttpURLConnection c = connect(requested.toURL(), null);
        int status = c.getResponseCode();
        if (status != HttpURLConnection.HTTP_OK) {
            String why = errorText(c);
            c.disconnect();
            throw new IOException("GET " + requested + ": HTTP " + status + (why.isEmpty() ? "" : ": " + why));
        }
        url = c.getURL();
        String e = c.getHeaderField("ETag");
        etag = e != null && !e.startsWith("W/") ? e : null; // a weak ETag cannot validate a byte range
        lastModified = c.getHeaderField("Last-Modified");
        total = c.getContentLengthLong();
        connection = c;
        body = c.getInputStream();
        if (progress != null) {
            progress.total(total);
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, buf.length);
        if (closed) {
            throw new IOException("stream closed");
        }
        if (len == 0) {
            return 0;
        }
        int failures = 0;
        while (true) {
            IOException cause;
            try {
                int n = body.read(buf, off, len);
                if (n >= 0) {
                    position += n;
                    if (progress != null) {
                        progress.advance(n);
                    }
                    return n;
                }
                if (total < 0 || position >= total) {
                    return -1;
                }
                cause = new EOFException("body ended at byte " + position + " of " + total);
            } catch (ChangedException e) {
                throw e;
            } catch (IOException e) {
                cause = e;
            }
            failures++;
            resume(cause, failures);
        }
    }

    /** Reconnects from {@link #position}, retrying until a body is open or the attempts are spent. */
    private void resume(IOException cause, int failuresSoFar) throws IOException {
        String validator = etag != null ? etag : lastModified;
        if (validator == null) {
            throw new IOException("download of " + url + " broke at byte " + position
                    + " and cannot resume: the server sent no ETag or Last-Modified", cause);
        }
        disconnect();
        if (reconnections >= options.maxResumes()) {
            throw new IOException("download of " + url + " broke at byte " + position + "; giving up after "
                    + reconnections + " resumes: " + cause.getMessage(), cause);
        }
        int failures = failuresSoFar;
        while (true) {
            if (failures > options.maxRetries()) {
                throw new IOException("download of " + url + " failed at byte " + position + " after "
                        + options.maxRetries() + " retries: " + cause.getMessage(), cause);
            }
            sleep(backoff(failures));
            if (progress != null) {
                progress.note("connection lost at byte " + position + " (" + cause.getMessage()
                        + "); resuming, attempt " + failures + " of " + options.maxRetries());
            }
            HttpURLConnection c = null;
            try {
                c = connect(url, validator);
                int status = c.getResponseCode();
                if (status == HttpURLConnection.HTTP_PARTIAL) {
                    checkPartial(c);
                    connection = c;
                    body = c.getInputStream();
                    reconnections++;
                    return;
                }
                if (status == HttpURLConnection.HTTP_OK) {
                    String now = c.getHeaderField("ETag");
                    if (etag != null && etag.equals(now) && c.getContentLengthLong() == total) {
                        // same file, but the server ignores ranges: skip what we already have
                        connection = c;
                        body = c.getInputStream();
                        body.skipNBytes(position);
                        reconnections++;
                        return;
                    }
                    c.disconnect();
                    throw new ChangedException(url + " changed during the download (ETag " + etag + ", now "
                            + now + "); start the download again");
                }
                if (status >= 500 || status == 408 || status == 429) {
                    cause = new IOException("HTTP " + status + " while resuming");
                    c.disconnect();
                } else {
                    String why = errorText(c);
                    c.disconnect();
                    throw new Fatal("resuming " + url + " at byte " + position + ": HTTP " + status
                            + (why.isEmpty() ? "" : ": " + why));
                }
            } catch (ChangedException | Fatal e) {
                throw e;
            } catch (IOException e) {
                if (c != null) {
                    c.disconnect();
                }
                cause = e;
            }
            failures++;
        }
    }

    private void checkPartial(HttpURLConnection c) throws IOException {
        String range = c.getHeaderField("Content-Range");
        Matcher m = range == null ? null : CONTENT_RANGE.matcher(range.trim());
        if (m == null || !m.matches()) {
            c.disconnect();
            throw new Fatal("resuming " + url + ": 206 without a usable Content-Range (" + range + ")");
        }
        long start = Long.parseLong(m.group(1));
        String length = m.group(3);
        String now = c.getHeaderField("ETag");
        boolean sameLength = total < 0 || length.equals("*") || Long.parseLong(length) == total;
        boolean sameTag = etag == null || now == null || etag.equals(now);
        if (!sameLength || !sameTag) {
            c.disconnect();
            throw new ChangedException(url + " changed during the download (was " + total + " bytes, ETag " + etag
                    + "; now " + range + ", ETag " + now + "); start the download again");
        }
        if (start != position) {
            c.disconnect();
            throw new Fatal("resuming " + url + ": asked for byte " + position + ", got " + range);
        }
    }

    private HttpURLConnection connect(URL target, String ifRange) throws IOException {
        HttpURLConnection c = (HttpURLConnection) target.openConnection();
        c.setConnectTimeout((int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()));
        c.setReadTimeout((int) Math.min(Integer.MAX_VALUE, options.readTimeout().toMillis()));
        c.setInstanceFollowRedirects(true);
        c.setRequestProperty("Accept-Encoding", "identity");
        if (ifRange != null) {
            c.setRequestProperty("Range", "bytes=" + position + "-");
            c.setRequestProperty("If-Range", ifRange);
        }
        return c;
    }

    private Duration backoff(int failures) {
        long ms = options.initialBackoff().toMillis();
        for (int i = 1; i < failures && ms < options.maxBackoff().toMillis(); i++) {
            ms *= 2;
        }
        return Duration.ofMillis(Math.min(ms, options.maxBackoff().toMillis()));
    }

    private static void sleep(Duration d) throws InterruptedIOException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to resume the download");
        }
    }

    private static String errorText(HttpURLConnection c) {
        try (InputStream err = c.getErrorStream()) {
            if (err == null) {
                return "";
            }
            String text = new String(err.readNBytes(300), StandardCharsets.UTF_8).strip();
            int nl = text.indexOf('\n');
            return nl < 0 ? text : text.substring(0, nl);
        } catch (IOException e) {
            return "";
        }
    }

    private void disconnect() {
        if (body != null) {
            try {
                body.close();
            } catch (IOException ignored) {
                // the connection is already broken
            }
        }
        if (connection != null) {
            connection.disconnect();
        }
        body = null;
        connection = null;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            disconnect();
        }
    }
}
