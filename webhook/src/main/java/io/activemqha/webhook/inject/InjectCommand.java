package io.activemqha.webhook.inject;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.activemqha.webhook.admission.InjectorConfig;
import io.activemqha.webhook.admission.SettingRules;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code inject -f FILE|-}: writes the manifest to standard output with the leader-labeler injected into every pod
 * and pod template annotated {@code activemq-ha: "true"}, exactly as the webhook would (like istioctl kube-inject).
 * Nothing is sent to a cluster.
 */
@Command(name = "inject", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Injects the leader-labeler offline into the Pods and pod templates (Deployment, StatefulSet, "
                + "ReplicaSet, DaemonSet, Job, CronJob) of a multi-document YAML manifest whose pod annotations say "
                + "activemq-ha: \"true\", and writes the result to standard output. Other documents are copied "
                + "unchanged; running it on its own output changes nothing. No RBAC is created: the labeler's "
                + "ServiceAccount and RoleBinding must exist in the namespace (see docs/webhook-injection.md)."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:the manifest was written", "1:malformed YAML, a pod the webhook would deny, or an unreadable "
                + "input (the message gives the line)", "2:invalid options"})
public final class InjectCommand implements Callable<Integer> {
    @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE",
            description = "The manifest to inject; - reads standard input.")
    String file;

    @Option(names = "--labeler-image", paramLabel = "IMAGE",
            description = "Image of the leader-labeler container (per pod: activemq-ha/labeler-image). Default: ${DEFAULT-VALUE}.")
    String labelerImage = InjectorConfig.DEFAULT_LABELER_IMAGE;

    @Option(names = "--native-sidecar", arity = "1", paramLabel = "true|false",
            description = "Inject as a native sidecar (init container with restartPolicy Always, Kubernetes 1.29+) "
                    + "rather than a regular container (per pod: activemq-ha/native-sidecar). Default: ${DEFAULT-VALUE}.")
    boolean nativeSidecar = InjectorConfig.defaults().nativeSidecar();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final InputStream stdin;
    private final PrintStream stdout;
    private final PrintStream stderr;

    public InjectCommand() {
        this(System.in, System.out, System.err);
    }

    InjectCommand(InputStream stdin, PrintStream stdout, PrintStream stderr) {
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    @Override
    public Integer call() {
        SettingRules.image(labelerImage).ifPresent(problem -> {
            throw new CommandLine.ParameterException(spec.commandLine(), "--labeler-image \"" + labelerImage + "\" " + problem);
        });
        String source = "-".equals(file) ? "standard input" : file;
        String manifest;
        try {
            byte[] bytes = "-".equals(file) ? stdin.readAllBytes() : Files.readAllBytes(Path.of(file));
            manifest = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            stderr.println("inject: " + source + " is not UTF-8 text");
            return 1;
        } catch (IOException e) {
            stderr.println("inject: cannot read " + source + ": " + e);
            return 1;
        }
        InjectorConfig defaults = InjectorConfig.defaults();
        InjectorConfig config = new InjectorConfig(labelerImage, defaults.serviceAccount(), nativeSidecar,
                defaults.brokerUrl(), defaults.healthPort(), defaults.resources());
        ManifestInjector.Result result;
        try {
            result = new ManifestInjector(config).inject(manifest);
        } catch (ManifestException e) {
            stderr.println("inject: " + source + ": " + e.getMessage());
            return 1;
        }
        result.warnings().forEach(w -> stderr.println("inject: warning: " + w));
        byte[] output = result.output().getBytes(StandardCharsets.UTF_8);
        stdout.write(output, 0, output.length);
        stdout.flush();
        stderr.println("inject: " + result.injected() + " pod(s)/pod template(s) injected");
        return 0;
    }
}
