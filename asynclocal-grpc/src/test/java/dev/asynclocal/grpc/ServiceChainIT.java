package dev.asynclocal.grpc;

/** {@link ServiceChainTest} again, under the asynclocal agent. */
class ServiceChainIT extends ServiceChainTest {
}
