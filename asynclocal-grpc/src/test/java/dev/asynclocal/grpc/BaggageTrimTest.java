package dev.asynclocal.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BaggageTrimTest {
    @Test
    void aHeaderThatFitsIsKeptAsItIs() {
        List<String> dropped = new ArrayList<>();
        assertThat(BaggageTrim.trim("a=1,b=2", Set.of(), 7, dropped)).isEqualTo("a=1,b=2");
        assertThat(dropped).isEmpty();
    }

    @Test
    void declaredMembersAreKeptFirstThenTheOthersInOrderWhileTheyFit() {
        List<String> dropped = new ArrayList<>();
        String header = "a=" + "x".repeat(10) + ",requestId=r1,b=22,c=" + "y".repeat(20) + ",d=4";

        String trimmed = BaggageTrim.trim(header, Set.of("requestId"), 30, dropped);

        assertThat(trimmed).isEqualTo("requestId=r1,a=xxxxxxxxxx,b=22");
        assertThat(trimmed.length()).isLessThanOrEqualTo(30);
        assertThat(dropped).containsExactly("c", "d");
    }

    @Test
    void nothingFitsMeansNoHeader() {
        List<String> dropped = new ArrayList<>();
        assertThat(BaggageTrim.trim("requestId=" + "r".repeat(40), Set.of("requestId"), 20, dropped)).isNull();
        assertThat(dropped).containsExactly("requestId");
    }
}
