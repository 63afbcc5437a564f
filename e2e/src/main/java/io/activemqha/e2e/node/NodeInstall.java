package io.activemqha.e2e.node;

import io.activemqha.common.InstallNames;
import io.activemqha.e2e.Await;
import io.activemqha.e2e.ControlPlane;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * {@code deploy/install} applied to a control plane with a real node, exactly as a user applies it, and awaited as a
 * user would check it: the certs Job completed (certificate issued, caBundle patched, check passed), the webhook
 * Deployment available with every replica, and its PodDisruptionBudget computed.
 */
public final class NodeInstall {
    private NodeInstall() {
    }

    /**
     * Removes whatever an earlier install left (e.g. a webhook configuration re-routed to a local process), applies
     * {@code deploy/install} unchanged and waits until it serves.
     *
     * @param diagnosis more to print when a wait times out (e.g. the kubelet's log)
     */
    public static void applyAsShipped(ControlPlane plane, Path projectRoot, Duration timeout, Supplier<String> diagnosis) {
        KubernetesClient client = plane.client();
        Path install = projectRoot.resolve("deploy/install");
        plane.deleteKustomization(install, InstallNames.NAMESPACE, timeout,
                () -> plane.kubectl("get", "all", "-n", InstallNames.NAMESPACE).stdout());
        plane.kubectl().succeed("apply", "-k", install.toString());

        Supplier<String> state = () -> plane.kubectl("get", "jobs,pods,deployments,pdb", "-n", InstallNames.NAMESPACE,
                "-o", "wide").stdout() + plane.kubectl("get", "events", "-n", InstallNames.NAMESPACE).stdout()
                + "\n" + diagnosis.get();
        Await.untilTrue("Job " + InstallNames.CERTS_SERVICE_ACCOUNT + " complete", timeout, () -> {
            Job job = client.batch().v1().jobs().inNamespace(InstallNames.NAMESPACE)
                    .withName(InstallNames.CERTS_SERVICE_ACCOUNT).get();
            return job != null && job.getStatus() != null && job.getStatus().getSucceeded() != null
                    && job.getStatus().getSucceeded() >= 1;
        }, state);
        MutatingWebhook entry = client.admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName(InstallNames.WEBHOOK).get().getWebhooks().get(0);
        if (entry.getClientConfig().getCaBundle() == null || entry.getClientConfig().getCaBundle().isEmpty()) {
            throw new IllegalStateException("the certs Job completed but left no caBundle in " + InstallNames.WEBHOOK);
        }
        Await.untilTrue("Deployment " + InstallNames.WEBHOOK + " available with every replica", timeout, () -> {
            Deployment deployment = client.apps().deployments().inNamespace(InstallNames.NAMESPACE)
                    .withName(InstallNames.WEBHOOK).get();
            Integer available = deployment.getStatus() == null ? null : deployment.getStatus().getAvailableReplicas();
            return available != null && available.equals(deployment.getSpec().getReplicas());
        }, state);
        Await.untilTrue("PodDisruptionBudget " + InstallNames.WEBHOOK + " observed", timeout, () -> {
            PodDisruptionBudget budget = client.policy().v1().podDisruptionBudget().inNamespace(InstallNames.NAMESPACE)
                    .withName(InstallNames.WEBHOOK).get();
            return budget.getStatus() != null && budget.getStatus().getCurrentHealthy() != null
                    && budget.getStatus().getCurrentHealthy() >= 2;
        }, state);
    }
}
