package org.iepcharge.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Billing's ACK in the forms billing systems send: v2.5+ ERR-3, v2.3 ERR-1 (ELD), no ERR, and garbage. */
class BillingAnswerReaderTest {
    private final BillingAnswerReader reader = new BillingAnswerReader();

    private Optional<BillingAnswer> read(String text) {
        return reader.read(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void plainAaWithoutErr() {
        assertThat(read("MSH|^~\\&|BILLING|BILLING|IEP_CHARGE_ROUTER|LAB|20261121100000||ACK^P03^ACK|A0001|P|2.5\r"
                + "MSA|AA|DFT000001\r"))
                .contains(new BillingAnswer("AA", "DFT000001", 0, ""));
    }

    @Test
    void commitAccept() {
        assertThat(read("MSH|^~\\&|BILLING|BILLING|IEP|LAB|20261121100000||ACK|A0001|P|2.5.1\rMSA|CA|DFT000009\r"))
                .contains(new BillingAnswer("CA", "DFT000009", 0, ""));
    }

    @Test
    void v25ErrThreeWithUserMessage() {
        Optional<BillingAnswer> a = read("MSH|^~\\&|BILLING|BILLING|IEP|LAB|20261121100000||ACK^P03^ACK|A0002|P|2.5.1\r"
                + "MSA|AR|DFT000002\r"
                + "ERR||PID^1^3|103^Table value not found^HL70357|E||||Unknown insurance plan MCR-X\r");
        assertThat(a).contains(new BillingAnswer("AR", "DFT000002", 103, "Unknown insurance plan MCR-X"));
    }

    @Test
    void v25ErrThree207WithoutUserMessageFallsBackToMsaThreeThenCodeText() {
        assertThat(read("MSH|^~\\&|B|B|I|L|20261121100000||ACK^P03^ACK|A3|P|2.5\r"
                + "MSA|AE|DFT000003|Billing database busy\r"
                + "ERR|||207^Application internal error^HL70357|E\r"))
                .contains(new BillingAnswer("AE", "DFT000003", 207, "Billing database busy"));
        assertThat(read("MSH|^~\\&|B|B|I|L|20261121100000||ACK^P03^ACK|A3|P|2.5\r"
                + "MSA|AE|DFT000003\r"
                + "ERR|||206^Application record locked^HL70357|E\r"))
                .contains(new BillingAnswer("AE", "DFT000003", 206, "Application record locked"));
    }

    @Test
    void v23ErrOneElementFourCarriesTheCode() {
        // v2.3: ERR-1 is ELD = segment^sequence^field^code (CE, as subcomponents); the text is in MSA-3.
        assertThat(read("MSH|^~\\&|BILLING|BILLING|IEP|LAB|20261121100000||ACK^P03|A0004|P|2.3\r"
                + "MSA|AR|DFT000004|Patient not registered\r"
                + "ERR|PID^1^3^204&Unknown key identifier&HL70357\r"))
                .contains(new BillingAnswer("AR", "DFT000004", 204, "Patient not registered"));
    }

    @Test
    void v23ErrOneWithoutMsaTextUsesTheCodeText() {
        assertThat(read("MSH|^~\\&|BILLING|BILLING|IEP|LAB|20261121100000||ACK^P03|A0005|P|2.3\r"
                + "MSA|AE|DFT000005\r"
                + "ERR|FT1^1^7^207&Application internal error&HL70357\r"))
                .contains(new BillingAnswer("AE", "DFT000005", 207, "Application internal error"));
    }

    @Test
    void v25AckWithOnlyTheOldErrOneFormIsStillRead() {
        // Some systems label their ACK 2.5 but keep writing the v2.3 ERR-1 form.
        assertThat(read("MSH|^~\\&|B|B|I|L|20261121100000||ACK^P03^ACK|A6|P|2.5\r"
                + "MSA|AR|DFT000006|Bad charge code\r"
                + "ERR|FT1^1^7^103&Table value not found&HL70357\r"))
                .contains(new BillingAnswer("AR", "DFT000006", 103, "Bad charge code"));
    }

    @Test
    void lfAndCrlfSegmentEndsAreRead() {
        String base = "MSH|^~\\&|B|B|I|L|20261121100000||ACK^P03^ACK|A7|P|2.5\nMSA|AR|DFT000007\n"
                + "ERR|||207^Application internal error^HL70357|E\n";
        assertThat(read(base).map(BillingAnswer::errorCode)).contains(207);
        assertThat(read(base.replace("\n", "\r\n")).map(BillingAnswer::errorCode)).contains(207);
    }

    @Test
    void nonNumericErrCodeCountsAsNoCode() {
        assertThat(read("MSH|^~\\&|B|B|I|L|20261121100000||ACK^P03^ACK|A8|P|2.5\rMSA|AR|DFT000008\r"
                + "ERR|||LOCAL42^Site specific^L|E\r").map(BillingAnswer::errorCode)).contains(0);
    }

    @Test
    void nullAndEmptyAreNoAnswer() {
        assertThat(reader.read(null)).isEmpty();
        assertThat(reader.read(new byte[0])).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "garbage",
            "\u000bMSH|\u001c\r",
            "MSH|^~\\&|B|B|I|L|20261121100000||ACK^P03^ACK|A9|P|2.5\r",
            "MSH|^~\\&|B|B|I|L|20261121100000||ACK^P03^ACK|A9|P|2.5\rMSA\r",
            "MSH|^~\\&|B|B|I|L|20261121100000||ACK^P03^ACK|A9|P|2.5\rMSA||DFT000001\r",
            "PID|1||123\rMSA|AA|DFT000001\r",
            "HTTP/1.1 200 OK\r\n\r\n",
    })
    void garbageIsNoAnswer(String text) {
        assertThat(read(text)).isEmpty();
    }

    @Test
    void randomBytesAreNoAnswer() {
        byte[] noise = new byte[512];
        new java.util.Random(42).nextBytes(noise);
        assertThat(reader.read(noise)).isEmpty();
    }
}
