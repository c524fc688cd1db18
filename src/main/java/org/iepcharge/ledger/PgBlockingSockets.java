package org.iepcharge.ledger;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;

import javax.net.SocketFactory;

/**
 * PostgreSQL only: the sockets pgjdbc talks to the server over, set by the ledger as pgjdbc's {@code socketFactory}
 * (a URL that names its own keeps it). pgjdbc connects with a timeout (its {@code connectTimeout}, 10 s by default),
 * and a {@link Socket} of the JDK's default implementation that connected with a timeout stays in non-blocking mode
 * for good: from then on every read that finds no reply yet is a failed {@code read}, a {@code poll} and the
 * {@code read} again. A statement's reply is never there yet when pgjdbc starts to read it, so every round trip paid
 * four system calls (strace of 3,200 round trips: 3,218 write, 7,152 read of which 3,204 EAGAIN, 3,205 poll), and
 * the writer threads' CPU profile had {@code Net.poll} at 6 % (BENCHMARKS.md, "PostgreSQL: fewer writers").
 *
 * <p>A socket of a {@link SocketChannel} makes its timed connect in non-blocking mode and goes back to blocking
 * mode after it, so a read waits inside one {@code read} call: 3,218 write and 3,989 read for the same round trips,
 * no poll. Everything else is as with pgjdbc's default factory: the same connect timeout, pgjdbc's socket options,
 * its read timeouts ({@code SO_TIMEOUT}, which such a socket honours as well), and TLS layered on top by pgjdbc.
 */
public final class PgBlockingSockets extends SocketFactory {

    /** pgjdbc instantiates the factory by its class name: a public no-argument constructor. */
    public PgBlockingSockets() {
        // Nothing to set up.
    }

    @Override
    public Socket createSocket() throws IOException {
        return SocketChannel.open().socket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    private Socket connected(InetSocketAddress remote) throws IOException {
        return connected(remote, null);
    }

    private Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
        Socket s = createSocket();
        try {
            if (local != null) {
                s.bind(local);
            }
            s.connect(remote);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }
}
