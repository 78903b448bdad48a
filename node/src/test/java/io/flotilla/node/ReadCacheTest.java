package io.flotilla.node;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The HTTP reads' cache: bounded, least recently used out, and absent values are not remembered. */
class ReadCacheTest {

    @Test
    void keepsTheMostRecentlyUsedWithinItsCapacity() {
        ReadCache<String, String> c = new ReadCache<>(2);
        AtomicInteger loads = new AtomicInteger();
        java.util.function.Function<String, Optional<String>> load = k -> {
            loads.incrementAndGet();
            return Optional.of("state " + k);
        };
        assertEquals("state a", c.get("a", load).orElseThrow());
        assertEquals("state b", c.get("b", load).orElseThrow());
        assertEquals("state a", c.get("a", load).orElseThrow()); // a hit, and a is now the most recent
        assertEquals(2, loads.get());
        c.get("c", load); // evicts b, the least recently used
        assertEquals(2, c.size());
        c.get("a", load);
        assertEquals(3, loads.get(), "a stayed");
        c.get("b", load);
        assertEquals(4, loads.get(), "b was evicted and loaded again");
        assertEquals(2, c.hits());
        assertEquals(4, c.misses());
    }

    @Test
    void anAbsentValueIsLoadedAgainNextTime() {
        ReadCache<String, String> c = new ReadCache<>(4);
        assertTrue(c.get("x", k -> Optional.empty()).isEmpty());
        assertEquals("now there", c.get("x", k -> Optional.of("now there")).orElseThrow());
        assertEquals("now there", c.get("x", k -> Optional.of("other")).orElseThrow());
    }

    @Test
    void refusesANonPositiveCapacity() {
        assertThrows(IllegalArgumentException.class, () -> new ReadCache<String, String>(0));
    }
}
