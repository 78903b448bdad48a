package io.flotilla.loadtests.http;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link HttpLoad} in a JVM of its own (same classpath, a small heap, the serial GC): the clients then cost the
 * node nothing but the shared CPU, which the report measures ({@link HttpLoad.Report#clientCpuSeconds()}). Requests
 * cycle through a fixed list of paths. Stopped by closing its standard input.
 */
public final class HttpLoadProcess implements AutoCloseable {
    private final Process process;
    private final Path dir;
    private final Path latencies;
    private final AtomicLong streamsOpen = new AtomicLong();
    private final AtomicLong streamLines = new AtomicLong();
    private final AtomicLong streamErrors = new AtomicLong();
    private final List<String> errors = new ArrayList<>();
    private final Thread reader;
    private final int streams;
    private volatile String report;
    private final java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);

    private HttpLoadProcess(Process process, Path dir, int streams) {
        this.process = process;
        this.dir = dir;
        this.latencies = dir.resolve("latencies.bin");
        this.streams = streams;
        this.reader = new Thread(this::read, "http-load-process-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the clients: {@code paths} cycled, one stream per {@code streamPaths} entry. */
    public static HttpLoadProcess start(InetSocketAddress target, int clients, double rate, Duration maxDuration,
            List<String> paths, List<String> streamPaths) throws IOException {
        if (!target.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("load goes to loopback only, not " + target);
        }
        Path dir = Files.createTempDirectory("flotilla-http-load");
        Files.write(dir.resolve("paths.txt"), paths);
        Files.write(dir.resolve("streams.txt"), streamPaths);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-Xmx512m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                HttpLoad.class.getName(), target.getHostString() + ":" + target.getPort(), Integer.toString(clients),
                Double.toString(rate), Long.toString(Math.max(1, maxDuration.toSeconds())),
                dir.resolve("paths.txt").toString(), dir.resolve("streams.txt").toString(),
                dir.resolve("latencies.bin").toString());
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        HttpLoadProcess load = new HttpLoadProcess(p, dir, streamPaths.size());
        // a JVM takes a moment to start on a busy machine: the run begins when its clients do
        try {
            if (!load.running.await(60, TimeUnit.SECONDS) || !load.process.isAlive()) {
                load.close();
                throw new IOException("the load process did not start in 60 s");
            }
        } catch (InterruptedException e) {
            load.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the load process started", e);
        }
        return load;
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("progress ")) {
                    String[] f = line.split(" ");
                    streamsOpen.set(Long.parseLong(f[1]));
                    streamLines.set(Long.parseLong(f[2]));
                    streamErrors.set(Long.parseLong(f[3]));
                    running.countDown();
                } else if (line.startsWith("error ")) {
                    synchronized (errors) {
                        errors.add(line.substring(6));
                    }
                } else if (line.startsWith("report ")) {
                    report = line;
                }
            }
        } catch (IOException e) {
            // the process ended: stop() reports what it got
        } finally {
            running.countDown(); // also when it ended without starting: start() then finds it dead
        }
    }

    /** Waits (polling) until every stream got its response head; false on timeout or a failed stream. */
    public boolean awaitStreamsOpen(Duration timeout) throws InterruptedException {
        return await(() -> streamsOpen.get() >= streams, timeout);
    }

    /** Waits (polling) until the streams received at least {@code lines} lines in all; false on timeout. */
    public boolean awaitStreamLines(long lines, Duration timeout) throws InterruptedException {
        return await(() -> streamLines.get() >= lines, timeout);
    }

    private boolean await(java.util.function.BooleanSupplier done, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline || streamErrors.get() > 0 || !process.isAlive()) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** Stops the clients (closes their standard input), waits for the report and reads it. */
    public HttpLoad.Report stop() throws IOException, InterruptedException {
        process.getOutputStream().close();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("the load process did not stop in 120 s");
        }
        reader.join(10_000);
        String r = report;
        if (r == null) {
            throw new IOException("the load process ended (exit " + process.exitValue() + ") without a report");
        }
        String[] f = r.split(" ");
        long n = Files.size(latencies) / 16; // latencies, then as many service times
        long[] lat = new long[(int) n];
        long[] service = new long[(int) n];
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(latencies)))) {
            for (int i = 0; i < n; i++) {
                lat[i] = in.readLong();
            }
            for (int i = 0; i < n; i++) {
                service[i] = in.readLong();
            }
        }
        List<String> errs;
        synchronized (errors) {
            errs = List.copyOf(errors);
        }
        return new HttpLoad.Report(Long.parseLong(f[1]), Long.parseLong(f[2]), Double.parseDouble(f[3]), lat,
                Long.parseLong(f[4]), Long.parseLong(f[5]), errs, Double.parseDouble(f[6]), service);
    }

    /** Kills the process if still running and removes its files. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }
}
