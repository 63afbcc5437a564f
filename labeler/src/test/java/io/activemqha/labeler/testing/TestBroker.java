package io.activemqha.labeler.testing;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.activemq.broker.BrokerPlugin;
import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.broker.TransportConnector;
import org.apache.activemq.security.AuthenticationUser;
import org.apache.activemq.security.SimpleAuthenticationPlugin;
import org.apache.activemq.store.SharedFileLocker;
import org.apache.activemq.store.kahadb.KahaDBPersistenceAdapter;

/**
 * A real ActiveMQ Classic broker for one child JVM of the tests: KahaDB on a shared directory with the
 * shared-file locker, so of several such processes exactly one is master. By default connectors are added by
 * URI before start, which binds them at once: a slave's ports are bound (but not accepting) while it waits for
 * the lock, the harder case for the probe. With {@code -D}{@value #STANDBY_PORTS}{@code =closed} they are added as
 * {@code activemq.xml}'s {@code <transportConnectors>} are (a {@link TransportConnector} bean, bound when the
 * broker starts them after taking the lock): a slave's ports refuse connections, as with the stock image's
 * configuration.
 * Prints {@code MASTER <epoch ms>} once started; reads commands from stdin: {@code restart} stops the broker
 * and, after an optional pause, starts a new one in the same JVM (back as a slave if another holds the lock), as ActiveMQ does after
 * losing its lock.
 * Args: name dataDir openwirePort stompPort(0 = none) [user:password].
 */
public final class TestBroker {
    /** System property choosing how a slave's ports look: {@code bound} (default) or {@code closed}. */
    public static final String STANDBY_PORTS = "testbroker.standbyPorts";

    private TestBroker() {
    }

    public static void main(String[] args) throws Exception {
        String name = args[0];
        File data = new File(args[1]);
        int openwire = Integer.parseInt(args[2]);
        int stomp = Integer.parseInt(args[3]);
        String credentials = args.length > 4 ? args[4] : null;
        BrokerService broker = start(name, data, openwire, stomp, credentials);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith("restart")) {
                broker.stop();
                broker.waitUntilStopped();
                System.out.println("STOPPED " + System.currentTimeMillis());
                System.out.flush();
                // "restart <ms>": stay down that long, so that a waiting slave takes the lock first.
                String[] words = line.split(" ");
                Thread.sleep(words.length > 1 ? Long.parseLong(words[1]) : 0);
                broker = start(name, data, openwire, stomp, credentials);
            } else if (line.equals("exit")) {
                break;
            }
        }
        broker.stop();
        System.exit(0);
    }

    private static BrokerService start(String name, File data, int openwire, int stomp, String credentials) throws Exception {
        BrokerService broker = new BrokerService();
        broker.setBrokerName(name);
        broker.setUseJmx(false);
        broker.setAdvisorySupport(false);
        broker.setSchedulerSupport(false);
        broker.setUseShutdownHook(false);
        broker.setDataDirectoryFile(new File(data, "broker-" + name));
        KahaDBPersistenceAdapter kahaDb = new KahaDBPersistenceAdapter();
        kahaDb.setDirectory(new File(data, "kahadb"));
        SharedFileLocker locker = new SharedFileLocker();
        locker.setLockAcquireSleepInterval(200);
        kahaDb.setLocker(locker);
        broker.setPersistenceAdapter(kahaDb);
        broker.getSystemUsage().getStoreUsage().setLimit(64L * 1024 * 1024);
        broker.getSystemUsage().getTempUsage().setLimit(64L * 1024 * 1024);
        boolean closed = "closed".equals(System.getProperty(STANDBY_PORTS));
        addConnector(broker, "tcp://127.0.0.1:" + openwire, closed);
        if (stomp > 0) {
            addConnector(broker, "stomp://127.0.0.1:" + stomp, closed);
        }
        if (credentials != null) {
            String[] userPassword = credentials.split(":", 2);
            List<AuthenticationUser> users = new ArrayList<>();
            users.add(new AuthenticationUser(userPassword[0], userPassword[1], "admins"));
            SimpleAuthenticationPlugin auth = new SimpleAuthenticationPlugin(users);
            auth.setAnonymousAccessAllowed(false);
            broker.setPlugins(new BrokerPlugin[] {auth});
        }
        System.out.println("WAITING " + System.currentTimeMillis());
        System.out.flush();
        broker.start();
        broker.waitUntilStarted();
        System.out.println("MASTER " + System.currentTimeMillis());
        System.out.flush();
        return broker;
    }

    private static void addConnector(BrokerService broker, String uri, boolean closedWhileStandby) throws Exception {
        if (closedWhileStandby) {
            // As activemq.xml's <transportConnector>: bound only when the broker starts it, once it holds the lock.
            TransportConnector connector = new TransportConnector();
            connector.setUri(new URI(uri));
            broker.addConnector(connector);
        } else {
            // addConnector(String) binds at once: a slave's ports accept TCP into the backlog but never answer.
            broker.addConnector(uri);
        }
    }
}
