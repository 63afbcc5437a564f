package io.activemqha.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
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
 * (so runAsNonRoot can be verified) with java as PID 1. Both base images are build arguments with fully qualified
 * defaults, so that e2e/images.sh (or anyone) can build the same files on other bases.
 */
class DockerfilesTest {
    private static final String MODULE_PREFIX = "activemq-ha-";
    private static final List<String> MODULES = List.of("webhook", "labeler", "certs");
    private static final String BUILD_IMAGE = "BUILD_IMAGE";
    private static final String RUNTIME_IMAGE = "RUNTIME_IMAGE";
    /** registry (a domain or localhost, optional port) / path : tag or @digest: no short-name resolution involved. */
    private static final Pattern FULLY_QUALIFIED = Pattern.compile(
            "(localhost|[a-z0-9-]+(\\.[a-z0-9-]+)+)(:\\d+)?(/[a-z0-9._-]+)+(:[\\w][\\w.-]*|@sha256:[0-9a-f]{64})");

    private final RepoPaths paths = RepoPaths.fromBuild();

    @ParameterizedTest
    @ValueSource(strings = {"webhook", "labeler", "certs"})
    void buildsTheModulesJarAndRunsItAsNonRoot(String module) {
        Dockerfile dockerfile = Dockerfile.read(paths.module(module).resolve("Dockerfile"));
        assertThat(dockerfile.stages()).as("multi-stage").hasSizeGreaterThanOrEqualTo(2);
        Dockerfile.Stage build = dockerfile.stages().get(0);
        Dockerfile.Stage runtime = dockerfile.last();
        assertThat(build.baseImage()).isEqualTo("${" + BUILD_IMAGE + "}");
        assertThat(dockerfile.withDefaults(build.baseImage())).startsWith("docker.io/library/maven:");
        assertThat(runtime.baseImage()).isEqualTo("${" + RUNTIME_IMAGE + "}");
        assertThat(dockerfile.withDefaults(runtime.baseImage())).as("a JRE, not a JDK, at run time").contains("-jre");

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
        assertThat(runtime.all("RUN")).as("no user account is created: the runtime base is substitutable and need not "
                + "have (the same) adduser; the numeric USER needs none")
                .noneSatisfy(run -> assertThat(run.arguments())
                        .containsAnyOf("adduser", "useradd", "addgroup", "groupadd"));

        if (!module.equals("certs")) {
            return; // started by its launcher script, see the launcher test below
        }
        List<String> entrypoint = runtime.only("ENTRYPOINT").execForm();
        assertThat(entrypoint.get(0)).isEqualTo("java");
        assertThat(entrypoint.subList(entrypoint.size() - 2, entrypoint.size())).containsExactly("-jar", installed);
        assertThat(entrypoint).contains("-XX:-UsePerfData");
    }

    @ParameterizedTest
    @ValueSource(strings = {"webhook", "labeler"})
    void theLongRunningImagesStartThroughTheirLauncherWithItsClassDataArchive(String module) throws IOException {
        Dockerfile dockerfile = Dockerfile.read(paths.module(module).resolve("Dockerfile"));
        Dockerfile.Stage runtime = dockerfile.last();
        String installedJar = installedJar(dockerfile.stages().get(0), runtime, module,
                executableJarName(module) + ".jar");
        String launcherPath = module + "/src/main/sh/" + module;
        String launcherSource = "/src/" + launcherPath;
        Dockerfile.Instruction copyLauncher = runtime.all("COPY").stream()
                .filter(copy -> copy.arguments().contains(launcherSource)).findFirst()
                .orElseThrow(() -> new AssertionError("the runtime stage does not copy the launcher " + launcherPath));
        String[] copyArgs = copyLauncher.arguments().split("\\s+");
        String launcher = copyArgs[copyArgs.length - 1];
        assertThat(copyLauncher.arguments()).contains("--chmod=0755");

        assertThat(runtime.only("ENTRYPOINT").execForm()).as("java is exec'ed by the launcher, so it is PID 1")
                .containsExactly(launcher);
        assertThat(Path.of(launcher).getParent()).as("the launcher finds the jar next to itself")
                .isEqualTo(Path.of(installedJar).getParent());
        assertThat(runtime.all("RUN")).as("the class-data archive is dumped by this image's own JVM")
                .anySatisfy(run -> assertThat(run.arguments()).isEqualTo(launcher + " --create-cds-archive"));

        String script = Files.readString(paths.root().resolve(launcherPath));
        assertThat(script).contains("exec \"$java\"", "$here/" + Path.of(installedJar).getFileName(),
                "-XX:+UseSerialGC", "-XX:-UsePerfData", "-XX:SharedArchiveFile=");
    }

    @ParameterizedTest
    @ValueSource(strings = {"webhook", "labeler", "certs"})
    void everyBaseImageIsABuildArgumentWithAFullyQualifiedDefault(String module) {
        Dockerfile dockerfile = Dockerfile.read(paths.module(module).resolve("Dockerfile"));
        assertThat(dockerfile.globalArgs()).as("ARGs before the first FROM").containsKeys(BUILD_IMAGE, RUNTIME_IMAGE);
        for (String arg : List.of(BUILD_IMAGE, RUNTIME_IMAGE)) {
            assertThat(dockerfile.globalArgs().get(arg)).as("default of %s", arg).isNotNull()
                    .matches(FULLY_QUALIFIED);
        }
        Set<String> stageNames = new LinkedHashSet<>();
        for (Dockerfile.Stage stage : dockerfile.stages()) {
            assertThat(stage.baseImage()).as("every FROM is one of the two arguments or an earlier stage, no literal image")
                    .isIn(concat(List.of("${" + BUILD_IMAGE + "}", "${" + RUNTIME_IMAGE + "}"), stageNames));
            if (stage.name() != null) {
                stageNames.add(stage.name());
            }
        }
    }

    @Test
    void theDockerfilesShareTheirBaseImageDefaults() {
        Map<String, Map<String, String>> defaults = new LinkedHashMap<>();
        for (String module : MODULES) {
            Map<String, String> args = Dockerfile.read(paths.module(module).resolve("Dockerfile")).globalArgs();
            defaults.put(module, Map.of(BUILD_IMAGE, String.valueOf(args.get(BUILD_IMAGE)),
                    RUNTIME_IMAGE, String.valueOf(args.get(RUNTIME_IMAGE))));
        }
        assertThat(new LinkedHashSet<>(defaults.values())).as("one pair of --build-arg fits every image: %s", defaults)
                .hasSize(1);
    }

    private static List<String> concat(List<String> first, Set<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
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
