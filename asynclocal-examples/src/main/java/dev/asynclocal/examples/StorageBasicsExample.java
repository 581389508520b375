package dev.asynclocal.examples;

import dev.asynclocal.AsyncLocalStorage;
import java.io.FileNotFoundException;
import java.io.IOException;

/**
 * The basics of {@link AsyncLocalStorage}: constructors, {@code name()}, the default value,
 * {@code getStore()}, and both forms of {@code run}.
 */
public final class StorageBasicsExample {
    private StorageBasicsExample() {
    }

    public static void main(String[] args) {
        constructors();
        nesting();
        results();
    }

    static void constructors() {
        // snippet:start storage-constructors
        AsyncLocalStorage<String> unnamed = new AsyncLocalStorage<>();
        AsyncLocalStorage<String> tenant = new AsyncLocalStorage<>("tenant");
        AsyncLocalStorage<String> locale = new AsyncLocalStorage<>("locale", "en");

        System.out.println("[" + unnamed.name() + "] " + unnamed.getStore());   // [] null
        System.out.println("[" + tenant.name() + "] " + tenant.getStore());     // [tenant] null
        System.out.println("[" + locale.name() + "] " + locale.getStore());     // [locale] en
        // snippet:end storage-constructors
    }

    // snippet:start storage-run
    static final AsyncLocalStorage<String> LOCALE = new AsyncLocalStorage<>("locale", "en");

    static void nesting() {
        System.out.println(LOCALE.getStore());                        // en   (the default)
        LOCALE.run("fr", () -> {
            System.out.println(LOCALE.getStore());                    // fr
            LOCALE.run("de", () -> System.out.println(LOCALE.getStore()));  // de
            System.out.println(LOCALE.getStore());                    // fr   (restored)
            LOCALE.run(null, () -> System.out.println(LOCALE.getStore()));  // null (a store: no default)
        });
        System.out.println(LOCALE.getStore());                        // en
    }
    // snippet:end storage-run

    // snippet:start storage-run-result
    static String messagesFile() throws IOException {
        String locale = LOCALE.getStore();
        if (locale == null) {
            throw new FileNotFoundException("no messages for a null locale");
        }
        return "messages_" + locale + ".properties";
    }

    static void results() {
        try {
            // run passes fn's result back, and its checked exception through, unwrapped.
            String file = LOCALE.run("fr", () -> messagesFile());
            System.out.println(file);                                 // messages_fr.properties
            LOCALE.run(null, () -> messagesFile());
        } catch (IOException e) {
            // caught: no messages for a null locale
            System.out.println("caught: " + e.getMessage());
            // locale: en   (restored when fn threw, too)
            System.out.println("locale: " + LOCALE.getStore());
        }
    }
    // snippet:end storage-run-result
}
