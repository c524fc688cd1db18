package org.iepcharge.rules;

/**
 * {@code site.unknownPerformingLab}: what to assume when no OBX-23 / OBX-15 names the performing lab. OURS by
 * default: feeds before v2.5.1 have no OBX-23 and most never say.
 */
public enum UnknownPerformingLab { OURS, HOLD }
