package io.activemqha.certs.cli;

import io.activemqha.certs.CertsException;
import io.activemqha.certs.Certificates;
import io.activemqha.certs.IoErrors;
import io.activemqha.certs.Pem;
import io.activemqha.certs.kube.CaBundlePatcher;
import io.activemqha.certs.kube.SecretStore;
import io.activemqha.certs.kube.WebhookKind;
import io.activemqha.common.CertificateFiles;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code patch}: the CA bundle into every webhook of the webhook configuration(s), where it differs. */
@Command(name = "patch", sortOptions = false, mixinStandardHelpOptions = true, versionProvider = CertsCommandLine.Version.class,
        description = "Writes the CA bundle (ca.crt) into the caBundle of every webhook of a MutatingWebhookConfiguration"
                + " (and a ValidatingWebhookConfiguration when asked), only where it differs.")
final class PatchCommand implements Callable<Integer> {
    private final CliEnvironment environment;

    @Spec
    private CommandSpec spec;

    @Option(names = "--webhook-config", required = true, paramLabel = "NAME", description = "The MutatingWebhookConfiguration.")
    private String mutating;

    @Option(names = "--validating-config", paramLabel = "NAME", description = "A ValidatingWebhookConfiguration to patch too.")
    private String validating;

    @Option(names = "--ca-file", paramLabel = "F", description = "Read the bundle from this PEM file.")
    private Path caFile;

    @Option(names = "--secret", paramLabel = "NAME", description = "Read the bundle from this Secret's ca.crt (with --namespace).")
    private String secret;

    @Option(names = "--namespace", paramLabel = "NS", description = "The --secret's namespace.")
    private String namespace;

    PatchCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        if ((caFile == null) == (secret == null)) {
            throw new ParameterException(spec.commandLine(), "patch needs exactly one of --ca-file F or --secret NAME");
        }
        if (secret != null && namespace == null) {
            throw new ParameterException(spec.commandLine(), "--secret needs --namespace");
        }
        KubernetesClient client = environment.kubernetes().get();
        List<X509Certificate> bundle = caFile != null ? readFile(caFile) : readSecret(client);
        CaBundlePatcher patcher = new CaBundlePatcher(client);
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println(patcher.patch(WebhookKind.MUTATING, mutating, bundle).describe());
        if (validating != null) {
            stdout.println(patcher.patch(WebhookKind.VALIDATING, validating, bundle).describe());
        }
        stdout.flush();
        return ExitCodes.OK;
    }

    private static List<X509Certificate> readFile(Path file) {
        try {
            return requireCas(Pem.decodeCertificates(Files.readString(file, StandardCharsets.UTF_8)), file.toString());
        } catch (IOException e) {
            throw new CertsException("cannot read " + file + ": " + IoErrors.describe(e), e);
        } catch (IllegalArgumentException e) {
            throw new CertsException(file + ": " + e.getMessage(), e);
        }
    }

    private List<X509Certificate> readSecret(KubernetesClient client) {
        SecretStore store = SecretStore.withDefaultCaSecret(client, namespace, secret);
        String text = store.readServing().text(CertificateFiles.CA_CRT)
                .orElseThrow(() -> new CertsException(store.describe() + " has no " + CertificateFiles.CA_CRT));
        try {
            return requireCas(Pem.decodeCertificates(text), store.describe() + " " + CertificateFiles.CA_CRT);
        } catch (IllegalArgumentException e) {
            throw new CertsException(store.describe() + ": " + CertificateFiles.CA_CRT + ": " + e.getMessage(), e);
        }
    }

    private static List<X509Certificate> requireCas(List<X509Certificate> bundle, String where) {
        for (X509Certificate certificate : bundle) {
            if (!Certificates.isCa(certificate)) {
                throw new CertsException(where + " holds " + Certificates.subject(certificate)
                        + ", which is not a CA certificate: refusing to put it into a caBundle");
            }
        }
        return bundle;
    }
}
