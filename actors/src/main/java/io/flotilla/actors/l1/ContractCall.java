package io.flotilla.actors.l1;

/**
 * A Layer 1 contract call made by executing an outbox message.
 *
 * @param destination the called contract, {@code KT1...}
 * @param parameters  the parameters in Michelson text syntax
 * @param level       the L1 level of the block that executed it
 */
public record ContractCall(String destination, String entrypoint, String parameters, int level) {}
