package org.iepcharge.edge;

import java.util.ArrayList;
import java.util.List;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Group;
import ca.uhn.hl7v2.model.Segment;
import ca.uhn.hl7v2.model.Structure;

/**
 * Lists the non-empty segments of a parsed message in document order. ORM, OML and ORU nest the same segments in
 * different groups (and v2.2–v2.8 differ again); walking them flat lets one reader serve all three.
 */
final class SegmentWalker {
    private SegmentWalker() {
    }

    static List<Segment> segments(Group root) throws HL7Exception {
        List<Segment> out = new ArrayList<>();
        collect(root, out);
        return out;
    }

    private static void collect(Group group, List<Segment> out) throws HL7Exception {
        for (String name : group.getNames()) {
            for (Structure structure : group.getAll(name)) {
                if (structure instanceof Segment segment) {
                    if (!segment.isEmpty()) {
                        out.add(segment);
                    }
                } else if (structure instanceof Group child) {
                    collect(child, out);
                }
            }
        }
    }
}
