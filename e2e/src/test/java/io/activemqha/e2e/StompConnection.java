package io.activemqha.e2e;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A minimal frame-level STOMP 1.2 client (CONNECT, SEND with receipt, SUBSCRIBE with client-individual ack, ACK).
 * The Vert.x STOMP client served here is asynchronous and reconnect-free; the frames are few and fully specified,
 * so the test writes them itself and sees exactly what the broker answers.
 */
final class StompConnection implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MS = 2000;
    private static final int READ_TIMEOUT_MS = 10_000;

    /** A received frame. */
    record Frame(String command, Map<String, String> headers, String body) {
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private StompConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects and completes the STOMP handshake (CONNECTED), or fails. */
    static StompConnection open(String host, int port) throws IOException {
        return open(host, port, CONNECT_TIMEOUT_MS, READ_TIMEOUT_MS);
    }

    /** {@link #open(String, int)} with other bounds on the connect and on each read, in ms. */
    static StompConnection open(String host, int port, int connectTimeoutMs, int readTimeoutMs) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), connectTimeoutMs);
            socket.setSoTimeout(readTimeoutMs);
            StompConnection connection = new StompConnection(socket);
            connection.write("CONNECT", Map.of("accept-version", "1.2", "host", "activemq-nfs", "heart-beat", "0,0"), "");
            Frame connected = connection.read();
            if (!connected.command().equals("CONNECTED")) {
                throw new IOException("STOMP handshake answered " + connected);
            }
            return connection;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends a persistent message and returns once the broker's RECEIPT for it arrived (it is stored). */
    void sendPersistent(String destination, String body, String receipt) throws IOException {
        write("SEND", Map.of("destination", destination, "persistent", "true", "receipt", receipt,
                "content-type", "text/plain"), body);
        awaitReceipt(receipt);
    }

    /** Subscribes with client-individual acknowledgement and waits for the receipt. */
    void subscribe(String destination, String id) throws IOException {
        write("SUBSCRIBE", Map.of("destination", destination, "id", id, "ack", "client-individual",
                "receipt", "sub-" + id), "");
        awaitReceipt("sub-" + id);
    }

    /** Acknowledges a MESSAGE frame. */
    void ack(Frame message) throws IOException {
        write("ACK", Map.of("id", message.headers().get("ack")), "");
    }

    Frame read() throws IOException {
        String command;
        do {
            command = line();
        } while (command.isEmpty());
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header = line(); !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            headers.putIfAbsent(header.substring(0, colon), header.substring(colon + 1));
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int b = in.read(); b != 0; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed inside a " + command + " frame");
            }
            body.write(b);
        }
        Frame frame = new Frame(command, headers, body.toString(StandardCharsets.UTF_8));
        if (command.equals("ERROR")) {
            throw new IOException("STOMP ERROR: " + headers.get("message") + " " + frame.body());
        }
        return frame;
    }

    private void awaitReceipt(String receipt) throws IOException {
        Frame frame = read();
        if (!frame.command().equals("RECEIPT") || !receipt.equals(frame.headers().get("receipt-id"))) {
            throw new IOException("expected RECEIPT " + receipt + ", got " + frame);
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    private synchronized void write(String command, Map<String, String> headers, String body) throws IOException {
        StringBuilder frame = new StringBuilder(command).append('\n');
        headers.forEach((name, value) -> frame.append(name).append(':').append(value).append('\n'));
        frame.append('\n').append(body).append('\0');
        out.write(frame.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // gone already
        }
    }
}
