package io.flotilla.actors.l1;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * What a head follower delivers when a new head arrives: the blocks it missed since the last delivered head (a
 * poll or a stream can jump several levels), so that subscribers never skip a level.
 */
final class HeadCatchUp {

    /** At most this many blocks are walked back; a longer gap delivers the new head alone. */
    static final int MAX_CATCH_UP = 1000;

    private HeadCatchUp() {}

    /**
     * The blocks after {@code last} up to {@code head}, oldest first; just {@code head} when nothing was delivered
     * yet, when {@code head} is not higher, when a predecessor cannot be read, or on a reorganisation (the chain
     * actor walks back to the common ancestor itself).
     */
    static List<L1Block> since(L1Block last, L1Block head, Function<byte[], Optional<L1Block>> blockByHash) {
        List<L1Block> chain = new ArrayList<>();
        chain.add(head);
        if (last == null || head.level() <= last.level()) {
            return chain;
        }
        L1Block cur = head;
        while (cur.level() > last.level() + 1 && chain.size() < MAX_CATCH_UP) {
            Optional<L1Block> pred = blockByHash.apply(cur.predecessor());
            if (pred.isEmpty()) {
                return List.of(head);
            }
            cur = pred.get();
            chain.add(cur);
        }
        if (!Arrays.equals(cur.predecessor(), last.hash())) {
            return List.of(head); // a reorganisation: the new head only
        }
        Collections.reverse(chain);
        return chain;
    }
}
