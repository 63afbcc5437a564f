package io.activemqha.webhook.admission;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import io.activemqha.common.Annotations;
import io.activemqha.common.LeaseContract;
import io.activemqha.webhook.admission.InjectorConfig.SidecarResources;

/**
 * One pod's injection settings: the cluster defaults of {@link InjectorConfig} with the pod's override annotations
 * applied. Built by {@link #parse(Map, InjectorConfig)}, which reports every invalid annotation at once.
 *
 * @param group           the {@code activemq-ha/group} annotation, or {@code null} when the group is derived
 * @param labelerImage    image of the {@code leader-labeler} container
 * @param brokerUrl       URL of the local broker the labeler probes
 * @param healthPort      the labeler's health (liveness and metrics) port
 * @param nativeSidecar   inject as an init container with {@code restartPolicy: Always}
 * @param brokerApiAccess leave the pod's own API token in its containers (no token isolation)
 * @param resources       the labeler's requests and limits
 * @param lease           the lease locker's settings with {@code activemq-ha/locker: "lease"}, else {@code null} (the
 *                        shared-file locker, for which nothing is injected)
 */
public record PodOverrides(
        String group,
        String labelerImage,
        String brokerUrl,
        int healthPort,
        boolean nativeSidecar,
        boolean brokerApiAccess,
        SidecarResources resources,
        LeaseLocker lease) {

    /**
     * The lease locker's settings.
     *
     * @param duration the Lease duration, normalised ({@code 10s})
     * @param libDir   where the broker containers find the locker jar, normalised (no trailing or doubled slashes)
     */
    public record LeaseLocker(String duration, String libDir) {
    }

    /**
     * The outcome of parsing: the settings, meaningful only when {@link #errors()} is empty.
     *
     * @param overrides the settings (defaults where an annotation was absent or invalid)
     * @param errors    one sentence per invalid annotation, naming it, its value and what is allowed
     */
    public record Parsed(PodOverrides overrides, List<String> errors) {
        public Parsed {
            errors = List.copyOf(errors);
        }

        public boolean valid() {
            return errors.isEmpty();
        }
    }

    /** Applies the override annotations of a pod (null means none) to the cluster defaults. */
    public static Parsed parse(Map<String, String> annotations, InjectorConfig defaults) {
        Map<String, String> values = annotations == null ? Map.of() : annotations;
        List<String> errors = new ArrayList<>();
        Reader reader = new Reader(values, errors);
        String group = reader.value(Annotations.GROUP, null, SettingRules::groupName, Function.identity());
        String image = reader.value(Annotations.LABELER_IMAGE, defaults.labelerImage(), SettingRules::image, Function.identity());
        String brokerUrl = reader.value(Annotations.BROKER_URL, defaults.brokerUrl(), SettingRules::brokerUrl, Function.identity());
        int healthPort = reader.value(Annotations.HEALTH_PORT, defaults.healthPort(), SettingRules::healthPort, Integer::valueOf);
        boolean nativeSidecar = reader.value(Annotations.NATIVE_SIDECAR, defaults.nativeSidecar(), SettingRules::bool, Boolean::valueOf);
        boolean brokerApiAccess = reader.value(Annotations.BROKER_API_ACCESS, false, SettingRules::bool, Boolean::valueOf);
        SidecarResources d = defaults.resources();
        String cpuRequest = reader.value(Annotations.LABELER_CPU_REQUEST, d.cpuRequest(), SettingRules::quantity, Function.identity());
        String cpuLimit = reader.value(Annotations.LABELER_CPU_LIMIT, d.cpuLimit(), SettingRules::quantity, Function.identity());
        String memoryRequest = reader.value(Annotations.LABELER_MEMORY_REQUEST, d.memoryRequest(), SettingRules::quantity, Function.identity());
        String memoryLimit = reader.value(Annotations.LABELER_MEMORY_LIMIT, d.memoryLimit(), SettingRules::quantity, Function.identity());
        LeaseLocker lease = lease(reader, values, errors);
        if (errors.isEmpty()) {
            // Only meaningful once every quantity parsed; the API server would reject the pod with a vaguer message.
            SettingRules.requestWithinLimit("leader-labeler cpu", cpuRequest, cpuLimit).ifPresent(p -> errors.add(p
                    + " (annotations " + Annotations.LABELER_CPU_REQUEST + ", " + Annotations.LABELER_CPU_LIMIT + ")"));
            SettingRules.requestWithinLimit("leader-labeler memory", memoryRequest, memoryLimit).ifPresent(p -> errors.add(p
                    + " (annotations " + Annotations.LABELER_MEMORY_REQUEST + ", " + Annotations.LABELER_MEMORY_LIMIT + ")"));
        }
        PodOverrides overrides = new PodOverrides(group, image, brokerUrl, healthPort, nativeSidecar, brokerApiAccess,
                new SidecarResources(cpuRequest, cpuLimit, memoryRequest, memoryLimit), lease);
        return new Parsed(overrides, errors);
    }

    /** The lease locker's settings, or {@code null} for the shared-file locker. */
    private static LeaseLocker lease(Reader reader, Map<String, String> values, List<String> errors) {
        int before = errors.size();
        String locker = reader.value(Annotations.LOCKER, LeaseContract.LOCKER_SHARED_FILE, SettingRules::locker, Function.identity());
        if (LeaseContract.LOCKER_LEASE.equals(locker)) {
            String duration = reader.value(Annotations.LEASE_DURATION, LeaseContract.DEFAULT_LEASE_DURATION,
                    SettingRules::leaseDuration, v -> LeaseContract.parseDuration(v).toSeconds() + "s");
            String libDir = reader.value(Annotations.LOCKER_LIB_DIR, LeaseContract.DEFAULT_LOCKER_LIB_DIR,
                    SettingRules::lockerLibDir, SettingRules::normalPath);
            return new LeaseLocker(duration, libDir);
        }
        if (errors.size() == before) {
            // A lease setting without the lease locker is a typo'd or half-removed setup: silently ignoring it would
            // leave the pod on the shared-file locker while its author believes otherwise.
            for (String annotation : List.of(Annotations.LOCKER_LIB_DIR, Annotations.LEASE_DURATION)) {
                String raw = values.get(annotation);
                if (raw != null) {
                    errors.add("annotation " + annotation + "=\"" + raw + "\" is invalid: it only applies with "
                            + Annotations.LOCKER + ": \"" + LeaseContract.LOCKER_LEASE + "\" (this pod uses the "
                            + locker + " locker); set that annotation or remove this one");
                }
            }
        }
        return null;
    }

    /** Reads one annotation: absent gives the default, invalid records an error and gives the default. */
    private record Reader(Map<String, String> annotations, List<String> errors) {
        <T> T value(String annotation, T fallback, Function<String, Optional<String>> rule, Function<String, T> convert) {
            String raw = annotations.get(annotation);
            if (raw == null) {
                return fallback;
            }
            Optional<String> problem = rule.apply(raw);
            if (problem.isPresent()) {
                errors.add("annotation " + annotation + "=\"" + raw + "\" is invalid: " + problem.get());
                return fallback;
            }
            return convert.apply(raw);
        }
    }
}
