package dev.asynclocal.servers;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.Snapshot;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;

/**
 * An {@link AsyncContext} whose asynchronous operations run in the context current where they
 * were created, as every async operation in asynclocal does: {@link #start} tasks, listeners, and
 * {@link #dispatch} (through a request attribute that {@link ServletRequestIdFilter} reads when
 * the dispatched request comes back through it).
 */
final class PropagatingAsyncContext implements AsyncContext {
    private final AsyncContext delegate;

    PropagatingAsyncContext(AsyncContext delegate) {
        this.delegate = delegate;
    }

    @Override
    public void start(Runnable run) {
        delegate.start(AsyncLocalStorage.bind(run));
    }

    @Override
    public void dispatch() {
        rememberContext();
        delegate.dispatch();
    }

    @Override
    public void dispatch(String path) {
        rememberContext();
        delegate.dispatch(path);
    }

    @Override
    public void dispatch(ServletContext context, String path) {
        rememberContext();
        delegate.dispatch(context, path);
    }

    private void rememberContext() {
        delegate.getRequest().setAttribute(ServletRequestIdFilter.DISPATCH_CONTEXT_ATTRIBUTE, AsyncLocalStorage.snapshot());
    }

    @Override
    public void addListener(AsyncListener listener) {
        delegate.addListener(new BoundListener(listener, AsyncLocalStorage.snapshot()));
    }

    @Override
    public void addListener(AsyncListener listener, ServletRequest request, ServletResponse response) {
        delegate.addListener(new BoundListener(listener, AsyncLocalStorage.snapshot()), request, response);
    }

    @Override
    public ServletRequest getRequest() {
        return delegate.getRequest();
    }

    @Override
    public ServletResponse getResponse() {
        return delegate.getResponse();
    }

    @Override
    public boolean hasOriginalRequestAndResponse() {
        return delegate.hasOriginalRequestAndResponse();
    }

    @Override
    public void complete() {
        delegate.complete();
    }

    @Override
    public <T extends AsyncListener> T createListener(Class<T> type) throws ServletException {
        return delegate.createListener(type);
    }

    @Override
    public void setTimeout(long timeout) {
        delegate.setTimeout(timeout);
    }

    @Override
    public long getTimeout() {
        return delegate.getTimeout();
    }

    /** A listener whose callbacks run in the context of its registration. */
    private static final class BoundListener implements AsyncListener {
        private final AsyncListener listener;
        private final Snapshot context;

        BoundListener(AsyncListener listener, Snapshot context) {
            this.listener = listener;
            this.context = context;
        }

        @Override
        public void onComplete(AsyncEvent event) throws IOException {
            context.<Void, IOException>run(() -> {
                listener.onComplete(event);
                return null;
            });
        }

        @Override
        public void onTimeout(AsyncEvent event) throws IOException {
            context.<Void, IOException>run(() -> {
                listener.onTimeout(event);
                return null;
            });
        }

        @Override
        public void onError(AsyncEvent event) throws IOException {
            context.<Void, IOException>run(() -> {
                listener.onError(event);
                return null;
            });
        }

        @Override
        public void onStartAsync(AsyncEvent event) throws IOException {
            context.<Void, IOException>run(() -> {
                listener.onStartAsync(event);
                return null;
            });
        }
    }
}
