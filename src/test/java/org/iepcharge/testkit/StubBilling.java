package org.iepcharge.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * A raw MLLP billing peer whose ACK the test writes itself, e.g. AA for another MSH-10 (a stale ACK): the cases a
 * well-behaved receiver never produces. One thread per connection; frames answered in order.
 */
public final class StubBilling implements AutoCloseable {
    private final ServerSocket server;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile UnaryOperator<String> msa2 = id -> id;

    public StubBilling(int port) throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        Thread accept = new Thread(this::acceptLoop, "stub-billing-accept");
        accept.setDaemon(true);
        accept.start();
    }

    /** What MSA-2 says for a received MSH-10 (identity: a correct ACK). */
    public void answerMsa2(UnaryOperator<String> msa2) {
        this.msa2 = msa2;
    }

    /** MSH-10 of every frame received, in order. */
    public List<String> received() {
        return List.copyOf(received);
    }

    public long count(String controlId) {
        return received.stream().filter(controlId::equals).count();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                Thread t = new Thread(() -> serve(s), "stub-billing-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            int previous = -1;
            for (int b = in.read(); b >= 0; b = in.read()) {
                if (b == 0x0b) {
                    frame.reset();
                } else if (previous == 0x1c && b == 0x0d) {
                    byte[] bytes = frame.toByteArray();
                    String text = new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
                    String controlId = text.split("\r", 2)[0].split("\\|", -1)[9];
                    received.add(controlId);
                    String ack = "MSH|^~\\&|BILLING|BILLING|IEP_CHARGE_ROUTER|LAB|20261121100000||ACK^P03^ACK|ACK-"
                            + controlId + "|P|2.5\rMSA|AA|" + msa2.apply(controlId) + "\r";
                    out.write(0x0b);
                    out.write(ack.getBytes(StandardCharsets.UTF_8));
                    out.write(new byte[] {0x1c, 0x0d});
                    out.flush();
                } else {
                    frame.write(b);
                }
                previous = b;
            }
        } catch (IOException | RuntimeException e) {
            // Connection ended.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
