package io.flotilla.snapshot.hosting;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A TCP proxy in front of an HTTP server that drops a connection once it has passed a number of response
 * bytes, a set number of times (connections that carry less, such as a redirect, are not counted): a network
 * that breaks mid-download, under a real client and a real server.
 */
final class CuttingProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final InetSocketAddress upstream;
    private final long cutAfter;
    private final AtomicInteger cutsLeft;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger cuts = new AtomicInteger();
    private volatile IntConsumer onCut = n -> { };

    /**
     * @param cutAfter response bytes (headers included) passed before a connection is dropped
     * @param times how many connections are dropped (the following ones pass untouched)
     */
    CuttingProxy(InetSocketAddress upstream, long cutAfter, int times) throws IOException {
        this.upstream = upstream;
        this.cutAfter = cutAfter;
        this.cutsLeft = new AtomicInteger(times);
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "cutting-proxy");
        t.setDaemon(true);
        t.start();
    }

    /** Called with the cut's number (1, 2, ...) just before a connection is dropped. */
    void onCut(IntConsumer action) {
        this.onCut = action;
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort());
    }

    int connections() {
        return connections.get();
    }

    int cuts() {
        return cuts.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                connections.incrementAndGet();
                Socket server = new Socket();
                try {
                    server.connect(upstream, 30_000);
                } catch (IOException e) {
                    client.close(); // the server is gone: so is the connection
                    continue;
                }
                pump(client, server, Long.MAX_VALUE, "up");
                pump(server, client, cutAfter, "down");
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void pump(Socket from, Socket to, long limit, String name) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            long passed = 0;
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf, 0, (int) Math.min(buf.length,
                        passed < limit ? limit - passed : buf.length))) > 0; ) {
                    out.write(buf, 0, n);
                    out.flush();
                    passed += n;
                    if (passed >= limit && limit != Long.MAX_VALUE && cutsLeft.getAndDecrement() > 0) {
                        // the action runs before the drop, so the client cannot reconnect ahead of it
                        onCut.accept(cuts.incrementAndGet());
                        // an abrupt drop: both sides see the connection die mid-response
                        to.setSoLinger(true, 0);
                        to.close();
                        from.close();
                        return;
                    }
                }
            } catch (IOException e) {
                // one side went away
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "cutting-proxy-" + name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
