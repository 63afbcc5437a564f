package io.activemqha.labeler.lease;

import io.activemqha.labeler.kube.ApiErrors;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Optional;

/** The group's Lease in the pod's namespace, through the labeler's own (pod-bound) API client. */
public final class KubeLeaseStore implements LeaseStore {
    private static final int CONFLICT = 409;

    private final KubernetesClient client;
    private final String namespace;

    public KubeLeaseStore(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    @Override
    public Optional<LeaseRecord> read(String name) {
        try {
            return Optional.ofNullable(client.leases().inNamespace(namespace).withName(name).get()).map(KubeLeaseStore::record);
        } catch (KubernetesClientException e) {
            throw new LeaseStoreException("cannot read Lease " + namespace + "/" + name + ": " + ApiErrors.describe(e), e);
        }
    }

    @Override
    public boolean create(String name, LeaseRecord lease) {
        return write("create", name, () -> client.leases().inNamespace(namespace).resource(lease(name, lease)).create());
    }

    @Override
    public boolean update(String name, LeaseRecord lease) {
        // The resourceVersion in the object makes this a conditional update: 409 if anyone wrote in between.
        return write("update", name, () -> client.leases().inNamespace(namespace).resource(lease(name, lease)).update());
    }

    /** Runs a write; false when the API answers 409 (the name exists, or someone else wrote first). */
    private boolean write(String verb, String name, Runnable write) {
        try {
            write.run();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == CONFLICT) {
                return false;
            }
            throw new LeaseStoreException("cannot " + verb + " Lease " + namespace + "/" + name + ": "
                    + ApiErrors.describe(e), e);
        }
    }

    private static LeaseRecord record(Lease lease) {
        var spec = lease.getSpec();
        Integer seconds = spec == null ? null : spec.getLeaseDurationSeconds();
        Map<String, String> annotations = lease.getMetadata().getAnnotations();
        return new LeaseRecord(spec == null ? "" : spec.getHolderIdentity(),
                Duration.ofSeconds(seconds == null ? 0 : seconds),
                spec == null || spec.getRenewTime() == null ? null : spec.getRenewTime().toInstant(),
                spec == null || spec.getLeaseTransitions() == null ? 0 : spec.getLeaseTransitions(),
                lease.getMetadata().getResourceVersion(),
                annotations == null ? "" : annotations.getOrDefault(LeaseRecord.UNFENCED, ""));
    }

    private Lease lease(String name, LeaseRecord lease) {
        ZonedDateTime renewed = lease.renewTime() == null ? null : lease.renewTime().atZone(ZoneOffset.UTC);
        return new LeaseBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .withResourceVersion(lease.resourceVersion())
                .withAnnotations(lease.unfenced().isEmpty() ? null : Map.of(LeaseRecord.UNFENCED, lease.unfenced()))
                .endMetadata()
                .withNewSpec().withHolderIdentity(lease.holder().isEmpty() ? null : lease.holder())
                .withLeaseDurationSeconds((int) Math.max(1, lease.duration().toSeconds()))
                .withRenewTime(renewed).withLeaseTransitions(lease.transitions()).endSpec().build();
    }
}
