package io.activemqha.certs.cli;

import io.activemqha.certs.CertsException;
import io.activemqha.certs.CheckReport;
import io.activemqha.certs.ExistingMaterial;
import io.activemqha.certs.MaterialCheck;
import io.activemqha.certs.MaterialCodec;
import io.activemqha.certs.ServiceHosts;
import io.activemqha.certs.StoredMaterial;
import io.activemqha.certs.kube.CaBundlePatcher;
import io.activemqha.certs.kube.SecretStore;
import io.activemqha.certs.kube.WebhookKind;
import io.activemqha.certs.store.DirectoryStore;
import io.activemqha.common.CertificateFiles;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code check}: expiry, chain and names of the material, with an exit code for CronJobs. */
@Command(name = "check", sortOptions = false, mixinStandardHelpOptions = true, versionProvider = CertsCommandLine.Version.class,
        description = {"Prints the expiry of every CA and of the serving certificate, whether the serving certificate"
                + " chains to the CA bundle, belongs to tls.key and carries the expected names, and (with --webhook-config)"
                + " whether every webhook's caBundle trusts it.",
            "Exit 0 when all is valid, 1 when something is invalid or expires within --warn-before."})
final class CheckCommand implements Callable<Integer> {
    private final CliEnvironment environment;

    @Spec
    private CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", description = "Directory holding ca.crt, tls.crt and tls.key.")
    private Path dir;

    @Option(names = "--secret", paramLabel = "NAME", description = "kubernetes.io/tls Secret holding them (with --namespace).")
    private String secret;

    @Option(names = "--namespace", paramLabel = "NS", description = "Namespace of --secret and of --service.")
    private String namespace;

    @Option(names = "--service", paramLabel = "NAME",
            description = "Expect the Service's names NAME, NAME.NS, NAME.NS.svc, NAME.NS.svc.cluster.local (with --namespace).")
    private String service;

    @Option(names = "--host", paramLabel = "H", description = "Expect this DNS name or IP address too (repeatable).")
    private List<String> hosts = new ArrayList<>();

    @Option(names = "--webhook-config", paramLabel = "NAME",
            description = "Also check that every webhook of this MutatingWebhookConfiguration has a caBundle trusting the serving certificate.")
    private String mutating;

    @Option(names = "--validating-config", paramLabel = "NAME",
            description = "The same for a ValidatingWebhookConfiguration.")
    private String validating;

    @Option(names = "--warn-before", paramLabel = "D", defaultValue = "30d", converter = Converters.DurationConverter.class,
            description = "Fail when the serving certificate or its CA ends within this (default: ${DEFAULT-VALUE}).")
    private Duration warnBefore;

    CheckCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        if ((dir == null) == (secret == null)) {
            throw new ParameterException(spec.commandLine(), "check needs exactly one of --dir DIR or --secret NAME");
        }
        if ((secret != null || service != null) && namespace == null) {
            throw new ParameterException(spec.commandLine(), (secret != null ? "--secret" : "--service") + " needs --namespace");
        }
        Optional<List<String>> expected = service != null
                ? Optional.of(ServiceHosts.of(service, namespace, hosts))
                : hosts.isEmpty() ? Optional.empty() : Optional.of(hosts.stream().map(ServiceHosts::canonicalHost).toList());
        String where;
        StoredMaterial stored;
        if (dir != null) {
            if (!Files.isDirectory(dir)) {
                throw new CertsException(dir + " is not a directory");
            }
            DirectoryStore store = new DirectoryStore(dir);
            where = store.describe();
            // The CA key plays no part in a check: leave it out, so a damaged one does not fail it.
            Map<String, String> texts = new HashMap<>(store.load().material().texts());
            texts.remove(CertificateFiles.CA_KEY);
            stored = new StoredMaterial(texts);
        } else {
            SecretStore store = SecretStore.withDefaultCaSecret(environment.kubernetes().get(), namespace, secret);
            where = store.describe();
            stored = store.readServing();
        }
        ExistingMaterial material = MaterialCodec.decode(stored, where);
        Instant now = environment.clock().instant();
        CheckReport report = MaterialCheck.check(material, expected, warnBefore, now);
        if (material.leaf().isPresent() && (mutating != null || validating != null)) {
            CaBundlePatcher webhooks = new CaBundlePatcher(environment.kubernetes().get());
            if (mutating != null) {
                report = report.plus(MaterialCheck.caBundles(material.leaf().get(),
                        WebhookKind.MUTATING.resource() + "/" + mutating, webhooks.read(WebhookKind.MUTATING, mutating), now));
            }
            if (validating != null) {
                report = report.plus(MaterialCheck.caBundles(material.leaf().get(),
                        WebhookKind.VALIDATING.resource() + "/" + validating, webhooks.read(WebhookKind.VALIDATING, validating), now));
            }
        }
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println(where + ":");
        report.findings().forEach(finding -> stdout.println("  " + finding.line()));
        stdout.println(report.passed() ? "valid" : "NOT VALID");
        stdout.flush();
        return report.passed() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }
}
