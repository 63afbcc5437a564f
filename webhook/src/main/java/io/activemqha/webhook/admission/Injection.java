package io.activemqha.webhook.admission;

import java.util.List;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * What {@link PodInjector} decided for one pod.
 *
 * @param outcome               {@link Outcome#INJECTED}, {@link Outcome#SKIPPED} or {@link Outcome#DENIED}
 * @param pod                   the mutated copy when injected, else {@code null}
 * @param prepared              when injected: the copy before anything was added (labels, account and token isolation
 *                              done), so a patch can be computed in readable steps: changes and removals first, then
 *                              additions; else {@code null}
 * @param equipped              when injected with the lease locker: {@code prepared} with the locker's mounts and env
 *                              added to the pod's own containers, the step between; else {@code null}
 * @param reason                a short reason for logs and metrics, e.g. {@code injected}, {@code not annotated}
 * @param message               the denial message (names the annotation, its value and what is allowed), else {@code null}
 * @param warnings              admission warnings to return even though the pod is admitted
 * @param labelerServiceAccount the labeler's ServiceAccount when the injected pod runs as it (it must then exist and
 *                              be bound in the namespace), else {@code null}
 */
public record Injection(Outcome outcome, Pod pod, Pod prepared, Pod equipped, String reason, String message, List<String> warnings,
                        String labelerServiceAccount) {
    public Injection {
        warnings = List.copyOf(warnings);
    }

    static Injection skipped(String reason) {
        return new Injection(Outcome.SKIPPED, null, null, null, reason, null, List.of(), null);
    }

    static Injection denied(String reason, String message) {
        return new Injection(Outcome.DENIED, null, null, null, reason, message, List.of(), null);
    }
}
