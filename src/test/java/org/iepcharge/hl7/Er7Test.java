package org.iepcharge.hl7;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The one ER7 reader, on every delimiter set a sender may declare. */
class Er7Test {

    /**
     * The same message written with each delimiter set: {F} field, {C} component, {R} repetition, {E} escape, {S}
     * subcomponent separator.
     */
    private static final String TEMPLATE = "MSH{F}{MSH2}{F}LIS{C}LAB{F}MAIN{F}IEPR{F}LABF{F}20260101{F}{F}"
            + "ORU{C}R01{C}ORU_R01{F}CTRL42{F}P{F}2.5.1{F}{F}{F}AL{F}NE{F}{F}8859/1{R}UNICODE UTF-8\r"
            + "MSA{F}AE{F}CTRL42{F}Bad {E}F{E} field\r"
            + "ERR{F}{F}OBR{C}1{C}4{F}101{C}Required field missing{C}HL70357{F}E\r"
            + "FT1{F}1{F}{F}{F}{F}{F}CG{F}86320{S}IEP{F}{F}{F}1{R}X\r";

    static Stream<Arguments> delimiterSets() {
        return Stream.of(
                Arguments.of("standard |^~\\&", '|', "^~\\&"),
                Arguments.of("v2.7 truncation |^~\\&#", '|', "^~\\&#"),
                Arguments.of("custom field separator #^~\\&", '#', "^~\\&"),
                Arguments.of("swapped ^~|\\&", '^', "~|\\&"),
                Arguments.of("odd set |!@$%", '|', "!@$%"));
    }

    private static String message(char field, String msh2) {
        return TEMPLATE.replace("{MSH2}", msh2).replace("{F}", String.valueOf(field))
                .replace("{C}", String.valueOf(msh2.charAt(0))).replace("{R}", String.valueOf(msh2.charAt(1)))
                .replace("{E}", String.valueOf(msh2.charAt(2))).replace("{S}", String.valueOf(msh2.charAt(3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("delimiterSets")
    void readsEveryFieldByTheDeclaredDelimiters(String name, char field, String msh2) {
        String text = message(field, msh2);
        Er7 er7 = Er7.of(text);

        assertThat(er7.get("MSH-1")).isEqualTo(String.valueOf(field));
        assertThat(er7.get("MSH-2")).isEqualTo(msh2);
        assertThat(er7.field("MSH-3")).isEqualTo("LIS" + msh2.charAt(0) + "LAB");
        assertThat(er7.get("MSH-3")).as("HAPI paths: no component means the first").isEqualTo("LIS");
        assertThat(er7.get("MSH-3-1")).isEqualTo("LIS");
        assertThat(er7.get("MSH-3-2")).isEqualTo("LAB");
        assertThat(er7.get("MSH-10")).isEqualTo("CTRL42");
        assertThat(er7.get("MSH-12")).isEqualTo("2.5.1");
        assertThat(er7.get("MSH-18")).as("first repetition").isEqualTo("8859/1");
        assertThat(er7.get("MSH-9")).isEqualTo("ORU");
        assertThat(er7.get("MSA-1")).isEqualTo("AE");
        assertThat(er7.get("MSA-2")).isEqualTo("CTRL42");
        assertThat(er7.get("MSA-3")).as("\\F\\ is the field separator").isEqualTo("Bad " + field + " field");
        assertThat(er7.field("ERR-2")).isEqualTo("OBR" + msh2.charAt(0) + "1" + msh2.charAt(0) + "4");
        assertThat(er7.get("ERR-2-3")).isEqualTo("4");
        assertThat(er7.field("ERR-2-3")).as("field() takes a field path only").isEmpty();
        assertThat(er7.get("ERR-3-1")).isEqualTo("101");
        assertThat(er7.get("ERR-3-2")).isEqualTo("Required field missing");
        assertThat(er7.field("FT1-7")).isEqualTo("86320" + msh2.charAt(3) + "IEP");
        assertThat(er7.get("FT1-7-1")).as("no subcomponent means the first").isEqualTo("86320");
        assertThat(er7.get("FT1-7-1-2")).isEqualTo("IEP");
        assertThat(er7.get("FT1-8")).isEmpty();
        assertThat(er7.get("FT1-99")).isEmpty();
        assertThat(er7.get("ZZZ-1")).isEmpty();

        MshFields msh = er7.msh().orElseThrow();
        assertThat(msh.fieldSeparator()).isEqualTo(field);
        assertThat(msh.encodingCharacters()).isEqualTo(msh2);
        assertThat(msh.sendingApplication()).isEqualTo("LIS");
        assertThat(msh.sendingFacility()).isEqualTo("MAIN");
        assertThat(msh.messageType()).isEqualTo("ORU");
        assertThat(msh.triggerEvent()).isEqualTo("R01");
        assertThat(msh.controlId()).isEqualTo("CTRL42");
        assertThat(msh.version()).isEqualTo("2.5.1");
        assertThat(msh.acceptAckType()).isEqualTo("AL");
        assertThat(msh.applicationAckType()).isEqualTo("NE");
        assertThat(msh.characterSet()).isEqualTo("8859/1");
        assertThat(msh.enhancedMode()).isTrue();

        byte[] lf = text.replace('\r', '\n').getBytes(StandardCharsets.ISO_8859_1);
        assertThat(Er7.of(lf).get("MSA-2")).as("LF segment ends, from bytes").isEqualTo("CTRL42");
        assertThat(Hl7Charsets.of(lf, StandardCharsets.UTF_8)).isEqualTo(StandardCharsets.ISO_8859_1);
    }

    @Test
    void aV27HeaderWithATruncationCharacterIsReadLikeAnyOther() {
        // The `send` defect: HAPI's PreParser read nothing from a header whose MSH-2 has five characters.
        byte[] v27 = "MSH|^~\\&#|LIS|LAB|IEP|LAB|20260101||ORU^R01^ORU_R01|MSG-27|P|2.7\rMSA|AA|MSG-27\r"
                .getBytes(StandardCharsets.US_ASCII);
        assertThat(Er7.of(v27).get("MSH-10")).isEqualTo("MSG-27");
        assertThat(Er7.of(v27).get("MSA-2")).isEqualTo("MSG-27");
        assertThat(Er7.of(v27).msh().orElseThrow().version()).isEqualTo("2.7");
    }

    @Test
    void shortOrMissingEncodingCharactersFallBackToTheDefaults() {
        Er7 three = Er7.of("MSH|^~}|BILL|HOSP|||20260101||BAR^P01|B1|P|2.4\r");
        assertThat(three.get("MSH-9-2")).isEqualTo("P01");
        assertThat(three.get("MSH-10")).isEqualTo("B1");
        Er7 none = Er7.of("MSH||LIS|LAB|||20260101||ORM^O01|E1|P|2.5.1\r");
        assertThat(none.get("MSH-9-1")).isEqualTo("ORM");
        assertThat(none.get("MSH-10")).isEqualTo("E1");
    }

    @Test
    void batchHeadersDeclareDelimitersToo() {
        Er7 batch = Er7.of("FHS|^~\\&|LIS|LAB|IEP|LAB|20260101||||F77\rBHS|^~\\&|LIS|LAB|IEP|LAB|20260101||||B42\r"
                + "MSH|^~\\&|LIS|LAB|IEP|LAB|20260101||ORU^R01|M1|P|2.5.1\rBTS|1\rFTS|1\r");
        assertThat(batch.firstSegmentName()).isEqualTo("FHS");
        assertThat(batch.get("FHS-11")).isEqualTo("F77");
        assertThat(batch.get("BHS-11")).isEqualTo("B42");
        assertThat(batch.get("MSH-10")).isEqualTo("M1");
    }

    @Test
    void noReadableHeaderMeansNothingIsRead() {
        assertThat(Er7.of("PID|1||X\r").get("PID-3")).isEmpty();
        assertThat(Er7.of("MSH|").msh()).isEmpty();
        assertThat(Er7.of("MSHA^~\\&|X").msh()).isEmpty();
        assertThat(Er7.of((byte[]) null).get("MSH-10")).isEmpty();
        assertThat(Er7.of("MSH|^~\\&|A").get("MSH-x")).isEmpty();
    }

    @Test
    void charsetComesFromMsh18ElseTheFallback() {
        String inbound = "MSH|^~\\&|IEP|LAB|BILL|HOSP|20250101120000||DFT^P03|DFT42|P|2.5.1\rPID|1||12345\r";
        byte[] latin1 = inbound.replace("|P|2.5.1", "|P|2.5.1||||||8859/1").getBytes(StandardCharsets.ISO_8859_1);
        assertThat(Hl7Charsets.of(latin1, StandardCharsets.UTF_8)).isEqualTo(StandardCharsets.ISO_8859_1);
        assertThat(Hl7Charsets.of(inbound.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1))
                .isEqualTo(StandardCharsets.ISO_8859_1);
        assertThat(Hl7Charsets.forName(Hl7Charsets.UTF_8_NAME)).contains(StandardCharsets.UTF_8);
        assertThat(Hl7Charsets.forName("UTF|8")).isEmpty();
        assertThat(Hl7Charsets.forName("")).isEmpty();
    }
}
