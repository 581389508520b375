package dev.asynclocal.slf4j;

import java.util.Deque;
import java.util.Map;
import org.slf4j.spi.MDCAdapter;

/**
 * The MDC adapter for every backend but Logback: SLF4J's MDC calls end up here, and the values
 * live in the current asynclocal context (see {@link MdcState}).
 */
final class AsyncLocalMdcAdapter implements MDCAdapter, ContextMdc {

    @Override
    public void put(String key, String val) {
        MdcState.put(key, val);
    }

    @Override
    public String get(String key) {
        return MdcState.get(key);
    }

    @Override
    public void remove(String key) {
        MdcState.remove(key);
    }

    @Override
    public void clear() {
        MdcState.clear();
    }

    @Override
    public Map<String, String> getCopyOfContextMap() {
        return MdcState.copyOfValues();
    }

    @Override
    public void setContextMap(Map<String, String> contextMap) {
        MdcState.setValues(contextMap);
    }

    @Override
    public void pushByKey(String key, String value) {
        MdcState.push(key, value);
    }

    @Override
    public String popByKey(String key) {
        return MdcState.pop(key);
    }

    @Override
    public Deque<String> getCopyOfDequeByKey(String key) {
        return MdcState.copyOfStack(key);
    }

    @Override
    public void clearDequeByKey(String key) {
        MdcState.clearStack(key);
    }

    @Override
    public String toString() {
        return "AsyncLocalMdcAdapter";
    }
}
