package io.flotilla.pvm.durable;

import io.flotilla.pvm.tree.Hash;
import io.flotilla.pvm.tree.Tree;
import io.flotilla.pvm.tree.Value;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The kernel's view of durable storage, over an immutable Merkle {@link Tree}. As in Octez, the
 * value of key {@code /a/b} lives at tree path {@code a/b/@}, so a key can hold a value and
 * subkeys at once. Every update returns a new {@code Durable}; the old one is unchanged.
 */
public final class Durable {

    /** The step under which a key's value is stored. Kernel steps cannot contain '@'. */
    public static final String VALUE_STEP = "@";

    /** Largest value a key can hold. */
    public static final long MAX_VALUE_SIZE = Integer.MAX_VALUE;

    private final Tree tree;

    public Durable(Tree tree) {
        this.tree = tree;
    }

    public static Durable empty() {
        return new Durable(Tree.empty());
    }

    public Tree tree() {
        return tree;
    }

    public Hash hash() {
        return tree.hash();
    }

    static List<String> valuePath(DurableKey key) {
        List<String> p = new ArrayList<>(key.steps().size() + 1);
        p.addAll(key.steps());
        p.add(VALUE_STEP);
        return p;
    }

    public Optional<Value> value(DurableKey key) {
        return tree.value(valuePath(key));
    }

    public Optional<byte[]> bytes(DurableKey key) {
        return value(key).map(Value::toBytes);
    }

    public Optional<String> string(DurableKey key) {
        return bytes(key).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    public boolean hasValue(DurableKey key) {
        return tree.exists(valuePath(key));
    }

    /** Whether the key has subkeys (children other than its own value). */
    public boolean hasSubtrees(DurableKey key) {
        long n = tree.childCount(key.steps());
        return n > (hasValue(key) ? 1 : 0);
    }

    /** Whether anything (value or subkeys) is stored at or under the key. */
    public boolean exists(DurableKey key) {
        return tree.exists(key.steps());
    }

    public Durable set(DurableKey key, Value value) {
        return new Durable(tree.set(valuePath(key), value));
    }

    public Durable set(DurableKey key, byte[] value) {
        return set(key, Value.of(value));
    }

    public Durable set(DurableKey key, String value) {
        return set(key, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Removes the key's value and all its subkeys. */
    public Durable delete(DurableKey key) {
        return new Durable(tree.remove(key.steps()));
    }

    /** Removes only the key's value. */
    public Durable deleteValue(DurableKey key) {
        return new Durable(tree.remove(valuePath(key)));
    }

    /** The whole subtree at {@code from} (value and subkeys) placed at {@code to}, replacing what was there. */
    public Optional<Durable> copy(DurableKey from, DurableKey to) {
        return tree.subtree(from.steps()).map(sub -> new Durable(tree.set(to.steps(), sub)));
    }

    /** Number of children at the key, counting its value as one child named "@" (as Octez does). */
    public long childCount(DurableKey key) {
        return tree.childCount(key.steps());
    }

    /** The index-th child step in order; the value appears as "@". */
    public Optional<String> childName(DurableKey key, long index) {
        return tree.childName(key.steps(), index);
    }

    public List<String> children(DurableKey key) {
        return tree.children(key.steps());
    }

    /** Hash of the subtree at the key, if any. */
    public Optional<Hash> subtreeHash(DurableKey key) {
        return tree.subtree(key.steps()).map(Tree::hash);
    }
}
