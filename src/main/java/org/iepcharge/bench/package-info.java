/**
 * The load generator behind {@code iep-charge-router bench}: a realistic message mix, a socket client driving N MLLP
 * connections closed-loop or at a fixed offered rate, the bare Camel transports used as baselines, a billing stand-in
 * that only ACKs, and the report (throughput, DFTs out, ACK latency percentiles, heap, RSS).
 */
package org.iepcharge.bench;
