/** L1 sources, the L1 chain actor, the sharded Rollup entity. (Fleet issue.) */
package io.flotilla.actors;
