package io.activemqha.cli;

import io.activemqha.common.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import java.util.Map;

/** How a Service's selector relates to broker pods, whose {@link Labels#LEADER} label flips at run time. */
public final class Selectors {
    /** The label the EndpointSlice controller puts on a Service's slices. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private Selectors() {
    }

    /** The Service's selector, empty when it has none (a Service without selector has hand-made endpoints). */
    public static Map<String, String> of(Service service) {
        Map<String, String> selector = service.getSpec() == null ? null : service.getSpec().getSelector();
        return selector == null ? Map.of() : selector;
    }

    /** Whether the Service routes by leadership: it selects {@code leader=yes}. */
    public static boolean selectsLeader(Service service) {
        return Labels.LEADER_YES.equals(of(service).get(Labels.LEADER));
    }

    /**
     * Whether the Service selects {@code pod} when the pod leads: every selector term but {@code leader} matches.
     * False for a Service without selector.
     */
    public static boolean selectsWhenLeading(Service service, Pod pod) {
        Map<String, String> selector = of(service);
        if (selector.isEmpty() || !sameNamespace(service, pod)) {
            return false;
        }
        Map<String, String> labels = labels(pod);
        return selector.entrySet().stream()
                .filter(term -> !term.getKey().equals(Labels.LEADER))
                .allMatch(term -> term.getValue().equals(labels.get(term.getKey())));
    }

    public static Map<String, String> labels(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        return labels == null ? Map.of() : labels;
    }

    public static Map<String, String> annotations(Pod pod) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        return annotations == null ? Map.of() : annotations;
    }

    private static boolean sameNamespace(Service service, Pod pod) {
        return java.util.Objects.equals(service.getMetadata().getNamespace(), pod.getMetadata().getNamespace());
    }
}
