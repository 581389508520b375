package dev.asynclocal.grpc;

import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.netty.shaded.io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real gRPC server and its channels on one transport: Netty on loopback (an ephemeral port) or
 * in-process. Every thread is ours (event loops, executors), so the tests can look at what each one
 * holds afterwards. The {@code DIRECT} kinds run callbacks on the transport's own threads: Netty's
 * event loops, or for in-process the thread of the other side.
 */
final class Transport implements AutoCloseable {
    enum Kind {
        NETTY(true, false), NETTY_DIRECT(true, true), IN_PROCESS(false, false), IN_PROCESS_DIRECT(false, true);

        final boolean netty;
        final boolean direct;

        Kind(boolean netty, boolean direct) {
            this.netty = netty;
            this.direct = direct;
        }
    }

    static final int POOL_THREADS = 4;

    final Kind kind;
    private final Server server;
    private final String inProcessName;
    private final EventLoopGroup serverLoops;
    private final EventLoopGroup clientLoops;
    private final ExecutorService serverPool;
    private final ExecutorService clientPool;
    private final List<ManagedChannel> channels = new ArrayList<>();

    private Transport(Kind kind, boolean largeMetadata, ServerServiceDefinition service, ServerInterceptor... interceptors)
            throws IOException {
        this.kind = kind;
        String name = kind.name().toLowerCase().replace('_', '-');
        serverPool = Executors.newFixedThreadPool(POOL_THREADS, named(name + "-server-pool"));
        clientPool = Executors.newFixedThreadPool(POOL_THREADS, named(name + "-client-pool"));
        if (kind.netty) {
            serverLoops = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory(name + "-server-loop", true),
                    NioIoHandler.newFactory());
            clientLoops = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory(name + "-client-loop", true),
                    NioIoHandler.newFactory());
            NettyServerBuilder builder = NettyServerBuilder
                    .forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .bossEventLoopGroup(serverLoops)
                    .workerEventLoopGroup(serverLoops)
                    .channelType(NioServerSocketChannel.class);
            if (largeMetadata) {
                builder.maxInboundMetadataSize(64 * 1024);
            }
            builder.addService(service);
            for (ServerInterceptor interceptor : interceptors) {
                builder.intercept(interceptor);
            }
            server = (kind.direct ? builder.directExecutor() : builder.executor(serverPool)).build().start();
            inProcessName = null;
        } else {
            serverLoops = null;
            clientLoops = null;
            inProcessName = "echo-" + UUID.randomUUID();
            InProcessServerBuilder builder = InProcessServerBuilder.forName(inProcessName)
                    .maxInboundMetadataSize(64 * 1024);
            builder.addService(service);
            for (ServerInterceptor interceptor : interceptors) {
                builder.intercept(interceptor);
            }
            server = (kind.direct ? builder.directExecutor() : builder.executor(serverPool)).build().start();
        }
    }

    /**
     * Starts a server that takes up to 64 KiB of metadata (so that the tests can send more than the
     * W3C limits); interceptors run in reverse order, the last one first (gRPC's rule).
     */
    static Transport start(Kind kind, ServerServiceDefinition service, ServerInterceptor... interceptors) throws IOException {
        return new Transport(kind, true, service, interceptors);
    }

    /** Starts a Netty server with gRPC's default limits (8 KiB of metadata). */
    static Transport startWithDefaultLimits(ServerServiceDefinition service, ServerInterceptor... interceptors)
            throws IOException {
        return new Transport(Kind.NETTY, false, service, interceptors);
    }

    /** A new channel to the server; the interceptor given last runs first. */
    synchronized ManagedChannel channel(ClientInterceptor... interceptors) {
        ManagedChannel channel;
        if (kind.netty) {
            NettyChannelBuilder builder = NettyChannelBuilder
                    .forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getPort()))
                    .eventLoopGroup(clientLoops)
                    .channelType(NioSocketChannel.class)
                    .usePlaintext()
                    .intercept(interceptors);
            channel = (kind.direct ? builder.directExecutor() : builder.executor(clientPool)).build();
        } else {
            InProcessChannelBuilder builder = InProcessChannelBuilder.forName(inProcessName).intercept(interceptors);
            channel = (kind.direct ? builder.directExecutor() : builder.executor(clientPool)).build();
        }
        channels.add(channel);
        return channel;
    }

    int port() {
        return server.getPort();
    }

    /**
     * What every thread of the transport holds between calls: each event loop, and each thread of
     * both pools (reached all at once through a barrier, so each runs one probe). Without the agent
     * a task runs in whatever its thread holds, so a probe sees it; Netty's own queues are never
     * instrumented, so its loops are seen as they are either way.
     */
    List<View> idleThreads() throws Exception {
        List<View> views = new ArrayList<>();
        for (EventLoopGroup group : kind.netty ? List.of(serverLoops, clientLoops) : List.<EventLoopGroup>of()) {
            for (EventExecutor loop : group) {
                views.add(loop.submit(() -> View.now("idle")).get(30, TimeUnit.SECONDS));
            }
        }
        for (ExecutorService pool : List.of(serverPool, clientPool)) {
            CyclicBarrier all = new CyclicBarrier(POOL_THREADS);
            List<Future<View>> probes = new ArrayList<>();
            for (int i = 0; i < POOL_THREADS; i++) {
                probes.add(pool.submit(() -> {
                    View view = View.now("idle");
                    all.await(30, TimeUnit.SECONDS);
                    return view;
                }));
            }
            for (Future<View> probe : probes) {
                views.add(probe.get(30, TimeUnit.SECONDS));
            }
        }
        return views;
    }

    /** Stops everything and waits for it; an interrupt is kept for the caller and ends the wait. */
    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping " + this, e);
        }
    }

    private void stop() throws InterruptedException {
        for (ManagedChannel channel : channels) {
            channel.shutdownNow();
        }
        server.shutdownNow();
        for (ManagedChannel channel : channels) {
            channel.awaitTermination(30, TimeUnit.SECONDS);
        }
        server.awaitTermination(30, TimeUnit.SECONDS);
        if (kind.netty) {
            serverLoops.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(30, TimeUnit.SECONDS);
            clientLoops.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(30, TimeUnit.SECONDS);
        }
        serverPool.shutdownNow();
        clientPool.shutdownNow();
        serverPool.awaitTermination(30, TimeUnit.SECONDS);
        clientPool.awaitTermination(30, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return kind.toString();
    }

    static ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
