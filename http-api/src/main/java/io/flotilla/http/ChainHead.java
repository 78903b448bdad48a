package io.flotilla.http;

/**
 * Where a rollup's L2 chain ends, as its stores have it: the level of the last L2 block and the rollup's origination
 * level (for {@code finalized}). Read without asking the rollup's entity, which may be busy evaluating a level.
 *
 * @param level the level of the last L2 block (always above {@code originationLevel})
 * @param originationLevel the L1 level the rollup was originated at
 */
public record ChainHead(int level, int originationLevel) {
    public ChainHead {
        if (level <= originationLevel) {
            throw new IllegalArgumentException("an L2 block at " + level + " is not after the origination level "
                    + originationLevel);
        }
    }
}
