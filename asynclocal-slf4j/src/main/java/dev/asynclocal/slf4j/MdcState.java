package dev.asynclocal.slf4j;

import dev.asynclocal.AsyncLocalStorage;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The MDC of one context: an immutable value held by {@link #STORAGE}.
 *
 * <p>Every change builds a new state and installs it with {@code enterWith}, so a change made
 * inside {@code run}, a bound task or a {@code Snapshot.run} ends with it, and capturing the
 * MDC for an async hop is the core's one-reference frame capture: nothing is copied per hop.
 * The cost moves to the writes, which copy a map of a handful of entries.
 *
 * <p>The {@code values} map handed to backends is the state's own unmodifiable map: a log event
 * may keep it for as long as it likes, because nobody ever mutates it.
 */
final class MdcState {
    /** The one instance that holds the MDC, whichever adapter object reads or writes it. */
    static final AsyncLocalStorage<MdcState> STORAGE = new AsyncLocalStorage<>("slf4j-mdc");

    private static final Map<String, String> NO_VALUES = Collections.emptyMap();
    private static final Map<String, Node> NO_STACKS = Collections.emptyMap();

    /**
     * Unmodifiable; may hold {@code null} values, as Logback's MDC does. {@code null} when no
     * value was put since the context began or since {@code clear()}, which is what makes
     * {@code getCopyOfContextMap()} return {@code null} there, as it does with Logback.
     */
    private final Map<String, String> values;
    /** Unmodifiable; the stacks of {@code pushByKey}, never empty ones. */
    private final Map<String, Node> stacks;

    private MdcState(Map<String, String> values, Map<String, Node> stacks) {
        this.values = values;
        this.stacks = stacks;
    }

    /** The current state, {@code null} when nothing was put in this context. */
    static MdcState current() {
        return STORAGE.getStore();
    }

    static String get(String key) {
        MdcState state = STORAGE.getStore();
        return state == null || key == null || state.values == null ? null : state.values.get(key);
    }

    /** The current values as an unmodifiable map that never changes; empty when none. */
    static Map<String, String> values() {
        MdcState state = STORAGE.getStore();
        return valuesOf(state);
    }

    static void put(String key, String value) {
        if (key == null) {
            throw new IllegalArgumentException("key cannot be null");
        }
        MdcState state = STORAGE.getStore();
        Map<String, String> values = valuesOf(state);
        if (values.containsKey(key) && Objects.equals(values.get(key), value)) {
            return;
        }
        Map<String, String> copy = new HashMap<>(values);
        copy.put(key, value);
        STORAGE.enterWith(new MdcState(Collections.unmodifiableMap(copy), stacksOf(state)));
    }

    static void remove(String key) {
        MdcState state = STORAGE.getStore();
        if (state == null || key == null || !valuesOf(state).containsKey(key)) {
            return;
        }
        Map<String, String> copy = new HashMap<>(state.values);
        copy.remove(key);
        STORAGE.enterWith(new MdcState(Collections.unmodifiableMap(copy), state.stacks));
    }

    /** Removes every value; like Logback, the stacks of {@code pushByKey} stay. */
    static void clear() {
        MdcState state = STORAGE.getStore();
        if (state == null) {
            return;
        }
        STORAGE.enterWith(state.stacks.isEmpty() ? null : new MdcState(null, state.stacks));
    }

    /** A fresh, modifiable copy of the values, or {@code null} when nothing was put or after clear. */
    static Map<String, String> copyOfValues() {
        MdcState state = STORAGE.getStore();
        if (state == null || state.values == null) {
            return null;
        }
        return new HashMap<>(state.values);
    }

    static void setValues(Map<String, String> contextMap) {
        if (contextMap == null) {
            clear();
            return;
        }
        MdcState state = STORAGE.getStore();
        Map<String, String> copy = Collections.unmodifiableMap(new HashMap<>(contextMap));
        STORAGE.enterWith(new MdcState(copy, stacksOf(state)));
    }

    static void push(String key, String value) {
        if (key == null) {
            return;
        }
        Objects.requireNonNull(value, "value");
        MdcState state = STORAGE.getStore();
        Map<String, Node> stacks = new HashMap<>(stacksOf(state));
        stacks.put(key, new Node(value, stacks.get(key)));
        STORAGE.enterWith(new MdcState(state == null ? null : state.values, Collections.unmodifiableMap(stacks)));
    }

    /** Pops the top of the stack of {@code key}; {@code null} when it is empty. */
    static String pop(String key) {
        MdcState state = STORAGE.getStore();
        Node top = state == null || key == null ? null : state.stacks.get(key);
        if (top == null) {
            return null;
        }
        Map<String, Node> stacks = new HashMap<>(state.stacks);
        if (top.next == null) {
            stacks.remove(key);
        } else {
            stacks.put(key, top.next);
        }
        STORAGE.enterWith(new MdcState(state.values, Collections.unmodifiableMap(stacks)));
        return top.value;
    }

    static Deque<String> copyOfStack(String key) {
        MdcState state = STORAGE.getStore();
        Node top = state == null || key == null ? null : state.stacks.get(key);
        if (top == null) {
            return null;
        }
        Deque<String> copy = new ArrayDeque<>();
        for (Node n = top; n != null; n = n.next) {
            copy.addLast(n.value);
        }
        return copy;
    }

    static void clearStack(String key) {
        MdcState state = STORAGE.getStore();
        if (state == null || key == null || !state.stacks.containsKey(key)) {
            return;
        }
        Map<String, Node> stacks = new HashMap<>(state.stacks);
        stacks.remove(key);
        STORAGE.enterWith(new MdcState(state.values, Collections.unmodifiableMap(stacks)));
    }

    private static Map<String, String> valuesOf(MdcState state) {
        return state == null || state.values == null ? NO_VALUES : state.values;
    }

    private static Map<String, Node> stacksOf(MdcState state) {
        return state == null ? NO_STACKS : state.stacks;
    }

    @Override
    public String toString() {
        return "MDC" + valuesOf(this);
    }

    /** One cell of a persistent stack: pushing shares the rest of the stack with older states. */
    private static final class Node {
        final String value;
        final Node next;

        Node(String value, Node next) {
            this.value = value;
            this.next = next;
        }
    }
}
