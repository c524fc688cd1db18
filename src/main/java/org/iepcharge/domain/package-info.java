/**
 * The domain: small immutable records parsed once at the HL7 edge. Nothing here knows HL7 segments, HAPI, SQL or Camel.
 */
package org.iepcharge.domain;
