package org.iepcharge.camel;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import org.apache.camel.CamelContext;
import org.apache.camel.component.jgroups.raft.cluster.JGroupsRaftClusterService;
import org.apache.camel.component.jgroups.raft.utils.NopStateMachine;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.support.RoutePolicySupport;
import org.jgroups.JChannel;
import org.jgroups.raft.RaftHandle;
import org.iepcharge.config.SingleSender;

/**
 * The route policy named {@code billingSender} on the billing-outbound route. With {@code iep.billing.singleSender} it
 * is Camel's {@link ClusteredRoutePolicy} on a camel-jgroups-raft cluster service: the route (and so the connection to
 * billing) runs on the raft leader only, is started when this node becomes leader and stopped when it stops being one.
 * Without it the policy does nothing and every node delivers. Which DFT goes out, and that it goes out once, is still
 * decided by the ledger's claims; the policy only keeps a billing system that takes one connection from seeing two.
 *
 * <p>jgroups-raft rather than camel-zookeeper: on Camel 4.17.0 the ZooKeeper policy kept two leaders for 60 s after
 * a kill (CAMEL-24457); raft elects one only with a majority of its members (docs/cluster.md).
 */
public final class BillingSenderPolicy {
    /** The bean name the route file refers to ({@code routePolicy: billingSender}). */
    public static final String BEAN = "billingSender";
    /** The cluster namespace (one leader per namespace). */
    static final String NAMESPACE = "iep-billing-sender";
    private static final String TEMPLATE = "/raft/billing-sender.xml";

    private final RoutePolicy policy;
    private final JGroupsRaftClusterService service;

    private BillingSenderPolicy(RoutePolicy policy, JGroupsRaftClusterService service) {
        this.policy = policy;
        this.service = service;
    }

    /** The policy these settings ask for; the raft channel is created here but joins only when Camel starts. */
    public static BillingSenderPolicy create(SingleSender settings) throws Exception {
        if (!settings.enabled()) {
            return new BillingSenderPolicy(new EveryNode(), null);
        }
        Files.createDirectories(settings.logDir());
        SingleSender.Member self = settings.self();
        RaftHandle handle = new RaftHandle(new JChannel(stack(settings)), new NopStateMachine()).raftId(self.name());
        JGroupsRaftClusterService service = new JGroupsRaftClusterService();
        service.setId(self.name());
        service.setRaftId(self.name());
        service.setJgroupsClusterName(NAMESPACE);
        service.setRaftHandle(handle);
        return new BillingSenderPolicy(ClusteredRoutePolicy.forNamespace(service, NAMESPACE), service);
    }

    /**
     * Makes the policy known to Camel before the routes are built: the cluster service becomes a context service
     * (started and stopped with Camel), the policy gets the context it schedules on, and the registry the bean.
     */
    public void register(CamelContext camel) throws Exception {
        if (service != null) {
            service.setCamelContext(camel);
            camel.addService(service);
            ((ClusteredRoutePolicy) policy).setCamelContext(camel);
        }
        camel.getRegistry().bind(BEAN, policy);
    }

    /** Whether this node delivers now: always without singleSender, else while it is the raft leader. */
    public boolean delivering() {
        return !(policy instanceof ClusteredRoutePolicy clustered) || clustered.isLeader();
    }

    /** The raft stack of {@code billing-sender.xml} with this node's values filled in. */
    static InputStream stack(SingleSender settings) throws IOException {
        String xml;
        try (InputStream in = BillingSenderPolicy.class.getResourceAsStream(TEMPLATE)) {
            if (in == null) {
                throw new IOException(TEMPLATE + " is missing from the jar");
            }
            xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        SingleSender.Member self = settings.self();
        xml = xml.replace("@BIND_HOST@", attribute(self.host()))
                .replace("@BIND_PORT@", String.valueOf(self.port()))
                .replace("@INITIAL_HOSTS@", attribute(String.join(",", settings.members().stream()
                        .map(m -> m.host() + "[" + m.port() + "]").toList())))
                .replace("@MEMBERS@", attribute(settings.memberNames()))
                .replace("@RAFT_ID@", attribute(self.name()))
                .replace("@LOG_DIR@", attribute(settings.logDir().toAbsolutePath().toString()));
        return new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8));
    }

    private static String attribute(String value) {
        return value.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;");
    }

    /** Without singleSender: the route starts and stops as any other, on every node. */
    private static final class EveryNode extends RoutePolicySupport {
    }
}
