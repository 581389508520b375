/**
 * asynclocal and Micrometer's context-propagation library:
 * {@link dev.asynclocal.micrometer.AsyncLocalThreadLocalAccessor} lets {@code ContextSnapshot},
 * Reactor and Spring carry asynclocal stores as they carry thread-locals.
 */
package dev.asynclocal.micrometer;
