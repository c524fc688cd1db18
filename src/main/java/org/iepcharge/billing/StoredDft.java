package org.iepcharge.billing;

import org.iepcharge.domain.ChargeDocument;

/**
 * A DFT^P03 as the outbox stores it (migration V7): the document with the settings it is built with. Both are kept
 * so that the bytes built when the DFT is sent — and again on a redelivery after a crash or a restart with other
 * settings — are the bytes of the moment it was queued (docs/decision-contract.md §8).
 */
public record StoredDft(DftSettings settings, ChargeDocument document) {

    /** The DFT^P03 bytes, UTF-8 as the outbox has always stored them. */
    public byte[] render() {
        return DftRenderer.builderFor(settings).build(document).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
