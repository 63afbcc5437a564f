package io.activemqha.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The images are built from what the modules produce and run as the pods expect: a Maven build stage, then a JRE
 * stage that copies the module's fixed-name jar (its pom's executable.jar.name), runs it as a numeric non-root user
 * (so runAsNonRoot can be verified) with java as PID 1.
 */
class DockerfilesTest {
    private static final String MODULE_PREFIX = "activemq-ha-";
    private static final String LAUNCHER = "labeler/src/main/sh/labeler";

    private final RepoPaths paths = RepoPaths.fromBuild();

    @ParameterizedTest
    @ValueSource(strings = {"webhook", "labeler", "certs"})
    void buildsTheModulesJarAndRunsItAsNonRoot(String module) {
        Dockerfile dockerfile = Dockerfile.read(paths.module(module).resolve("Dockerfile"));
        assertThat(dockerfile.stages()).as("multi-stage").hasSizeGreaterThanOrEqualTo(2);
        Dockerfile.Stage build = dockerfile.stages().get(0);
        Dockerfile.Stage runtime = dockerfile.last();
        assertThat(build.baseImage()).startsWith("maven:");
        assertThat(runtime.baseImage()).as("a JRE, not a JDK, at run time").contains("-jre");

        String buildCommands = String.join(" && ", build.all("RUN").stream().map(Dockerfile.Instruction::arguments).toList());
        assertThat(buildCommands).contains("-f " + module + "/pom.xml package");
        Set<String> copied = new LinkedHashSet<>(build.all("COPY").stream().map(c -> c.arguments().split("\\s+")[0]).toList());
        assertThat(copied).as("the build stage copies the root pom and every module %s depends on", module)
                .contains("pom.xml").containsAll(modulesNeededBy(module));

        String jar = executableJarName(module) + ".jar";
        String installed = installedJar(build, runtime, module, jar);

        String user = runtime.only("USER").arguments();
        assertThat(user).as("numeric uid:gid, so that the kubelet can verify runAsNonRoot").matches("\\d+(:\\d+)?");
        assertThat(Integer.parseInt(user.split(":")[0])).isPositive();

        if (module.equals("labeler")) {
            return; // started by its launcher script, see the labeler test below
        }
        List<String> entrypoint = runtime.only("ENTRYPOINT").execForm();
        assertThat(entrypoint.get(0)).isEqualTo("java");
        assertThat(entrypoint.subList(entrypoint.size() - 2, entrypoint.size())).containsExactly("-jar", installed);
        assertThat(entrypoint).contains("-XX:-UsePerfData");
    }

    @Test
    void theLabelerImageStartsThroughTheLabelersLauncherWithItsClassDataArchive() throws IOException {
        Dockerfile dockerfile = Dockerfile.read(paths.module("labeler").resolve("Dockerfile"));
        Dockerfile.Stage runtime = dockerfile.last();
        String installedJar = installedJar(dockerfile.stages().get(0), runtime, "labeler",
                executableJarName("labeler") + ".jar");
        String launcherSource = "/src/" + LAUNCHER;
        Dockerfile.Instruction copyLauncher = runtime.all("COPY").stream()
                .filter(copy -> copy.arguments().contains(launcherSource)).findFirst()
                .orElseThrow(() -> new AssertionError("the runtime stage does not copy the launcher " + LAUNCHER));
        String[] copyArgs = copyLauncher.arguments().split("\\s+");
        String launcher = copyArgs[copyArgs.length - 1];
        assertThat(copyLauncher.arguments()).contains("--chmod=0755");

        assertThat(runtime.only("ENTRYPOINT").execForm()).as("java is exec'ed by the launcher, so it is PID 1")
                .containsExactly(launcher);
        assertThat(Path.of(launcher).getParent()).as("the launcher finds the jar next to itself")
                .isEqualTo(Path.of(installedJar).getParent());
        assertThat(runtime.all("RUN")).as("the class-data archive is dumped by this image's own JVM")
                .anySatisfy(run -> assertThat(run.arguments()).isEqualTo(launcher + " --create-cds-archive"));

        String script = Files.readString(paths.root().resolve(LAUNCHER));
        assertThat(script).contains("exec \"$java\"", "$here/" + Path.of(installedJar).getFileName(),
                "-XX:+UseSerialGC", "-XX:-UsePerfData", "-XX:SharedArchiveFile=");
    }

    /** Where the runtime stage puts the module's jar, checked to be copied from the build stage's target/. */
    private static String installedJar(Dockerfile.Stage build, Dockerfile.Stage runtime, String module, String jar) {
        String source = "/src/" + module + "/target/" + jar;
        Dockerfile.Instruction copy = runtime.all("COPY").stream().filter(c -> c.arguments().contains(source))
                .findFirst().orElseThrow(() -> new AssertionError("the runtime stage does not copy " + source));
        String[] copyArgs = copy.arguments().split("\\s+");
        assertThat(copyArgs[0]).isEqualTo("--from=" + build.name());
        String installed = copyArgs[copyArgs.length - 1];
        assertThat(Path.of(installed).getFileName()).hasToString(jar);
        return installed;
    }

    @Test
    void theInstalledPodsRunAsTheImagesUser() {
        DeployTree tree = DeployTree.fromBuild();
        Rendered install = tree.render(tree.paths().install());
        long webhookUser = imageUser("webhook");
        long certsUser = imageUser("certs");
        assertThat(install.only(Deployment.class).getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser())
                .isEqualTo(webhookUser);
        assertThat(install.only(Job.class).getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser())
                .isEqualTo(certsUser);
    }

    private long imageUser(String module) {
        String user = Dockerfile.read(paths.module(module).resolve("Dockerfile")).last().only("USER").arguments();
        return Long.parseLong(user.split(":")[0]);
    }

    /** The module and every project module it depends on, transitively, as directory names. */
    private Set<String> modulesNeededBy(String module) {
        Set<String> needed = new LinkedHashSet<>();
        Deque<String> pending = new ArrayDeque<>(List.of(module));
        while (!pending.isEmpty()) {
            String next = pending.pop();
            if (needed.add(next)) {
                NodeList dependencies = pom(next).getElementsByTagName("dependency");
                for (int i = 0; i < dependencies.getLength(); i++) {
                    Element dependency = (Element) dependencies.item(i);
                    String artifact = text(dependency, "artifactId");
                    String scope = text(dependency, "scope");
                    if (artifact.startsWith(MODULE_PREFIX) && (scope == null || scope.equals("compile") || scope.equals("runtime"))) {
                        pending.push(artifact.substring(MODULE_PREFIX.length()));
                    }
                }
            }
        }
        return needed;
    }

    private String executableJarName(String module) {
        NodeList names = pom(module).getElementsByTagName("executable.jar.name");
        assertThat(names.getLength()).as("%s/pom.xml defines executable.jar.name", module).isEqualTo(1);
        return names.item(0).getTextContent().strip();
    }

    private Document pom(String module) {
        Path file = paths.module(module).resolve("pom.xml");
        assertThat(Files.isRegularFile(file)).as("%s exists", file).isTrue();
        try {
            return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
        } catch (Exception e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }

    private static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().strip();
    }
}
