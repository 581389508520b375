package dev.asynclocal.slf4j;

import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.util.Deque;
import java.util.Map;
import java.util.Set;

/**
 * The MDC adapter installed in front of Logback. It extends Logback's own adapter for one reason:
 * a Logback event asks its {@code LoggerContext}'s adapter for the MDC and, when that adapter is
 * a {@link LogbackMDCAdapter}, takes {@link #getPropertyMap()} as it is instead of copying the
 * map. Our map is immutable, so handing it over is safe and costs nothing. None of the inherited
 * thread-local state is used.
 */
final class LogbackMdcAdapter extends LogbackMDCAdapter implements ContextMdc {

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
    public Map<String, String> getPropertyMap() {
        return MdcState.values();
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Map getCopyOfContextMap() {
        return MdcState.copyOfValues();
    }

    @Override
    public Set<String> getKeys() {
        Map<String, String> values = MdcState.values();
        return values.isEmpty() ? null : values.keySet();
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public void setContextMap(Map contextMap) {
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
        return "AsyncLocalMdcAdapter[logback]";
    }
}
