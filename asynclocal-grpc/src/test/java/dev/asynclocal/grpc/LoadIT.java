package dev.asynclocal.grpc;

/** {@link LoadTest} again (with the calls per client the build sets), under the asynclocal agent. */
class LoadIT extends LoadTest {
}
