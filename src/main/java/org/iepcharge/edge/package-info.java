/**
 * The HL7 edge: bytes in, one immutable {@link org.iepcharge.domain.LabMessage} or a rejection out, and the ACK back.
 * Only this package (and billing, for the DFT) touches HAPI or raw segments.
 */
package org.iepcharge.edge;
