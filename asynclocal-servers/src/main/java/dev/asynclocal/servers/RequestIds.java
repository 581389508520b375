package dev.asynclocal.servers;

import dev.asynclocal.AsyncLocalStorage;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The request id that the filters of this package give every request: where it lives, what a
 * valid one looks like, and how a new one is made.
 * <pre>{@code
 * server.createContext("/", handler).getFilters().add(HttpServerRequestIdFilter.create());
 * // anywhere in the handler, and in every task it hands off with its context:
 * log("handling " + RequestIds.current());
 * }</pre>
 */
public final class RequestIds {
    /** The header read and written by default. */
    public static final String DEFAULT_HEADER = "X-Request-Id";
    /** The MDC key set by default when SLF4J is present. */
    public static final String DEFAULT_MDC_KEY = "requestId";
    /** The longest id accepted from a client. */
    public static final int MAX_LENGTH = 128;

    private static final AsyncLocalStorage<String> STORAGE = new AsyncLocalStorage<>("requestId");
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {
    }

    /**
     * The instance that holds the request id unless a filter is configured with another one.
     *
     * @return the default request-id storage
     */
    public static AsyncLocalStorage<String> storage() {
        return STORAGE;
    }

    /**
     * The id of the request the current code works for, as set by a filter using the default
     * storage; {@code null} outside any request.
     *
     * @return the current request id, or {@code null}
     */
    public static String current() {
        return STORAGE.getStore();
    }

    /**
     * Whether {@code id} may be taken from a client as it is: 1 to {@value #MAX_LENGTH}
     * characters, each visible ASCII ({@code '!'} to {@code '~'}, so no spaces, no control
     * characters). Anything else could break log lines or headers it is copied into.
     *
     * @param id a candidate id, possibly {@code null}
     * @return {@code true} if the id is acceptable
     */
    public static boolean isValid(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < '!' || c > '~') {
                return false;
            }
        }
        return true;
    }

    /**
     * A new random id: 32 lowercase hexadecimal digits (128 bits). Unique enough to correlate
     * log lines; not a secret.
     *
     * @return a new id
     */
    public static String generate() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] out = new char[32];
        long high = random.nextLong();
        long low = random.nextLong();
        for (int i = 0; i < 16; i++) {
            out[i] = HEX[(int) (high >>> (60 - 4 * i)) & 0xf];
            out[16 + i] = HEX[(int) (low >>> (60 - 4 * i)) & 0xf];
        }
        return new String(out);
    }
}
