package io.activemqha.manifests;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.LinkedHashMap;
import java.util.Map;

/** The pod templates of every workload in a render, by "Kind/name". */
final class Workloads {
    private Workloads() {
    }

    static Map<String, PodSpec> podSpecs(Rendered rendered) {
        Map<String, PodSpec> specs = new LinkedHashMap<>();
        for (HasMetadata object : rendered.objects()) {
            PodSpec spec = null;
            if (object instanceof Deployment d) {
                spec = d.getSpec().getTemplate().getSpec();
            } else if (object instanceof StatefulSet s) {
                spec = s.getSpec().getTemplate().getSpec();
            } else if (object instanceof DaemonSet d) {
                spec = d.getSpec().getTemplate().getSpec();
            } else if (object instanceof Job j) {
                spec = j.getSpec().getTemplate().getSpec();
            } else if (object instanceof CronJob c) {
                spec = c.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
            }
            if (spec != null) {
                specs.put(object.getKind() + "/" + object.getMetadata().getName(), spec);
            }
        }
        return specs;
    }
}
