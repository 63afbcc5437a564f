package io.activemqha.e2e;

import java.nio.file.Path;

/**
 * A PEM certificate file and the PEM file of its private key.
 *
 * @param certificate the certificate file
 * @param key         the key file
 */
public record PemKeyPairFiles(Path certificate, Path key) {
}
