package org.iepcharge.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.iepcharge.explain.FileMessage;
import org.iepcharge.explain.MessageFileReader;

/**
 * HL7 frames for tests that compare two ways of reading the same input: every message of the test data and of the
 * shared public corpus, named shapes, and fuzzed forms of them (the mutations HostileInputTest sends).
 */
public final class Hl7TestInputs {
    private Hl7TestInputs() {
    }

    /**
     * Every message of every .hl7 file under {@code testdata} as a frame of its own (a file whose messages cannot be
     * split is one frame, as a sender might send it), then those of {@code ../shared/corpus/public} when that
     * folder exists, without the frames already listed.
     */
    public static List<byte[]> frames() throws IOException {
        Map<String, byte[]> frames = new LinkedHashMap<>();
        addAll(EngineHarness.projectDir().resolve("testdata"), frames);
        addAll(EngineHarness.projectDir().resolve("../shared/corpus/public").normalize(), frames);
        return new ArrayList<>(frames.values());
    }

    /**
     * Messages made to differ where a message parsed into an earlier one could keep something of it: many segment,
     * group and field repetitions and few, Z-segments and none, a segment where its structure has none, fields beyond
     * a segment's definition, OBX-5 of several data types, empty segments, other delimiters, other versions, and a
     * message HAPI fails on half-way. Named, so a test can pick them.
     */
    public static Map<String, String> shapes() {
        String msh = "MSH|^~\\&|LIS|LAB|IEP|LAB|20261121100000||";
        Map<String, String> m = new LinkedHashMap<>();
        StringBuilder big = new StringBuilder(msh + "ORU^R01^ORU_R01|BIG|P|2.5.1\r"
                + "PID|1||M1^^^LAB^MR~M2^^^LAB^PI~M3^^^X^PI~M4^^^Y^PI~M5^^^Z^PI||Doe^Jane~Roe^J||19580312|F\r"
                + "PV1|1|O|WARD^12^B^LAB||||||||||||||||V1\r");
        for (int o = 1; o <= 3; o++) {
            big.append("ORC|RE|P").append(o).append("^LIS|F").append(o).append("^LAB\r")
                    .append("OBR|").append(o).append("|P").append(o).append("^LIS|F").append(o)
                    .append("^LAB|13169-8^IEP^LN~X^Y^Z|||20261120080000|||||||||||||||||F|||||||||D47.2~C90.0\r");
            for (int x = 1; x <= 6; x++) {
                big.append("OBX|").append(x).append("|NM|2345-7^Glucose^LN||").append(90 + x)
                        .append("|mg/dL^^UCUM|70-99||||F\r").append("NTE|").append(x).append("||note ").append(x)
                        .append("~second\r");
            }
            big.append("SPM|1||||||||||||||||20261120075500\r");
        }
        m.put("big ORU", big.toString());
        String small = msh + "ORU^R01^ORU_R01|SMALL|P|2.5.1\rPID|1||S1^^^LAB^MR||Small^Sam\r"
                + "ORC|RE|PS^LIS|FS^LAB\rOBR|1|PS^LIS|FS^LAB|13169-8^IEP^LN\rOBX|1|TX|13169-8^IEP^LN||text||||||F\r";
        m.put("small ORU", small);
        m.put("ORU without PID", msh + "ORU^R01^ORU_R01|NOPID|P|2.5.1\rOBR|1|PN^LIS|FN^LAB|13169-8^IEP^LN\r");
        m.put("ORU with Z-segments", small.replace("\rORC|", "\rZPI|1|extra^data\rORC|") + "ZLB|lab|x~y\r");
        m.put("ORU with other Z-segments", small.replace("\rOBR|", "\rZOR|1\rOBR|") + "ZPI|2\r");
        m.put("ORU with NTE after MSH", small.replace("\rPID|", "\rNTE|1||odd place\rPID|"));
        m.put("ORU with fields beyond the definitions", small.replace("OBR|1|PS^LIS|FS^LAB|13169-8^IEP^LN",
                "OBR|1|PS^LIS|FS^LAB|13169-8^IEP^LN" + "|x".repeat(60)).replace("PID|1||S1^^^LAB^MR||Small^Sam",
                "PID|1||S1^^^LAB^MR||Small^Sam" + "|p".repeat(45)));
        m.put("ORU with OBX-5 of several types", msh + "ORU^R01^ORU_R01|TYPES|P|2.5.1\rPID|1||T1^^^LAB^MR\r"
                + "OBR|1|PT^LIS|FT^LAB|13169-8^IEP^LN\rOBX|1|CE|1^a^LN||A^Alpha^L~B^Beta^L||||||F\r"
                + "OBX|2|SN|2^b^LN||>^5^-^7||||||F\rOBX|3|ED|3^c^LN||LAB^TEXT^^Base64^QUJD||||||F\r"
                + "OBX|4|NM|4^d^LN||12^a&b||||||F\rOBX|5||5^e^LN||||||||F\rOBX|6|FT|6^f^LN||l1\\.br\\l2||||||F\r");
        m.put("ORU with empty segments", small.replace("\rORC|", "\rPV1\rNTE|\rORC|") + "NTE\r");
        m.put("ORU with other delimiters", "MSH|$~\\&|LIS|LAB|IEP|LAB|20261121100000||ORU$R01$ORU_R01|DELIM|P|2.5.1\r"
                + "PID|1||D1$$$LAB$MR||Delim$Dee\rOBR|1|PD$LIS|FD$LAB|13169-8$IEP$LN\rOBX|1|CE|1$a$LN||A$B&C||||||F\r");
        m.put("ORU v2.3", small.replace("|2.5.1\r", "|2.3\r").replace("|SMALL|", "|V23|"));
        m.put("ORU failing half-way", small.replace("OBX|1|TX|", "OBX|1|ZZ|") + "OBX|2|TX|x||y\r");
        StringBuilder orm = new StringBuilder(msh + "ORM^O01^ORM_O01|ORM3|P|2.5.1\rPID|1||O1^^^LAB^MR||Ord^Ann\r"
                + "PV1|1|O\rIN1|1|MC|CMS||Medicare||||||||||||||||||||||||||||||||||Y\rIN1|2|BC|BCBS\r");
        for (int o = 1; o <= 3; o++) {
            orm.append("ORC|NW|P").append(o).append("^LIS\rOBR|").append(o).append("|P").append(o)
                    .append("^LIS||13169-8^IEP^LN|||20261120080000\rDG1|1||D47.2^MGUS^I10\r");
        }
        m.put("ORM with three orders", orm.toString());
        m.put("ORM with one order", msh + "ORM^O01^ORM_O01|ORM1|P|2.5.1\rPID|1||O2^^^LAB^MR\r"
                + "ORC|NW|Q1^LIS\rOBR|1|Q1^LIS||13169-8^IEP^LN\r");
        m.put("OML", msh + "OML^O21^OML_O21|OML1|P|2.5.1\rPID|1||L1^^^LAB^MR\rORC|NW|L1^LIS\r"
                + "OBR|1|L1^LIS||13169-8^IEP^LN\rSPM|1||||||||||||||||20261120075500\r");
        return m;
    }

    /** {@code count} mutations of randomly chosen seeds, reproducible from {@code seed}. */
    public static List<byte[]> fuzzed(List<byte[]> seeds, int count, long seed) {
        Random r = new Random(seed);
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(mutate(seeds.get(r.nextInt(seeds.size())), r));
        }
        return out;
    }

    /** One random mutation of a seed: byte flips, truncation, segment shuffle, delimiter swap, drop/dup segment. */
    public static byte[] mutate(byte[] seed, Random r) {
        byte[] b = seed.clone();
        switch (r.nextInt(7)) {
            case 0 -> {
                int flips = 1 + r.nextInt(8);
                for (int i = 0; i < flips && b.length > 0; i++) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                }
                return b;
            }
            case 1 -> {
                return java.util.Arrays.copyOf(b, b.length == 0 ? 0 : r.nextInt(b.length));
            }
            case 2, 3 -> {
                List<String> segs = new ArrayList<>(List.of(new String(b, StandardCharsets.ISO_8859_1)
                        .split("\r\n|\r|\n")));
                int kind = r.nextInt(3);
                if (kind == 0) {
                    Collections.shuffle(segs.subList(Math.min(r.nextBoolean() ? 1 : 0, segs.size()), segs.size()), r);
                } else if (kind == 1 && segs.size() > 1) {
                    segs.remove(1 + r.nextInt(segs.size() - 1));
                } else if (!segs.isEmpty()) {
                    int i = r.nextInt(segs.size());
                    for (int k = r.nextInt(20); k >= 0; k--) {
                        segs.add(i, segs.get(i));
                    }
                }
                return String.join("\r", segs).getBytes(StandardCharsets.ISO_8859_1);
            }
            case 4, 5 -> {
                byte[] delims = {'|', '^', '~', '\\', '&', '\r', '\n'};
                byte from = delims[r.nextInt(delims.length)];
                byte to = r.nextInt(4) == 0 ? (byte) r.nextInt(128) : delims[r.nextInt(delims.length)];
                boolean all = r.nextBoolean();
                for (int i = 0; i < b.length; i++) {
                    if (b[i] == from && (all || r.nextInt(4) == 0)) {
                        b[i] = to;
                    }
                }
                return b;
            }
            default -> {
                // Several mutations stacked.
                byte[] m = b;
                for (int k = 0; k < 3; k++) {
                    m = mutate(m, r);
                }
                return m;
            }
        }
    }

    private static void addAll(Path dir, Map<String, byte[]> frames) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".hl7")).sorted().toList()) {
                try {
                    for (FileMessage m : MessageFileReader.read(file)) {
                        add(m.payload(), frames);
                    }
                } catch (Exception unreadable) {
                    add(Files.readAllBytes(file), frames);
                }
            }
        }
    }

    private static void add(byte[] frame, Map<String, byte[]> frames) {
        frames.putIfAbsent(new String(frame, StandardCharsets.ISO_8859_1), Arrays.copyOf(frame, frame.length));
    }
}
