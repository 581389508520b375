package dev.asynclocal.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;

/** The class-file filter in front of ByteBuddy: what it lets through, read from real class files. */
class ClassFileFilterTest {
    static class Plain {
    }

    static class AThread extends Thread {
    }

    static class Middle extends Thread {
    }

    static class Deep extends Middle {
    }

    static class Deeper extends Deep {
        @Override
        public void run() {
        }
    }

    static class APool extends ThreadPoolExecutor {
        APool() {
            super(1, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        }
    }

    static class AScheduler extends ScheduledThreadPoolExecutor {
        AScheduler() {
            super(1);
        }
    }

    static class AList extends java.util.ArrayList<String> {
        private static final long serialVersionUID = 1;
    }

    private static byte[] classFile(Class<?> type) throws IOException {
        try (InputStream in = type.getClassLoader().getResourceAsStream(type.getName().replace('.', '/') + ".class")) {
            return in.readAllBytes();
        }
    }

    private static boolean mayTransform(Class<?> type) throws IOException {
        return ClassFileFilter.mayTransform(type.getClassLoader(), type.getName().replace('.', '/'), classFile(type));
    }

    @Test
    void readsTheSuperclassFromTheConstantPool() throws IOException {
        assertThat(ClassFileFilter.superName(classFile(Plain.class))).isEqualTo("java/lang/Object");
        assertThat(ClassFileFilter.superName(classFile(Deep.class))).isEqualTo("dev/asynclocal/agent/internal/ClassFileFilterTest$Middle");
        assertThat(ClassFileFilter.superName(classFile(AList.class))).isEqualTo("java/util/ArrayList");
        assertThat(ClassFileFilter.superName(new byte[] {1, 2, 3})).isNull();
        assertThat(ClassFileFilter.superName(null)).isNull();
    }

    @Test
    void letsThroughTheJdkTargetsAndTheSubclassesOfThreadAndThreadPoolExecutor() throws IOException {
        assertThat(ClassFileFilter.mayTransform(null, "java/util/concurrent/CompletableFuture", new byte[0])).isTrue();
        assertThat(ClassFileFilter.mayTransform(null, "java/util/ArrayList", new byte[0])).isFalse();
        assertThat(ClassFileFilter.mayTransform(null, null, new byte[0])).isFalse();
        assertThat(mayTransform(Plain.class)).isFalse();
        assertThat(mayTransform(AList.class)).isFalse();
        assertThat(mayTransform(AThread.class)).isTrue();
        assertThat(mayTransform(APool.class)).isTrue();
        assertThat(mayTransform(AScheduler.class)).isFalse(); // a scheduler's queue holds no wrappers
        // Deeper first: its superclasses were never seen, so their class files are read.
        assertThat(mayTransform(Deeper.class)).isTrue();
        assertThat(mayTransform(Deep.class)).isTrue();
        assertThat(mayTransform(Middle.class)).isTrue();
    }

    @Test
    void warmsUp() {
        ClassFileFilter.warmUp();
    }
}
