package dev.asynclocal.slf4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * Outside any asynclocal context, {@link MDC} behaves as plain per-thread SLF4J MDC. Runs once
 * per backend (no backend, Logback, Log4j 2), always through SLF4J's static {@code MDC} API.
 */
class PlainMdcTest {

    @BeforeEach
    void installedAndEmpty() {
        assertThat(AsyncLocalMdc.isInstalled()).as("SLF4J uses the asynclocal MDC").isTrue();
        MDC.clear();
        assertThat(MDC.getCopyOfContextMap()).isNull();
    }

    @AfterEach
    void cleanUp() {
        MDC.clear();
        MDC.getMDCAdapter().clearDequeByKey("stack");
    }

    @Test
    void putGetRemove() {
        assertThat(MDC.get("a")).isNull();
        MDC.put("a", "1");
        MDC.put("b", "2");
        assertThat(MDC.get("a")).isEqualTo("1");
        MDC.put("a", "3");
        assertThat(MDC.get("a")).isEqualTo("3");
        MDC.remove("a");
        assertThat(MDC.get("a")).isNull();
        assertThat(MDC.get("b")).isEqualTo("2");
        MDC.remove("never-put");
        assertThat(MDC.getCopyOfContextMap()).isEqualTo(Map.of("b", "2"));
    }

    @Test
    void nullKeyIsRejectedAndNullValueIsKept() {
        assertThatThrownBy(() -> MDC.put(null, "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MDC.get(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MDC.remove(null)).isInstanceOf(IllegalArgumentException.class);
        MDC.put("k", null);
        assertThat(MDC.get("k")).isNull();
        assertThat(MDC.getCopyOfContextMap()).containsEntry("k", null);
    }

    @Test
    void clearEmptiesTheMap() {
        MDC.put("a", "1");
        MDC.clear();
        assertThat(MDC.get("a")).isNull();
        assertThat(MDC.getCopyOfContextMap()).isNull();
    }

    @Test
    void copyOfContextMapIsADetachedModifiableCopy() {
        MDC.put("a", "1");
        Map<String, String> copy = MDC.getCopyOfContextMap();
        copy.put("a", "changed");
        copy.put("z", "new");
        assertThat(MDC.get("a")).isEqualTo("1");
        assertThat(MDC.get("z")).isNull();
        MDC.put("b", "2");
        assertThat(copy).doesNotContainKey("b");
    }

    @Test
    void setContextMapReplacesEverythingAndCopiesItsArgument() {
        MDC.put("old", "x");
        Map<String, String> source = new HashMap<>(Map.of("a", "1", "b", "2"));
        MDC.setContextMap(source);
        source.put("c", "3");
        assertThat(MDC.getCopyOfContextMap()).isEqualTo(Map.of("a", "1", "b", "2"));
        assertThat(MDC.get("old")).isNull();
    }

    @Test
    void putCloseableRemovesOnClose() {
        try (MDC.MDCCloseable ignored = MDC.putCloseable("a", "1")) {
            assertThat(MDC.get("a")).isEqualTo("1");
        }
        assertThat(MDC.get("a")).isNull();
    }

    @Test
    void dequesAreStacksPerKey() {
        MDC.pushByKey("stack", "1");
        MDC.pushByKey("stack", "2");
        assertThat(MDC.getMDCAdapter().getCopyOfDequeByKey("stack")).containsExactly("2", "1");
        assertThat(MDC.popByKey("stack")).isEqualTo("2");
        assertThat(MDC.getMDCAdapter().getCopyOfDequeByKey("stack")).containsExactly("1");
        MDC.getMDCAdapter().clearDequeByKey("stack");
        assertThat(MDC.getMDCAdapter().getCopyOfDequeByKey("stack")).isNull();
        assertThat(MDC.getMDCAdapter().getCopyOfDequeByKey("other")).isNull();
    }

    @Test
    void valuesStayOnTheThreadBetweenCalls() {
        MDC.put("a", "1");
        assertThat(readOnThisThreadLater()).isEqualTo("1");
    }

    private static String readOnThisThreadLater() {
        return MDC.get("a");
    }

    @Test
    void eachThreadHasItsOwnMdc() throws Exception {
        MDC.put("who", "main");
        AtomicReference<String> seenByOther = new AtomicReference<>("unset");
        CountDownLatch otherPut = new CountDownLatch(1);
        CountDownLatch mainChecked = new CountDownLatch(1);
        AtomicReference<String> otherAfter = new AtomicReference<>();
        Thread other = new Thread(() -> {
            seenByOther.set(MDC.get("who"));
            MDC.put("who", "other");
            otherPut.countDown();
            await(mainChecked);
            otherAfter.set(MDC.get("who"));
        });
        other.start();
        assertThat(otherPut.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(MDC.get("who")).isEqualTo("main");
        MDC.remove("who");
        mainChecked.countDown();
        other.join(10_000);
        assertThat(seenByOther.get()).as("a new thread starts with an empty MDC").isNull();
        assertThat(otherAfter.get()).as("the main thread's remove does not reach the other thread").isEqualTo("other");
    }

    @Test
    void manyThreadsNeverSeeEachOthersValues() {
        CompletableFuture<?>[] all = new CompletableFuture<?>[8];
        for (int t = 0; t < all.length; t++) {
            String me = "t" + t;
            all[t] = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 2_000; i++) {
                    MDC.put("who", me + ":" + i);
                    assertThat(MDC.get("who")).isEqualTo(me + ":" + i);
                }
                MDC.remove("who");
            }, runnable -> new Thread(runnable).start());
        }
        CompletableFuture.allOf(all).join();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
