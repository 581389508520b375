/**
 * JMH benchmarks of asynclocal beside the libraries people choose between for context propagation:
 * {@code ThreadLocal} and {@code InheritableThreadLocal} (the floor), JDK {@code ScopedValue}
 * (JDK 25 builds only, package {@code jdk25}), Alibaba TransmittableThreadLocal, OpenTelemetry
 * {@code Context}, Micrometer context-propagation and gRPC {@code Context}.
 *
 * <p>One class per group; in a group every library does the same work, so the rows compare. Method
 * names are {@code library} or {@code library_variant}; {@code run.sh} and {@code report.py} rely on
 * that, and on the {@code threadLocal} rows (or the row a group names as its floor) to compute
 * ratios. Every benchmark returns what the propagated code read, and {@code BenchmarksSanityTest}
 * checks that value once per method, so a benchmark that stops propagating fails the build instead
 * of reporting a flattering number.
 *
 * <p>Group 7 ({@code AgentHopBenchmark}, {@code AgentChainBenchmark}) runs its {@code jdk} rows a
 * second time with the agent: {@code run.sh} passes {@code -jvmArgsAppend -javaagent:...} to a
 * separate JMH invocation and {@code report.py} shows that run as the agent rows.
 * {@link dev.asynclocal.benchmarks.ServerThroughput} is not a JMH benchmark: a load generator with
 * its own {@code main}, measuring the demo server in JVMs of its own; nor is
 * {@link dev.asynclocal.benchmarks.SpringBootThroughput}, the same for a Spring Boot application
 * with and without the starter (package {@code spring}, whose Boot jars are not in
 * {@code benchmarks.jar}: {@code run.sh --spring-boot} adds them).
 *
 * <p>The context under test is set up in {@code @Setup} methods: JMH runs those on the benchmark
 * thread itself for {@code Scope.Thread} states, so the context is active in the measured method.
 */
package dev.asynclocal.benchmarks;
