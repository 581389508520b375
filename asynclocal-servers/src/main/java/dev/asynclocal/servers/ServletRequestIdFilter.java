package dev.asynclocal.servers;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.CallableOp;
import dev.asynclocal.Snapshot;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;

/**
 * A Jakarta Servlet filter that runs each request in its own asynclocal context holding the
 * request id, including the parts of an asynchronous request that run on other container
 * threads.
 *
 * <p>The id is the request's {@code X-Request-Id} header (configurable) when it is
 * {@linkplain RequestIds#isValid valid}, otherwise a new one; a missing or malformed header never
 * fails the request. The id is set on the response header before the rest of the chain runs, is
 * the store of the configured {@link AsyncLocalStorage} while the request runs, is available as
 * the request attribute {@value #REQUEST_ID_ATTRIBUTE}, and, when SLF4J is present, is the MDC
 * value under {@code requestId}.
 *
 * <p>Asynchronous servlets: the filter hands the chain a request whose {@code startAsync()}
 * returns an {@code AsyncContext} that propagates the context: a task given to
 * {@code AsyncContext.start} runs in the context current at the {@code start} call, listeners in
 * the context of their {@code addListener} call, and a {@code dispatch} re-enters the filter,
 * which runs the dispatched request in the context current at the {@code dispatch} call (and
 * with the request's id in any case). Map the filter with {@code asyncSupported=true} and the
 * {@code REQUEST} and {@code ASYNC} dispatcher types.
 * <pre>{@code
 * FilterHolder holder = context.addFilter(ServletRequestIdFilter.class, "/*",
 *         EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
 * holder.setAsyncSupported(true);
 * }</pre>
 * In {@code web.xml}, the init parameters {@code header}, {@code mdcKey} (empty for no MDC) and
 * {@code idFromContext} override the defaults.
 */
public class ServletRequestIdFilter implements Filter {
    /** The request attribute that holds the request id. */
    public static final String REQUEST_ID_ATTRIBUTE = "dev.asynclocal.servers.requestId";
    /** Where {@code AsyncContext.dispatch} leaves the context for the dispatched request. */
    static final String DISPATCH_CONTEXT_ATTRIBUTE = "dev.asynclocal.servers.dispatchContext";

    private volatile RequestIdConfig config;

    /** A filter with {@link RequestIdConfig#defaults()}, changed by init parameters if any. */
    public ServletRequestIdFilter() {
        this(RequestIdConfig.defaults());
    }

    /**
     * A filter with the given config, for containers configured in code.
     *
     * @param config header, storage, MDC key and id generator
     * @throws NullPointerException if {@code config} is {@code null}
     */
    public ServletRequestIdFilter(RequestIdConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Reads the optional init parameters {@code header}, {@code mdcKey} (an empty
     * {@code mdcKey} turns the MDC off) and {@code idFromContext} ({@code true} or {@code false},
     * see {@link RequestIdConfig#withIdFromContext}).
     */
    @Override
    public void init(FilterConfig filterConfig) {
        RequestIdConfig updated = config;
        String header = filterConfig.getInitParameter("header");
        if (header != null && !header.isBlank()) {
            updated = updated.withHeader(header.trim());
        }
        String mdcKey = filterConfig.getInitParameter("mdcKey");
        if (mdcKey != null) {
            updated = updated.withMdcKey(mdcKey.isBlank() ? null : mdcKey.trim());
        }
        String idFromContext = filterConfig.getInitParameter("idFromContext");
        if (idFromContext != null && !idFromContext.isBlank()) {
            updated = updated.withIdFromContext(Boolean.parseBoolean(idFromContext.trim()));
        }
        config = updated;
    }

    /**
     * The config in use.
     *
     * @return the config
     */
    public RequestIdConfig config() {
        return config;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest) || !(res instanceof HttpServletResponse)) {
            chain.doFilter(req, res);
            return;
        }
        HttpServletRequest request = (HttpServletRequest) req;
        RequestIdConfig config = this.config;
        AsyncLocalStorage<String> storage = config.storage();
        Object known = request.getAttribute(REQUEST_ID_ATTRIBUTE);
        String id;
        if (known instanceof String) {
            id = (String) known;
            if (id.equals(storage.getStore()) && request.getDispatcherType() != DispatcherType.ASYNC) {
                // a forward or include inside the request: already in its context
                chain.doFilter(req, res);
                return;
            }
        } else {
            id = config.resolve(request.getHeader(config.header()));
            request.setAttribute(REQUEST_ID_ATTRIBUTE, id);
            ((HttpServletResponse) res).setHeader(config.header(), id);
        }
        Object dispatchContext = request.getAttribute(DISPATCH_CONTEXT_ATTRIBUTE);
        if (dispatchContext != null) {
            request.removeAttribute(DISPATCH_CONTEXT_ATTRIBUTE);
        }
        PropagatingRequest wrapped = new PropagatingRequest(request);
        String mdcKey = config.activeMdcKey();
        CallableOp<Void, Exception> inRequestContext = () -> storage.run(id,
                () -> MdcBridge.withValue(mdcKey, id, () -> {
                    chain.doFilter(wrapped, res);
                    return null;
                }));
        try {
            if (dispatchContext instanceof Snapshot) {
                ((Snapshot) dispatchContext).run(inRequestContext);
            } else {
                inRequestContext.call();
            }
        } catch (IOException | ServletException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            // chain.doFilter throws nothing else; the lambdas only widen the type
            throw new ServletException(e);
        }
    }

    @Override
    public String toString() {
        return "ServletRequestIdFilter[" + config + "]";
    }
}
