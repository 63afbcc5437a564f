package io.activemqha.webhook.admission;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.activemqha.common.LeaseContract;
import io.fabric8.kubernetes.api.model.Quantity;

/**
 * The allowed values of every injection setting, shared by the per-pod annotations ({@link PodOverrides}) and the
 * webhook's flags ({@link #problems(InjectorConfig)}). Each check returns empty when the value is fine, else a
 * sentence saying what is allowed, for use in a denial or a startup error.
 */
public final class SettingRules {
    /** Schemes the ActiveMQ Classic client can open to the local broker (server-only transports such as auto are not). */
    public static final Set<String> BROKER_URL_SCHEMES = Set.of("tcp", "ssl", "nio", "nio+ssl");
    /** The highest health port: the labeler's lease endpoint listens on the next one. */
    public static final int MAX_HEALTH_PORT = 65534;

    /** The Kubernetes quantity grammar (resource.Quantity), without a sign: resources are never negative. */
    private static final Pattern QUANTITY =
            Pattern.compile("\\+?(\\d+(\\.\\d*)?|\\.\\d+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?\\d+)?");
    /** A Kubernetes label value (at most 63 characters, checked separately). */
    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");
    private static final int MAX_LABEL_VALUE = 63;
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final int MAX_DNS_SUBDOMAIN = 253;

    private SettingRules() {
    }

    /** A container image reference: non-empty, no whitespace. */
    public static Optional<String> image(String value) {
        if (value == null || value.isEmpty() || !value.equals(value.strip()) || value.chars().anyMatch(c -> c <= ' ')) {
            return Optional.of("must be a non-empty container image reference without whitespace,"
                    + " e.g. " + InjectorConfig.DEFAULT_LABELER_IMAGE);
        }
        return Optional.empty();
    }

    /** The broker URL the labeler connects to: {@code SCHEME://HOST:PORT[?options]}. */
    public static Optional<String> brokerUrl(String value) {
        String allowed = "must be SCHEME://HOST:PORT with SCHEME one of tcp, ssl, nio, nio+ssl, a port 1-65535"
                + " and optional ?options, e.g. tcp://localhost:61616";
        if (value == null) {
            return Optional.of(allowed);
        }
        try {
            URI uri = new URI(value);
            boolean ok = uri.getScheme() != null && BROKER_URL_SCHEMES.contains(uri.getScheme())
                    && uri.getHost() != null && !uri.getHost().isEmpty()
                    && uri.getPort() >= 1 && uri.getPort() <= 65535
                    && uri.getUserInfo() == null && uri.getFragment() == null
                    && (uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"));
            return ok ? Optional.empty() : Optional.of(allowed);
        } catch (URISyntaxException e) {
            return Optional.of(allowed);
        }
    }

    /** A boolean written exactly {@code true} or {@code false}. */
    public static Optional<String> bool(String value) {
        return "true".equals(value) || "false".equals(value) ? Optional.empty() : Optional.of("must be \"true\" or \"false\"");
    }

    /**
     * The labeler's health port: a TCP port number 1-65534, since the labeler's lease endpoint listens on the next one
     * ({@link io.activemqha.common.LeaseContract#leasePort(int)}).
     */
    public static Optional<String> healthPort(String value) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 1 && port <= MAX_HEALTH_PORT) {
                return Optional.empty();
            }
        } catch (NumberFormatException e) {
            // falls through to the explanation
        }
        return Optional.of("must be a port number 1-" + MAX_HEALTH_PORT + " (the labeler's lease endpoint takes the next one)");
    }

    /** A non-negative Kubernetes quantity such as {@code 100m}, {@code 0.5}, {@code 64Mi}, {@code 1e3}. */
    public static Optional<String> quantity(String value) {
        if (value != null && QUANTITY.matcher(value).matches()) {
            return Optional.empty();
        }
        return Optional.of("must be a non-negative Kubernetes quantity, e.g. 100m, 0.5, 64Mi, 1Gi");
    }

    /** A Kubernetes label value that names an HA group: 1-63 alphanumerics, '-', '_' or '.', alphanumeric at both ends. */
    public static Optional<String> groupName(String value) {
        if (value != null && !value.isEmpty() && value.length() <= MAX_LABEL_VALUE && LABEL_VALUE.matcher(value).matches()) {
            return Optional.empty();
        }
        return Optional.of("must be a valid label value: 1-63 characters [A-Za-z0-9-_.], starting and ending alphanumeric");
    }

    /** A ServiceAccount name: a DNS subdomain (lowercase alphanumerics, '-' and '.', at most 253 characters). */
    public static Optional<String> serviceAccount(String value) {
        if (value != null && value.length() <= MAX_DNS_SUBDOMAIN && DNS_SUBDOMAIN.matcher(value).matches()) {
            return Optional.empty();
        }
        return Optional.of("must be a DNS subdomain: lowercase alphanumerics, '-' and '.', at most 253 characters");
    }

    /** The locker of a pod: {@code shared-file} or {@code lease}. */
    public static Optional<String> locker(String value) {
        if (LeaseContract.LOCKER_SHARED_FILE.equals(value) || LeaseContract.LOCKER_LEASE.equals(value)) {
            return Optional.empty();
        }
        return Optional.of("must be \"" + LeaseContract.LOCKER_SHARED_FILE + "\" (the default: KahaDB's file lock) or \""
                + LeaseContract.LOCKER_LEASE + "\" (the group's Kubernetes Lease, held through the leader-labeler)");
    }

    /** A Lease duration as {@link LeaseContract#parseDuration} reads it (the labeler reads it the same way). */
    public static Optional<String> leaseDuration(String value) {
        try {
            LeaseContract.parseDuration(value);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * The directory the broker containers mount the locker jar at: an absolute path without whitespace or {@code ..}
     * segments, and not {@code /} (a read-only volume there would hide the whole image).
     */
    public static Optional<String> lockerLibDir(String value) {
        boolean ok = value != null && value.startsWith("/")
                && value.codePoints().noneMatch(c -> c <= ' ' || Character.isWhitespace(c) || Character.isISOControl(c))
                && Arrays.stream(value.split("/")).noneMatch(".."::equals)
                && !"/".equals(normalPath(value));
        return ok ? Optional.empty() : Optional.of("must be an absolute directory path other than /, without whitespace"
                + " or '..', e.g. " + LeaseContract.DEFAULT_LOCKER_LIB_DIR);
    }

    /** An absolute path without empty or {@code .} segments and without a trailing slash ({@code /} stays {@code /}). */
    static String normalPath(String path) {
        String joined = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty() && !".".equals(s)).collect(Collectors.joining("/"));
        return "/" + joined;
    }

    /** Request not above limit, for two quantities that passed {@link #quantity(String)}. */
    public static Optional<String> requestWithinLimit(String what, String request, String limit) {
        BigDecimal req = new Quantity(request).getNumericalAmount();
        BigDecimal lim = new Quantity(limit).getNumericalAmount();
        return req.compareTo(lim) <= 0 ? Optional.empty()
                : Optional.of(what + " request " + request + " exceeds its limit " + limit);
    }

    /** Every problem of a cluster-wide configuration, worded for a startup error; empty when it is usable. */
    public static List<String> problems(InjectorConfig config) {
        List<String> problems = new ArrayList<>();
        image(config.labelerImage()).ifPresent(p -> problems.add("labeler image \"" + config.labelerImage() + "\" " + p));
        brokerUrl(config.brokerUrl()).ifPresent(p -> problems.add("broker URL \"" + config.brokerUrl() + "\" " + p));
        healthPort(Integer.toString(config.healthPort())).ifPresent(p -> problems.add("health port " + config.healthPort() + " " + p));
        serviceAccount(config.serviceAccount()).ifPresent(p -> problems.add(
                "service account \"" + config.serviceAccount() + "\" " + p));
        InjectorConfig.SidecarResources r = config.resources();
        boolean quantitiesOk = true;
        for (String[] q : new String[][] {{"cpu request", r.cpuRequest()}, {"cpu limit", r.cpuLimit()},
                {"memory request", r.memoryRequest()}, {"memory limit", r.memoryLimit()}}) {
            Optional<String> problem = quantity(q[1]);
            if (problem.isPresent()) {
                quantitiesOk = false;
                problems.add(q[0] + " \"" + q[1] + "\" " + problem.get());
            }
        }
        if (quantitiesOk) {
            requestWithinLimit("cpu", r.cpuRequest(), r.cpuLimit()).ifPresent(problems::add);
            requestWithinLimit("memory", r.memoryRequest(), r.memoryLimit()).ifPresent(problems::add);
        }
        return List.copyOf(problems);
    }
}
