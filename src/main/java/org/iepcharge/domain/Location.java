package org.iepcharge.domain;

/** A PL (PV1-3): point of care, room, bed, facility. */
public record Location(String pointOfCare, String room, String bed, String facility) {
    public static final Location NONE = new Location("", "", "", "");

    public Location {
        pointOfCare = Text.orEmpty(pointOfCare);
        room = Text.orEmpty(room);
        bed = Text.orEmpty(bed);
        facility = Text.orEmpty(facility);
    }
}
