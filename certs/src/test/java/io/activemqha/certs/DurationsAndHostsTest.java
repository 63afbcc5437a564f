package io.activemqha.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CLI's duration syntax and host name rules. */
class DurationsAndHostsTest {
    @Test
    void parsesUnitsSumsAndIso() {
        assertThat(Durations.parse("10y")).isEqualTo(Duration.ofDays(3650));
        assertThat(Durations.parse("90d")).isEqualTo(Duration.ofDays(90));
        assertThat(Durations.parse("1d12h")).isEqualTo(Duration.ofHours(36));
        assertThat(Durations.parse("30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(Durations.parse("45s")).isEqualTo(Duration.ofSeconds(45));
        assertThat(Durations.parse("P30D")).isEqualTo(Duration.ofDays(30));
        assertThat(Durations.parse("pt1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("0s")).isZero();
    }

    @Test
    void rejectsAnythingElseNamingTheForms() {
        for (String bad : List.of("", "10", "1 y", "-5d", "5w", "d", "P", "1y-2d", "99999999999d")) {
            assertThatThrownBy(() -> Durations.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not a duration: use amounts with units y, d, h, m, s");
        }
    }

    @Test
    void formatsLargestUnitsFirst() {
        assertThat(Durations.format(Duration.ofDays(365))).isEqualTo("365d");
        assertThat(Durations.format(Duration.ofHours(36).plusMinutes(5))).isEqualTo("1d12h5m");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
        assertThat(Durations.format(Duration.ofDays(365).dividedBy(3))).isEqualTo("121d16h");
    }

    @Test
    void serviceHostsAreTheFourClusterNamesThenTheExtras() {
        assertThat(ServiceHosts.of("webhook", "ns", List.of("Webhook.Example.COM", "10.0.0.1", "::1", "webhook.ns")))
                .containsExactly("webhook", "webhook.ns", "webhook.ns.svc", "webhook.ns.svc.cluster.local",
                        "webhook.example.com", "10.0.0.1", "0:0:0:0:0:0:0:1");
        assertThat(ServiceHosts.serviceDnsName("webhook", "ns")).isEqualTo("webhook.ns.svc");
    }

    @Test
    void rejectsNamesThatAreNeitherDnsNamesNorIpLiterals() {
        assertThatThrownBy(() -> ServiceHosts.of("-webhook", "ns", List.of())).hasMessageContaining("service '-webhook' is not a DNS label");
        assertThatThrownBy(() -> ServiceHosts.of("webhook", "n".repeat(64), List.of())).hasMessageContaining("namespace");
        for (String bad : List.of("bad_host", "*.example.com", "a..b", "trailing.", "999.1.1.1.", "x".repeat(64) + ".com", "")) {
            assertThatThrownBy(() -> ServiceHosts.canonicalHost(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        // A mistyped IP address is neither: no DNS lookup, no numeric "DNS name".
        assertThatThrownBy(() -> ServiceHosts.canonicalHost("999.1.1.1")).hasMessage("host '999.1.1.1' looks like an IP address but is not a valid one");
        assertThatThrownBy(() -> ServiceHosts.canonicalHost("10.0.0")).hasMessageContaining("looks like an IP address");
        assertThat(CertificateAuthority.isIpLiteral("999.1.1.1")).isFalse();
        assertThat(ServiceHosts.canonicalHost("node-1.example")).isEqualTo("node-1.example");
        assertThat(CertificateAuthority.isIpLiteral("fd00::10")).isTrue();
    }
}
