package dev.asynclocal.spring.boot;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import org.springframework.http.HttpHeaders;

/**
 * Removes a header from Spring's {@code HttpHeaders} on Spring Framework 6.2 and 7 alike: the
 * method is {@code remove(String)} in 7 and the {@code Map}'s {@code remove(Object)} in 6.2, two
 * different methods to the JVM, so code compiled against one fails on the other with
 * {@code NoSuchMethodError}. The starter is built against 7 and also runs under Boot 3.5.
 */
final class SpringHeaders {
    private static final MethodHandle REMOVE = findRemove();

    private SpringHeaders() {
    }

    private static MethodHandle findRemove() {
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        try {
            return lookup.findVirtual(HttpHeaders.class, "remove", MethodType.methodType(List.class, String.class));
        } catch (NoSuchMethodException | IllegalAccessException spring7Absent) {
            try {
                return lookup.findVirtual(HttpHeaders.class, "remove", MethodType.methodType(List.class, Object.class))
                        .asType(MethodType.methodType(List.class, HttpHeaders.class, String.class));
            } catch (NoSuchMethodException | IllegalAccessException e) {
                throw new IllegalStateException("HttpHeaders has no remove method this starter knows", e);
            }
        }
    }

    @SuppressWarnings("rawtypes") // invokeExact needs the handle's exact return type
    static void remove(HttpHeaders headers, String name) {
        try {
            List ignored = (List) REMOVE.invokeExact(headers, name);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
