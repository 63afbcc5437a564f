package io.activemqha.cli.doctor;

import io.activemqha.certs.CertsException;
import io.activemqha.certs.CheckReport;
import io.activemqha.certs.ExistingMaterial;
import io.activemqha.certs.MaterialCheck;
import io.activemqha.certs.MaterialCodec;
import io.activemqha.certs.Pem;
import io.activemqha.certs.ServiceHosts;
import io.activemqha.certs.StoredMaterial;
import io.activemqha.cli.Selectors;
import io.activemqha.cli.doctor.DoctorReport.Finding;
import io.activemqha.common.Annotations;
import io.activemqha.common.InstallNames;
import io.activemqha.common.Labels;
import io.activemqha.common.RbacNames;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ServiceReference;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code doctor} checks as a pure function of a {@link DoctorSnapshot}: what is installed against what
 * deploy/install ships, the webhook's certificate and reachability, and the state of every annotated pod.
 */
public final class DoctorChecks {
    /** FailedCreate: the reason controllers record when the API server refused a pod they create. */
    static final String FAILED_CREATE = "FailedCreate";
    private static final String REINSTALL = "kubectl apply -k deploy/install (docs/deploy.md)";
    /** The certs CronJob deploy/install/certs.yaml ships: a Job from it re-issues (if due) and re-patches. */
    private static final String CERTS_CRONJOB = InstallNames.CERTS_SERVICE_ACCOUNT + "-renew";
    private static final String REPATCH_CA = "run the certs job now: kubectl -n " + InstallNames.NAMESPACE
            + " create job --from=cronjob/" + CERTS_CRONJOB + " certs-now (with cert-manager: check its Certificate"
            + " and CA injector; docs/certs.md)";

    private final MutatingWebhook shipped;
    private final Duration certificateWarning;

    /**
     * @param shipped            the webhook entry as deploy/install ships it ({@link ShippedWebhook#entry()})
     * @param certificateWarning a certificate ending within this window is a warning
     */
    public DoctorChecks(MutatingWebhook shipped, Duration certificateWarning) {
        this.shipped = shipped;
        this.certificateWarning = certificateWarning;
    }

    public DoctorReport check(DoctorSnapshot snapshot) {
        List<Finding> findings = new ArrayList<>();
        Optional<MutatingWebhook> entry = webhook(snapshot, findings);
        entry.ifPresent(webhook -> {
            asShipped(webhook, findings);
            certificate(webhook, snapshot, findings);
            endpoints(webhook, snapshot, findings);
        });
        policies(snapshot, findings);
        labelerRbac(snapshot, findings);
        injection(snapshot, findings);
        services(snapshot, findings);
        return new DoctorReport(snapshot.takenAt().toString(), findings);
    }

    private static Optional<MutatingWebhook> webhook(DoctorSnapshot snapshot, List<Finding> findings) {
        if (snapshot.webhookConfiguration().isEmpty()) {
            findings.add(Finding.problem("webhook-configuration", "MutatingWebhookConfiguration " + InstallNames.WEBHOOK
                    + " is missing: no pod is injected", REINSTALL));
            return Optional.empty();
        }
        MutatingWebhookConfiguration configuration = snapshot.webhookConfiguration().get();
        Optional<MutatingWebhook> entry = Optional.ofNullable(configuration.getWebhooks()).orElse(List.of()).stream()
                .filter(w -> InstallNames.WEBHOOK_ENTRY.equals(w.getName())).findFirst();
        findings.add(entry.isPresent()
                ? Finding.ok("webhook-configuration", "MutatingWebhookConfiguration " + InstallNames.WEBHOOK + " present")
                : Finding.problem("webhook-configuration", "MutatingWebhookConfiguration " + InstallNames.WEBHOOK
                + " has no webhook " + InstallNames.WEBHOOK_ENTRY, REINSTALL));
        return entry;
    }

    private void asShipped(MutatingWebhook webhook, List<Finding> findings) {
        findings.add(Objects.equals(webhook.getFailurePolicy(), shipped.getFailurePolicy())
                ? Finding.ok("webhook-failure-policy", "failurePolicy " + webhook.getFailurePolicy() + " as shipped")
                : Finding.problem("webhook-failure-policy", "failurePolicy is " + webhook.getFailurePolicy()
                + ", shipped " + shipped.getFailurePolicy() + (("Ignore".equals(webhook.getFailurePolicy()))
                ? ": while the webhook is down, brokers start uninjected and never get traffic" : ""), REINSTALL));
        findings.add(Objects.equals(webhook.getMatchConditions(), shipped.getMatchConditions())
                ? Finding.ok("webhook-match-conditions", "matchConditions as shipped")
                : Finding.problem("webhook-match-conditions", "matchConditions differ from deploy/install: "
                + webhook.getMatchConditions() + " instead of " + shipped.getMatchConditions(), REINSTALL));
    }

    private void certificate(MutatingWebhook webhook, DoctorSnapshot snapshot, List<Finding> findings) {
        String secretName = InstallNames.NAMESPACE + "/" + InstallNames.WEBHOOK_TLS_SECRET;
        if (snapshot.tlsSecret().isEmpty()) {
            findings.add(Finding.problem("webhook-certificate", "Secret " + secretName + " is missing", REPATCH_CA));
            return;
        }
        ExistingMaterial material;
        try {
            material = MaterialCodec.decode(new StoredMaterial(texts(snapshot.tlsSecret().get())), "secret " + secretName);
        } catch (CertsException e) {
            findings.add(Finding.problem("webhook-certificate", e.getMessage(), REPATCH_CA));
            return;
        }
        Optional<String> host = dialedHost(webhook);
        CheckReport report = MaterialCheck.check(material, host.map(List::of), certificateWarning, snapshot.takenAt());
        for (CheckReport.Finding finding : report.findings()) {
            findings.add(certificateFinding("webhook-certificate", "Secret " + secretName + ": " + finding.text(),
                    finding.status()));
        }
        String bundleText = webhook.getClientConfig() == null ? null : webhook.getClientConfig().getCaBundle();
        List<X509Certificate> bundle;
        try {
            bundle = bundleText == null || bundleText.isBlank() ? List.of()
                    : Pem.decodeCertificates(new String(Base64.getDecoder().decode(bundleText), StandardCharsets.UTF_8));
        } catch (RuntimeException unreadable) {
            bundle = List.of();
        }
        if (material.leaf().isEmpty()) {
            findings.add(Finding.problem("webhook-ca-bundle", "caBundle cannot be checked: the Secret holds no tls.crt",
                    REPATCH_CA));
            return;
        }
        for (CheckReport.Finding finding : MaterialCheck.caBundles(material.leaf().get(), InstallNames.WEBHOOK,
                Map.of(webhook.getName(), bundle), snapshot.takenAt())) {
            findings.add(certificateFinding("webhook-ca-bundle", finding.text(), finding.status()));
        }
    }

    private static Finding certificateFinding(String check, String text, CheckReport.Status status) {
        return switch (status) {
            case OK -> Finding.ok(check, text);
            case EXPIRING -> Finding.warning(check, text, "renew it: " + REPATCH_CA);
            case FAIL -> Finding.problem(check, text, REPATCH_CA);
        };
    }

    /** The host the API server dials: the Service's DNS name, or the URL's host. */
    private static Optional<String> dialedHost(MutatingWebhook webhook) {
        if (webhook.getClientConfig() == null) {
            return Optional.empty();
        }
        ServiceReference service = webhook.getClientConfig().getService();
        if (service != null) {
            return Optional.of(ServiceHosts.serviceDnsName(service.getName(), service.getNamespace()));
        }
        try {
            return Optional.ofNullable(webhook.getClientConfig().getUrl()).map(url -> URI.create(url).getHost())
                    .map(ServiceHosts::canonicalHost);
        } catch (IllegalArgumentException badUrl) {
            return Optional.empty();
        }
    }

    private static Map<String, String> texts(Secret secret) {
        Map<String, String> texts = new HashMap<>();
        Optional.ofNullable(secret.getData()).orElse(Map.of()).forEach((name, base64) ->
                texts.put(name, new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8)));
        Optional.ofNullable(secret.getStringData()).orElse(Map.of()).forEach(texts::put);
        return texts;
    }

    private static void endpoints(MutatingWebhook webhook, DoctorSnapshot snapshot, List<Finding> findings) {
        ServiceReference reference = webhook.getClientConfig() == null ? null : webhook.getClientConfig().getService();
        if (reference == null) {
            String url = webhook.getClientConfig() == null ? null : webhook.getClientConfig().getUrl();
            findings.add(Finding.ok("webhook-endpoints", "the API server calls the webhook at " + url
                    + " (clientConfig.url, no Service to check)"));
            return;
        }
        String name = reference.getNamespace() + "/" + reference.getName();
        if (snapshot.webhookService().isEmpty()) {
            findings.add(Finding.problem("webhook-endpoints", "webhook Service " + name + " is missing", REINSTALL));
            return;
        }
        long ready = snapshot.webhookEndpointSlices().stream()
                .map(EndpointSlice::getEndpoints).filter(Objects::nonNull).flatMap(List::stream)
                .filter(e -> e.getConditions() == null || !Boolean.FALSE.equals(e.getConditions().getReady()))
                .count();
        findings.add(ready > 0
                ? Finding.ok("webhook-endpoints", "webhook Service " + name + " has " + ready + " ready endpoint(s)")
                : Finding.problem("webhook-endpoints", "webhook Service " + name + " has no ready endpoint: every "
                + "annotated pod is refused (failurePolicy Fail)", "kubectl -n " + reference.getNamespace()
                + " get pods,deploy " + InstallNames.WEBHOOK + "; kubectl -n " + reference.getNamespace() + " logs deploy/"
                + InstallNames.WEBHOOK));
    }

    private static void policies(DoctorSnapshot snapshot, List<Finding> findings) {
        for (String policy : InstallNames.LABELER_POLICIES) {
            boolean present = snapshot.policies().contains(policy);
            boolean bound = snapshot.policyBindings().contains(policy);
            findings.add(present && bound
                    ? Finding.ok("labeler-policy", "ValidatingAdmissionPolicy " + policy + " and its binding present")
                    : Finding.problem("labeler-policy", "ValidatingAdmissionPolicy " + policy
                    + (present ? "" : " missing") + (present || bound ? "" : ",") + (bound ? "" : " binding missing")
                    + ": the labeler's API access is not confined", REINSTALL));
        }
        findings.add(snapshot.labelerClusterRole()
                ? Finding.ok("labeler-rbac", "ClusterRole " + RbacNames.LABELER_CLUSTER_ROLE + " present")
                : Finding.problem("labeler-rbac", "ClusterRole " + RbacNames.LABELER_CLUSTER_ROLE + " is missing",
                REINSTALL));
    }

    private static void labelerRbac(DoctorSnapshot snapshot, List<Finding> findings) {
        Set<String> namespaces = new TreeSet<>();
        snapshot.pods().stream().filter(DoctorChecks::optedIn).forEach(p -> namespaces.add(p.getMetadata().getNamespace()));
        for (String namespace : namespaces) {
            boolean account = snapshot.serviceAccounts().stream().anyMatch(sa ->
                    namespace.equals(sa.getMetadata().getNamespace())
                            && RbacNames.LABELER_SERVICE_ACCOUNT.equals(sa.getMetadata().getName()));
            Optional<RoleBinding> binding = snapshot.roleBindings().stream().filter(rb ->
                    namespace.equals(rb.getMetadata().getNamespace())
                            && RbacNames.LABELER_ROLE_BINDING.equals(rb.getMetadata().getName())).findFirst();
            List<String> missing = new ArrayList<>();
            if (!account) {
                missing.add("ServiceAccount " + RbacNames.LABELER_SERVICE_ACCOUNT + " is missing");
            }
            if (binding.isEmpty()) {
                missing.add("RoleBinding " + RbacNames.LABELER_ROLE_BINDING + " is missing");
            } else if (!"ClusterRole".equals(binding.get().getRoleRef().getKind())
                    || !RbacNames.LABELER_CLUSTER_ROLE.equals(binding.get().getRoleRef().getName())) {
                missing.add("RoleBinding " + RbacNames.LABELER_ROLE_BINDING + " binds " + binding.get().getRoleRef().getKind()
                        + " " + binding.get().getRoleRef().getName() + " instead of ClusterRole "
                        + RbacNames.LABELER_CLUSTER_ROLE);
            }
            findings.add(missing.isEmpty()
                    ? Finding.ok("labeler-rbac", "namespace " + namespace + ": ServiceAccount and RoleBinding "
                    + RbacNames.LABELER_ROLE_BINDING + " present")
                    : Finding.problem("labeler-rbac", "namespace " + namespace + ": " + String.join(", ", missing)
                    + ": its labelers cannot label their pods", "the webhook provisions them on its next admission in "
                    + "the namespace (after its --rbac-cache-ttl): delete a standby broker pod; without RBAC provisioning, "
                    + "apply deploy/components/labeler-rbac there (docs/deploy.md)"));
        }
    }

    private static void injection(DoctorSnapshot snapshot, List<Finding> findings) {
        List<Pod> notInjected = snapshot.pods().stream().filter(DoctorChecks::optedIn)
                .filter(p -> !Selectors.annotations(p).containsKey(Annotations.INJECTED))
                .sorted(Comparator.comparing((Pod p) -> p.getMetadata().getNamespace()).thenComparing(p -> p.getMetadata().getName()))
                .toList();
        for (Pod pod : notInjected) {
            String name = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
            String why = lastWarning(snapshot.events(), pod)
                    .map(e -> "last warning: " + e.getReason() + ": " + e.getMessage())
                    .orElse("no " + Annotations.INJECTED + " marker: it was admitted without the webhook (created "
                            + "before the install, or while the webhook configuration was missing or excluded its namespace)");
            findings.add(Finding.problem("pod-injection", "pod " + name + " is annotated " + Annotations.ENABLED
                    + "=true but not injected; " + why, "recreate it (kubectl delete pod " + pod.getMetadata().getName()
                    + " -n " + pod.getMetadata().getNamespace() + ") once the webhook checks pass"));
        }
        List<Event> refused = snapshot.events().stream()
                .filter(e -> FAILED_CREATE.equals(e.getReason()) && e.getMessage() != null
                        && e.getMessage().contains(InstallNames.WEBHOOK_ENTRY))
                .toList();
        for (Event event : refused) {
            findings.add(Finding.problem("pod-injection", event.getInvolvedObject().getKind() + " "
                    + event.getMetadata().getNamespace() + "/" + event.getInvolvedObject().getName()
                    + " could not create a pod: " + event.getMessage(), "fix the webhook findings above"));
        }
        long injected = snapshot.pods().stream().filter(DoctorChecks::optedIn)
                .filter(p -> Selectors.annotations(p).containsKey(Annotations.INJECTED)).count();
        if (notInjected.isEmpty() && refused.isEmpty()) {
            findings.add(Finding.ok("pod-injection", injected + " annotated pod(s), all injected"));
        }
    }

    private static void services(DoctorSnapshot snapshot, List<Finding> findings) {
        List<Pod> injected = snapshot.pods().stream()
                .filter(p -> Selectors.annotations(p).containsKey(Annotations.INJECTED)).toList();
        int routing = 0;
        for (Service service : snapshot.services().stream()
                .sorted(Comparator.comparing((Service s) -> s.getMetadata().getNamespace())
                        .thenComparing(s -> s.getMetadata().getName())).toList()) {
            Map<String, String> selector = Selectors.of(service);
            if (!selector.containsKey(Labels.LEADER) && !selector.containsKey(Labels.GROUP)) {
                continue;
            }
            routing++;
            if (injected.stream().noneMatch(p -> Selectors.selectsWhenLeading(service, p))) {
                findings.add(Finding.problem("service-selector", "Service " + service.getMetadata().getNamespace() + "/"
                        + service.getMetadata().getName() + " selects " + selector
                        + " but no injected pod matches it (leader aside): it never gets an endpoint",
                        "make its selector match the broker pods' labels"));
            }
        }
        if (findings.stream().noneMatch(f -> f.check().equals("service-selector"))) {
            findings.add(Finding.ok("service-selector", routing + " Service(s) selecting " + Labels.LEADER + " or "
                    + Labels.GROUP + ", each matching injected pods"));
        }
    }

    private static Optional<Event> lastWarning(List<Event> events, Pod pod) {
        return events.stream()
                .filter(e -> "Warning".equals(e.getType()) && e.getInvolvedObject() != null
                        && pod.getMetadata().getName().equals(e.getInvolvedObject().getName())
                        && pod.getMetadata().getNamespace().equals(e.getMetadata().getNamespace()))
                .max(Comparator.comparing(e -> Objects.toString(e.getLastTimestamp(), "")));
    }

    /** Annotated for injection: the only value the webhook injects ({@code false} opts out, others are denied). */
    static boolean optedIn(Pod pod) {
        return "true".equals(Selectors.annotations(pod).get(Annotations.ENABLED));
    }
}
