/**
 * The LIS edge: bytes in, one immutable {@link org.iepcharge.domain.LabMessage} or a rejection out. The HL7 plumbing
 * it shares with billing, the command line and the bench (HAPI context, ER7 reader, charsets, ACKs) is in
 * {@link org.iepcharge.hl7}.
 */
package org.iepcharge.edge;
