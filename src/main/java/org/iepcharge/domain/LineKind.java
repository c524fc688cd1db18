package org.iepcharge.domain;

/**
 * Technical (the test itself) or professional (the pathologist's interpretation, modifier 26):
 * docs/decision-contract.md §4.
 */
public enum LineKind { T, P }
