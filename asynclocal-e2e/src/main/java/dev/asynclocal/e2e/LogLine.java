package dev.asynclocal.e2e;

/**
 * One line a service printed: {@code "<request id> <message>"}, with {@code "-"} for the id
 * outside any request, or a {@code READY} line.
 *
 * @param service the service's name: A, B, C or D, or {@code client} for the launcher's requests
 * @param text the line as printed
 */
public record LogLine(String service, String text) {
    /** The line's first word: the request id of the context that wrote it, for a log line. */
    public String id() {
        int space = text.indexOf(' ');
        return space < 0 ? text : text.substring(0, space);
    }

    /** Whether this is the service saying it is ready rather than a log line. */
    public boolean isReady() {
        return text.startsWith(Services.READY + " ");
    }

    @Override
    public String toString() {
        return service + " | " + text;
    }
}
