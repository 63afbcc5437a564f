package io.activemqha.cli.doctor;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code doctor} reads from the cluster, at one moment; {@link DoctorChecks} judges it.
 *
 * @param takenAt               when it was read (certificate expiry is judged at this instant)
 * @param webhookConfiguration  the MutatingWebhookConfiguration {@link io.activemqha.common.InstallNames#WEBHOOK}
 * @param tlsSecret             the webhook's serving certificate Secret in the install namespace
 * @param webhookService        the webhook's Service in the install namespace
 * @param webhookEndpointSlices that Service's EndpointSlices
 * @param policies              names of the ValidatingAdmissionPolicies present (of those the install ships)
 * @param policyBindings        names of their bindings present
 * @param labelerClusterRole    whether the labeler's ClusterRole exists
 * @param pods                  every pod annotated {@link io.activemqha.common.Annotations#ENABLED}, any namespace
 * @param serviceAccounts       the labeler ServiceAccounts found in those pods' namespaces
 * @param roleBindings          the labeler RoleBindings found in those namespaces
 * @param services              every Service of those namespaces
 * @param events                Events on those pods, and FailedCreate Events of any namespace
 */
public record DoctorSnapshot(Instant takenAt, Optional<MutatingWebhookConfiguration> webhookConfiguration,
                             Optional<Secret> tlsSecret, Optional<Service> webhookService,
                             List<EndpointSlice> webhookEndpointSlices, Set<String> policies, Set<String> policyBindings,
                             boolean labelerClusterRole, List<Pod> pods, List<ServiceAccount> serviceAccounts,
                             List<RoleBinding> roleBindings, List<Service> services, List<Event> events) {
    public DoctorSnapshot {
        webhookEndpointSlices = List.copyOf(webhookEndpointSlices);
        policies = Set.copyOf(policies);
        policyBindings = Set.copyOf(policyBindings);
        pods = List.copyOf(pods);
        serviceAccounts = List.copyOf(serviceAccounts);
        roleBindings = List.copyOf(roleBindings);
        services = List.copyOf(services);
        events = List.copyOf(events);
    }
}
