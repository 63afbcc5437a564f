package io.activemqha.labeler.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.activemqha.labeler.DaemonThreads;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One of the labeler's HTTP servers (the health port's, the lease endpoint's): the JDK's small server, bounded so that
 * no client can hold it up, whatever it sends or does not send.
 *
 * <p>The JDK server waits for a connection's first byte on its selector thread, but then reads the request with
 * blocking reads on a thread of its executor: a client that sends part of a request and stops holds that thread, by
 * default forever (measured on JDK 17: three such connections stopped a three-thread server for good). Hence:
 * <ul>
 *   <li>a request must be read whole, head and body, within {@value #MAX_REQUEST_SECONDS} s of its first byte; the JDK
 *       closes the connection otherwise (which ends the blocked read and frees the thread), checked every
 *       {@value #TIMER_MILLIS} ms. A connection that sends nothing is closed after as long (checked every
 *       {@value #IDLE_TICK_MILLIS} ms);</li>
 *   <li>the request body is read before the handler runs (up to {@value #MAX_BODY_BYTES} bytes), so that the
 *       request's time limit never cuts a handler that takes long (a lease request waiting for the API server);</li>
 *   <li>a response must be written whole within {@value #MAX_RESPONSE_SECONDS} s of its request: a client that does
 *       not read its answers holds a thread no longer. The bound is above the locker's time limit for one call (1 s by
 *       default, below its {@code lockKeepAlivePeriod}), so it never cuts an answer the locker still waits for;</li>
 *   <li>every request gets a thread of its own, up to {@value #MAX_EXCHANGES} at once per server, and other clients'
 *       stalled requests delay no one below that. Beyond it, a new request's connection is closed at once (and a
 *       warning logged): starving a server takes more than {@value #MAX_EXCHANGES} stalled requests, renewed every
 *       second. The bound keeps the threads' memory within the sidecar's limit.</li>
 * </ul>
 */
public final class BoundedHttpServer implements AutoCloseable {
    /** Whole seconds: the JDK reads its request and response limits in seconds. */
    public static final int MAX_REQUEST_SECONDS = 1;
    public static final int MAX_RESPONSE_SECONDS = 10;
    /** How often the JDK checks the request and response limits. */
    public static final int TIMER_MILLIS = 250;
    /** How often the JDK closes idle connections (those that never sent a byte, after {@link #MAX_REQUEST_SECONDS}). */
    public static final int IDLE_TICK_MILLIS = 1000;
    public static final int MAX_EXCHANGES = 64;
    static final int MAX_BODY_BYTES = 8192;
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final Logger LOG = LoggerFactory.getLogger(BoundedHttpServer.class);

    static {
        // The JDK server's limits are JVM-wide system properties, read once, when the first HttpServer of the JVM is
        // created. Every HttpServer of the labeler is made here, after this, so this is the one place they are set.
        // One set by the operator (LABELER_JAVA_OPTS) is kept, as the launcher's other defaults give way to those.
        setUnlessGiven("sun.net.httpserver.maxReqTime", MAX_REQUEST_SECONDS);
        setUnlessGiven("sun.net.httpserver.maxRspTime", MAX_RESPONSE_SECONDS);
        setUnlessGiven("sun.net.httpserver.timerMillis", TIMER_MILLIS);
        setUnlessGiven("sun.net.httpserver.clockTick", IDLE_TICK_MILLIS);
    }

    private final String endpoint;
    private final HttpServer server;
    private final ThreadPoolExecutor executor;

    private BoundedHttpServer(String endpoint, HttpServer server, ThreadPoolExecutor executor) {
        this.endpoint = endpoint;
        this.server = server;
        this.executor = executor;
    }

    private static void setUnlessGiven(String property, long value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, Long.toString(value));
        }
    }

    /**
     * Binds; {@link #serve} adds the handlers, {@link #start} starts serving.
     *
     * @param endpoint what is served, for messages and thread names, such as {@code "health endpoint"}
     * @param threadName the name of the server's request threads
     * @throws IOException naming the endpoint and the address when it cannot be bound
     */
    public static BoundedHttpServer bind(String endpoint, String threadName, InetSocketAddress address) throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(address, 50);
        } catch (IOException e) {
            throw new IOException("cannot bind the " + endpoint + " to " + address + ": " + e.getMessage(), e);
        }
        // A thread per request, none kept waiting in a queue: a request is either served at once or its connection
        // closed (the JDK closes it when the executor refuses the request).
        ThreadPoolExecutor executor = new ThreadPoolExecutor(0, MAX_EXCHANGES, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), DaemonThreads.named(threadName), new Refusal(endpoint));
        server.setExecutor(executor);
        return new BoundedHttpServer(endpoint, server, executor);
    }

    /** Serves {@code path} (and the paths below it) with {@code handler}, once the request body is read. */
    public void serve(String path, HttpHandler handler) {
        server.createContext(path, handler).getFilters().add(new ReadBodyFirst());
    }

    public void start() {
        server.start();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return endpoint + " on " + server.getAddress();
    }

    /** Reads the request body before the handler runs, and hands it the bytes read. */
    private static final class ReadBodyFirst extends Filter {
        @Override
        public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(MAX_BODY_BYTES + 1);
            }
            if (body.length > MAX_BODY_BYTES) {
                exchange.getResponseHeaders().set("Connection", "close");
                exchange.sendResponseHeaders(413, -1);
                exchange.close();
                return;
            }
            exchange.setStreams(new ByteArrayInputStream(body), null);
            chain.doFilter(exchange);
        }

        @Override
        public String description() {
            return "reads the request body (at most " + MAX_BODY_BYTES + " bytes) before the handler runs";
        }
    }

    /** Refuses a request beyond {@link #MAX_EXCHANGES}, with a warning at most once a minute. */
    private static final class Refusal implements RejectedExecutionHandler {
        private final String endpoint;
        private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

        Refusal(String endpoint) {
            this.endpoint = endpoint;
        }

        @Override
        public void rejectedExecution(Runnable request, ThreadPoolExecutor executor) {
            long now = System.nanoTime();
            long last = lastWarning.get();
            if (!executor.isShutdown() && now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
                LOG.warn("{}: {} requests in progress at once, the most it serves: closed a new connection (clients that"
                        + " send their requests slowly or not at all?)", endpoint, MAX_EXCHANGES);
            }
            throw new RejectedExecutionException(endpoint + ": " + MAX_EXCHANGES + " requests in progress");
        }
    }
}
