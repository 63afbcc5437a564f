package io.activemqha.locker;

import java.io.IOException;
import org.apache.activemq.broker.Broker;
import org.apache.activemq.broker.BrokerFilter;
import org.apache.activemq.broker.ConnectionContext;
import org.apache.activemq.broker.Connector;
import org.apache.activemq.broker.ConsumerBrokerExchange;
import org.apache.activemq.broker.LockableServiceSupport;
import org.apache.activemq.broker.Locker;
import org.apache.activemq.broker.ProducerBrokerExchange;
import org.apache.activemq.broker.TransportConnection;
import org.apache.activemq.broker.TransportConnector;
import org.apache.activemq.command.ConnectionInfo;
import org.apache.activemq.command.Message;
import org.apache.activemq.command.MessageAck;
import org.apache.activemq.store.PersistenceAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link LeaseFencePlugin}'s filter: every connection, send and acknowledgement asks the locker first, and a refusal
 * is an exception, which OpenWire, STOMP and AMQP clients receive as such. An MQTT client (also over WebSocket) loses
 * its connection instead, closed before any answer: ActiveMQ's MQTT transport acknowledges a QoS 1 publish (PUBACK)
 * even when the broker refused it, so the client would count a message that was never stored.
 */
final class LeaseFence extends BrokerFilter {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseFence.class);

    private volatile LeaseLocker locker;
    private volatile boolean warned;

    LeaseFence(Broker next) {
        super(next);
    }

    @Override
    public void addConnection(ConnectionContext context, ConnectionInfo info) throws Exception {
        check(context, "a new connection");
        super.addConnection(context, info);
    }

    @Override
    public void send(ProducerBrokerExchange producerExchange, Message messageSend) throws Exception {
        check(producerExchange.getConnectionContext(), "a send");
        super.send(producerExchange, messageSend);
    }

    @Override
    public void acknowledge(ConsumerBrokerExchange consumerExchange, MessageAck ack) throws Exception {
        check(consumerExchange.getConnectionContext(), "an acknowledgement");
        super.acknowledge(consumerExchange, ack);
    }

    private void check(ConnectionContext context, String what) throws IOException {
        LeaseLocker lease = leaseLocker();
        if (lease != null && !lease.mayActAsMaster()) {
            String refusal = "refused " + what + ": this broker's Lease is not confirmed (its last renewal ran out),"
                    + " so it may no longer act as master";
            closeClient(context, refusal);
            throw new IOException(refusal);
        }
    }

    private static void closeClient(ConnectionContext context, String refusal) {
        if (context != null && acknowledgesRefusals(context.getConnector())
                && context.getConnection() instanceof TransportConnection connection) {
            try {
                connection.getTransport().stop();
            } catch (Exception e) {
                LOG.debug("closing a client connection after: {}", refusal, e);
            }
        }
    }

    /** Whether the connector's protocol answers a refused send as if it were stored: MQTT, directly or over WebSocket. */
    private static boolean acknowledgesRefusals(Connector connector) {
        if (!(connector instanceof TransportConnector transport) || transport.getUri() == null) {
            return true;
        }
        String scheme = transport.getUri().getScheme();
        return scheme == null || scheme.startsWith("mqtt") || scheme.startsWith("ws");
    }

    private LeaseLocker leaseLocker() throws IOException {
        LeaseLocker found = locker;
        if (found != null) {
            return found;
        }
        PersistenceAdapter store = getBrokerService().getPersistenceAdapter();
        Locker configured = store instanceof LockableServiceSupport lockable ? lockable.getLocker() : null;
        if (configured instanceof LeaseLocker lease) {
            locker = lease;
            return lease;
        }
        if (!warned) {
            warned = true;
            LOG.warn("LeaseFencePlugin fences nothing: the persistence adapter's locker is {}, not io.activemqha.locker"
                    + ".LeaseLocker", configured == null ? "none" : configured.getClass().getName());
        }
        return null;
    }
}
