package io.activemqha.locker;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.store.kahadb.KahaDBPersistenceAdapter;

/**
 * A broker with the production {@link LeaseLocker} (real halt, real HTTP to the lease endpoint) in a process of its
 * own, for {@link LeaseLockerHaltTest}: {@code HaltingBroker <store directory> <lease url>}. Prints {@code master} once
 * started; a line {@code stop} on its standard input stops it cleanly.
 */
public final class HaltingBroker {
    private HaltingBroker() {
    }

    public static void main(String[] args) throws Exception {
        BrokerService broker = new BrokerService();
        broker.setBrokerName("halting");
        broker.setUseJmx(false);
        broker.setUseShutdownHook(false);
        broker.setPersistent(true);
        broker.setDataDirectoryFile(new File(args[0], "data"));
        KahaDBPersistenceAdapter kahaDb = new KahaDBPersistenceAdapter();
        kahaDb.setDirectory(new File(args[0], "kahadb"));
        kahaDb.setLockKeepAlivePeriod(200);
        // No periodic index checkpoint: only a stop writes the index, which is what the test looks for.
        kahaDb.setCheckpointInterval(3_600_000);
        kahaDb.setCleanupInterval(3_600_000);
        LeaseLocker locker = new LeaseLocker();
        locker.setLeaseUrl(args[1]);
        locker.setRequestTimeout(100);
        locker.setSafetyMargin(300);
        locker.setLockAcquireSleepInterval(100);
        kahaDb.setLocker(locker);
        broker.setPersistenceAdapter(kahaDb);
        broker.addConnector("tcp://127.0.0.1:0");
        broker.start();
        broker.waitUntilStarted();
        System.out.println("master");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.equals("stop")) {
                broker.stop();
                broker.waitUntilStopped();
                System.exit(0);
            }
        }
    }
}
