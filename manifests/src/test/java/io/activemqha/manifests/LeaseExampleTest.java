package io.activemqha.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.common.Annotations;
import io.activemqha.common.LeaseContract;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.activemqha.webhook.admission.AdmissionReviewer;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * deploy/examples/activemq-lease is deploy/examples/activemq-nfs with the lease locker and nothing else: the pod
 * template asks for it, its activemq.xml differs from the NFS example's only in the persistence adapter's locker (and
 * its keep-alive period) and the fence plugin, and the locker's intervals fit the Lease duration. Injected as the installed webhook would, the
 * pod gets the jar's install container first and the broker its mount and endpoint.
 */
class LeaseExampleTest {
    private static final String BEANS = "http://www.springframework.org/schema/beans";

    private final DeployTree tree = DeployTree.fromBuild();
    private final Rendered lease = tree.render(tree.paths().leaseExample());
    private final Rendered nfs = tree.render(tree.paths().example());

    @Test
    void thePodTemplateAsksForTheLeaseLockerWithAValidDuration() {
        Map<String, String> annotations = lease.only(Deployment.class).getSpec().getTemplate().getMetadata().getAnnotations();
        assertThat(annotations).containsEntry(Annotations.ENABLED, "true")
                .containsEntry(Annotations.LOCKER, LeaseContract.LOCKER_LEASE);
        assertThat(LeaseContract.parseDuration(annotations.get(Annotations.LEASE_DURATION))).isPositive();
    }

    @Test
    void onlyTheLockerAndTheFenceDifferFromTheNfsExample() throws Exception {
        Document leaseXml = activemqXml(lease);
        Document nfsXml = activemqXml(nfs);
        Element locker = single(leaseXml, "locker");
        Element bean = (Element) locker.getElementsByTagNameNS(BEANS, "bean").item(0);
        assertThat(bean.getAttribute("class")).isEqualTo("io.activemqha.locker.LeaseLocker");
        assertThat(single(leaseXml, "plugins").getElementsByTagNameNS(BEANS, "bean").item(0).getAttributes()
                .getNamedItem("class").getNodeValue()).isEqualTo("io.activemqha.locker.LeaseFencePlugin");

        locker.getParentNode().removeChild(locker);
        single(nfsXml, "locker").getParentNode().removeChild(single(nfsXml, "locker"));
        // The keep-alive is the lease locker's renewal period, set for the Lease duration: the one attribute that differs.
        single(leaseXml, "kahaDB").removeAttribute("lockKeepAlivePeriod");
        single(nfsXml, "kahaDB").removeAttribute("lockKeepAlivePeriod");
        Element plugins = single(leaseXml, "plugins");
        plugins.getParentNode().removeChild(plugins);
        leaseXml.normalizeDocument();
        nfsXml.normalizeDocument();
        assertThat(withoutCommentsAndBlanks(leaseXml.getDocumentElement()))
                .as("the rest of activemq.xml, compared with deploy/examples/activemq-nfs's")
                .isEqualTo(withoutCommentsAndBlanks(nfsXml.getDocumentElement()));
    }

    @Test
    void theLockersIntervalsFitTheLeaseDuration() throws Exception {
        Document xml = activemqXml(lease);
        long keepAlive = Long.parseLong(single(xml, "kahaDB").getAttribute("lockKeepAlivePeriod"));
        Map<String, Long> properties = new HashMap<>();
        NodeList list = single(xml, "locker").getElementsByTagNameNS(BEANS, "property");
        for (int i = 0; i < list.getLength(); i++) {
            Element property = (Element) list.item(i);
            properties.put(property.getAttribute("name"), Long.parseLong(property.getAttribute("value")));
        }
        Duration duration = LeaseContract.parseDuration(lease.only(Deployment.class).getSpec().getTemplate().getMetadata()
                .getAnnotations().get(Annotations.LEASE_DURATION));
        assertThat(properties.get("requestTimeout")).isPositive().isLessThan(keepAlive);
        // Several renewals may fail in a row before the master stops: at least three keep-alives fit in its validity.
        assertThat(3 * keepAlive).isLessThanOrEqualTo(duration.toMillis() - properties.get("safetyMargin"));
        assertThat(properties.get("lockAcquireSleepInterval")).isPositive().isLessThan(duration.toMillis());
    }

    @Test
    void theInjectedPodGetsTheJarFirstAndTheBrokerItsMountAndEndpoint() {
        BrokerPods pods = new BrokerPods(lease.only(Deployment.class), new AdmissionReviewer(tree.installedWebhookFlags().injector()));
        Pod injected = pods.admitted(pods.created(), "activemq-" + BrokerPods.TEMPLATE_HASH + "-l3a5e");
        assertThat(injected.getSpec().getInitContainers().get(0).getName()).isEqualTo(LeaseContract.LOCKER_INSTALL_CONTAINER_NAME);
        Container broker = injected.getSpec().getContainers().get(0);
        assertThat(broker.getVolumeMounts()).filteredOn(m -> m.getName().equals(LeaseContract.LOCKER_VOLUME_NAME))
                .singleElement().satisfies(m -> {
                    assertThat(m.getMountPath()).isEqualTo(LeaseContract.DEFAULT_LOCKER_LIB_DIR);
                    assertThat(m.getReadOnly()).isTrue();
                });
        assertThat(broker.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo(LeaseContract.ENV_LEASE_URL);
            assertThat(e.getValue()).isEqualTo(LeaseContract.DEFAULT_LEASE_URL);
        });
    }

    private static Document activemqXml(Rendered example) throws Exception {
        Deployment brokers = example.only(Deployment.class);
        Container broker = brokers.getSpec().getTemplate().getSpec().getContainers().get(0);
        VolumeMount mount = broker.getVolumeMounts().stream().filter(m -> m.getMountPath().endsWith("/conf/activemq.xml"))
                .findFirst().orElseThrow();
        String configMap = brokers.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow().getConfigMap().getName();
        String xml = example.one(ConfigMap.class, configMap).getData().get(mount.getSubPath());
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    private static Element single(Document xml, String localName) {
        NodeList found = xml.getElementsByTagNameNS("*", localName);
        assertThat(found.getLength()).as("<%s> elements", localName).isEqualTo(1);
        return (Element) found.item(0);
    }

    /** The element tree as text, comments and whitespace-only text left out. */
    private static String withoutCommentsAndBlanks(Node node) {
        StringBuilder out = new StringBuilder();
        if (node.getNodeType() == Node.ELEMENT_NODE) {
            out.append('<').append(node.getNamespaceURI()).append(':').append(node.getLocalName());
            for (int i = 0; i < node.getAttributes().getLength(); i++) {
                Node attribute = node.getAttributes().item(i);
                out.append(' ').append(attribute.getNodeName()).append("=\"").append(attribute.getNodeValue()).append('"');
            }
            out.append('>');
            for (Node child = node.getFirstChild(); child != null; child = child.getNextSibling()) {
                out.append(withoutCommentsAndBlanks(child));
            }
            out.append("</>");
        } else if (node.getNodeType() == Node.TEXT_NODE && !node.getNodeValue().isBlank()) {
            out.append(node.getNodeValue().strip());
        }
        return out.toString();
    }
}
