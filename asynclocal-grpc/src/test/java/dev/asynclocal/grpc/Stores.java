package dev.asynclocal.grpc;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.opentelemetry.BaggagePropagation;
import dev.asynclocal.opentelemetry.PropagatedStorage;
import java.util.regex.Pattern;

/**
 * The stores of the tests. Client and server have instances of their own, declared under the same
 * baggage keys, so a value the server sees can only have come through the metadata; and each side
 * has one store it never sends, which the other side must never see.
 */
final class Stores {
    static final AsyncLocalStorage<String> CLIENT_ID = new AsyncLocalStorage<>("client.requestId");
    static final AsyncLocalStorage<String> CLIENT_USER = new AsyncLocalStorage<>("client.user");
    /** Never declared: stays with the client. */
    static final AsyncLocalStorage<String> CLIENT_LOCAL = new AsyncLocalStorage<>("client.local");

    static final AsyncLocalStorage<String> SERVER_ID = new AsyncLocalStorage<>("server.requestId");
    static final AsyncLocalStorage<String> SERVER_USER = new AsyncLocalStorage<>("server.user");
    /** Never declared: set by server code only. */
    static final AsyncLocalStorage<String> SERVER_LOCAL = new AsyncLocalStorage<>("server.local");

    /** What a request id may look like; the server's decoder refuses anything else. */
    static final Pattern VALID_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    static final BaggagePropagation CLIENT = BaggagePropagation.of(
            PropagatedStorage.ofString(CLIENT_ID, "requestId"),
            PropagatedStorage.ofString(CLIENT_USER, "user"));

    static final BaggagePropagation SERVER = BaggagePropagation.of(
            PropagatedStorage.of(SERVER_ID, "requestId", id -> id, id -> VALID_ID.matcher(id).matches() ? id : null)
                    .withMdcKey("requestId"),
            PropagatedStorage.ofString(SERVER_USER, "user"));

    private Stores() {
    }
}
