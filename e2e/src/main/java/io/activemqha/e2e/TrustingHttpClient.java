package io.activemqha.e2e;

import io.activemqha.certs.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** HTTPS clients that trust exactly the CA certificates of one PEM file and never use a proxy. */
public final class TrustingHttpClient {
    private TrustingHttpClient() {
    }

    /** A client whose trust anchors are the certificates in {@code caBundle}; host names are verified. */
    public static HttpClient trusting(Path caBundle) {
        return HttpClient.newBuilder().sslContext(tlsContext(caBundle)).proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(Duration.ofSeconds(2)).build();
    }

    /** A TLS context whose only trust anchors are the certificates in {@code caBundle}. */
    public static SSLContext tlsContext(Path caBundle) {
        try {
            List<X509Certificate> authorities = Pem.decodeCertificates(Files.readString(caBundle));
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            for (int i = 0; i < authorities.size(); i++) {
                trust.setCertificateEntry("ca-" + i, authorities.get(i));
            }
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, trustManagers.getTrustManagers(), null);
            return tls;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + caBundle, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context trusting " + caBundle, e);
        }
    }
}
