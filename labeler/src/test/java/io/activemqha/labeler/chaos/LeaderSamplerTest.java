package io.activemqha.labeler.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.common.Labels;
import io.activemqha.labeler.testing.MockApi;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The chaos test's two-leader check reports an overlap longer than its window, and only then. */
class LeaderSamplerTest {
    @Test
    void twoLeadersBeyondTheWindowAreAViolationAndASingleLeaderIsNot() throws Exception {
        try (MockApi api = new MockApi()) {
            api.createPod("sampler", "pod-a", "sampler-brokers", Labels.LEADER_YES);
            api.createPod("sampler", "pod-b", "sampler-brokers", Labels.LEADER_NO);
            ChaosLog log = new ChaosLog(1);
            try (LeaderSampler sampler = new LeaderSampler(api, "sampler", Duration.ofMillis(50), Duration.ofMillis(500), log)) {
                await(() -> sampler.samples() >= 5);
                assertThat(sampler.soleLeader()).contains("pod-a");
                assertThat(log.violations()).isEmpty();

                api.client().pods().inNamespace("sampler").withName("pod-b")
                        .edit(p -> { p.getMetadata().getLabels().put(Labels.LEADER, Labels.LEADER_YES); return p; });
                await(() -> !log.violations().isEmpty());
                assertThat(sampler.leaders()).isEqualTo(List.of("pod-a", "pod-b"));
                assertThat(sampler.soleLeader()).isEmpty();
                assertThat(log.violations().get(0)).contains("two leaders [pod-a, pod-b]").contains("window 500 ms");
                assertThat(sampler.longestOverlap()).isGreaterThan(Duration.ofMillis(500));
            }
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
