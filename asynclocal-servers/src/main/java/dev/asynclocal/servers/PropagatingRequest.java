package dev.asynclocal.servers;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

/** The request the filter passes down: its asynchronous mode propagates the context. */
final class PropagatingRequest extends HttpServletRequestWrapper {

    PropagatingRequest(HttpServletRequest request) {
        super(request);
    }

    @Override
    public AsyncContext startAsync() {
        return new PropagatingAsyncContext(super.startAsync());
    }

    @Override
    public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
        return new PropagatingAsyncContext(super.startAsync(request, response));
    }

    @Override
    public AsyncContext getAsyncContext() {
        AsyncContext context = super.getAsyncContext();
        return context == null || context instanceof PropagatingAsyncContext ? context : new PropagatingAsyncContext(context);
    }
}
