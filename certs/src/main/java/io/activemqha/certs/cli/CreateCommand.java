package io.activemqha.certs.cli;

import io.activemqha.certs.CertificateRequest;
import io.activemqha.certs.Durations;
import io.activemqha.certs.KeyAlgorithm;
import io.activemqha.certs.Provisioner;
import io.activemqha.certs.RenewalPolicy;
import io.activemqha.certs.kube.SecretStore;
import io.activemqha.certs.store.DirectoryStore;
import io.activemqha.certs.store.MaterialStore;
import io.activemqha.common.CertificateFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code create}: the CA and serving certificate, created, kept, renewed or rotated as needed. */
@Command(name = "create", sortOptions = false, mixinStandardHelpOptions = true, versionProvider = CertsCommandLine.Version.class,
        description = {
            "Creates a CA and a serving certificate for NAME, NAME.NS, NAME.NS.svc, NAME.NS.svc.cluster.local and every"
                    + " --host, or brings existing material up to date: kept when valid for the names and outside its"
                    + " renewal window (nothing written), else the leaf renewed under the same CA; a CA near its end is"
                    + " rotated, old and new CA both staying in ca.crt.",
            "With --secret the Secrets are the material (files in --out are a copy); otherwise --out is."})
final class CreateCommand implements Callable<Integer> {
    private final CliEnvironment environment;

    @Spec
    private CommandSpec spec;

    @Option(names = "--service", required = true, paramLabel = "NAME", description = "The webhook's Service name.")
    private String service;

    @Option(names = "--namespace", required = true, paramLabel = "NS", description = "The Service's namespace (and the Secrets').")
    private String namespace;

    @Option(names = "--host", paramLabel = "H", description = "An extra DNS name or IP address for the certificate (repeatable).")
    private List<String> hosts = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "Directory for ca.crt, tls.crt, tls.key and ca.key (PEM).")
    private Path out;

    @Option(names = "--secret", paramLabel = "NAME", description = "kubernetes.io/tls Secret for tls.crt, tls.key and ca.crt.")
    private String secret;

    @Option(names = "--ca-secret", paramLabel = "NAME",
            description = "Opaque Secret for the CA key (default: the --secret name + '" + CertificateFiles.CA_SECRET_SUFFIX + "').")
    private String caSecret;

    @Option(names = "--key-algorithm", paramLabel = "ALG", defaultValue = "ecdsa-p256",
            converter = Converters.KeyAlgorithmConverter.class,
            description = "ecdsa-p256, rsa-2048 or rsa-3072 (default: ${DEFAULT-VALUE}).")
    private KeyAlgorithm algorithm;

    @Option(names = "--ca-validity", paramLabel = "D", defaultValue = "3650d", converter = Converters.DurationConverter.class,
            description = "Lifetime of a new CA (default: ${DEFAULT-VALUE}).")
    private Duration caValidity;

    @Option(names = "--leaf-validity", paramLabel = "D", defaultValue = "365d", converter = Converters.DurationConverter.class,
            description = "Lifetime of a new serving certificate (default: ${DEFAULT-VALUE}).")
    private Duration leafValidity;

    @Option(names = "--renew-before", paramLabel = "D", converter = Converters.DurationConverter.class,
            description = "Renew the serving certificate when less than this remains (default: a third of its lifetime).")
    private Duration renewBefore;

    @Option(names = "--ca-renew-before", paramLabel = "D", converter = Converters.DurationConverter.class,
            description = "Rotate the CA when less than this remains (default: a third of its lifetime, at least the leaf validity).")
    private Duration caRenewBefore;

    @Option(names = "--ca-publication-delay", paramLabel = "D", defaultValue = "1h", converter = Converters.DurationConverter.class,
            description = "After a CA rotation, how long the new CA is only in ca.crt before the serving certificate moves to it"
                    + " (default: ${DEFAULT-VALUE}).")
    private Duration publicationDelay;

    CreateCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        if (out == null && secret == null) {
            throw new ParameterException(spec.commandLine(), "create needs --out DIR and/or --secret NAME");
        }
        if (caSecret != null && secret == null) {
            throw new ParameterException(spec.commandLine(), "--ca-secret needs --secret");
        }
        CertificateRequest request = CertificateRequest.forService(service, namespace, hosts, algorithm);
        RenewalPolicy policy = new RenewalPolicy(caValidity, leafValidity, Optional.ofNullable(renewBefore),
                Optional.ofNullable(caRenewBefore), publicationDelay);
        Optional<MaterialStore> directory = Optional.ofNullable(out).map(DirectoryStore::new);
        MaterialStore primary = secret == null ? directory.orElseThrow()
                : new SecretStore(environment.kubernetes().get(), namespace, secret,
                        caSecret != null ? caSecret : secret + CertificateFiles.CA_SECRET_SUFFIX);
        Optional<MaterialStore> copy = secret == null ? Optional.empty() : directory;

        Instant now = environment.clock().instant();
        Provisioner.Outcome outcome = new Provisioner(primary, copy).run(request, policy, now);
        PrintWriter stdout = spec.commandLine().getOut();
        outcome.plan().reasons().forEach(reason -> stdout.println("- " + reason));
        var leaf = outcome.material().leaf().certificate();
        if (outcome.plan().keepsEverything()) {
            stdout.println("kept: " + primary.describe() + " is valid for " + request.hosts().size()
                    + " names until " + leaf.getNotAfter().toInstant() + "; nothing to renew");
        }
        outcome.written().forEach(line -> stdout.println("wrote " + line));
        if (outcome.written().isEmpty()) {
            stdout.println("no write: everything is up to date");
        } else {
            stdout.println("serving certificate valid until " + leaf.getNotAfter().toInstant() + " (in "
                    + Durations.format(Duration.between(now, leaf.getNotAfter().toInstant()).withNanos(0)) + ")");
        }
        stdout.flush();
        return ExitCodes.OK;
    }
}
