package io.activemqha.labeler.probe;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * STOMP probe for brokers that disable OpenWire: send CONNECT and read the first frame. CONNECTED or ERROR
 * (e.g. credentials rejected) both complete the handshake, so the broker is active. After CONNECTED the
 * socket is kept open and a reader thread reports its end; after ERROR the broker closes it, so activity is
 * re-checked by polling.
 */
public final class StompProbe implements BrokerProbe {
    private static final int MAX_COMMAND_LINE = 64;

    private final String host;
    private final int port;
    private final Duration handshakeTimeout;

    public StompProbe(URI brokerUrl, Duration handshakeTimeout) {
        this.host = brokerUrl.getHost();
        this.port = brokerUrl.getPort();
        this.handshakeTimeout = handshakeTimeout;
    }

    @Override
    public ProbeResult probe() {
        long deadline = System.nanoTime() + handshakeTimeout.toNanos();
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), (int) handshakeTimeout.toMillis());
            socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            OutputStream out = socket.getOutputStream();
            out.write(("CONNECT\naccept-version:1.0,1.1,1.2\nhost:" + host + "\nheart-beat:0,0\n\n\0")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            String command = readCommand(socket.getInputStream());
            BrokerIdentity broker = new BrokerIdentity(null, null);
            switch (command) {
                case "CONNECTED" -> {
                    socket.setSoTimeout(0);
                    return new ProbeResult.Active(broker, Optional.of(new KeptSocket(socket)));
                }
                case "ERROR" -> {
                    closeQuietly(socket);
                    return new ProbeResult.Active(broker, Optional.empty());
                }
                default -> {
                    closeQuietly(socket);
                    return new ProbeResult.Inactive("unexpected STOMP frame '" + command + "'");
                }
            }
        } catch (SocketTimeoutException e) {
            closeQuietly(socket);
            boolean connected = socket.isConnected();
            return new ProbeResult.Inactive(connected
                    ? "no STOMP handshake within " + handshakeTimeout.toMillis() + " ms (the socket accepts but the broker does not answer)"
                    : "connect timed out");
        } catch (IOException e) {
            closeQuietly(socket);
            return new ProbeResult.Inactive(Failures.describe(e));
        }
    }

    /** Reads the frame's command line, skipping the heart-beat newlines that may precede it. */
    private static String readCommand(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new java.io.EOFException("connection closed before a STOMP frame");
            }
            if (b == '\n') {
                if (line.length() > 0) {
                    String s = line.toString();
                    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                }
                continue;
            }
            if (line.length() >= MAX_COMMAND_LINE) {
                return line.toString();
            }
            line.append((char) b);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing a dead socket: nothing to report.
        }
    }

    private static final class KeptSocket implements LiveConnection {
        private final Socket socket;
        private final CompletableFuture<String> lost = new CompletableFuture<>();

        KeptSocket(Socket socket) {
            this.socket = socket;
            Thread reader = new Thread(this::drain, "stomp-probe-reader");
            reader.setDaemon(true);
            reader.start();
        }

        private void drain() {
            byte[] buffer = new byte[512];
            try {
                InputStream in = socket.getInputStream();
                while (in.read(buffer) >= 0) {
                    // Frames after CONNECTED (receipts, heart-beats) carry nothing the probe needs.
                }
                lost.complete("connection closed by the broker");
            } catch (IOException e) {
                lost.complete(Failures.describe(e));
            }
        }

        @Override
        public CompletionStage<String> lost() {
            return lost;
        }

        @Override
        public void close() {
            lost.complete("closed by the labeler");
            closeQuietly(socket);
        }
    }
}
