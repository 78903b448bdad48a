package io.flotilla.actors.l1;

import io.flotilla.pvm.crypto.Blake2b;
import io.flotilla.pvm.encoding.Base58Check;
import io.flotilla.pvm.encoding.PublicKeyHash;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The implicit accounts of the sandbox, {@code bootstrap1} .. {@code bootstrap5}: tz1 hashes derived
 * deterministically (Blake2b-160 of {@code "flotilla-sandbox/bootstrapN"}). Only they can sign operations
 * on a sandbox L1; use one per purpose as operator keys. (The sandbox checks no signatures.)
 */
public final class SandboxAccounts {

    /** An account: its alias and {@code tz1} address. */
    public record Account(String alias, String address) {
        public PublicKeyHash publicKeyHash() {
            return PublicKeyHash.fromBase58(address);
        }
    }

    public static final int COUNT = 5;

    private static final List<Account> ALL;

    static {
        List<Account> l = new ArrayList<>();
        for (int i = 1; i <= COUNT; i++) {
            byte[] h = Blake2b.hash(("flotilla-sandbox/bootstrap" + i).getBytes(StandardCharsets.US_ASCII), 20);
            l.add(new Account("bootstrap" + i, Base58Check.encode(Base58Check.Prefix.ED25519_PUBLIC_KEY_HASH, h)));
        }
        ALL = List.copyOf(l);
    }

    private SandboxAccounts() {}

    public static List<Account> all() {
        return ALL;
    }

    /** {@code bootstrap(1)} is {@code bootstrap1}. */
    public static Account bootstrap(int n) {
        if (n < 1 || n > COUNT) {
            throw new IllegalArgumentException("sandbox accounts are bootstrap1 .. bootstrap" + COUNT + ", not " + n);
        }
        return ALL.get(n - 1);
    }

    /** An account by alias ({@code bootstrap3}) or by address. */
    public static Optional<Account> find(String aliasOrAddress) {
        for (Account a : ALL) {
            if (a.alias().equals(aliasOrAddress) || a.address().equals(aliasOrAddress)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    public static boolean isAccount(String address) {
        return ALL.stream().anyMatch(a -> a.address().equals(address));
    }
}
