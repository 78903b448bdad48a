package io.flotilla.actors.rollup;

import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.pvm.PvmThreads;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The PVM lanes rollup entities evaluate their levels in (keyed by rollup address). */
class PvmLanesTest {
    static final Duration SLOW_AFTER = Duration.ofMillis(200);
    final PvmThreads threads = new PvmThreads(new PvmThreads.Settings(1, 1, 1, SLOW_AFTER));

    @AfterEach
    void stop() {
        threads.shutdown();
    }

    @Test
    void anOverdueTaskLendsItsThreadSoQuickWorkIsNotHeldBehindIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> stuck = threads.async("sr1stuck", () -> {
            release.await(20, TimeUnit.SECONDS);
            return Thread.currentThread().getName();
        });
        // the only fast thread is taken until release: this waits until the first task is overdue, then gets
        // a thread of its own
        String quick = threads.async("sr1quick", () -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS);
        assertFalse(stuck.isDone());
        assertTrue(quick.startsWith("pvm-") && !quick.startsWith("pvm-slow-"), quick);
        assertEquals(2, threads.fastLaneSize());
        assertTrue(threads.isSlow("sr1stuck"), "an overdue key goes to the slow lane at once");
        assertFalse(threads.isSlow("sr1quick"));

        release.countDown();
        stuck.get(5, TimeUnit.SECONDS);
        assertEquals(1, threads.fastLaneSize(), "the lent thread is given back");
        // the next task of the slow key runs in the slow lane; being quick, it brings the key back
        assertTrue(threads.async("sr1stuck", () -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS)
                .startsWith("pvm-slow-"));
        assertFalse(threads.isSlow("sr1stuck"));
        assertFalse(threads.async("sr1stuck", () -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS)
                .startsWith("pvm-slow-"));
    }

    @Test
    void slowRollupsTakeTurnsInTheSlowLaneWithoutTouchingTheFastOne() throws Exception {
        for (String k : new String[] {"sr1a", "sr1b"}) {
            threads.async(k, () -> {
                Thread.sleep(SLOW_AFTER.toMillis() + 100);
                return null;
            }).get(5, TimeUnit.SECONDS);
            assertTrue(threads.isSlow(k));
        }
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> a = threads.async("sr1a", () -> {
            release.await(20, TimeUnit.SECONDS);
            return Thread.currentThread().getName();
        });
        CompletableFuture<String> b = threads.async("sr1b", () -> Thread.currentThread().getName());
        // the fast lane is free: unrelated work runs while the slow lane is held, without lending
        assertNotNull(threads.async("sr1c", () -> 1).get(5, TimeUnit.SECONDS));
        assertFalse(a.isDone());
        assertFalse(b.isDone(), "one slow thread: the second slow rollup waits its turn");
        release.countDown();
        assertTrue(a.get(5, TimeUnit.SECONDS).startsWith("pvm-slow-"));
        assertTrue(b.get(5, TimeUnit.SECONDS).startsWith("pvm-slow-"));
        assertEquals(1, threads.fastLaneSize());
    }

    @Test
    void callRunsInlineOnAPvmThread() throws Exception {
        String outer = threads.async(() -> threads.call(() -> Thread.currentThread().getName()) + "/"
                + Thread.currentThread().getName()).get(5, TimeUnit.SECONDS);
        String[] names = outer.split("/");
        assertEquals(names[0], names[1]);
    }
}
