package org.iepcharge.rules;

/**
 * {@code site.referredTestAtHospital}: a HOSPITAL lab's test performed elsewhere is billed on the hospital's own
 * claim under arrangements, without 90 [2.2]; a site may prefer to review each one.
 */
public enum ReferredTestAtHospital { NO_MODIFIER, HOLD }
