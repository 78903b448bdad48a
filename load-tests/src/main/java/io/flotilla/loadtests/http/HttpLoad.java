package io.flotilla.loadtests.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * A bounded pool of HTTP/1.1 clients on loopback: {@code clients} threads, each with one keep-alive connection,
 * sending GETs on a fixed open-loop schedule that adds up to {@code rate} requests per second (a late client sends
 * at once, it does not skip), plus {@code streams} connections reading {@code monitor_blocks}-style chunked
 * streams line by line. A request that gets no 200, or a broken connection, is an error (the connection is
 * reopened). Latency = the request's scheduled time → whole response read, so a slow server is not hidden by
 * clients that send late (coordinated omission). Everything stops at {@link #stop()} or at the time limit,
 * whichever comes first.
 *
 * <p>{@link #main} runs one in a JVM of its own (driven by {@link HttpLoadProcess}), so the clients do not share
 * the node's heap, GC and JIT.
 */
public final class HttpLoad {

    /** What the pool did. */
    /**
     * {@code sortedLatencies}: from each request's scheduled time; {@code sortedServiceTimes}: from the moment it was
     * written (what the server took, queueing in the clients left out); {@code clientCpuSeconds}: CPU the client
     * process used (NaN when it ran in the node's JVM).
     */
    public record Report(long requests, long errors, double seconds, long[] sortedLatencies, long streamLines,
                         long streamErrors, List<String> firstErrors, double clientCpuSeconds,
                         long[] sortedServiceTimes) {
        public double serviceMillis(double p) {
            return percentile(sortedServiceTimes, p);
        }

        public double requestsPerSecond() {
            return requests / seconds;
        }

        public double latencyMillis(double p) {
            return percentile(sortedLatencies, p);
        }

        private static double percentile(long[] sorted, double p) {
            if (sorted.length == 0) {
                return 0;
            }
            int i = (int) Math.ceil(p * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
        }
    }

    private final InetSocketAddress target;
    private final int clients;
    private final double rate;
    private final long maxNanos;
    private final IntFunction<String> paths;
    private final List<String> streamPaths;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong streamLines = new AtomicLong();
    private final AtomicLong streamErrors = new AtomicLong();
    private final AtomicLong streamsOpen = new AtomicLong();
    private final List<String> firstErrors = new ArrayList<>();
    private final List<Socket> streamSockets = new ArrayList<>();
    private volatile boolean stopping;
    private long startNanos;
    private long stopNanos;

    /**
     * @param paths       the path of request number k (for any k &ge; 0)
     * @param streamPaths one streaming connection per path
     */
    public HttpLoad(InetSocketAddress target, int clients, double rate, java.time.Duration maxDuration,
                    IntFunction<String> paths, List<String> streamPaths) {
        if (!target.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("load goes to loopback only, not " + target);
        }
        if (clients < 1 || rate <= 0) {
            throw new IllegalArgumentException("at least one client and a positive rate");
        }
        this.target = target;
        this.clients = clients;
        this.rate = rate;
        this.maxNanos = maxDuration.toNanos();
        this.paths = paths;
        this.streamPaths = streamPaths;
    }

    /** Starts the clients and the streams. */
    public synchronized void start() {
        startNanos = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            long[][] box = new long[1][];
            int id = c;
            Thread t = new Thread(() -> box[0] = client(id), "http-load-" + c);
            t.setDaemon(true);
            threads.add(t);
            t.start();
            clientResults.add(() -> box[0]);
        }
        for (String p : streamPaths) {
            Thread t = new Thread(() -> stream(p), "http-stream");
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private final List<java.util.function.Supplier<long[]>> clientResults = new ArrayList<>();

    /**
     * Waits (polling) until every stream got its response head, so blocks made afterwards reach them; false
     * when the timeout passed first or a stream failed.
     */
    public boolean awaitStreamsOpen(java.time.Duration timeout) throws InterruptedException {
        return await(() -> streamsOpen.get() >= streamPaths.size(), timeout);
    }

    /** Waits (polling) until the streams received at least {@code lines} lines in all; false on timeout. */
    public boolean awaitStreamLines(long lines, java.time.Duration timeout) throws InterruptedException {
        return await(() -> streamLines.get() >= lines, timeout);
    }

    private boolean await(java.util.function.BooleanSupplier done, java.time.Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline || streamErrors.get() > 0) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** Stops every client and stream, waits for them, and reports. */
    public Report stop() throws InterruptedException {
        stopping = true;
        stopNanos = System.nanoTime();
        synchronized (streamSockets) {
            for (Socket s : streamSockets) {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing to end the stream
                }
            }
        }
        for (Thread t : threads) {
            t.join(60_000);
        }
        long total = 0;
        for (var r : clientResults) {
            long[] l = r.get();
            total += l == null ? 0 : l.length / 2;
        }
        // each client's array holds (latency, service time) pairs
        long[] all = new long[(int) total];
        long[] service = new long[(int) total];
        int m = 0;
        for (var r : clientResults) {
            long[] l = r.get();
            if (l != null) {
                for (int i = 0; i < l.length; i += 2) {
                    all[m] = l[i];
                    service[m++] = l[i + 1];
                }
            }
        }
        Arrays.sort(all);
        Arrays.sort(service);
        synchronized (firstErrors) {
            return new Report(requests.get(), errors.get(), (Math.min(stopNanos, startNanos + maxNanos) - startNanos) / 1e9,
                    all, streamLines.get(), streamErrors.get(), List.copyOf(firstErrors), Double.NaN, service);
        }
    }

    private boolean over(long now) {
        return stopping || now - startNanos >= maxNanos;
    }

    /** One client: its share of the schedule on one keep-alive connection; returns (latency, service time) pairs. */
    private long[] client(int id) {
        long interval = (long) (1e9 * clients / rate);
        long next = startNanos + (long) (1e9 * id / rate);
        long[] lat = new long[1024];
        int n = 0;
        long k = id;
        Connection conn = null;
        while (true) {
            long now = System.nanoTime();
            if (over(now)) {
                break;
            }
            if (now < next) {
                long wait = next - now;
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
                continue;
            }
            long t0 = next; // the scheduled time: a request sent late counts its wait
            next += interval;
            String path = paths.apply((int) k);
            k += clients;
            try {
                if (conn == null) {
                    conn = new Connection(target);
                }
                long sent = System.nanoTime();
                int status = conn.get(path);
                long end = System.nanoTime();
                requests.incrementAndGet();
                if (status != 200) {
                    error("HTTP " + status + " for " + path);
                } else {
                    if (n + 2 > lat.length) {
                        lat = Arrays.copyOf(lat, lat.length * 2);
                    }
                    lat[n++] = end - t0;
                    lat[n++] = end - sent;
                }
            } catch (IOException e) {
                requests.incrementAndGet();
                if (!stopping) {
                    error(e + " for " + path);
                }
                if (conn != null) {
                    conn.close();
                }
                conn = null;
            }
        }
        if (conn != null) {
            conn.close();
        }
        return Arrays.copyOf(lat, n);
    }

    private void error(String what) {
        errors.incrementAndGet();
        synchronized (firstErrors) {
            if (firstErrors.size() < 5) {
                firstErrors.add(what);
            }
        }
    }

    /** One streaming connection: counts the lines of a chunked response until stopped. */
    private void stream(String path) {
        try (Socket s = new Socket()) {
            synchronized (streamSockets) {
                if (stopping) {
                    return;
                }
                streamSockets.add(s);
            }
            s.setTcpNoDelay(true);
            s.connect(target, 10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + target.getHostString() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = new BufferedInputStream(s.getInputStream());
            String statusLine = Connection.line(in);
            if (statusLine == null || !statusLine.contains(" 200")) {
                streamErrors.incrementAndGet();
                error("stream " + path + ": " + statusLine);
                return;
            }
            streamsOpen.incrementAndGet();
            boolean chunked = false;
            String h;
            while (!(h = Connection.line(in)).isEmpty()) {
                String lower = h.toLowerCase(Locale.ROOT);
                chunked |= lower.startsWith("transfer-encoding:") && lower.contains("chunked");
            }
            // count the newlines of the data (not of the chunk framing): one per JSON line
            long left = chunked ? 0 : Long.MAX_VALUE;
            while (true) {
                if (left == 0) {
                    String size = Connection.line(in);
                    if (size.isEmpty()) {
                        size = Connection.line(in); // the CRLF after the previous chunk
                    }
                    left = Long.parseLong(size.split(";")[0].trim(), 16);
                    if (left == 0) {
                        return; // the stream ended
                    }
                }
                int c = in.read();
                if (c < 0) {
                    return;
                }
                left--;
                if (c == '\n') {
                    streamLines.incrementAndGet();
                }
            }
        } catch (IOException e) {
            if (!stopping) {
                streamErrors.incrementAndGet();
                error("stream " + path + ": " + e);
            }
        }
    }

    /**
     * A load run as a process: {@code host:port clients rate maxSeconds pathsFile streamsFile latenciesFile}; request
     * k is line {@code k mod n} of {@code pathsFile}, one stream per line of {@code streamsFile}. It prints
     * {@code progress <streams open> <stream lines> <stream errors>} lines every 50 ms, stops when its standard
     * input closes (or at the time limit), writes the sorted latencies then the sorted service times
     * (nanoseconds, 8 bytes each, as many of each) to {@code latenciesFile}, and prints {@code error <text>} lines and a last line
     * {@code report <requests> <errors> <seconds> <stream lines> <stream errors> <cpu seconds>}.
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 7) {
            System.err.println("usage: HttpLoad host:port clients rate maxSeconds pathsFile streamsFile latenciesFile");
            System.exit(2);
        }
        String[] hp = args[0].split(":");
        List<String> paths = java.nio.file.Files.readAllLines(java.nio.file.Path.of(args[4]));
        List<String> streams = java.nio.file.Files.readAllLines(java.nio.file.Path.of(args[5]));
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("no request paths in " + args[4]);
        }
        HttpLoad load = new HttpLoad(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), Integer.parseInt(args[1]),
                Double.parseDouble(args[2]), java.time.Duration.ofSeconds(Long.parseLong(args[3])),
                k -> paths.get(Math.floorMod(k, paths.size())), streams);
        load.start();
        Thread stdin = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // the parent closes our standard input to stop us
                }
            } catch (IOException e) {
                // the parent went away: stop as well
            }
        }, "http-load-stdin");
        stdin.setDaemon(true);
        stdin.start();
        long end = System.nanoTime() + load.maxNanos;
        while (stdin.isAlive() && System.nanoTime() < end) {
            System.out.println("progress " + load.streamsOpen.get() + " " + load.streamLines.get() + " "
                    + load.streamErrors.get());
            System.out.flush();
            stdin.join(50);
        }
        Report r = load.stop();
        try (var out = new java.io.DataOutputStream(new java.io.BufferedOutputStream(
                java.nio.file.Files.newOutputStream(java.nio.file.Path.of(args[6]))))) {
            for (long l : r.sortedLatencies()) {
                out.writeLong(l);
            }
            for (long l : r.sortedServiceTimes()) {
                out.writeLong(l);
            }
        }
        for (String e : r.firstErrors()) {
            System.out.println("error " + e.replace('\n', ' '));
        }
        long cpu = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
        System.out.println("report " + r.requests() + " " + r.errors() + " " + r.seconds() + " " + r.streamLines() + " "
                + r.streamErrors() + " " + cpu / 1e9);
        System.out.flush();
    }

    /** A keep-alive HTTP/1.1 connection reading Content-Length or chunked responses. */
    static final class Connection {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        private final String host;

        Connection(InetSocketAddress target) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(60_000);
            socket.connect(target, 10_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 16384);
            host = target.getHostString() + ":" + target.getPort();
        }

        /** Sends a GET and reads the whole response; returns the status code. */
        int get(String path) throws IOException {
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = line(in);
            if (status == null || !status.startsWith("HTTP/1.1 ") || status.length() < 12) {
                throw new IOException("bad status line: " + status);
            }
            int code = Integer.parseInt(status.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            boolean close = false;
            String h;
            while (!(h = line(in)).isEmpty()) {
                String lower = h.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(lower.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                } else if (lower.startsWith("connection:") && lower.contains("close")) {
                    close = true;
                }
            }
            if (chunked) {
                while (true) {
                    long size = Long.parseLong(line(in).split(";")[0].trim(), 16);
                    if (size == 0) {
                        while (!line(in).isEmpty()) {
                            // trailers
                        }
                        break;
                    }
                    skip(size);
                    line(in);
                }
            } else if (length >= 0) {
                skip(length);
            } else {
                throw new IOException("a response with neither Content-Length nor chunks");
            }
            if (close) {
                throw new IOException("the server closed the connection");
            }
            return code;
        }

        private void skip(long n) throws IOException {
            while (n > 0) {
                long s = in.skip(n);
                if (s <= 0) {
                    if (in.read() < 0) {
                        throw new IOException("connection closed in a body");
                    }
                    s = 1;
                }
                n -= s;
            }
        }

        /** One CRLF-terminated line without its end; throws at end of stream. */
        static String line(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream(64);
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    String s = b.toString(StandardCharsets.US_ASCII);
                    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                }
                b.write(c);
            }
            throw new IOException("connection closed");
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // nothing to lose
            }
        }
    }
}
