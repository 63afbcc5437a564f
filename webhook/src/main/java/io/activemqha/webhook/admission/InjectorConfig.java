package io.activemqha.webhook.admission;

import io.activemqha.common.LabelerContract;
import io.activemqha.common.RbacNames;

/**
 * Cluster-wide injection defaults, set by the webhook's flags; per-pod annotations override them.
 *
 * @param labelerImage   image of the injected {@code leader-labeler} container
 * @param serviceAccount account given to annotated pods that use none or {@code default}
 * @param nativeSidecar  inject as an init container with {@code restartPolicy: Always} (Kubernetes 1.29+)
 * @param brokerUrl      broker URL the labeler probes
 * @param healthPort     the labeler's health port
 * @param resources      the labeler's requests and limits
 */
public record InjectorConfig(
        String labelerImage,
        String serviceAccount,
        boolean nativeSidecar,
        String brokerUrl,
        int healthPort,
        SidecarResources resources) {

    /** Default labeler image; deploy/ pins the real one through kustomize {@code images:}. */
    public static final String DEFAULT_LABELER_IMAGE = "activemq-ha/leader-labeler:0.1.0";

    /** The defaults every flag documents. */
    public static InjectorConfig defaults() {
        return new InjectorConfig(DEFAULT_LABELER_IMAGE, RbacNames.LABELER_SERVICE_ACCOUNT, true,
                LabelerContract.DEFAULT_BROKER_URL, LabelerContract.DEFAULT_HEALTH_PORT, SidecarResources.defaults());
    }

    /**
     * The labeler container's resources as Kubernetes quantities.
     *
     * @param cpuRequest    e.g. {@code 10m}
     * @param cpuLimit      e.g. {@code 200m}
     * @param memoryRequest e.g. {@code 64Mi}
     * @param memoryLimit   e.g. {@code 128Mi}
     */
    public record SidecarResources(String cpuRequest, String cpuLimit, String memoryRequest, String memoryLimit) {
        public static SidecarResources defaults() {
            return new SidecarResources("10m", "200m", "64Mi", "128Mi");
        }
    }
}
