package org.iepcharge.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.iepcharge.hl7.HapiContexts;
import org.junit.jupiter.api.Test;

/**
 * Billing's answer read into the thread's ACK from the answer before (the reader's default,
 * {@link HapiContexts#edgeParser()}) must give exactly what a parse into a new message gives
 * ({@link HapiContexts#parser()}), whatever came before on the thread: AA/AE/AR/CA/CE/CR with and without ERR (one
 * ERR or several, v2.5 ERR-3 and v2.3 ERR-1), MSA-3, and malformed answers (no MSA, an empty MSA-1, a broken MSH,
 * other segments, noise), in many orders, cut short at every segment, and on several threads at once.
 */
class BillingAnswerReuseTest {
    private static final String MSH25 = "MSH|^~\\&|BILLING|BILLING|IEP_CHARGE_ROUTER|LAB|20261121100000||ACK^P03^ACK|A1|P|2.5\r";
    private static final String MSH23 = "MSH|^~\\&|BILLING|BILLING|IEP|LAB|20261121100000||ACK^P03|A2|P|2.3\r";
    private static final String MSH251 = "MSH|^~\\&|B|B|I|L|20261121100000||ACK|A3|P|2.5.1\r";

    private static final List<String> ANSWERS = List.of(
            MSH25 + "MSA|AA|DFT000001\r",
            MSH251 + "MSA|CA|DFT000002\r",
            MSH25 + "MSA|AA|DFT000003|All fine\r",
            MSH25 + "MSA|AR|DFT000004\rERR||PID^1^3|103^Table value not found^HL70357|E||||Unknown plan MCR-X\r",
            MSH25 + "MSA|AE|DFT000005|Billing database busy\rERR|||207^Application internal error^HL70357|E\r",
            MSH25 + "MSA|AE|DFT000006\rERR|||206^Application record locked^HL70357|E\r",
            MSH25 + "MSA|AR|DFT000007\rERR|||101^Required field missing^HL70357|E||||first\r"
                    + "ERR|||102^Data type error^HL70357|E||||second\r",
            MSH23 + "MSA|AR|DFT000008|Patient not registered\rERR|PID^1^3^204&Unknown key identifier&HL70357\r",
            MSH23 + "MSA|AE|DFT000009\rERR|FT1^1^7^207&Application internal error&HL70357\r",
            MSH23 + "MSA|AE|DFT000010\rERR|FT1^1^7^207&Application internal error&HL70357~FT1^1^8^101\r",
            MSH25 + "MSA|AR|DFT000011|Bad charge code\rERR|FT1^1^7^103&Table value not found&HL70357\r",
            MSH25 + "MSA|AR|DFT000012\rERR|||LOCAL42^Site specific^L|E\r",
            MSH251 + "MSA|CR|DFT000013\rERR|||200^Unsupported message type^HL70357|E\r",
            MSH251 + "MSA|CE|DFT000014\rERR|||207^Application internal error^HL70357|E||||x~y\r",
            MSH25 + "MSA|AA|DFT000015\rERR\r",
            MSH25 + "MSA|AA|DFT000016\rERR|||\r",
            MSH25 + "MSA|AE|DFT000017\rERR|||207|E\rZZZ|local\r",
            MSH25 + "SFT|Vendor|1.0\rMSA|AA|DFT000018\r",
            // malformed: no answer, or whatever HAPI makes of them — the same either way
            MSH25,
            MSH25 + "MSA\r",
            MSH25 + "MSA||DFT000019\r",
            MSH25 + "MSA|AA\r",
            "MSH|^~\\&|B|B|I|L|20261121100000||ACK|A4\rMSA|AA|DFT000020\r",
            "MSH|^~\\&|B|B|I|L|20261121100000||ACK^P03^ACK|A5|P|9.9\rMSA|AA|DFT000021\r",
            "MSH|^~\\&|B|B|I|L|20261121100000||ADT^A01^ADT_A01|A6|P|2.5\rMSA|AA|DFT000022\r",
            "MSH|^~\\&|B|B|I|L|20261121100000||ACK^P03^ACK|A7|P|2.5\rPID|1||123\rMSA|AA|DFT000023\r",
            "MSH|^~\\&|B|B|I|L|20261121100000||ACK^P03^ACK|A8|P|2.5\rMSA|AA|DFT000024\rMSA|AE|DFT000025\r",
            "PID|1||123\rMSA|AA|DFT000026\r",
            "garbage",
            "\u000bMSH|\u001c\r",
            "HTTP/1.1 200 OK\r\n\r\n");

    private final BillingAnswerReader fresh = new BillingAnswerReader(HapiContexts.parser());

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theAnswersCoverWhatTheReaderDistinguishes() {
        List<Optional<BillingAnswer>> read = ANSWERS.stream().map(a -> fresh.read(bytes(a))).toList();
        assertThat(read).filteredOn(Optional::isEmpty).hasSizeGreaterThan(5);
        assertThat(read).filteredOn(a -> a.isPresent() && a.get().errorCode() != 0).hasSizeGreaterThan(8);
        assertThat(read).filteredOn(a -> a.isPresent() && a.get().errorCode() == 0 && a.get().reason().isEmpty())
                .hasSizeGreaterThan(3);
    }

    @Test
    void everyAnswerAfterEveryOtherReadsAsIntoANewMessage() {
        BillingAnswerReader reusing = new BillingAnswerReader();
        for (String before : ANSWERS) {
            for (String answer : ANSWERS) {
                reusing.read(bytes(before));
                assertThat(reusing.read(bytes(answer))).as("%s after %s", answer, before)
                        .isEqualTo(fresh.read(bytes(answer)));
            }
        }
    }

    @Test
    void shuffledAndCutShortReadAsIntoANewMessage() {
        List<String> inputs = new ArrayList<>(ANSWERS);
        for (String answer : ANSWERS) {
            // every prefix ending at a segment: an answer cut short (a reused message must not keep the rest)
            for (int cr = answer.indexOf('\r'); cr >= 0 && cr < answer.length() - 1; cr = answer.indexOf('\r', cr + 1)) {
                inputs.add(answer.substring(0, cr + 1));
            }
        }
        BillingAnswerReader reusing = new BillingAnswerReader();
        Random random = new Random(9);
        for (int round = 0; round < 20; round++) {
            Collections.shuffle(inputs, random);
            for (String answer : inputs) {
                assertThat(reusing.read(bytes(answer))).as(answer).isEqualTo(fresh.read(bytes(answer)));
            }
        }
    }

    @Test
    void severalThreadsOnOneReaderEachReadTheirOwnAnswers() throws Exception {
        BillingAnswerReader shared = new BillingAnswerReader();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Random random = new Random(t);
                runs.add(pool.submit(() -> {
                    int compared = 0;
                    for (int i = 0; i < 2_000; i++) {
                        String answer = ANSWERS.get(random.nextInt(ANSWERS.size()));
                        assertThat(shared.read(bytes(answer))).as(answer).isEqualTo(fresh.read(bytes(answer)));
                        compared++;
                    }
                    return compared;
                }));
            }
            for (Future<Integer> run : runs) {
                assertThat(run.get()).isEqualTo(2_000);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
