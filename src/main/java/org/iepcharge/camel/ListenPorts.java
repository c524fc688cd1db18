package org.iepcharge.camel;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.iepcharge.config.EngineSettings;
import org.iepcharge.config.SingleSender;
import org.iepcharge.config.SettingsException;

/**
 * Checks, before the engine touches its ledger, that it can listen where its settings say: the LIS port, in local
 * billing mode the built-in receiver's port, the operator console's port when it is enabled, and with
 * {@code iep.billing.singleSender} this node's raft port and its failure-detection port (raft port +
 * {@value #RAFT_FAILURE_DETECTION_OFFSET}). A port already taken stops start-up with one line naming the setting, the
 * port and — on Linux, for a process of the same user — the process that holds it.
 */
final class ListenPorts {
    /** FD_SOCK2's {@code offset} in raft/billing-sender.xml: the failure detector listens there. */
    static final int RAFT_FAILURE_DETECTION_OFFSET = 100;

    private ListenPorts() {
    }

    static void requireFree(EngineSettings settings) {
        requireFree("iep.inbound.port", "iep.inbound.host", settings.inboundHost(), settings.inboundPort());
        if (EngineSettings.MODE_LOCAL.equals(settings.billingMode())) {
            requireFree("iep.billing.port", "iep.billing.host", settings.billingHost(), settings.billingPort());
        }
        SingleSender sender = settings.singleSender();
        if (sender.enabled()) {
            SingleSender.Member self = sender.self();
            requireFreeRaft(self, self.port(), "its raft port");
            requireFreeRaft(self, self.port() + RAFT_FAILURE_DETECTION_OFFSET,
                    "its failure-detection port (raft port + " + RAFT_FAILURE_DETECTION_OFFSET + ")");
        }
        // Last, as it opens last.
        if (settings.http().enabled()) {
            // The console's server opens after the LIS listener (docs/operating.md "Start-up"): a taken port found
            // only then would have opened and closed the LIS port and created the ledger for nothing.
            requireFree("iep.http.port", "iep.http.host", settings.http().host(), settings.http().port());
        }
    }

    /** This node's raft ports come from its entry in iep.billing.raftMembers, so the message names that entry. */
    private static void requireFreeRaft(SingleSender.Member self, int port, String what) {
        String setting = "Setting iep.billing.raftMembers: this node's entry " + self + " needs " + what + " "
                + port + " on " + self.host();
        try {
            bindWithoutListening(self.host(), port);
        } catch (BindException e) {
            String reason = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
            if (reason.contains("assign")) {
                throw new SettingsException(setting + ", which is not an address of this machine");
            }
            throw new SettingsException(setting + ", which is already in use"
                    + holder(port).map(h -> " by " + h).orElse("") + "; stop that process or give this node a free"
                    + " raft port (in every node's iep.billing.raftMembers)");
        } catch (IOException | IllegalArgumentException | SecurityException e) {
            throw new SettingsException(setting + ": cannot listen there (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Binds and releases the address; the listener binds it again moments later with the same options. */
    static void requireFree(String portKey, String hostKey, String host, int port) {
        if (port == 0) {
            return; // any free port
        }
        try {
            bindWithoutListening(host, port);
        } catch (BindException e) {
            throw portProblem(portKey, hostKey, host, port, e);
        } catch (IOException | IllegalArgumentException | SecurityException e) {
            throw new SettingsException("Setting " + hostKey + " = " + host + ": cannot listen on " + host + ":" + port
                    + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * The probe is a client socket, which binds without listening: a server socket would listen for those
     * microseconds, and a LIS (or a start-up poller) connecting then would be accepted by the kernel before the ledger
     * exists and reset at once. The bind is the same check either way (Linux refuses SO_REUSEADDR binds on a port
     * another socket listens on, whether or not the new socket would listen).
     */
    private static void bindWithoutListening(String host, int port) throws IOException {
        try (Socket probe = new Socket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        }
    }

    /** The one-line message for a failed bind, also used when the listener itself fails to bind (a race). */
    static SettingsException portProblem(String portKey, String hostKey, String host, int port, BindException e) {
        String reason = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        if (reason.contains("assign")) {
            return new SettingsException("Setting " + hostKey + " = " + host + " is not an address of this machine"
                    + " (cannot listen on " + host + ":" + port + ")");
        }
        return new SettingsException("Setting " + portKey + " = " + port + ": port " + port + " on " + host
                + " is already in use" + holder(port).map(h -> " by " + h).orElse("")
                + "; stop that process or set " + portKey + " to a free port");
    }

    /**
     * "pid 1234 (java)" for the process listening on {@code port}, when Linux's /proc tells (only processes of this
     * user show their sockets); empty elsewhere. Never the command line: it may carry passwords.
     */
    static Optional<String> holder(int port) {
        try {
            Optional<String> inode = listeningInode(port);
            if (inode.isEmpty()) {
                return Optional.empty();
            }
            String target = "socket:[" + inode.get() + "]";
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path proc : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                        .toList()) {
                    if (holdsSocket(proc, target)) {
                        long pid = Long.parseLong(proc.getFileName().toString());
                        String command = ProcessHandle.of(pid).flatMap(h -> h.info().command())
                                .map(c -> Path.of(c).getFileName().toString()).orElse("?");
                        return Optional.of("pid " + pid + " (" + command + ")");
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // Best effort only: the port and the setting are named anyway.
        }
        return Optional.empty();
    }

    private static Optional<String> listeningInode(int port) throws IOException {
        String hexPort = String.format(":%04X", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path file = Path.of(table);
            if (!Files.isReadable(file)) {
                continue;
            }
            for (String line : Files.readAllLines(file)) {
                String[] f = line.trim().split("\\s+");
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                if (f.length > 9 && f[1].endsWith(hexPort) && f[3].equals("0A") && !f[9].equals("0")) {
                    return Optional.of(f[9]);
                }
            }
        }
        return Optional.empty();
    }

    private static boolean holdsSocket(Path proc, String target) {
        try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().equals(target);
                } catch (IOException | RuntimeException e) {
                    return false;
                }
            });
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
