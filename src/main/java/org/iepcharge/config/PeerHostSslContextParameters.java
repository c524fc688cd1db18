package org.iepcharge.config;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.SecureRandom;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

import org.apache.camel.CamelContext;
import org.apache.camel.support.jsse.SSLContextParameters;

/**
 * TLS client parameters bound to the one peer they are for (billing's host and port), so the peer's certificate is
 * checked against that host name.
 *
 * <p>Why this exists: camel-netty 4.17.0's {@code hostnameVerification=true} sets the "HTTPS" endpoint identification
 * on an engine made by {@code SSLContext.createSSLEngine()} <em>without</em> the peer's host
 * ({@code DefaultClientInitializerFactory.configureClientSSLOnDemand}); the JDK then has no name to compare and
 * refuses every server certificate, even the right one (measured: {@code certificate_unknown} against a billing
 * stand-in whose certificate names 127.0.0.1). Every engine made from the context this class creates is made for
 * {@code host:port} (which also sends SNI for a DNS name) and carries the HTTPS identification itself, so the check is
 * done whether or not the endpoint sets {@code hostnameVerification}.
 */
final class PeerHostSslContextParameters extends SSLContextParameters {
    private final String host;
    private final int port;

    PeerHostSslContextParameters(String host, int port) {
        this.host = host;
        this.port = port;
    }

    @Override
    public SSLContext createSSLContext(CamelContext camelContext) throws GeneralSecurityException, IOException {
        SSLContext inner = super.createSSLContext(camelContext);
        return new PeerHostContext(new PeerHostSpi(inner, host, port), inner);
    }

    private static final class PeerHostContext extends SSLContext {
        PeerHostContext(SSLContextSpi spi, SSLContext inner) {
            super(spi, inner.getProvider(), inner.getProtocol());
        }
    }

    private static final class PeerHostSpi extends SSLContextSpi {
        private final SSLContext inner;
        private final String host;
        private final int port;

        PeerHostSpi(SSLContext inner, String host, int port) {
            this.inner = inner;
            this.host = host;
            this.port = port;
        }

        private static SSLEngine verifying(SSLEngine engine) {
            SSLParameters p = engine.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(p);
            return engine;
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return verifying(inner.createSSLEngine(host, port));
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String peerHost, int peerPort) {
            return verifying(inner.createSSLEngine(peerHost, peerPort));
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) throws KeyManagementException {
            throw new KeyManagementException("already initialised from the TLS settings");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return inner.getSocketFactory();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return inner.getServerSocketFactory();
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return inner.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return inner.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return inner.getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return inner.getSupportedSSLParameters();
        }
    }
}
