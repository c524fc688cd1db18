/**
 * HL7 v2 plumbing, one of each for the whole project: the HAPI context ({@link org.iepcharge.hl7.HapiContexts}), the
 * reader of raw ER7 fields on any delimiter set ({@link org.iepcharge.hl7.Er7}), the MSH-18 charset table
 * ({@link org.iepcharge.hl7.Hl7Charsets}), text decoding ({@link org.iepcharge.hl7.Hl7Text}) and the ACK builder
 * ({@link org.iepcharge.hl7.AckBuilder}).
 *
 * <p>A package of its own rather than part of {@code edge}: the LIS edge (inbound), billing (outbound), the command
 * line and the bench all need it, and none of them should depend on another for it. It depends only on HAPI and on
 * {@code domain} (an ACK answers an {@link org.iepcharge.domain.Outcome}).
 */
package org.iepcharge.hl7;
