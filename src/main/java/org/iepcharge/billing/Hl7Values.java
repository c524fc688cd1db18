package org.iepcharge.billing;

import ca.uhn.hl7v2.model.DataTypeException;
import ca.uhn.hl7v2.model.v251.datatype.CE;
import ca.uhn.hl7v2.model.v251.datatype.EI;
import ca.uhn.hl7v2.model.v251.datatype.PL;
import ca.uhn.hl7v2.model.v251.datatype.XCN;
import org.iepcharge.domain.CodedValue;
import org.iepcharge.domain.EntityId;
import org.iepcharge.domain.Location;
import org.iepcharge.domain.Provider;

/**
 * Fills v2.5.1 composite data types from domain records. Values are plain Java strings: HAPI's PipeParser escapes
 * delimiters on encoding, and non-ASCII text is left to the caller's character encoding.
 */
final class Hl7Values {
    private Hl7Values() {
    }

    /** CE: identifier^text^coding system. */
    static void ce(CE target, CodedValue value) throws DataTypeException {
        target.getIdentifier().setValue(value.code());
        target.getText().setValue(value.text());
        target.getNameOfCodingSystem().setValue(value.system());
    }

    /** EI: entity identifier^namespace ID; the namespace is part of the identity (docs/decision-contract.md §1). */
    static void ei(EI target, EntityId value) throws DataTypeException {
        target.getEntityIdentifier().setValue(value.id());
        target.getNamespaceID().setValue(value.namespace());
    }

    /** PL: point of care^room^bed^facility (HD-1). */
    static void pl(PL target, Location value) throws DataTypeException {
        target.getPointOfCare().setValue(value.pointOfCare());
        target.getRoom().setValue(value.room());
        target.getBed().setValue(value.bed());
        target.getFacility().getNamespaceID().setValue(value.facility());
    }

    /** XCN: ID^family^given^middle^^^^^assigning authority (HD-1). */
    static void xcn(XCN target, Provider value) throws DataTypeException {
        target.getIDNumber().setValue(value.id());
        target.getFamilyName().getSurname().setValue(value.name().family());
        target.getGivenName().setValue(value.name().given());
        target.getSecondAndFurtherGivenNamesOrInitialsThereof().setValue(value.name().middle());
        target.getAssigningAuthority().getNamespaceID().setValue(value.authority());
    }
}
