package io.activemqha.labeler;

import java.util.List;
import java.util.Locale;

/** The broker protocols the activity probe speaks, chosen by the scheme of {@code BROKER_URL}. */
public enum ProbeProtocol {
    /** ActiveMQ's native protocol: WireFormatInfo exchange then BrokerInfo. */
    OPENWIRE,
    /** STOMP 1.x: CONNECT answered by CONNECTED or ERROR. */
    STOMP;

    /** Accepted schemes, for messages and docs. */
    public static final List<String> SCHEMES = List.of("tcp", "nio", "ssl", "nio+ssl", "stomp", "stomp+nio");

    public static boolean isSupported(String scheme) {
        return SCHEMES.contains(scheme.toLowerCase(Locale.ROOT));
    }

    /** The protocol of a supported scheme. */
    public static ProbeProtocol of(String scheme) {
        String s = scheme.toLowerCase(Locale.ROOT);
        if (!isSupported(s)) {
            throw new IllegalArgumentException("unsupported broker URL scheme: " + scheme);
        }
        return s.startsWith("stomp") ? STOMP : OPENWIRE;
    }
}
