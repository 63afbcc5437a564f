package io.activemqha.labeler.testing;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Maps an HTTP request to the Kubernetes API to the RBAC verb and resource it needs (pure). */
public final class RbacAudit {
    private static final Pattern RESOURCE_PATH = Pattern.compile(
            "^/(?:api/v1|apis/[^/]+/[^/]+)(?:/namespaces/[^/]+)?/([a-z0-9.-]+)(/[^/]+)?(/[a-z]+)?$");

    private RbacAudit() {
    }

    /** A verb on a resource (subresources as {@code pods/status}). */
    public record Access(String verb, String resource) {
        @Override
        public String toString() {
            return verb + " " + resource;
        }
    }

    /** The access a request needs, or empty for discovery paths that need none ({@code /version}, {@code /api}). */
    public static Optional<Access> of(String method, String pathAndQuery) {
        URI uri = URI.create(pathAndQuery);
        String path = uri.getPath();
        String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
        if (List.of("/version", "/api", "/apis").contains(path)) {
            return Optional.empty();
        }
        Matcher m = RESOURCE_PATH.matcher(path);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a resource path: " + pathAndQuery);
        }
        // Namespaces themselves: /api/v1/namespaces/{name}.
        String resource = m.group(1);
        boolean named = m.group(2) != null;
        if (m.group(3) != null) {
            resource = resource + m.group(3);
        }
        boolean watch = List.of(query.split("&")).contains("watch=true");
        String verb = switch (method) {
            case "GET" -> watch ? "watch" : named ? "get" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> throw new IllegalArgumentException("unexpected method " + method + " " + pathAndQuery);
        };
        return Optional.of(new Access(verb, resource));
    }
}
