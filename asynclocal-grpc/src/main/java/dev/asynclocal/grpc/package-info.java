/**
 * asynclocal and gRPC: a request's stores carried between services in each call's metadata, and
 * run in again on the other side.
 *
 * <p>{@link dev.asynclocal.grpc.ClientPropagationInterceptor} sends the stores declared in a
 * {@link dev.asynclocal.opentelemetry.BaggagePropagation} as W3C {@code baggage} (with
 * {@code traceparent} when a span is current) and runs the response's callbacks in the caller's
 * context; {@link dev.asynclocal.grpc.ServerPropagationInterceptor} runs every callback of an
 * incoming call in the context its metadata describes. The declarations are the ones the HTTP
 * propagation of {@code asynclocal-opentelemetry} uses, so one declaration serves every transport.
 * gRPC's own {@code io.grpc.Context} joins the asynclocal context through a storage override
 * ({@code asynclocal-grpc-context}, or gRPC's OpenTelemetry one); {@link
 * dev.asynclocal.grpc.GrpcContextStorage} tells which is in use.
 *
 * <p>Everything this package logs goes to the {@code System.Logger} named
 * {@code dev.asynclocal.grpc}.
 */
package dev.asynclocal.grpc;
