package io.flotilla.node;

import io.flotilla.actors.rollup.RollupMode;
import java.util.List;

/**
 * Octez' positional forms: {@code run <mode> for <sr1> with operators <key>...} and
 * {@code init <mode> config for <sr1> with operators <key>...} (the operators may be left out in observer mode).
 */
record OctezForm(RollupMode mode, String rollup, List<String> operators) {

    static OctezForm parse(List<String> words, boolean init) {
        String usage = init ? "init <mode> config for <sr1> with operators <key>..."
                : "run <mode> for <sr1> with operators <key>...";
        int i = 0;
        if (words.size() < (init ? 4 : 3)) {
            throw new IllegalArgumentException("expected: " + usage);
        }
        RollupMode mode = RollupMode.parse(words.get(i++));
        if (init && !words.get(i++).equals("config")) {
            throw new IllegalArgumentException("expected 'config' after the mode: " + usage);
        }
        if (!words.get(i++).equals("for")) {
            throw new IllegalArgumentException("expected 'for <sr1>': " + usage);
        }
        String rollup = words.get(i++);
        List<String> ops = List.of();
        if (i < words.size()) {
            if (words.size() < i + 3 || !words.get(i).equals("with") || !words.get(i + 1).equals("operators")) {
                throw new IllegalArgumentException("expected 'with operators <key>...': " + usage);
            }
            ops = List.copyOf(words.subList(i + 2, words.size()));
        }
        return new OctezForm(mode, rollup, ops);
    }

    NodeConfig toConfig() {
        return NodeConfig.defaults(rollup, mode, NodeConfig.operators(mode, operators));
    }
}
