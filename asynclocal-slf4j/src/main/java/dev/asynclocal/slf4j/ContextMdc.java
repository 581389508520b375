package dev.asynclocal.slf4j;

/**
 * Marks the MDC adapters whose values live in the asynclocal context. An interface, so that
 * {@code instanceof} checks do not load the Logback-based adapter where Logback is absent.
 */
interface ContextMdc {
}
