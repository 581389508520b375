package dev.asynclocal.grpc;

/** {@link CallKindsTest} again, in the failsafe JVM started with the asynclocal agent. */
class CallKindsIT extends CallKindsTest {
}
