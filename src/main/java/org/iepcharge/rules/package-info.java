/**
 * The charge rules: the analyst-edited rules file ({@link org.iepcharge.rules.RuleSet}) and the pure charge decision
 * built on it. Nothing here knows HL7 segments, HAPI, SQL or Camel; numbers in brackets cite docs/billing-facts.md.
 */
package org.iepcharge.rules;
