package io.activemqha.labeler.kube;

import io.activemqha.common.Labels;
import io.activemqha.labeler.BrokerActivity;
import io.activemqha.labeler.health.LabelerMetrics;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a promotion, demotes every other pod of the own group that is still labeled {@code leader=yes}
 * (its labeler may be dead or cut off), so the Service never routes to two brokers. Each demotion is
 * conditional on the peer's resourceVersion, so a concurrent change is re-read rather than overwritten.
 */
public final class Fencer {
    private static final Logger LOG = LoggerFactory.getLogger(Fencer.class);

    private final KubernetesClient client;
    private final PodRef self;
    private final PodEventRecorder events;
    private final LabelerMetrics metrics;

    public Fencer(KubernetesClient client, PodRef self, PodEventRecorder events, LabelerMetrics metrics) {
        this.client = client;
        this.self = self;
        this.events = events;
        this.metrics = metrics;
    }

    /**
     * Fences the peers of {@code ownPod}'s group.
     *
     * @return the names of the pods demoted
     * @throws io.fabric8.kubernetes.client.KubernetesClientException on API errors; the caller retries
     */
    public List<String> fencePeers(Pod ownPod, BrokerActivity activity) {
        String group = ownPod.getMetadata().getLabels() == null ? null : ownPod.getMetadata().getLabels().get(Labels.GROUP);
        if (group == null || group.isBlank()) {
            LOG.info("pod {} has no {} label: no peers to fence", self, Labels.GROUP);
            return List.of();
        }
        List<Pod> leaders = client.pods().inNamespace(self.namespace())
                .withLabel(Labels.GROUP, group)
                .withLabel(Labels.LEADER, Labels.LEADER_YES)
                .list().getItems();
        List<String> fenced = new ArrayList<>();
        for (Pod peer : leaders) {
            String name = peer.getMetadata().getName();
            if (name.equals(self.name())) {
                continue;
            }
            client.pods().inNamespace(self.namespace()).withName(name)
                    .patch(PatchContext.of(PatchType.JSON_MERGE),
                            LabelPatch.leaderIfUnchanged(Labels.LEADER_NO, peer.getMetadata().getResourceVersion()));
            fenced.add(name);
            metrics.fencedPeer();
            String message = "fenced peer pod " + name + " of group " + group + ": it was still labeled "
                    + Labels.LEADER + "=" + Labels.LEADER_YES + " while " + activity.brokerText() + " is active here";
            LOG.warn(message);
            events.warning(ownPod.getMetadata().getUid(), PodEventRecorder.FENCED, message);
        }
        return fenced;
    }
}
