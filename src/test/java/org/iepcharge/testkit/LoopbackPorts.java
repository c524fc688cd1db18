package org.iepcharge.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for engines under test, taken below the kernel's ephemeral port range.
 *
 * <p>A test that kills an engine and starts it again on the same port needs that port to stay free while the engine is
 * down. A port from the ephemeral range (what binding port 0 hands out) can meanwhile become the automatic local port
 * of any outgoing connection on the machine: a fresh-clone run under load met it, the restarted node refusing to
 * start with "port 42912 on 127.0.0.1 is already in use" and no process listening there
 * (https://www.kernel.org/doc/Documentation/networking/ip-sysctl.txt, ip_local_port_range). Below the range only a
 * listener can take a port, and the bind check sees a listener. Ports handed out once in this JVM are not handed out
 * again, so two calls in a row never return the same port.
 */
public final class LoopbackPorts {
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    /** Linux's default first ephemeral port, when the range cannot be read. */
    private static final int DEFAULT_EPHEMERAL_LOW = 32_768;
    private static final int LOWEST = 10_000;
    private static final int ATTEMPTS = 200;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private LoopbackPorts() {
    }

    /** One free port. */
    public static int free() {
        return freeBase(0);
    }

    /** A base such that base + each offset is free (offsets ≥ 0), all below the ephemeral range. */
    public static int freeBase(int... offsets) {
        int span = 0;
        for (int offset : offsets) {
            span = Math.max(span, offset);
        }
        int highest = ephemeralLow() - 1 - span;
        if (highest <= LOWEST) {
            throw new IllegalStateException("no port range below the ephemeral ports (" + EPHEMERAL_RANGE + ")");
        }
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(LOWEST, highest + 1);
            if (allFree(base, offsets) && claim(base, offsets)) {
                return base;
            }
        }
        throw new UncheckedIOException(new IOException("no free loopback ports below " + (highest + span + 1)
                + " after " + ATTEMPTS + " attempts"));
    }

    private static boolean allFree(int base, int[] offsets) {
        for (int offset : offsets) {
            if (HANDED_OUT.contains(base + offset) || !bindable(base + offset)) {
                return false;
            }
        }
        return true;
    }

    private static boolean claim(int base, int[] offsets) {
        for (int i = 0; i < offsets.length; i++) {
            if (!HANDED_OUT.add(base + offsets[i])) {
                for (int j = 0; j < i; j++) {
                    HANDED_OUT.remove(base + offsets[j]); // another thread took one meanwhile: give ours back
                }
                return false;
            }
        }
        return true;
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int ephemeralLow() {
        try {
            // Read by lines: Files.readString on this /proc file returned "3" here (its size reads as 0).
            String[] range = Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+");
            return Integer.parseInt(range[0]);
        } catch (IOException | RuntimeException e) {
            return DEFAULT_EPHEMERAL_LOW;
        }
    }
}
