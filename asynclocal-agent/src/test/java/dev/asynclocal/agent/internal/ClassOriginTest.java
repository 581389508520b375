package dev.asynclocal.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one place that tells the JDK's classes, the agent's and the application's apart. */
class ClassOriginTest {
    @Test
    void theJdkIsRecognisedByItsPackagesInBinaryAndInternalNames() {
        for (String name : new String[] {"java.lang.Thread", "java/lang/Thread", "javax.net.ssl.SSLEngine",
            "jdk.internal.misc.Unsafe", "jdk/internal/misc/Unsafe", "sun.nio.ch.SelectorImpl", "com.sun.net.httpserver.HttpServer"}) {
            assertThat(ClassOrigin.isJdk(name)).as(name).isTrue();
        }
        for (String name : new String[] {"javafoo.Bar", "com.sunny.Thread", "org.apache.kafka.clients.consumer.internals.FetchBuffer",
            "dev/asynclocal/agent/internal/ThreadSupport", "jav", ""}) {
            assertThat(ClassOrigin.isJdk(name)).as(name).isFalse();
        }
    }

    @Test
    void theAgentAndTheEngineAreNeverTransformedButTheLibrarysPublicClassesAreNotTheirs() {
        assertThat(ClassOrigin.isAgentInternal("dev.asynclocal.agent.internal.ThreadSupport")).isTrue();
        assertThat(ClassOrigin.isAgentInternal("dev/asynclocal/agent/shaded/bytebuddy/ByteBuddy")).isTrue();
        assertThat(ClassOrigin.isAgentInternal("dev.asynclocal.internal.Engine")).isTrue();
        assertThat(ClassOrigin.isAgentInternal("dev.asynclocal.AsyncLocalStorage")).isFalse();
        assertThat(ClassOrigin.isAgentInternal("dev.asynclocal.agent.AsyncLocalAgent")).isFalse();
    }

    @Test
    void loadedClassesAreTheApplicationsUnlessTheBootstrapOrPlatformLoaderDefinedThem() throws Exception {
        assertThat(ClassOrigin.isApplicationLoaded(ClassOriginTest.class)).isTrue();
        assertThat(ClassOrigin.isApplicationLoaded(Thread.class)).isFalse();
        assertThat(ClassOrigin.isApplicationLoaded(Class.forName("java.sql.Connection"))).isFalse(); // platform loader
    }
}
