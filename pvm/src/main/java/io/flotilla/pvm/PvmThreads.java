package io.flotilla.pvm;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded pool that runs kernels, never the caller's (actor) threads. Its threads have large
 * stacks so that the PVM's own call-depth limit, not the JVM's stack, stops deep recursion.
 */
public final class PvmThreads {

    /** Stack of a PVM thread: reserved address space, committed only as used. */
    public static final long STACK_BYTES = 1L << 30;

    private static final ThreadLocal<Boolean> ON_PVM_THREAD = ThreadLocal.withInitial(() -> false);

    private final ExecutorService pool;

    public PvmThreads(int threads) {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory f = r -> {
            Thread t = new Thread(null, () -> {
                ON_PVM_THREAD.set(true);
                r.run();
            }, "pvm-" + n.incrementAndGet(), STACK_BYTES);
            t.setDaemon(true);
            return t;
        };
        this.pool = Executors.newFixedThreadPool(threads, f);
    }

    /** One pool per JVM, one thread per core. */
    public static final PvmThreads SHARED = new PvmThreads(Math.max(1, Runtime.getRuntime().availableProcessors()));

    public <T> Future<T> submit(Callable<T> task) {
        return pool.submit(task);
    }

    /** Runs the task on a PVM thread; the future completes there (callers must not block on it). */
    public <T> java.util.concurrent.CompletableFuture<T> async(Callable<T> task) {
        var f = new java.util.concurrent.CompletableFuture<T>();
        pool.execute(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
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
            return pool.submit(task).get();
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
