package dev.asynclocal.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The frame is a persistent map; these tests check it against a plain HashMap model. */
class FrameTest {

    @Test
    void emptyFrameHasNothing() {
        assertThat(Frame.EMPTY.get(new FrameKey())).isSameAs(Frame.ABSENT);
        assertThat(Frame.EMPTY.size()).isZero();
    }

    @Test
    void nullIsAStoreNotAbsence() {
        FrameKey key = new FrameKey();
        Frame frame = Frame.EMPTY.with(key, null);
        assertThat(frame.get(key)).isNull();
        assertThat(frame.size()).isEqualTo(1);
    }

    @Test
    void updatesLeaveTheOriginalUntouched() {
        FrameKey a = new FrameKey();
        FrameKey b = new FrameKey();
        Frame one = Frame.EMPTY.with(a, "a1");
        Frame two = one.with(b, "b1");
        Frame three = two.with(a, "a2");
        Frame four = three.without(b);

        assertThat(one.get(a)).isEqualTo("a1");
        assertThat(one.get(b)).isSameAs(Frame.ABSENT);
        assertThat(two.get(a)).isEqualTo("a1");
        assertThat(two.get(b)).isEqualTo("b1");
        assertThat(three.get(a)).isEqualTo("a2");
        assertThat(four.get(a)).isEqualTo("a2");
        assertThat(four.get(b)).isSameAs(Frame.ABSENT);
    }

    @Test
    void settingTheSameStoreAgainReturnsTheSameFrame() {
        FrameKey key = new FrameKey();
        String store = "s";
        Frame frame = Frame.EMPTY.with(key, store);
        assertThat(frame.with(key, store)).isSameAs(frame);
        assertThat(frame.without(new FrameKey())).isSameAs(frame);
    }

    @Test
    void removingTheLastEntryGivesTheEmptyFrame() {
        FrameKey key = new FrameKey();
        assertThat(Frame.EMPTY.with(key, 1).without(key)).isSameAs(Frame.EMPTY);
    }

    @Test
    void switchesToTheTrieAboveTheFlatLimit() {
        Frame frame = Frame.EMPTY;
        List<FrameKey> keys = new ArrayList<>();
        for (int i = 0; i < Frame.FLAT_LIMIT; i++) {
            FrameKey key = new FrameKey();
            keys.add(key);
            frame = frame.with(key, i);
        }
        assertThat(frame.isTrie()).isFalse();
        FrameKey extra = new FrameKey();
        frame = frame.with(extra, "extra");
        assertThat(frame.isTrie()).isTrue();
        assertThat(frame.size()).isEqualTo(Frame.FLAT_LIMIT + 1);
        for (int i = 0; i < keys.size(); i++) {
            assertThat(frame.get(keys.get(i))).isEqualTo(i);
        }
        assertThat(frame.get(extra)).isEqualTo("extra");
    }

    /** Random operations on the frame and on a HashMap model must agree at every step. */
    @Test
    void agreesWithAHashMapUnderRandomOperations() {
        Random random = new Random(42);
        List<FrameKey> keys = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            keys.add(new FrameKey());
        }
        Frame frame = Frame.EMPTY;
        Map<FrameKey, Object> model = new HashMap<>();
        for (int step = 0; step < 60_000; step++) {
            FrameKey key = keys.get(random.nextInt(keys.size()));
            if (random.nextInt(4) == 0) {
                frame = frame.without(key);
                model.remove(key);
            } else {
                Object store = random.nextInt(10) == 0 ? null : Integer.valueOf(random.nextInt(100));
                frame = frame.with(key, store);
                model.put(key, store);
            }
            FrameKey probe = keys.get(random.nextInt(keys.size()));
            Object expected = model.containsKey(probe) ? model.get(probe) : Frame.ABSENT;
            assertThat(frame.get(probe)).isEqualTo(expected);
        }
        assertThat(frame.size()).isEqualTo(model.size());
        for (FrameKey key : keys) {
            Object expected = model.containsKey(key) ? model.get(key) : Frame.ABSENT;
            assertThat(frame.get(key)).isEqualTo(expected);
        }
    }

    /** Keys whose 32-bit hashes are equal share a collision node and stay distinct. */
    @Test
    void keysWithEqualHashesStayDistinct() throws Exception {
        java.lang.reflect.Field hash = FrameKey.class.getDeclaredField("hash");
        hash.setAccessible(true);
        Frame frame = Frame.EMPTY;
        List<FrameKey> filler = new ArrayList<>();
        for (int i = 0; i < Frame.FLAT_LIMIT; i++) {
            FrameKey key = new FrameKey();
            filler.add(key);
            frame = frame.with(key, "filler" + i);
        }
        FrameKey first = new FrameKey();
        FrameKey twin = new FrameKey();
        FrameKey triplet = new FrameKey();
        // Force identical hashes through reflection: only possible naturally after 2^32 keys.
        int shared = first.hash;
        setFinalInt(hash, twin, shared);
        setFinalInt(hash, triplet, shared);

        frame = frame.with(first, "first").with(twin, "twin").with(triplet, "triplet");
        assertThat(frame.get(first)).isEqualTo("first");
        assertThat(frame.get(twin)).isEqualTo("twin");
        assertThat(frame.get(triplet)).isEqualTo("triplet");

        Frame withoutTwin = frame.without(twin);
        assertThat(withoutTwin.get(twin)).isSameAs(Frame.ABSENT);
        assertThat(withoutTwin.get(first)).isEqualTo("first");
        assertThat(withoutTwin.get(triplet)).isEqualTo("triplet");
        assertThat(frame.get(twin)).isEqualTo("twin");

        Frame updated = withoutTwin.with(triplet, "triplet2").without(first).without(triplet);
        assertThat(updated.get(first)).isSameAs(Frame.ABSENT);
        assertThat(updated.get(triplet)).isSameAs(Frame.ABSENT);
        assertThat(updated.size()).isEqualTo(filler.size());
    }

    private static void setFinalInt(java.lang.reflect.Field field, Object target, int value) throws Exception {
        // FrameKey.hash is final; on a class-path test this is permitted through setAccessible.
        field.setInt(target, value);
    }
}
