package org.iepcharge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.iepcharge.hl7.Er7;
import org.iepcharge.testkit.EngineHarness;
import org.iepcharge.testkit.LabMessages;
import org.iepcharge.testkit.RawMllp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;



/**
 * Framing and characters over the shipped netty listener, as LIS systems really send them: FS CR LF endings, FS
 * without CR, no CR after the last segment, LF or CR LF segment separators, a UTF-8 BOM, and MSH-18 naming UTF-8
 * ({@code UTF-8}, {@code UNICODE UTF-8}), ISO-8859-1 ({@code 8859/1}, {@code ISO-8859-1}) or nothing (the default,
 * UTF-8). For each: ORM NW and final ORU are answered AA and the non-ASCII patient name arrives unchanged in PID-5 of
 * the DFT at billing.
 */
class FramingTest {
    static final String NAME = "Müller^Zoë";

    @TempDir
    Path tmp;

    /** One way of sending: how the payload is written (charset, MSH-18, separators) and how it is framed. */
    record Variant(String name, String msh18, Charset charset, UnaryOperator<String> text, boolean bom, byte[] end) {
    }

    private static final byte[] FS_CR = {RawMllp.FS, RawMllp.CR};

    static List<Variant> variants() {
        UnaryOperator<String> same = s -> s;
        List<Variant> v = new ArrayList<>();
        v.add(new Variant("FS CR LF ending", "", StandardCharsets.UTF_8, same, false,
                new byte[] {RawMllp.FS, RawMllp.CR, '\n'}));
        v.add(new Variant("FS without CR", "", StandardCharsets.UTF_8, same, false, new byte[] {RawMllp.FS}));
        v.add(new Variant("no CR after the last segment", "", StandardCharsets.UTF_8,
                s -> s.substring(0, s.length() - 1), false, FS_CR));
        v.add(new Variant("LF separators", "", StandardCharsets.UTF_8, s -> s.replace('\r', '\n'), false, FS_CR));
        v.add(new Variant("CR LF separators", "", StandardCharsets.UTF_8, s -> s.replace("\r", "\r\n"), false,
                FS_CR));
        v.add(new Variant("UTF-8 BOM", "", StandardCharsets.UTF_8, same, true, FS_CR));
        v.add(new Variant("MSH-18 UTF-8", "UTF-8", StandardCharsets.UTF_8, same, false, FS_CR));
        v.add(new Variant("MSH-18 UNICODE UTF-8", "UNICODE UTF-8", StandardCharsets.UTF_8, same, false, FS_CR));
        v.add(new Variant("MSH-18 8859/1", "8859/1", StandardCharsets.ISO_8859_1, same, false, FS_CR));
        v.add(new Variant("MSH-18 ISO-8859-1", "ISO-8859-1", StandardCharsets.ISO_8859_1, same, false, FS_CR));
        v.add(new Variant("no MSH-18 (default UTF-8)", "", StandardCharsets.UTF_8, same, false, FS_CR));
        v.add(new Variant("8859/1 + LF + FS only", "8859/1", StandardCharsets.ISO_8859_1, s -> s.replace('\r', '\n'),
                false, new byte[] {RawMllp.FS}));
        return v;
    }

    @Test
    void everyFramingAndCharsetDeliversTheNameUnchanged() throws Exception {
        Map<String, String> problems = new LinkedHashMap<>();
        try (EngineHarness h = EngineHarness.start(EngineHarness.Transport.NETTY, tmp)) {
            List<Variant> variants = variants();
            for (int i = 0; i < variants.size(); i++) {
                Variant v = variants.get(i);
                String placer = "FR" + i;
                try (RawMllp c = new RawMllp(h.engine().settings().inboundPort())) {
                    String orm = LabMessages.orm("2.5.1", "FR-ORM-" + i, placer, NAME, v.msh18());
                    String oru = LabMessages.oru("2.5.1", "FR-ORU-" + i, placer, "F" + placer, "F", NAME, v.msh18());
                    for (String[] m : List.of(new String[] {"FR-ORM-" + i, orm}, new String[] {"FR-ORU-" + i, oru})) {
                        c.write(frame(v, m[1]));
                        RawMllp.Answer a = c.read(Duration.ofSeconds(10));
                        if (a.kind() != RawMllp.Kind.FRAME || !a.msa1().equals("AA") || !a.msa2().equals(m[0])) {
                            problems.put(v.name() + " " + m[0], "answer " + a.kind() + " " + a.msa1() + " "
                                    + a.msa2() + " " + Er7.of(a.bytes()).get("ERR-3"));
                        }
                    }
                }
            }
            for (int i = 0; i < variants.size(); i++) {
                Variant v = variants.get(i);
                List<String> dfts = h.dftsForFiller("FFR" + i);
                String pid5 = dfts.isEmpty() ? "(no DFT)" : pid5(dfts.get(0));
                System.out.printf("framing %-30s -> %d DFT(s), PID-5 at billing: %s%n", v.name(), dfts.size(), pid5);
                if (dfts.size() != 1 || !pid5.equals(NAME)) {
                    problems.put(v.name() + " DFT", dfts.size() + " DFT(s), PID-5 " + pid5);
                }
            }
        }
        assertThat(problems).as("variants not answered AA or not delivering '%s' unchanged", NAME).isEmpty();
    }

    /** PID-5 (all components) of a DFT as billing filed it (UTF-8). */
    private static String pid5(String dft) {
        String pid5 = Er7.of(dft).field("PID-5");
        return pid5.isEmpty() ? "(no PID-5)" : pid5;
    }

    private static byte[] frame(Variant v, String message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(RawMllp.SB);
        if (v.bom()) {
            out.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        }
        out.write(v.text().apply(message).getBytes(v.charset()));
        out.write(v.end());
        return out.toByteArray();
    }
}
