package io.activemqha.webhook.admission;

/**
 * Where the pod being injected comes from, as far as the HA group is concerned.
 *
 * @param workloadName the name of the workload whose pod template is injected offline, which names the group;
 *                     {@code null} at admission, where the group comes from the pod's owner or name
 */
public record InjectionContext(String workloadName) {
    /** A pod under admission: the group comes from its annotation, owner reference, name or generateName. */
    public static InjectionContext admission() {
        return new InjectionContext(null);
    }

    /** A workload's pod template (offline injection): the group is the workload's name unless annotated. */
    public static InjectionContext workload(String name) {
        return new InjectionContext(name);
    }
}
