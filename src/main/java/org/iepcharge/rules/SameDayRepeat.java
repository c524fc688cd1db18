package org.iepcharge.rules;

/**
 * {@code site.sameDayRepeat}: what to do with a second test of the same patient, CPT and date of service from a
 * different order. The engine cannot tell a medically necessary repeat from a duplicate order, hence HOLD [2.1].
 */
public enum SameDayRepeat { HOLD, MODIFIER_91 }
