package io.activemqha.locker;

import org.apache.activemq.broker.Broker;
import org.apache.activemq.broker.BrokerPlugin;

/**
 * Fences the broker's data path with its {@link LeaseLocker}: new connections, sends and acknowledgements are
 * refused whenever the locker's last confirmed renewal has run out, checked on the monotonic clock at each one.
 *
 * <p>ActiveMQ asks the locker only every {@code lockKeepAlivePeriod}. A master whose process was stopped (a hung
 * node, a long pause) and then resumes would serve clients and write its journal until that next keep-alive, while
 * another broker may already be master on the same store. With this plugin it refuses them from its first
 * instruction after resuming. Configure it next to the locker:
 *
 * <pre>{@code
 * <plugins>
 *   <bean xmlns="http://www.springframework.org/schema/beans" class="io.activemqha.locker.LeaseFencePlugin"/>
 * </plugins>
 * }</pre>
 */
public class LeaseFencePlugin implements BrokerPlugin {
    @Override
    public Broker installPlugin(Broker next) {
        return new LeaseFence(next);
    }
}
