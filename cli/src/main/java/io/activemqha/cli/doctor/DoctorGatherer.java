package io.activemqha.cli.doctor;

import io.activemqha.cli.Selectors;
import io.activemqha.common.InstallNames;
import io.activemqha.common.RbacNames;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ServiceReference;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Reads a {@link DoctorSnapshot} from the API server: gets and lists only. */
public final class DoctorGatherer {
    private final KubernetesClient client;
    private final Clock clock;

    public DoctorGatherer(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    public DoctorSnapshot gather() {
        Optional<MutatingWebhookConfiguration> configuration = Optional.ofNullable(client.admissionRegistration().v1()
                .mutatingWebhookConfigurations().withName(InstallNames.WEBHOOK).get());
        // The Service the configuration names, else the one deploy/install creates.
        ServiceReference reference = configuration.flatMap(c -> Optional.ofNullable(c.getWebhooks()).orElse(List.of())
                        .stream().filter(w -> InstallNames.WEBHOOK_ENTRY.equals(w.getName())).findFirst())
                .map(w -> w.getClientConfig() == null ? null : w.getClientConfig().getService())
                .orElse(new ServiceReference(InstallNames.WEBHOOK, InstallNames.NAMESPACE, null, null));
        Optional<Service> webhookService = Optional.ofNullable(client.services().inNamespace(reference.getNamespace())
                .withName(reference.getName()).get());
        List<EndpointSlice> webhookSlices = client.discovery().v1().endpointSlices().inNamespace(reference.getNamespace())
                .withLabel(Selectors.SERVICE_NAME_LABEL, reference.getName()).list().getItems();
        Set<String> policies = new HashSet<>();
        Set<String> bindings = new HashSet<>();
        for (String policy : InstallNames.LABELER_POLICIES) {
            var admission = client.admissionRegistration().v1();
            if (admission.validatingAdmissionPolicies().withName(policy).get() != null) {
                policies.add(policy);
            }
            if (admission.validatingAdmissionPolicyBindings().withName(policy).get() != null) {
                bindings.add(policy);
            }
        }
        boolean clusterRole = client.rbac().clusterRoles().withName(RbacNames.LABELER_CLUSTER_ROLE).get() != null;
        List<Pod> pods = client.pods().inAnyNamespace().list().getItems().stream()
                .filter(p -> p.getMetadata().getAnnotations() != null
                        && p.getMetadata().getAnnotations().containsKey(io.activemqha.common.Annotations.ENABLED))
                .toList();
        Set<String> namespaces = new TreeSet<>();
        pods.forEach(p -> namespaces.add(p.getMetadata().getNamespace()));
        List<ServiceAccount> accounts = new ArrayList<>();
        List<RoleBinding> roleBindings = new ArrayList<>();
        List<Service> services = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        for (String namespace : namespaces) {
            Optional.ofNullable(client.serviceAccounts().inNamespace(namespace)
                    .withName(RbacNames.LABELER_SERVICE_ACCOUNT).get()).ifPresent(accounts::add);
            Optional.ofNullable(client.rbac().roleBindings().inNamespace(namespace)
                    .withName(RbacNames.LABELER_ROLE_BINDING).get()).ifPresent(roleBindings::add);
            services.addAll(client.services().inNamespace(namespace).list().getItems());
            events.addAll(client.v1().events().inNamespace(namespace).withField("involvedObject.kind", "Pod")
                    .list().getItems());
        }
        events.addAll(client.v1().events().inAnyNamespace().withField("reason", DoctorChecks.FAILED_CREATE)
                .list().getItems());
        return new DoctorSnapshot(clock.instant(), configuration,
                Optional.ofNullable(client.secrets().inNamespace(InstallNames.NAMESPACE)
                        .withName(InstallNames.WEBHOOK_TLS_SECRET).get()),
                webhookService, webhookSlices, policies, bindings, clusterRole, pods, accounts, roleBindings, services,
                events);
    }
}
