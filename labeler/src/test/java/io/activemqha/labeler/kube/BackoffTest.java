package io.activemqha.labeler.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void growsExponentiallyUpToTheCap() {
        Backoff top = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), () -> 0.999999);

        assertThat(top.delay(1)).isEqualTo(Duration.ofMillis(99));
        assertThat(top.delay(2).toMillis()).isBetween(190L, 200L);
        assertThat(top.delay(4).toMillis()).isBetween(790L, 800L);
        assertThat(top.delay(10)).isLessThanOrEqualTo(Duration.ofSeconds(5));
        assertThat(top.delay(1000)).isLessThanOrEqualTo(Duration.ofSeconds(5)).isGreaterThan(Duration.ofSeconds(4));
    }

    @Test
    void jitterSpreadsBetweenHalfTheBaseAndTheStep() {
        Backoff low = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), () -> 0.0);

        assertThat(low.delay(1)).isEqualTo(Duration.ofMillis(50));
        assertThat(low.delay(30)).isEqualTo(Duration.ofMillis(50));
    }

    @Test
    void rejectsAnInvertedRange() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), () -> 0.5))
                .hasMessageContaining("0 < base <= max");
    }
}
