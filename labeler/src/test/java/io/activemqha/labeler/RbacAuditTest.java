package io.activemqha.labeler;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.labeler.testing.RbacAudit;
import io.activemqha.labeler.testing.RbacAudit.Access;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The request-to-permission mapping the RBAC check of the scenarios relies on. */
class RbacAuditTest {
    @Test
    void mapsRequestsToVerbsAndResources() {
        assertThat(RbacAudit.of("GET", "/api/v1/namespaces/mq/pods/broker-0")).contains(new Access("get", "pods"));
        assertThat(RbacAudit.of("GET", "/api/v1/namespaces/mq/pods?labelSelector=leader%3Dyes")).contains(new Access("list", "pods"));
        assertThat(RbacAudit.of("GET", "/api/v1/namespaces/mq/pods?fieldSelector=metadata.name%3Db&watch=true"))
                .contains(new Access("watch", "pods"));
        assertThat(RbacAudit.of("PATCH", "/api/v1/namespaces/mq/pods/broker-0")).contains(new Access("patch", "pods"));
        assertThat(RbacAudit.of("POST", "/api/v1/namespaces/mq/events")).contains(new Access("create", "events"));
        assertThat(RbacAudit.of("PUT", "/api/v1/namespaces/mq/pods/b/status")).contains(new Access("update", "pods/status"));
        assertThat(RbacAudit.of("POST", "/apis/events.k8s.io/v1/namespaces/mq/events")).contains(new Access("create", "events"));
        assertThat(RbacAudit.of("GET", "/api/v1/namespaces/mq")).contains(new Access("get", "namespaces"));
        assertThat(RbacAudit.of("GET", "/version")).isEqualTo(Optional.empty());
    }
}
