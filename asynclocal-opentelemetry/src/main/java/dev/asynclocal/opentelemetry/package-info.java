/**
 * asynclocal and OpenTelemetry.
 *
 * <p>In one process, {@link dev.asynclocal.opentelemetry.AsyncLocalContextStorageProvider} keeps
 * OpenTelemetry's current context in the asynclocal context, so the current span follows every
 * hop asynclocal propagates. Between processes,
 * {@link dev.asynclocal.opentelemetry.BaggagePropagation} carries declared stores
 * ({@link dev.asynclocal.opentelemetry.PropagatedStorage}) as W3C Baggage next to the W3C
 * {@code traceparent}: {@code BaggagePropagation.wrap(HttpClient)} on the calling side,
 * {@link dev.asynclocal.opentelemetry.HttpServerPropagationFilter} and
 * {@link dev.asynclocal.opentelemetry.ServletPropagationFilter} on the receiving side, which run
 * each request in the {@link dev.asynclocal.opentelemetry.IncomingContext} its headers describe.
 *
 * <p>Everything this package logs goes to the {@code System.Logger} named
 * {@code dev.asynclocal.opentelemetry}.
 */
package dev.asynclocal.opentelemetry;
