package io.flotilla.pvm.encoding;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Parser for the Michelson text syntax, following the lexical rules of Octez's {@code Micheline_parser}:
 * <ul>
 *   <li>integers {@code 0}, {@code -42}, {@code 007}; byte strings {@code 0xdeadbeef}; strings with the
 *       escapes {@code \" \\ \n \t \r \b};
 *   <li>identifiers {@code [A-Za-z_][A-Za-z0-9_]*}, which must be Michelson primitives;
 *   <li>annotations starting with one of {@code @ : $ & % ! ?} followed by {@code [A-Za-z0-9_.%@]*}, at most
 *       255 characters, written right after the primitive name;
 *   <li>comments {@code # ...} to end of line and nestable {@code /* ... *}{@code /}.
 * </ul>
 * Applications take their arguments up to the end of the enclosing parentheses, sequence item or input; an
 * argument that is itself an application or carries annotations must be parenthesised. Sequence items are
 * separated by {@code ;}. Unlike Octez, tabs and carriage returns count as white space and an annotated
 * application at the top level need not be parenthesised; no macro expansion is done (data has no macros).
 */
final class MichelineParser {
    static final int MAX_ANNOT_LENGTH = 255;
    /** Nesting limit of the (recursive) parser, well within a default 1 MiB thread stack. */
    static final int MAX_DEPTH = 1000;

    private enum Kind {
        INT("integer"), STRING("string"), BYTES("bytes"), IDENT("identifier"), ANNOT("annotation"),
        LPAREN("'('"), RPAREN("')'"), LBRACE("'{'"), RBRACE("'}'"), SEMI("';'"), EOF("end of input");

        final String description;

        Kind(String description) {
            this.description = description;
        }
    }

    private record Token(Kind kind, String text, Object value, int offset, int line, int column) {
        String describe() {
            switch (kind) {
                case EOF: case LPAREN: case RPAREN: case LBRACE: case RBRACE: case SEMI:
                    return kind.description;
                default:
                    return kind.description + " '" + abbreviate(text) + "'";
            }
        }

        String where() {
            return "at line " + line + ", column " + column;
        }
    }

    private final String src;
    private final List<Token> tokens = new ArrayList<>();
    private int next;

    MichelineParser(String src) {
        if (src == null) {
            throw new IllegalArgumentException("no Michelson expression (null)");
        }
        this.src = src;
        new Lexer().run();
    }

    // ---------------------------------------------------------------- parser

    Micheline parseExpression() {
        Token t = peek();
        Micheline result;
        switch (t.kind) {
            case EOF:
                throw new IllegalArgumentException("empty Michelson expression");
            case IDENT:
                result = application(take(), 0, true, Kind.EOF);
                break;
            case LPAREN:
                result = wrapped(0);
                break;
            case LBRACE:
                result = sequence(0);
                break;
            case INT: case STRING: case BYTES:
                result = literal(take());
                break;
            default:
                throw unexpected(t, "at the start of the expression");
        }
        Token end = peek();
        if (end.kind != Kind.EOF) {
            throw unexpected(end, "after the complete expression");
        }
        return result;
    }

    private Micheline application(Token head, int depth, boolean annotsAllowed, Kind terminator) {
        checkDepth(head, depth);
        String name = primitive(head);
        List<String> annots = new ArrayList<>();
        if (annotsAllowed) {
            while (peek().kind == Kind.ANNOT) {
                annots.add(take().text);
            }
        }
        List<Micheline> args = new ArrayList<>();
        while (true) {
            Token t = peek();
            switch (t.kind) {
                case INT: case STRING: case BYTES:
                    args.add(literal(take()));
                    break;
                case IDENT: {
                    Token id = take();
                    if (peek().kind == Kind.ANNOT) {
                        throw unexpected(peek(), "after argument " + id.text
                                + " (an annotated argument must be written in parentheses, e.g. (" + id.text + " "
                                + peek().text + "))");
                    }
                    args.add(new Micheline.Prim(primitive(id), List.of(), List.of()));
                    break;
                }
                case LPAREN:
                    args.add(wrapped(depth + 1));
                    break;
                case LBRACE:
                    args.add(sequence(depth + 1));
                    break;
                case ANNOT:
                    throw unexpected(t, "(annotations must follow the primitive name directly)");
                default:
                    if (t.kind == terminator
                            || (terminator == Kind.SEMI && t.kind == Kind.RBRACE)) {
                        return new Micheline.Prim(name, args, annots);
                    }
                    throw unexpected(t, "in the arguments of " + name);
            }
        }
    }

    private Micheline wrapped(int depth) {
        Token open = take(); // '('
        Token head = peek();
        if (head.kind != Kind.IDENT) {
            throw unexpected(head, "after '(' (only a primitive application can be parenthesised)");
        }
        take();
        Micheline m = application(head, depth, true, Kind.RPAREN);
        Token close = take();
        if (close.kind != Kind.RPAREN) {
            throw new IllegalArgumentException("unclosed '(' opened " + open.where());
        }
        return m;
    }

    private Micheline sequence(int depth) {
        Token open = take(); // '{'
        checkDepth(open, depth);
        List<Micheline> items = new ArrayList<>();
        boolean needSeparator = false;
        Token lastSemi = null;
        while (true) {
            Token t = peek();
            switch (t.kind) {
                case RBRACE:
                    take();
                    return new Micheline.Seq(items);
                case EOF:
                    throw new IllegalArgumentException("unclosed '{' opened " + open.where());
                case SEMI:
                    if (lastSemi != null && !needSeparator) {
                        throw unexpected(t, "(extra semicolon)");
                    }
                    lastSemi = take();
                    needSeparator = false;
                    continue;
                default:
                    break;
            }
            if (needSeparator) {
                throw unexpected(t, "(sequence items must be separated by ';')");
            }
            switch (t.kind) {
                case INT: case STRING: case BYTES:
                    items.add(literal(take()));
                    break;
                case IDENT:
                    items.add(application(take(), depth + 1, true, Kind.SEMI));
                    break;
                case LBRACE:
                    items.add(sequence(depth + 1));
                    break;
                default:
                    throw unexpected(t, "in a sequence");
            }
            needSeparator = true;
            lastSemi = null;
        }
    }

    private Micheline literal(Token t) {
        switch (t.kind) {
            case INT:
                return new Micheline.Int((BigInteger) t.value);
            case STRING:
                return new Micheline.Str((String) t.value);
            case BYTES:
                return new Micheline.Bytes((byte[]) t.value);
            default:
                throw new IllegalStateException();
        }
    }

    private String primitive(Token t) {
        if (!MichelsonPrimitives.isKnown(t.text)) {
            throw new IllegalArgumentException("unknown primitive '" + t.text + "' " + t.where());
        }
        return t.text;
    }

    private void checkDepth(Token t, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("expression nested deeper than " + MAX_DEPTH + " levels "
                    + t.where());
        }
    }

    private Token peek() {
        return tokens.get(next);
    }

    private Token take() {
        Token t = tokens.get(next);
        if (t.kind != Kind.EOF) {
            next++;
        }
        return t;
    }

    private IllegalArgumentException unexpected(Token t, String context) {
        return new IllegalArgumentException("unexpected " + t.describe() + " " + t.where() + " " + context);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    // ---------------------------------------------------------------- annotations

    static boolean isAnnotStart(char c) {
        return c == '@' || c == ':' || c == '$' || c == '&' || c == '%' || c == '!' || c == '?';
    }

    static boolean isAnnotChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'
                || c == '%' || c == '@';
    }

    /** Octez's {@code check_annot}: the string lexes as exactly one annotation of at most 255 characters. */
    static boolean isWellFormedAnnotation(String s) {
        if (s == null || s.isEmpty() || s.length() > MAX_ANNOT_LENGTH || !isAnnotStart(s.charAt(0))) {
            return false;
        }
        for (int k = 1; k < s.length(); k++) {
            if (!isAnnotChar(s.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- lexer

    private final class Lexer {
        private int pos;
        private int line = 1;
        private int lineStart;

        private IllegalArgumentException error(String message, int at) {
            return new IllegalArgumentException(message + " at line " + lineOf(at) + ", column " + columnOf(at));
        }

        private int lineOf(int at) {
            int l = 1;
            for (int k = 0; k < at && k < src.length(); k++) {
                if (src.charAt(k) == '\n') {
                    l++;
                }
            }
            return l;
        }

        private int columnOf(int at) {
            int start = src.lastIndexOf('\n', at - 1) + 1;
            return src.codePointCount(start, Math.min(at, src.length())) + 1;
        }

        private void add(Kind kind, int start, Object value) {
            tokens.add(new Token(kind, src.substring(start, pos), value, start, line,
                    src.codePointCount(lineStart, start) + 1));
        }

        void run() {
            while (true) {
                if (pos >= src.length()) {
                    tokens.add(new Token(Kind.EOF, "", null, pos, line, src.codePointCount(lineStart, pos) + 1));
                    return;
                }
                char c = src.charAt(pos);
                int start = pos;
                if (c == '\n') {
                    pos++;
                    line++;
                    lineStart = pos;
                } else if (c == ' ' || c == '\t' || c == '\r') {
                    pos++;
                } else if (c == ';') {
                    pos++;
                    add(Kind.SEMI, start, null);
                } else if (c == '(') {
                    pos++;
                    add(Kind.LPAREN, start, null);
                } else if (c == ')') {
                    pos++;
                    add(Kind.RPAREN, start, null);
                } else if (c == '{') {
                    pos++;
                    add(Kind.LBRACE, start, null);
                } else if (c == '}') {
                    pos++;
                    add(Kind.RBRACE, start, null);
                } else if (c == '"') {
                    string();
                } else if (c == '#') {
                    while (pos < src.length() && src.charAt(pos) != '\n') {
                        pos++;
                    }
                } else if (c == '/') {
                    if (pos + 1 < src.length() && src.charAt(pos + 1) == '*') {
                        comment();
                    } else {
                        throw error("unexpected character '/'", pos);
                    }
                } else if (c == '-' || (c >= '0' && c <= '9')) {
                    number();
                } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
                    pos++;
                    while (pos < src.length() && isIdentChar(src.charAt(pos))) {
                        pos++;
                    }
                    add(Kind.IDENT, start, null);
                } else if (isAnnotStart(c)) {
                    pos++;
                    while (pos < src.length() && isAnnotChar(src.charAt(pos))) {
                        pos++;
                    }
                    if (pos - start > MAX_ANNOT_LENGTH) {
                        throw error("annotation longer than " + MAX_ANNOT_LENGTH + " characters", start);
                    }
                    add(Kind.ANNOT, start, null);
                } else {
                    int cp = src.codePointAt(pos);
                    throw error("unexpected character '" + new String(Character.toChars(cp)) + "'", pos);
                }
            }
        }

        private boolean isIdentChar(char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        }

        private void number() {
            int start = pos;
            if (src.charAt(pos) == '-') {
                pos++;
                if (pos >= src.length() || src.charAt(pos) < '0' || src.charAt(pos) > '9') {
                    throw error("unterminated integer: '-' must be followed by digits", start);
                }
            }
            if (src.charAt(pos) == '0' && pos + 1 < src.length() && src.charAt(pos + 1) == 'x') {
                pos += 2;
                int digitsStart = pos;
                while (pos < src.length() && Character.digit(src.charAt(pos), 16) >= 0 && src.charAt(pos) < 128) {
                    pos++;
                }
                if (pos < src.length() && isIdentChar(src.charAt(pos))) {
                    throw error("missing separator after bytes literal", pos);
                }
                String hex = src.substring(digitsStart, pos);
                if (start != digitsStart - 2) {
                    throw error("invalid bytes literal '" + src.substring(start, pos) + "' (bytes cannot be negative)",
                            start);
                }
                if (hex.length() % 2 != 0) {
                    throw error("invalid bytes literal '" + src.substring(start, pos) + "' (odd number of hex digits)",
                            start);
                }
                add(Kind.BYTES, start, io.flotilla.pvm.util.Hex.decode(hex));
                return;
            }
            while (pos < src.length() && src.charAt(pos) >= '0' && src.charAt(pos) <= '9') {
                pos++;
            }
            if (pos < src.length() && isIdentChar(src.charAt(pos))) {
                throw error("missing separator after number", pos);
            }
            add(Kind.INT, start, new BigInteger(src.substring(start, pos)));
        }

        private void string() {
            int start = pos;
            pos++;
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= src.length()) {
                    throw error("unterminated string", start);
                }
                char c = src.charAt(pos);
                if (c == '"') {
                    pos++;
                    add(Kind.STRING, start, sb.toString());
                    return;
                }
                if (c == '\n' || c == '\r') {
                    throw error("unterminated string (line break inside a string; write \\n)", start);
                }
                if (c == '\\') {
                    if (pos + 1 >= src.length()) {
                        throw error("unterminated string", start);
                    }
                    char e = src.charAt(pos + 1);
                    switch (e) {
                        case '"': sb.append('"'); break;
                        case 'n': sb.append('\n'); break;
                        case 't': sb.append('\t'); break;
                        case 'r': sb.append('\r'); break;
                        case 'b': sb.append('\b'); break;
                        case '\\': sb.append('\\'); break;
                        default:
                            throw error("undefined escape sequence '\\" + e + "'", pos);
                    }
                    pos += 2;
                    continue;
                }
                sb.append(c);
                pos++;
            }
        }

        private void comment() {
            int start = pos;
            int level = 0;
            pos += 2;
            while (true) {
                if (pos >= src.length()) {
                    throw error("unterminated comment", start);
                }
                char c = src.charAt(pos);
                if (c == '\n') {
                    pos++;
                    line++;
                    lineStart = pos;
                } else if (c == '*' && pos + 1 < src.length() && src.charAt(pos + 1) == '/') {
                    pos += 2;
                    if (level == 0) {
                        return;
                    }
                    level--;
                } else if (c == '/' && pos + 1 < src.length() && src.charAt(pos + 1) == '*') {
                    pos += 2;
                    level++;
                } else {
                    pos++;
                }
            }
        }
    }
}
