package io.flotilla.pvm.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Tree#copyTo}: what snapshots use to copy the states of many levels that share most of their nodes. */
class CopyToTest {

    @Test
    void copiesAWholeTreeThenOnlyWhatAnotherStateAdds() {
        InMemoryNodeStore source = NodeStore.inMemory();
        Tree first = Tree.empty();
        for (int i = 0; i < 200; i++) {
            first = first.set(List.of("accounts", "a" + i), Value.of(("balance " + i).getBytes(StandardCharsets.UTF_8)));
        }
        first = first.set(List.of("big"), Value.of(new byte[20_000]));
        first.persist(source);
        Tree second = Tree.load(first.hash(), source).set(List.of("accounts", "a7"),
                Value.of("changed".getBytes(StandardCharsets.UTF_8)));
        second.persist(source);

        InMemoryNodeStore target = NodeStore.inMemory();
        int all = Tree.load(first.hash(), source).copyTo(target);
        assertEquals(all, target.size());
        assertTrue(all > 10 && all < source.size(), all + " of " + source.size());
        // the second state shares everything but the path to a7: only those nodes are copied
        int added = Tree.load(second.hash(), source).copyTo(target);
        assertTrue(added > 0 && added < 10, "copied " + added);
        assertEquals(0, Tree.load(second.hash(), source).copyTo(target));
        // the copy is complete: both states read back from the target alone
        assertEquals("changed", new String(Tree.load(second.hash(), target).value(List.of("accounts", "a7"))
                .orElseThrow().toBytes(), StandardCharsets.UTF_8));
        assertEquals("balance 7", new String(Tree.load(first.hash(), target).value(List.of("accounts", "a7"))
                .orElseThrow().toBytes(), StandardCharsets.UTF_8));
        assertEquals(20_000, Tree.load(first.hash(), target).value(List.of("big")).orElseThrow().size());
    }
}
