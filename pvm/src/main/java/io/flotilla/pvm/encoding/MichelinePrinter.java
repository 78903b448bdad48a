package io.flotilla.pvm.encoding;

import io.flotilla.pvm.util.Hex;
import java.util.ArrayDeque;
import java.util.List;

/**
 * One-line text form in the style of Octez's {@code Micheline_printer}: the root application is not wrapped,
 * arguments that are applications (or carry annotations) are wrapped in parentheses, sequence items are
 * separated by {@code " ; "} inside {@code "{ ... }"}, the empty sequence is {@code {}}.
 */
final class MichelinePrinter {
    private MichelinePrinter() {}

    private record Node(Micheline m, boolean wrapped) {}

    /** Appends the text of {@code root}; iterative, so deep values cannot exhaust the thread stack. */
    static void printUnwrapped(Micheline root, StringBuilder sb, int unused) {
        ArrayDeque<Object> todo = new ArrayDeque<>();
        todo.push(new Node(root, false));
        while (!todo.isEmpty()) {
            Object task = todo.pop();
            if (task instanceof String text) {
                sb.append(text);
                continue;
            }
            Node n = (Node) task;
            Micheline m = n.m();
            if (m instanceof Micheline.Int i) {
                sb.append(i.value());
            } else if (m instanceof Micheline.Str s) {
                printString(s.value(), sb);
            } else if (m instanceof Micheline.Bytes b) {
                sb.append("0x").append(Hex.encode(b.value()));
            } else if (m instanceof Micheline.Seq s) {
                List<Micheline> items = s.items();
                if (items.isEmpty()) {
                    sb.append("{}");
                    continue;
                }
                sb.append("{ ");
                todo.push(" }");
                for (int k = items.size() - 1; k >= 0; k--) {
                    todo.push(new Node(items.get(k), false));
                    if (k > 0) {
                        todo.push(" ; ");
                    }
                }
            } else if (m instanceof Micheline.Prim p) {
                boolean parens = n.wrapped() && (!p.args().isEmpty() || !p.annots().isEmpty());
                if (parens) {
                    sb.append('(');
                    todo.push(")");
                }
                sb.append(p.name());
                for (String a : p.annots()) {
                    sb.append(' ').append(a);
                }
                List<Micheline> args = p.args();
                for (int k = args.size() - 1; k >= 0; k--) {
                    todo.push(new Node(args.get(k), true));
                    todo.push(" ");
                }
            }
        }
    }

    static void printString(String s, StringBuilder sb) {
        sb.append('"');
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\b': sb.append("\\b"); break;
                case '\t': sb.append("\\t"); break;
                case '\\': sb.append("\\\\"); break;
                default: sb.append(c);
            }
        }
        sb.append('"');
    }
}
