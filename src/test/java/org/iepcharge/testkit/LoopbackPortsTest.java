package org.iepcharge.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class LoopbackPortsTest {

    @Test
    void portsComeFromBelowTheEphemeralRangeAndAreNeverHandedOutTwice() throws IOException {
        int low = LoopbackPorts.ephemeralLow();
        assertThat(low).isGreaterThan(10_000); // this machine's range leaves room below it
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            int port = LoopbackPorts.free();
            assertThat(port).isBetween(10_000, low - 1);
            assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
        }
        int port = LoopbackPorts.free();
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", port)); // free when handed out
        }
    }

    @Test
    void aBaseLeavesEveryOffsetFreeAndBelowTheRange() throws IOException {
        int[] offsets = {1, 2, 41, 42, 151};
        int base = LoopbackPorts.freeBase(offsets);
        assertThat(base + 151).isLessThan(LoopbackPorts.ephemeralLow());
        for (int offset : offsets) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress("127.0.0.1", base + offset));
            }
        }
        assertThat(LoopbackPorts.free()).isNotIn(base + 1, base + 2, base + 41, base + 42, base + 151);
    }
}
