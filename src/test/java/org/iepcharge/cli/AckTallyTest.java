package org.iepcharge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AckTallyTest {
    @Test
    void onlyAaAndCaCountAsAccepted() {
        AckTally tally = new AckTally();
        tally.add(SendOutcome.answered("AA", "M1", ""), "M1");
        tally.add(SendOutcome.answered("CA", "M2", ""), "M2");

        assertThat(tally.allAccepted()).isTrue();
        assertThat(tally).hasToString("AA 1, AE 0, AR 0, CA 1, no answer 0");

        tally.add(SendOutcome.answered("AE", "M3", "207"), "M3");
        assertThat(tally.allAccepted()).isFalse();
    }

    @Test
    void missingAnswerAndUnsentMessagesFailTheRun() {
        AckTally tally = new AckTally();
        tally.add(SendOutcome.noAnswer("no ACK within the timeout", false), "M1");
        tally.addNotSent(2);

        assertThat(tally.allAccepted()).isFalse();
        assertThat(tally).hasToString("AA 0, AE 0, AR 0, no answer 1, not sent 2");
    }

    @Test
    void anAaForAnotherControlIdIsNotAnAcceptance() {
        AckTally tally = new AckTally();
        tally.add(SendOutcome.answered("AA", "OTHER", ""), "M1");

        assertThat(tally.allAccepted()).isFalse();
        assertThat(tally.toString()).contains("MSA-2 mismatch 1");
    }
}
