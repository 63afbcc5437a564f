package io.activemqha.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LabelsTest {
    @Test
    void leaderValueFollowsActivity() {
        assertThat(Labels.leaderValue(true)).isEqualTo("yes");
        assertThat(Labels.leaderValue(false)).isEqualTo("no");
    }
}
