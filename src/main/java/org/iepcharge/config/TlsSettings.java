package org.iepcharge.config;

import java.nio.file.Path;
import java.util.List;

import org.apache.camel.support.jsse.ClientAuthentication;
import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.SSLContextServerParameters;
import org.apache.camel.support.jsse.SecureSocketProtocolsParameters;
import org.apache.camel.support.jsse.TrustManagersParameters;

/**
 * TLS of one connection (the LIS listener or the billing connection), checked at start-up by {@link EngineSettings}.
 * Key and trust stores are PKCS#12 or JKS files (the JDK reads both as PKCS12); the key password is the store's.
 * Passwords never appear in {@link #toString()}.
 *
 * @param enabled           TLS on this connection
 * @param keyStore          our certificate and private key (the listener's server certificate, or the client
 *                          certificate we present to billing for mutual TLS); null when none
 * @param keyStorePassword  password of the key store and of its key
 * @param trustStore        the CA certificates we accept from the peer; null = the JVM's default CAs
 * @param trustStorePassword password of the trust store (may be empty)
 * @param requireClientCert listener only: refuse a LIS that presents no certificate signed by a trusted CA
 */
public record TlsSettings(boolean enabled, Path keyStore, String keyStorePassword, Path trustStore,
                          String trustStorePassword, boolean requireClientCert) {

    /** Protocols offered and accepted: nothing older than TLS 1.2. */
    static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    public static final TlsSettings OFF = new TlsSettings(false, null, "", null, "", false);

    /**
     * The Camel TLS parameters for camel-netty's {@code sslContextParameters}. When TLS is off the parameters are
     * empty: the route files may still name the bean, and an endpoint with {@code ssl=false} never uses it.
     */
    public SSLContextParameters contextParameters() {
        return fill(new SSLContextParameters());
    }

    /**
     * As {@link #contextParameters()}, for a client connecting to {@code host:port}: the peer's certificate must be
     * issued for {@code host} (see {@link PeerHostSslContextParameters} for why camel-netty's own option is not
     * enough).
     */
    public SSLContextParameters clientContextParameters(String host, int port) {
        return enabled ? fill(new PeerHostSslContextParameters(host, port)) : contextParameters();
    }

    private SSLContextParameters fill(SSLContextParameters p) {
        if (!enabled) {
            return p;
        }
        SecureSocketProtocolsParameters protocols = new SecureSocketProtocolsParameters();
        protocols.setSecureSocketProtocol(PROTOCOLS);
        p.setSecureSocketProtocols(protocols);
        if (keyStore != null) {
            KeyManagersParameters keys = new KeyManagersParameters();
            keys.setKeyStore(store(keyStore, keyStorePassword));
            keys.setKeyPassword(keyStorePassword);
            p.setKeyManagers(keys);
        }
        if (trustStore != null) {
            TrustManagersParameters trust = new TrustManagersParameters();
            trust.setKeyStore(store(trustStore, trustStorePassword));
            p.setTrustManagers(trust);
        }
        SSLContextServerParameters server = new SSLContextServerParameters();
        server.setClientAuthentication((requireClientCert ? ClientAuthentication.REQUIRE : ClientAuthentication.NONE)
                .name());
        p.setServerParameters(server);
        return p;
    }

    private static KeyStoreParameters store(Path file, String password) {
        KeyStoreParameters k = new KeyStoreParameters();
        k.setResource("file:" + file.toAbsolutePath());
        k.setType("PKCS12");
        if (password != null && !password.isEmpty()) {
            k.setPassword(password);
        }
        return k;
    }

    @Override
    public String toString() {
        if (!enabled) {
            return "TLS off";
        }
        return "TLS (key store " + (keyStore == null ? "none" : keyStore) + ", trust store "
                + (trustStore == null ? "JVM default CAs" : trustStore)
                + (requireClientCert ? ", client certificate required" : "") + ")";
    }
}
