package org.iepcharge.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code iep.billing.singleSender} and its raft membership: when on, only the raft leader among the nodes delivers to
 * billing (docs/cluster.md, "One billing connection"). Each member is {@code name@host:port}: the node's
 * {@code iep.node}, and the address its raft channel binds (the node's own entry) or is reached at (the others').
 *
 * @param enabled whether delivery is leader-only
 * @param members every raft member, this node included; empty when not enabled
 * @param self this node's entry among {@code members}; null when not enabled
 * @param logDir where this node keeps its raft log (under its data folder)
 */
public record SingleSender(boolean enabled, List<Member> members, Member self, Path logDir) {

    public static final SingleSender OFF = new SingleSender(false, List.of(), null, null);

    /**
     * A majority of the members must be up to elect a leader: with 2, losing either one leaves no leader and so no
     * delivery at all (measured, docs/cluster.md); 3 is the least that survives the loss of one node.
     */
    public static final int MIN_MEMBERS = 3;

    /** One raft member: its raft id (= its {@code iep.node}) and its raft channel's address. */
    public record Member(String name, String host, int port) {
        @Override
        public String toString() {
            return name + "@" + host + ":" + port;
        }
    }

    /**
     * Parses {@code name@host:port,…} and checks it against this node's name; the message names what is wrong
     * (the caller adds the setting's name and where its value came from).
     *
     * @throws IllegalArgumentException with the problem
     */
    static List<Member> parse(String text) {
        List<Member> members = new ArrayList<>();
        for (String part : text.split(",")) {
            String entry = part.trim();
            int at = entry.indexOf('@');
            int colon = entry.lastIndexOf(':');
            if (at <= 0 || colon <= at + 1 || colon == entry.length() - 1) {
                throw new IllegalArgumentException("has '" + entry + "', not name@host:port (e.g."
                        + " node1@10.0.0.1:7800,node2@10.0.0.2:7800,node3@10.0.0.3:7800)");
            }
            int port;
            try {
                port = Integer.parseInt(entry.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("has '" + entry + "', whose port is not a TCP port (1–65535)");
            }
            members.add(new Member(entry.substring(0, at), entry.substring(at + 1, colon), port));
        }
        Set<String> names = new HashSet<>();
        Set<String> addresses = new HashSet<>();
        for (Member m : members) {
            if (!names.add(m.name())) {
                throw new IllegalArgumentException("names " + m.name() + " twice");
            }
            if (!addresses.add(m.host() + ":" + m.port())) {
                throw new IllegalArgumentException("gives " + m.host() + ":" + m.port() + " to two members");
            }
        }
        return List.copyOf(members);
    }

    /** The member names, comma-separated, as jgroups-raft's RAFT.members wants them. */
    public String memberNames() {
        return String.join(",", members.stream().map(Member::name).toList());
    }
}
