package dev.asynclocal.opentelemetry;

import io.opentelemetry.context.propagation.TextMapGetter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A Jakarta Servlet filter that runs each request in the context its caller sent: the declared
 * stores decoded from the W3C {@code baggage} header, and OpenTelemetry's context with the
 * caller's span (from {@code traceparent}) as remote parent. See
 * {@link BaggagePropagation#extract} for what is dropped; nothing a client sends makes this
 * filter throw.
 * <pre>{@code
 * FilterHolder incoming = new FilterHolder(new ServletPropagationFilter(PROPAGATION));
 * incoming.setAsyncSupported(true);
 * context.addFilter(incoming, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
 * // then ServletRequestIdFilter (asynclocal-servers), which also propagates AsyncContext work
 * }</pre>
 *
 * <p>Map it before the other filters, for the {@code REQUEST} and {@code ASYNC} dispatcher types.
 * An {@code ASYNC} (or {@code ERROR}) dispatch is extracted again from the same headers;
 * {@code FORWARD} and {@code INCLUDE} dispatches run in the request's context as it already is.
 * For asynchronous servlets, add {@code ServletRequestIdFilter} after this one: its request
 * wrapper makes {@code AsyncContext.start}, listeners and {@code dispatch} carry the context.
 *
 * <p>In {@code web.xml}, the init parameter {@value #PROPAGATION_PARAMETER} names a class with a
 * public no-argument constructor that implements {@code Supplier<BaggagePropagation>}.
 */
public class ServletPropagationFilter implements Filter {
    /** The init parameter naming a {@code Supplier<BaggagePropagation>} class. */
    public static final String PROPAGATION_PARAMETER = "propagation";

    private static final TextMapGetter<HttpServletRequest> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpServletRequest carrier) {
            return Collections.list(carrier.getHeaderNames());
        }

        @Override
        public String get(HttpServletRequest carrier, String key) {
            return carrier == null ? null : carrier.getHeader(key);
        }

        @Override
        public Iterator<String> getAll(HttpServletRequest carrier, String key) {
            Enumeration<String> values = carrier == null ? null : carrier.getHeaders(key);
            return values == null ? Collections.emptyIterator() : values.asIterator();
        }
    };

    private volatile BaggagePropagation propagation;

    /** A filter configured by the init parameter {@value #PROPAGATION_PARAMETER}. */
    public ServletPropagationFilter() {
    }

    /**
     * A filter that extracts with {@code propagation}, for containers configured in code.
     *
     * @param propagation the declarations of what travels
     * @throws NullPointerException if {@code propagation} is {@code null}
     */
    public ServletPropagationFilter(BaggagePropagation propagation) {
        this.propagation = Objects.requireNonNull(propagation, "propagation");
    }

    /**
     * Reads the init parameter {@value #PROPAGATION_PARAMETER} when the filter was made without a
     * propagation.
     *
     * @throws ServletException if there is neither a propagation nor a usable parameter
     */
    @Override
    public void init(FilterConfig filterConfig) throws ServletException {
        if (propagation != null) {
            return;
        }
        String className = filterConfig.getInitParameter(PROPAGATION_PARAMETER);
        if (className == null || className.isBlank()) {
            throw new ServletException("ServletPropagationFilter needs the init parameter " + PROPAGATION_PARAMETER
                    + " (a Supplier<BaggagePropagation> class) or a BaggagePropagation in its constructor");
        }
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            Class<?> type = Class.forName(className.trim(), true, loader != null ? loader : getClass().getClassLoader());
            Object supplier = type.getConstructor().newInstance();
            Object made = ((Supplier<?>) supplier).get();
            propagation = (BaggagePropagation) Objects.requireNonNull(made, className + " supplied null");
        } catch (ReflectiveOperationException | ClassCastException | NullPointerException e) {
            throw new ServletException("cannot get a BaggagePropagation from " + className, e);
        }
    }

    /**
     * The propagation in use.
     *
     * @return the propagation, or {@code null} before {@link #init} for a filter made without one
     */
    public BaggagePropagation propagation() {
        return propagation;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        BaggagePropagation propagation = this.propagation;
        if (propagation == null || !(req instanceof HttpServletRequest)) {
            chain.doFilter(req, res);
            return;
        }
        DispatcherType type = req.getDispatcherType();
        if (type == DispatcherType.FORWARD || type == DispatcherType.INCLUDE) {
            chain.doFilter(req, res);
            return;
        }
        IncomingContext incoming = propagation.extract((HttpServletRequest) req, HEADERS);
        try {
            incoming.<Void, Exception>run(() -> {
                chain.doFilter(req, res);
                return null;
            });
        } catch (IOException | ServletException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            // chain.doFilter throws nothing else; the lambda only widens the type
            throw new ServletException(e);
        }
    }

    @Override
    public String toString() {
        return "ServletPropagationFilter[" + propagation + "]";
    }
}
