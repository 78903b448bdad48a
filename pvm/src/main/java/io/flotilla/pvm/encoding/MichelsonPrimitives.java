package io.flotilla.pvm.encoding;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Michelson primitive names and their one-byte codes in the binary Micheline encoding. The code of a
 * primitive is its position in the {@code string_enum} of Octez's {@code michelson_v1_primitives.ml}
 * (protocol alpha); new primitives are only ever appended, so older protocols use a prefix of this table.
 */
public final class MichelsonPrimitives {
    private static final String[] NAMES = {
        "parameter", "storage", "code", "False", "Elt", "Left", "None", "Pair", "Right", "Some", "True",
        "Unit", "PACK", "UNPACK", "BLAKE2B", "SHA256", "SHA512", "ABS", "ADD", "AMOUNT", "AND", "BALANCE",
        "CAR", "CDR", "CHECK_SIGNATURE", "COMPARE", "CONCAT", "CONS", "CREATE_ACCOUNT", "CREATE_CONTRACT",
        "IMPLICIT_ACCOUNT", "DIP", "DROP", "DUP", "EDIV", "EMPTY_MAP", "EMPTY_SET", "EQ", "EXEC", "FAILWITH",
        "GE", "GET", "GT", "HASH_KEY", "IF", "IF_CONS", "IF_LEFT", "IF_NONE", "INT", "LAMBDA", "LE", "LEFT",
        "LOOP", "LSL", "LSR", "LT", "MAP", "MEM", "MUL", "NEG", "NEQ", "NIL", "NONE", "NOT", "NOW", "OR",
        "PAIR", "PUSH", "RIGHT", "SIZE", "SOME", "SOURCE", "SENDER", "SELF", "STEPS_TO_QUOTA", "SUB", "SWAP",
        "TRANSFER_TOKENS", "SET_DELEGATE", "UNIT", "UPDATE", "XOR", "ITER", "LOOP_LEFT", "ADDRESS",
        "CONTRACT", "ISNAT", "CAST", "RENAME", "bool", "contract", "int", "key", "key_hash", "lambda", "list",
        "map", "big_map", "nat", "option", "or", "pair", "set", "signature", "string", "bytes", "mutez",
        "timestamp", "unit", "operation", "address", "SLICE", "DIG", "DUG", "EMPTY_BIG_MAP", "APPLY",
        "chain_id", "CHAIN_ID", "LEVEL", "SELF_ADDRESS", "never", "NEVER", "UNPAIR", "VOTING_POWER",
        "TOTAL_VOTING_POWER", "KECCAK", "SHA3", "PAIRING_CHECK", "bls12_381_g1", "bls12_381_g2",
        "bls12_381_fr", "sapling_state", "sapling_transaction_deprecated", "SAPLING_EMPTY_STATE",
        "SAPLING_VERIFY_UPDATE", "ticket", "TICKET_DEPRECATED", "READ_TICKET", "SPLIT_TICKET", "JOIN_TICKETS",
        "GET_AND_UPDATE", "chest", "chest_key", "OPEN_CHEST", "VIEW", "view", "constant", "SUB_MUTEZ",
        "tx_rollup_l2_address", "MIN_BLOCK_TIME", "sapling_transaction", "EMIT", "Lambda_rec", "LAMBDA_REC",
        "TICKET", "BYTES", "NAT", "Ticket", "IS_IMPLICIT_ACCOUNT", "INDEX_ADDRESS", "GET_ADDRESS_INDEX",
    };

    private static final Map<String, Integer> CODES = new HashMap<>();

    static {
        for (int i = 0; i < NAMES.length; i++) {
            CODES.put(NAMES[i], i);
        }
    }

    private MichelsonPrimitives() {}

    /** The code of a primitive, or -1 if the name is unknown. */
    public static int code(String name) {
        Integer c = CODES.get(name);
        return c == null ? -1 : c;
    }

    public static boolean isKnown(String name) {
        return CODES.containsKey(name);
    }

    /** The primitive with this code; IllegalArgumentException if there is none. */
    public static String name(int code) {
        if (code < 0 || code >= NAMES.length) {
            throw new IllegalArgumentException("unknown Michelson primitive code " + code + " (0x"
                    + Integer.toHexString(code) + "), known codes are 0.." + (NAMES.length - 1));
        }
        return NAMES[code];
    }

    public static int count() {
        return NAMES.length;
    }

    /** All names in code order. */
    public static List<String> names() {
        return Collections.unmodifiableList(List.of(NAMES));
    }
}
