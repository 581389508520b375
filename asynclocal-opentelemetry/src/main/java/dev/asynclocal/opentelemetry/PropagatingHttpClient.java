package dev.asynclocal.opentelemetry;

import dev.asynclocal.AsyncCompletableFuture;
import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.Snapshot;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.PushPromiseHandler;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * An {@link HttpClient} that sends the context of the caller along with every request and handles
 * the response in it; made by {@link BaggagePropagation#wrap(HttpClient)}.
 *
 * <ul>
 *   <li>{@code send} and {@code sendAsync} add the headers of {@link BaggagePropagation#headers()},
 *       computed at the call, to a copy of the request; they replace any {@code traceparent},
 *       {@code tracestate} or {@code baggage} header the request had, which are kept only when
 *       the context has nothing to send.</li>
 *   <li>The body handler, every method of its body subscriber (so also a
 *       {@code BodySubscribers.mapping} function) and any push-promise handler run in the caller's
 *       context, although the client calls them on its own threads.</li>
 *   <li>{@code sendAsync} returns an {@link AsyncCompletableFuture}: a stage registered on it runs
 *       in the context where it was registered, not on the client's thread's context. Cancelling
 *       it cancels the exchange.</li>
 *   <li>Everything else (configuration getters, web sockets, and on Java 21+ {@code shutdown},
 *       {@code close} and the rest) is the wrapped client's. Web-socket handshakes get no
 *       headers.</li>
 * </ul>
 */
final class PropagatingHttpClient extends HttpClient {
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.publicLookup();
    // Java 21 lifecycle methods; absent (null) on 17, where nothing can call ours either.
    private static final MethodHandle SHUTDOWN = lifecycle("shutdown", MethodType.methodType(void.class));
    private static final MethodHandle SHUTDOWN_NOW = lifecycle("shutdownNow", MethodType.methodType(void.class));
    private static final MethodHandle CLOSE = lifecycle("close", MethodType.methodType(void.class));
    private static final MethodHandle IS_TERMINATED = lifecycle("isTerminated", MethodType.methodType(boolean.class));
    private static final MethodHandle AWAIT_TERMINATION =
            lifecycle("awaitTermination", MethodType.methodType(boolean.class, Duration.class));

    private final HttpClient delegate;
    private final BaggagePropagation propagation;

    PropagatingHttpClient(HttpClient delegate, BaggagePropagation propagation) {
        this.delegate = delegate;
        this.propagation = propagation;
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, BodyHandler<T> handler) throws IOException, InterruptedException {
        Snapshot caller = AsyncLocalStorage.snapshot();
        return delegate.send(withContextHeaders(request), bind(handler, caller));
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, BodyHandler<T> handler) {
        Snapshot caller = AsyncLocalStorage.snapshot();
        return inCallersContext(delegate.sendAsync(withContextHeaders(request), bind(handler, caller)));
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, BodyHandler<T> handler,
            PushPromiseHandler<T> pushPromiseHandler) {
        Snapshot caller = AsyncLocalStorage.snapshot();
        PushPromiseHandler<T> boundPushes = pushPromiseHandler == null ? null : bind(pushPromiseHandler, caller);
        return inCallersContext(delegate.sendAsync(withContextHeaders(request), bind(handler, caller), boundPushes));
    }

    private HttpRequest withContextHeaders(HttpRequest request) {
        Map<String, String> headers = propagation.headers();
        if (headers.isEmpty()) {
            return request;
        }
        HttpRequest.Builder copy = HttpRequest.newBuilder(request,
                (name, value) -> !headers.containsKey(name.toLowerCase(Locale.ROOT)));
        headers.forEach(copy::setHeader);
        return copy.build();
    }

    private static <T> CompletableFuture<HttpResponse<T>> inCallersContext(CompletableFuture<HttpResponse<T>> exchange) {
        AsyncCompletableFuture<HttpResponse<T>> result = AsyncCompletableFuture.from(exchange);
        result.whenComplete((response, failure) -> {
            if (failure instanceof CancellationException) {
                exchange.cancel(true);
            }
        });
        return result;
    }

    static <T> BodyHandler<T> bind(BodyHandler<T> handler, Snapshot caller) {
        return info -> caller.<BodySubscriber<T>, RuntimeException>run(
                () -> new BoundSubscriber<>(handler.apply(info), caller));
    }

    private static <T> PushPromiseHandler<T> bind(PushPromiseHandler<T> handler, Snapshot caller) {
        return (initiating, pushPromise, acceptor) -> caller.run(() -> handler.applyPushPromise(initiating, pushPromise,
                (Function<BodyHandler<T>, CompletableFuture<HttpResponse<T>>>) pushHandler ->
                        acceptor.apply(bind(pushHandler, caller))));
    }

    /** A body subscriber whose callbacks run in the caller's context. */
    private static final class BoundSubscriber<T> implements BodySubscriber<T> {
        private final BodySubscriber<T> delegate;
        private final Snapshot caller;

        BoundSubscriber(BodySubscriber<T> delegate, Snapshot caller) {
            this.delegate = delegate;
            this.caller = caller;
        }

        @Override
        public CompletionStage<T> getBody() {
            // A mapping subscriber chains its function here; if the body is complete already, the
            // function runs during this call, so this call must be in the caller's context too.
            return caller.<CompletionStage<T>, RuntimeException>run(delegate::getBody);
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            caller.run(() -> delegate.onSubscribe(subscription));
        }

        @Override
        public void onNext(List<ByteBuffer> item) {
            caller.run(() -> delegate.onNext(item));
        }

        @Override
        public void onError(Throwable throwable) {
            caller.run(() -> delegate.onError(throwable));
        }

        @Override
        public void onComplete() {
            caller.run(delegate::onComplete);
        }
    }

    // ---------------------------------------------------------------- the wrapped client's

    @Override
    public Optional<CookieHandler> cookieHandler() {
        return delegate.cookieHandler();
    }

    @Override
    public Optional<Duration> connectTimeout() {
        return delegate.connectTimeout();
    }

    @Override
    public Redirect followRedirects() {
        return delegate.followRedirects();
    }

    @Override
    public Optional<ProxySelector> proxy() {
        return delegate.proxy();
    }

    @Override
    public SSLContext sslContext() {
        return delegate.sslContext();
    }

    @Override
    public SSLParameters sslParameters() {
        return delegate.sslParameters();
    }

    @Override
    public Optional<Authenticator> authenticator() {
        return delegate.authenticator();
    }

    @Override
    public Version version() {
        return delegate.version();
    }

    @Override
    public Optional<Executor> executor() {
        return delegate.executor();
    }

    @Override
    public WebSocket.Builder newWebSocketBuilder() {
        return delegate.newWebSocketBuilder();
    }

    // Java 21 added these to HttpClient with do-little defaults; declared here (without
    // @Override, for release 17) so that on 21+ they reach the wrapped client.

    /** The wrapped client's {@code shutdown()} (Java 21+). */
    public void shutdown() {
        invoke(SHUTDOWN);
    }

    /** The wrapped client's {@code shutdownNow()} (Java 21+). */
    public void shutdownNow() {
        invoke(SHUTDOWN_NOW);
    }

    /** The wrapped client's {@code close()} (Java 21+). */
    public void close() {
        invoke(CLOSE);
    }

    /**
     * The wrapped client's {@code isTerminated()} (Java 21+).
     *
     * @return whether the wrapped client is terminated
     */
    public boolean isTerminated() {
        return (boolean) invoke(IS_TERMINATED);
    }

    /**
     * The wrapped client's {@code awaitTermination(Duration)} (Java 21+).
     *
     * @param duration how long to wait
     * @return whether the wrapped client terminated in time
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitTermination(Duration duration) throws InterruptedException {
        if (AWAIT_TERMINATION == null) {
            throw new UnsupportedOperationException("awaitTermination needs Java 21");
        }
        try {
            return (boolean) AWAIT_TERMINATION.invoke(delegate, duration);
        } catch (InterruptedException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private Object invoke(MethodHandle handle) {
        if (handle == null) {
            throw new UnsupportedOperationException("needs Java 21");
        }
        try {
            return handle.invoke(delegate);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static MethodHandle lifecycle(String name, MethodType type) {
        try {
            return LOOKUP.findVirtual(HttpClient.class, name, type);
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "PropagatingHttpClient[" + delegate + "]";
    }
}
