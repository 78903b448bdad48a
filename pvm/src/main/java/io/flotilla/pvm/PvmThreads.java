package io.flotilla.pvm;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that run kernels, never the caller's (actor) threads. They have large stacks so that
 * the PVM's own call-depth limit, not the JVM's stack, stops deep recursion.
 *
 * <h2>A slow or stuck kernel never delays other rollups</h2>
 * A kernel may legitimately burn its whole gas budget (a minute at {@link PvmConfig#DEFAULT_GAS}) before
 * the PVM declares it stuck. With one thread per core shared by every rollup, two such kernels would hold
 * every thread of a 2-core node for that long. So work is split into two lanes, and a lane never waits for
 * work that has become slow:
 * <ul>
 * <li><b>The fast lane</b> ({@link Settings#fastThreads}, more threads than cores) runs every task at first.
 *     A watchdog looks at the tasks it runs; one that has run longer than {@link Settings#slowAfter} is
 *     <em>overdue</em>: its thread is lent out, so the fast lane starts one more thread and keeps
 *     {@code fastThreads} threads for the other work (at most {@link Settings#maxLent} threads are lent at
 *     once). When the overdue task ends, the lane shrinks back. The overdue task keeps running where it is:
 *     Java cannot move a running kernel, and nothing needs to, since the OS shares the cores fairly between
 *     runnable threads. A rollup with a quick level waiting behind it therefore waits at most
 *     {@code slowAfter} plus a watchdog tick, and then for its share of the CPU.</li>
 * <li><b>The slow lane</b> ({@link Settings#slowThreads}, FIFO) takes the next tasks of a key (a rollup
 *     address, see {@link #async(String, Callable)}) whose last task took longer than {@code slowAfter}; a
 *     task of that key that ends within {@code slowAfter} moves the key back to the fast lane. A rollup
 *     entity has at most one level in flight, so FIFO order is round robin between slow rollups, and slow
 *     rollups can hold at most {@code slowThreads} threads (plus the lent ones) between them.</li>
 * </ul>
 * Scheduling decides only <em>when</em> a level is evaluated, never <em>what</em> it gives: metering is
 * deterministic and a task sees only its own inputs, so states never depend on lanes, timing or load.
 * Memory per thread is bounded by the kernel memory cap ({@link PvmConfig#maxMemoryPages}) and the number of
 * threads by {@code fastThreads + maxLent + slowThreads}; stacks are reserved address space, committed as used.
 */
public final class PvmThreads {

    /** Stack of a PVM thread: reserved address space, committed only as used. */
    public static final long STACK_BYTES = 1L << 30;

    /**
     * How many threads and when work counts as slow.
     *
     * @param fastThreads threads of the fast lane kept for work that is not overdue
     * @param slowThreads threads of the slow lane
     * @param maxLent     most fast-lane threads lent to overdue tasks at once (the lane grows by as many)
     * @param slowAfter   a task running longer than this is overdue, and its key goes to the slow lane
     */
    public record Settings(int fastThreads, int slowThreads, int maxLent, Duration slowAfter) {
        public Settings {
            if (fastThreads < 1 || slowThreads < 1 || maxLent < 0) {
                throw new IllegalArgumentException("PVM threads: fast and slow lanes need a thread each, got "
                        + fastThreads + " and " + slowThreads + " (lent " + maxLent + ")");
            }
            Objects.requireNonNull(slowAfter, "slowAfter");
            if (slowAfter.isNegative() || slowAfter.isZero()) {
                throw new IllegalArgumentException("PVM threads: slowAfter must be positive");
            }
        }

        /** Twice as many fast threads as cores (at least 4), one slow thread per core, slow after 500 ms. */
        public static Settings forCores(int cores) {
            int c = Math.max(1, cores);
            int fast = Math.max(4, 2 * c);
            return new Settings(fast, c, fast, Duration.ofMillis(500));
        }

        public Settings withSlowAfter(Duration d) {
            return new Settings(fastThreads, slowThreads, maxLent, d);
        }
    }

    private static final ThreadLocal<Boolean> ON_PVM_THREAD = ThreadLocal.withInitial(() -> false);

    private final Settings settings;
    private final ThreadPoolExecutor fast;
    private final ThreadPoolExecutor slow;
    private final long slowAfterNanos;
    /** Keys whose last task was slow: their next task goes to the slow lane. */
    private final Set<String> slowKeys = ConcurrentHashMap.newKeySet();
    /** Fast-lane tasks running now, watched for overdue ones. */
    private final Map<Running, Boolean> running = new ConcurrentHashMap<>();
    private final Thread watchdog;
    private int lent; // guarded by this

    /** A lane of {@code threads} fast threads and as many slow ones (the settings for that many cores). */
    public PvmThreads(int threads) {
        this(new Settings(threads, threads, threads, Settings.forCores(threads).slowAfter()));
    }

    public PvmThreads(Settings settings) {
        this.settings = settings;
        this.slowAfterNanos = settings.slowAfter().toNanos();
        this.fast = lane("pvm-", settings.fastThreads());
        this.slow = lane("pvm-slow-", settings.slowThreads());
        long tick = Math.max(10, Math.min(100, settings.slowAfter().toMillis() / 5));
        this.watchdog = new Thread(() -> watch(tick), "pvm-watchdog");
        this.watchdog.setDaemon(true);
        this.watchdog.start();
    }

    private static ThreadPoolExecutor lane(String prefix, int threads) {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory f = r -> {
            Thread t = new Thread(null, () -> {
                ON_PVM_THREAD.set(true);
                r.run();
            }, prefix + n.incrementAndGet(), STACK_BYTES);
            t.setDaemon(true);
            return t;
        };
        return new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), f);
    }

    /** One pool per JVM, sized for this machine's cores. */
    public static final PvmThreads SHARED = new PvmThreads(
            Settings.forCores(Runtime.getRuntime().availableProcessors()));

    public Settings settings() {
        return settings;
    }

    /** Whether the next task of {@code key} goes to the slow lane. */
    public boolean isSlow(String key) {
        return key != null && slowKeys.contains(key);
    }

    /** Threads of the fast lane now (its base size plus the threads lent to overdue tasks). */
    public int fastLaneSize() {
        return fast.getCorePoolSize();
    }

    public <T> Future<T> submit(Callable<T> task) {
        return async(null, task);
    }

    /** Runs the task on a PVM thread; the future completes there (callers must not block on it). */
    public <T> CompletableFuture<T> async(Callable<T> task) {
        return async(null, task);
    }

    /**
     * Runs the task on a PVM thread, in the lane {@code key}'s last task calls for (see the class comment);
     * the future completes there, once the lanes have taken the task's duration into account (callers
     * must not block on it).
     *
     * @param key who the work is for (a rollup address), or null for work that belongs to nobody
     */
    public <T> CompletableFuture<T> async(String key, Callable<T> task) {
        var f = new CompletableFuture<T>();
        boolean toSlowLane = isSlow(key);
        ThreadPoolExecutor lane = toSlowLane ? slow : fast;
        lane.execute(() -> {
            Running r = new Running(key, System.nanoTime());
            if (!toSlowLane) {
                running.put(r, Boolean.TRUE);
            }
            T value = null;
            Throwable failure = null;
            try {
                value = task.call();
            } catch (Throwable t) {
                failure = t;
            } finally {
                if (!toSlowLane) {
                    running.remove(r);
                }
                ended(r);
            }
            if (failure == null) {
                f.complete(value);
            } else {
                f.completeExceptionally(failure);
            }
        });
        return f;
    }

    /** A task running in the fast lane. Identity equality: each run is its own entry. */
    private static final class Running {
        final String key;
        final long start;
        boolean overdue; // guarded by PvmThreads.this
        boolean lentThread; // guarded by PvmThreads.this

        Running(String key, long start) {
            this.key = key;
            this.start = start;
        }
    }

    private void ended(Running r) {
        boolean wasSlow = System.nanoTime() - r.start > slowAfterNanos;
        if (r.key != null) {
            if (wasSlow) {
                slowKeys.add(r.key);
            } else {
                slowKeys.remove(r.key);
            }
        }
        synchronized (this) {
            if (r.lentThread) {
                r.lentThread = false;
                lent--;
                int size = settings.fastThreads() + lent;
                fast.setCorePoolSize(size); // shrink the core first: it may not exceed the maximum
                fast.setMaximumPoolSize(size);
            }
        }
    }

    private void watch(long tickMillis) {
        while (true) {
            try {
                Thread.sleep(tickMillis);
                long now = System.nanoTime();
                for (Running r : running.keySet()) {
                    if (now - r.start > slowAfterNanos) {
                        overdue(r);
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // keep watching: a failure here must not leave the fast lane without its threads
            }
        }
    }

    private synchronized void overdue(Running r) {
        if (r.overdue || !running.containsKey(r)) {
            return;
        }
        r.overdue = true;
        if (r.key != null) {
            slowKeys.add(r.key); // its next task goes to the slow lane at once
        }
        if (lent < settings.maxLent()) {
            lent++;
            r.lentThread = true;
            int size = settings.fastThreads() + lent;
            fast.setMaximumPoolSize(size); // grow the maximum first: the core may not exceed it
            fast.setCorePoolSize(size); // starts a thread for queued work at once
        }
    }

    /** Stops the watchdog and the lanes' threads once their work is done (a pool of a test, not {@link #SHARED}). */
    public void shutdown() {
        if (this == SHARED) {
            throw new IllegalStateException("the shared PVM threads live as long as the JVM");
        }
        watchdog.interrupt();
        fast.shutdown();
        slow.shutdown();
    }

    /** Runs the task on a PVM thread (inline when already on one) and waits for it. */
    public <T> T call(Callable<T> task) {
        if (ON_PVM_THREAD.get()) {
            try {
                return task.call();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        try {
            return submit(task).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the PVM", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c);
        }
    }
}
