package org.iepcharge.rules;

/**
 * {@code payers.X.professionalComponent}: BILL posts the 26 line when §4 allows it; OMIT never posts it to this
 * payer (the knob for Aetna's reported restriction on clinical-pathology 26 lines [2.4]).
 */
public enum ProfessionalComponent { BILL, OMIT }
