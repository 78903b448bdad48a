package io.flotilla.actors.l1;

import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Locale;

/**
 * Connects to an L1 given by URL: an Octez node ({@link OctezRpcL1}) or a Flotilla sandbox served by
 * {@code flotilla l1-sandbox} ({@link RemoteSandboxL1}). With {@link Kind#AUTO} the endpoint is probed: an Octez
 * node answers {@code GET /chains/main/blocks/head/header} with a block header; a sandbox server does not serve that
 * path.
 */
public final class L1Endpoint {
    private L1Endpoint() {}

    /** What runs at the endpoint. */
    public enum Kind {
        AUTO, SANDBOX, OCTEZ;

        /** {@code auto}, {@code sandbox} or {@code octez}. */
        public static Kind parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown L1 kind '" + s + "' (expected auto, sandbox or octez)");
            }
        }
    }

    /**
     * A source for the L1 at {@code url} whose head could be read; an unreachable or unrecognised endpoint is an
     * {@link IllegalStateException} saying so.
     */
    public static L1Source connect(URI url, Kind kind) {
        Kind k = kind == Kind.AUTO ? (OctezRpcL1.isOctez(url) ? Kind.OCTEZ : Kind.SANDBOX) : kind;
        L1Source l1 = k == Kind.OCTEZ ? new OctezRpcL1(url) : new RemoteSandboxL1(url);
        try {
            l1.head();
            return l1;
        } catch (UncheckedIOException | IllegalArgumentException e) {
            l1.close();
            throw new IllegalStateException("the L1 at " + url + " does not answer as "
                    + (k == Kind.OCTEZ ? "an Octez node" : "a Flotilla sandbox L1") + ": " + e.getMessage(), e);
        }
    }
}
