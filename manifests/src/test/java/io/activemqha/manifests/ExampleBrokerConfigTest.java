package io.activemqha.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.common.Annotations;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * deploy/examples/activemq-nfs is a working shared-file master/slave: the activemq.xml in its ConfigMap puts KahaDB on
 * the NFS claim with a lock keep-alive, every transport connector is a container port and a Service port, and the
 * volume is NFSv4.1, shared read-write by both replicas.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExampleBrokerConfigTest {
    private static final String CORE = "http://activemq.apache.org/schema/core";

    private Rendered example;
    private Deployment brokers;
    private Container broker;
    private Document activemqXml;

    @BeforeAll
    void render() throws Exception {
        DeployTree tree = DeployTree.fromBuild();
        example = tree.render(tree.paths().example());
        brokers = example.only(Deployment.class);
        PodSpec pod = brokers.getSpec().getTemplate().getSpec();
        broker = pod.getContainers().get(0);
        VolumeMount configMount = broker.getVolumeMounts().stream()
                .filter(m -> m.getMountPath().endsWith("/conf/activemq.xml")).findFirst().orElseThrow();
        ConfigMap config = example.one(ConfigMap.class, volume(pod, configMount.getName()).getConfigMap().getName());
        String xml = config.getData().get(configMount.getSubPath());
        assertThat(xml).as("activemq.xml in ConfigMap %s", config.getMetadata().getName()).isNotNull();
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        activemqXml = factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aPlainAnnotatedDeploymentOfTwoBrokers() {
        assertThat(brokers.getSpec().getReplicas()).isEqualTo(2);
        assertThat(brokers.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry(Annotations.ENABLED, "true");
        PodSpec pod = brokers.getSpec().getTemplate().getSpec();
        assertThat(pod.getContainers()).hasSize(1);
        assertThat(pod.getInitContainers()).isNullOrEmpty();
        assertThat(pod.getServiceAccountName()).isNull();
    }

    @Test
    void kahaDbIsOnTheSharedClaimWithALockKeepAliveAndAShortRetry() {
        Element kahaDb = single("kahaDB");
        Path directory = Path.of(kahaDb.getAttribute("directory"));
        PodSpec pod = brokers.getSpec().getTemplate().getSpec();
        VolumeMount shared = broker.getVolumeMounts().stream().filter(m -> directory.startsWith(m.getMountPath()))
                .findFirst().orElseThrow(() -> new AssertionError("KahaDB directory " + directory + " is on no mount"));
        Volume volume = volume(pod, shared.getName());
        assertThat(volume.getPersistentVolumeClaim()).as("KahaDB must be on the shared claim, not %s", volume).isNotNull();
        PersistentVolumeClaim claim = example.one(PersistentVolumeClaim.class, volume.getPersistentVolumeClaim().getClaimName());
        assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteMany");

        assertThat(Long.parseLong(kahaDb.getAttribute("lockKeepAlivePeriod"))).isPositive();
        Element locker = single("shared-file-locker");
        assertThat(Long.parseLong(locker.getAttribute("lockAcquireSleepInterval"))).isBetween(1L, 5_000L);
        assertThat(Path.of(single("broker").getAttribute("dataDirectory")).startsWith(shared.getMountPath()))
                .as("logs and temp data stay local to the pod").isFalse();
    }

    @Test
    void theClaimBindsTheNfsV41VolumeReadWriteMany() {
        PersistentVolumeClaim claim = example.only(PersistentVolumeClaim.class);
        PersistentVolume volume = example.one(PersistentVolume.class, claim.getSpec().getVolumeName());
        assertThat(volume.getSpec().getNfs()).isNotNull();
        assertThat(volume.getSpec().getAccessModes()).containsExactly("ReadWriteMany");
        assertThat(volume.getSpec().getMountOptions()).contains("nfsvers=4.1", "hard");
        assertThat(volume.getSpec().getStorageClassName()).isEqualTo(claim.getSpec().getStorageClassName()).isEmpty();
        assertThat(volume.getSpec().getPersistentVolumeReclaimPolicy()).isEqualTo("Retain");
    }

    @Test
    void everyTransportConnectorIsAContainerPortAndAServicePort() {
        Map<String, Integer> connectors = new LinkedHashMap<>();
        NodeList nodes = activemqXml.getElementsByTagNameNS(CORE, "transportConnector");
        for (int i = 0; i < nodes.getLength(); i++) {
            Element connector = (Element) nodes.item(i);
            URI uri = URI.create(connector.getAttribute("uri"));
            connectors.put(uri.getScheme(), uri.getPort());
        }
        assertThat(connectors).as("OpenWire, AMQP, STOMP, MQTT and WebSocket").containsOnlyKeys("tcp", "amqp", "stomp", "mqtt", "ws")
                .containsEntry("tcp", 61616).containsEntry("stomp", 61613).containsEntry("mqtt", 1883)
                .containsEntry("amqp", 5672).containsEntry("ws", 61614);

        Service service = example.only(Service.class);
        for (int port : connectors.values()) {
            ContainerPort containerPort = broker.getPorts().stream().filter(p -> p.getContainerPort() == port).findFirst()
                    .orElseThrow(() -> new AssertionError("connector port " + port + " is not a container port"));
            ServicePort servicePort = service.getSpec().getPorts().stream().filter(p -> p.getPort() == port).findFirst()
                    .orElseThrow(() -> new AssertionError("connector port " + port + " is not a Service port"));
            assertThat(servicePort.getTargetPort().getStrVal()).isEqualTo(containerPort.getName());
        }
        assertThat(service.getSpec().getPorts()).hasSameSizeAs(connectors.values());
    }

    private Element single(String localName) {
        NodeList nodes = activemqXml.getElementsByTagNameNS(CORE, localName);
        assertThat(nodes.getLength()).as("<%s> elements in activemq.xml", localName).isEqualTo(1);
        return (Element) nodes.item(0);
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }
}
