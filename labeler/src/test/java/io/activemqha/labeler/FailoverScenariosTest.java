package io.activemqha.labeler;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.common.Labels;
import io.activemqha.common.RbacRules;
import io.activemqha.labeler.testing.HaGroup;
import io.activemqha.labeler.testing.MockApi;
import io.activemqha.labeler.testing.RbacAudit;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scenarios with real brokers and real labeler processes; only the Kubernetes API is the
 * fabric8 mock server, reached through a kubeconfig. After each scenario every request the labelers sent
 * is checked against {@link RbacRules#LABELER}.
 */
class FailoverScenariosTest {
    private static MockApi api;

    @TempDir
    Path dir;
    private HaGroup group;

    @BeforeAll
    static void startApi() {
        api = new MockApi();
    }

    @AfterAll
    static void stopApi() {
        api.close();
    }

    private HaGroup group(TestInfo test) throws Exception {
        String ns = test.getTestMethod().orElseThrow().getName().toLowerCase().replaceAll("[^a-z0-9]", "");
        group = new HaGroup(api, dir, ns.substring(0, Math.min(ns.length(), 40)));
        return group;
    }

    @AfterEach
    void stopProcessesAndAuditRbac() {
        if (group != null) {
            group.close();
        }
        List<RecordedRequest> requests = api.takeRequests();
        List<String> labelerRequests = requests.stream()
                .filter(r -> !MockApi.TEST_USER_AGENT.equals(r.getHeader("User-Agent")))
                .map(r -> r.getMethod() + " " + r.getPath())
                .toList();
        Set<RbacAudit.Access> used = labelerRequests.stream()
                .map(r -> RbacAudit.of(r.substring(0, r.indexOf(' ')), r.substring(r.indexOf(' ') + 1)))
                .flatMap(Optional::stream)
                .collect(Collectors.toSet());
        assertThat(labelerRequests).as("the labelers talked to the API").isNotEmpty();
        for (RbacAudit.Access access : used) {
            assertThat(RbacRules.LABELER.getOrDefault(access.resource(), Set.of()))
                    .as("RBAC grants %s (requests: %s)", access, labelerRequests)
                    .contains(access.verb());
        }
    }

    @Test
    void twoPodsOnlyTheLockHolderIsLeader(TestInfo test) throws Exception {
        HaGroup g = group(test);
        HaGroup.Broker a = g.startMaster("a");
        HaGroup.Broker b = g.startSlave("b");
        g.createPod("pod-a", null);
        g.createPod("pod-b", null);
        g.startLabeler("pod-a", a.openwireUrl());
        g.startLabeler("pod-b", b.openwireUrl());

        g.awaitLabel("pod-a", Labels.LEADER_YES);
        g.awaitLabel("pod-b", Labels.LEADER_NO);
        assertThat(b.process().count(l -> l.startsWith("MASTER"))).as("b never held the lock").isZero();
        assertThat(api.labels(g.namespace(), "pod-a")).containsEntry(Labels.GROUP, g.group());
    }
}
