package org.iepcharge.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;

import org.junit.jupiter.api.Test;

/**
 * The sockets the PostgreSQL ledger hands pgjdbc ({@link PgBlockingSockets}): connected with a timeout, as pgjdbc
 * connects, they are still in blocking mode afterwards (a read waits in one system call), a read timeout still
 * works, and the socket is blocking again after it.
 */
class PgBlockingSocketsTest {

    @Test
    void aSocketConnectedWithATimeoutStaysBlockingAndHonoursReadTimeouts() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket s = new PgBlockingSockets().createSocket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 10_000);
            try (Socket peer = server.accept()) {
                assertThat(s.getChannel()).isNotNull();
                assertThat(s.getChannel().isBlocking()).isTrue();

                s.setSoTimeout(50);
                InputStream in = s.getInputStream();
                assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);
                assertThat(s.getChannel().isBlocking()).isTrue();

                s.setSoTimeout(0);
                peer.getOutputStream().write(42);
                assertThat(in.read()).isEqualTo(42);
                s.getOutputStream().write(7);
                assertThat(peer.getInputStream().read()).isEqualTo(7);
            }
        }
    }

    @Test
    void theAddressFormsConnectToo() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 2, InetAddress.getLoopbackAddress())) {
            InetAddress loopback = InetAddress.getLoopbackAddress();
            try (Socket byName = new PgBlockingSockets().createSocket(loopback.getHostAddress(), server.getLocalPort());
                 Socket byAddress = new PgBlockingSockets().createSocket(loopback, server.getLocalPort());
                 Socket a = server.accept();
                 Socket b = server.accept()) {
                assertThat(byName.isConnected()).isTrue();
                assertThat(byAddress.isConnected()).isTrue();
                assertThat(byName.getChannel().isBlocking()).isTrue();
            }
        }
    }
}
