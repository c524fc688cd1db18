/**
 * Small Netty handlers that camel-netty places ahead of camel-hl7's MLLP decoder on the LIS listener: what the codec
 * does not give by itself (docs/transport-notes.md) — a frame-size cap, frames ending FS without CR, an idle
 * timeout and a connection cap. They configure a real component; they are not a socket server of our own.
 */
package org.iepcharge.edge.mllp;
