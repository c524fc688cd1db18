package org.iepcharge.scenarios;

import static org.iepcharge.testkit.LabMessages.join;
import static org.iepcharge.testkit.LabMessages.seg;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.iepcharge.testkit.LabMessages;

/**
 * Turns a scenario row's steps into HL7 messages, field by field (by HL7 field number, so no pipe is miscounted).
 * Every row gets its own patient ({@code M<line>}) and order numbers ({@code L<line><order>^LIS}), so rows do not
 * interact except through the orders of one row (same-day repeats). See {@code testdata/scenarios/README.md}.
 * Segments are written by the tests' one message builder, {@link LabMessages}.
 */
final class ScenarioMessages {
    /** Collection times (OBR-7) of the orders of a row: D is a duplicate of A (same collection time). */
    static final Map<String, String> COLLECTED = Map.of(
            "A", "20261120080000", "B", "20261120140000", "D", "20261120080000", "E", "20261120180000");
    static final String IEP = LabMessages.IEP;
    static final String ORDERING = LabMessages.ORDERING;
    static final String ROSTER = "1111111112";
    static final String OFF_ROSTER = "9999999991";
    static final String OUR_LAB = "11D0000001";
    static final String REFERENCE_LAB = "05D0000002";

    /** One message of a row, with the order (letter) it concerns. */
    record Step(String token, String order, byte[] payload, String controlId) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private final ScenarioRow row;
    private final String tag;
    private final Set<String> orders = new LinkedHashSet<>();

    ScenarioMessages(ScenarioRow row) {
        this.row = row;
        this.tag = String.format("L%04d", row.line());
    }

    /** The placer number (entity identifier) of an order of this row. */
    String placer(String order) {
        return tag + order;
    }

    /** The orders this row's steps touch, in first-use order. */
    Set<String> orders() {
        return orders;
    }

    String patientId() {
        return "M" + tag.substring(1);
    }

    List<Step> steps() {
        List<Step> out = new ArrayList<>();
        Step previous = null;
        int n = 0;
        for (String token : row.steps()) {
            if (token.equals("AGAIN")) {
                if (previous == null) {
                    throw new IllegalArgumentException(row + ": AGAIN with nothing before it");
                }
                out.add(new Step(token, previous.order(), previous.payload(), previous.controlId()));
                continue;
            }
            n++;
            String[] parts = token.split("/");
            Map<String, String> opts = new LinkedHashMap<>();
            for (int i = 1; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                opts.put(eq < 0 ? parts[i] : parts[i].substring(0, eq), eq < 0 ? "" : parts[i].substring(eq + 1));
            }
            List<String> head = new ArrayList<>(List.of(parts[0].split(":", -1)));
            String order = "A";
            if (head.get(0).matches("[A-Z]") ) {
                order = head.remove(0);
            }
            if (!COLLECTED.containsKey(order)) {
                throw new IllegalArgumentException(row + ": unknown order " + order + " in " + token);
            }
            orders.add(order);
            for (OrderTests o : ordersOf(order, opts)) {
                if (!COLLECTED.containsKey(o.order())) {
                    throw new IllegalArgumentException(row + ": unknown order " + o.order() + " in " + token);
                }
                orders.add(o.order());
            }
            String kind = head.get(0);
            String arg = head.size() > 1 ? head.get(1) : "";
            String controlId = opts.containsKey("sameid") && previous != null ? previous.controlId()
                    : tag + "-" + n;
            String text = switch (kind) {
                case "ORM" -> order(order, arg.isEmpty() ? "NW" : arg, false, controlId, opts);
                case "OML" -> order(order, arg.isEmpty() ? "NW" : arg, true, controlId, opts);
                case "ORU" -> result(order, arg, controlId, opts);
                default -> throw new IllegalArgumentException(row + ": unknown step " + token);
            };
            previous = new Step(token, order, text.getBytes(StandardCharsets.UTF_8), controlId);
            out.add(previous);
        }
        return out;
    }

    // ---- messages -----------------------------------------------------------------------------------------------

    private boolean v23() {
        return row.version().equals("2.3");
    }

    private String msh(String type, String structure, String controlId, Map<String, String> opts) {
        String nine = v23() ? type : type + "^" + structure;
        return seg("MSH", 3, "LIS", 4, "MAINLAB", 5, "IEPROUTER", 6, "MAINLAB", 7, "20261121090000", 9, nine,
                10, controlId, 11, opts.getOrDefault("mode", "P"), 12, row.version());
    }

    private String pid() {
        return seg("PID", 1, "1", 3, patientId() + "^^^MAINLAB^MR", 5, "Scenario^Pat^" + tag, 7, "19500101", 8, "F");
    }

    private String pv1(Map<String, String> opts) {
        return seg("PV1", 1, "1", 2, opts.getOrDefault("class", row.patientClass()), 3, "OUTPT^^^MAINLAB");
    }

    private String order(String order, String control, boolean oml, String controlId, Map<String, String> opts) {
        List<String> s = new ArrayList<>();
        s.add(oml ? msh("OML^O21", "OML_O21", controlId, opts) : msh("ORM^O01", "ORM_O01", controlId, opts));
        s.add(pid());
        s.add(pv1(opts));
        s.addAll(in1s(opts.getOrDefault("payer", row.payer())));
        String abn = opts.getOrDefault("abn", row.abn());
        // v2.3 has no ORC-20; /orc20=V sends a value in that position anyway (a feed that over-fills ORC)
        String orc20 = opts.containsKey("orc20") ? opts.get("orc20") : v23() || abn.equals("-") ? "" : abn;
        // One ORC/OBR group per test, all with the same order numbers (/tests=iep+ifx: an order of two
        // charge-master tests); the DG1s follow each OBR, as in ORM^O01's ORDER_DETAIL.
        for (OrderTests o : ordersOf(order, opts)) {
            for (String test : o.tests()) {
                orderGroup(s, o.order(), control, orc20, opts, test);
            }
        }
        return join(s);
    }

    private void orderGroup(List<String> s, String order, String control, String orc20, Map<String, String> opts,
                            String test) {
        {
            s.add(seg("ORC", 1, control, 2, placerField(order, opts, "placer"), 3, fillerField(order, opts, "placer"),
                    12, orcProvider(opts), 20, orc20));
            s.add(obr(order, fillerField(order, opts, "placer"), "", opts, false, test));
            s.addAll(dg1s());
        }
    }

    /** An order of a message and the tests it carries for it. */
    record OrderTests(String order, List<String> tests) {
    }

    /**
     * The orders a message carries, in segment order: its own with its tests, else {@code /orders=A-iep+B-ifx} (one
     * message with the groups of several orders of the row, each with its own order numbers and its one test).
     */
    private List<OrderTests> ordersOf(String order, Map<String, String> opts) {
        if (!opts.containsKey("orders")) {
            return List.of(new OrderTests(order, tests(opts)));
        }
        List<OrderTests> out = new ArrayList<>();
        for (String spec : opts.get("orders").split("\\+")) {
            int dash = spec.indexOf('-');
            out.add(dash < 0 ? new OrderTests(spec, tests(opts))
                    : new OrderTests(spec.substring(0, dash), List.of(spec.substring(dash + 1))));
        }
        return out;
    }

    private String result(String order, String status, String controlId, Map<String, String> opts) {
        List<String> s = new ArrayList<>();
        s.add(msh("ORU^R01", "ORU_R01", controlId, opts));
        s.add(pid());
        s.add(pv1(opts));
        for (OrderTests o : ordersOf(order, opts)) {
            for (String test : o.tests()) {
                resultGroup(s, o.order(), status, opts, test);
            }
        }
        return join(s);
    }

    /** One ORC/OBR/OBX(/SPM) group of an ORU for one test. */
    private void resultGroup(List<String> s, String order, String status, Map<String, String> opts, String test) {
        s.add(seg("ORC", 1, "RE", 2, placerField(order, opts, "both"), 3, fillerField(order, opts, "both"), 12,
                orcProvider(opts)));
        // "-F" / "-P": OBR-25 empty, the status derived from OBX-11 (§1)
        String obr25 = status.startsWith("-") ? "" : status;
        String obx11 = status.startsWith("-") ? status.substring(1)
                : switch (status) {
                    case "F", "C", "P", "X" -> status;
                    default -> "P";
                };
        s.add(obr(order, fillerField(order, opts, "both"), obr25, opts, true, test));
        String interp = opts.getOrDefault("interp", row.interp());
        String type = switch (interp) {
            case "tx", "roster", "offroster" -> "TX";
            case "roster-ft" -> "FT";
            case "-", "roster-nm" -> "NM";
            default -> throw new IllegalArgumentException(row + ": unknown interp " + interp);
        };
        String value = type.equals("NM") ? "7.1" : "IgG kappa monoclonal protein identified";
        String lab = opts.getOrDefault("lab", row.lab());
        String obx15 = "";
        String obx23 = "";
        String labId = switch (lab) {
            case "ours" -> OUR_LAB;
            case "ref" -> REFERENCE_LAB;
            case "-", "refname" -> "";
            default -> throw new IllegalArgumentException(row + ": unknown lab " + lab);
        };
        if (v23()) {
            obx15 = labId.isEmpty() ? "" : labId + "^PERFORMING LAB";
        } else if (lab.equals("refname")) {
            obx23 = "REFLAB INC"; // XON-1 only: a name never decides (§1)
        } else if (!labId.isEmpty()) {
            obx23 = (lab.equals("ours") ? "MAIN LAB" : "REFLAB INC") + "^^^^^^^^^" + labId;
        }
        s.add(seg("OBX", 1, "1", 2, type, 3, type.equals("NM") ? "2885-2^Protein total^LN" : testCode(test), 5, value,
                6, type.equals("NM") ? "g/dL" : "", 11, obx11, 15, obx15, 23, obx23));
        if (opts.containsKey("spm")) {
            s.add(seg("SPM", 1, "1", 4, "SER^Serum^HL70487", 17, opts.get("spm")));
        }
    }

    /**
     * The tests of a message, in OBR order: {@code /tests=iep+ifx} (several ORC/OBR groups of one order), else the
     * single {@code /test=} (default {@code iep}).
     */
    private List<String> tests(Map<String, String> opts) {
        return opts.containsKey("tests") ? List.of(opts.get("tests").split("\\+"))
                : List.of(opts.getOrDefault("test", "iep"));
    }

    /**
     * ORC-2/OBR-2: the placer number, unless {@code /keys=filler} (a result from the LIS naming the order by its
     * filler number only). {@code /ns=none}: the number without its namespace (EI-2 empty).
     */
    private String placerField(String order, Map<String, String> opts, String defaultKeys) {
        String keys = opts.getOrDefault("keys", defaultKeys);
        return keys.equals("filler") ? "" : placer(order) + namespace("LIS", opts);
    }

    /** ORC-3/OBR-3: the filler number when {@code /keys=both} or {@code /keys=filler}. */
    private String fillerField(String order, Map<String, String> opts, String defaultKeys) {
        String keys = opts.getOrDefault("keys", defaultKeys);
        return keys.equals("placer") ? "" : filler(order) + namespace("LAB", opts);
    }

    private static String namespace(String ns, Map<String, String> opts) {
        return opts.getOrDefault("ns", "").equals("none") ? "" : "^" + ns;
    }

    /** The filler number (entity identifier) of an order of this row. */
    String filler(String order) {
        return "F" + placer(order);
    }

    private String obr(String order, String filler, String status, Map<String, String> opts, boolean result,
                       String test) {
        String collected = opts.containsKey("nocoll") ? "" : opts.getOrDefault("coll", COLLECTED.get(order));
        String interp = opts.getOrDefault("interp", row.interp());
        String pathologist = switch (interp) {
            case "roster", "roster-ft", "roster-nm" -> ROSTER;
            case "offroster" -> OFF_ROSTER;
            default -> "";
        };
        // OBR-32: v2.5.1 NDL, the person as subcomponents of component 1; v2.3 the person as components (§1)
        String obr32 = !result || pathologist.isEmpty() ? ""
                : v23() ? pathologist + "^Path^Ann" : pathologist + "&Path&Ann";
        return seg("OBR", 1, "1", 2, placerField(order, opts, result ? "both" : "placer"), 3, filler, 4, testCode(test), 7, collected, 16,
                obrProvider(opts), 25, status, 31, obr31(opts), 32, obr32);
    }

    private String testCode(String test) {
        return switch (test) {
            case "iep" -> IEP;
            case "unmapped" -> "IFE^IEP, Serum^99REF"; // looks like IEP, code not in the charge master (§3)
            case "other" -> "2885-2^Protein total^LN";
            case "alt" -> "99999^Serum protein panel^99XYZ^IEPS^IEP serum^L";
            case "tc" -> "SP305^Surgical pathology^L";
            case "ifx" -> "IFX^Immunofixation serum^L"; // FIXTURE code of rules/multi*.yaml -> 86334
            default -> throw new IllegalArgumentException(row + ": unknown test " + test);
        };
    }

    private String orcProvider(Map<String, String> opts) {
        String p = opts.getOrDefault("prov", "both");
        return p.equals("both") ? ORDERING : "";
    }

    private String obrProvider(Map<String, String> opts) {
        String p = opts.getOrDefault("prov", "both");
        return p.equals("both") || p.equals("obr16") ? ORDERING : "";
    }

    private String obr31(Map<String, String> opts) {
        if (!opts.containsKey("obr31")) {
            return "";
        }
        List<String> reps = new ArrayList<>();
        for (String d : opts.get("obr31").split("\\+")) {
            String[] cs = d.split("\\^", -1);
            reps.add(cs[0] + "^dx " + cs[0] + "^" + (cs.length > 1 ? cs[1] : ""));
        }
        return String.join("~", reps);
    }

    private List<String> in1s(String payer) {
        List<String> out = new ArrayList<>();
        if (payer.equals("none")) {
            return out;
        }
        int set = 1;
        for (String spec : payer.split("\\+")) {
            String priority = "";
            int at = spec.indexOf('@');
            if (at >= 0) {
                priority = spec.substring(at + 1);
                spec = spec.substring(0, at);
            }
            String name = "";
            int caret = spec.indexOf('^');
            if (caret >= 0) {
                name = spec.substring(caret + 1);
                spec = spec.substring(0, caret);
            }
            String plan = "";
            String company = spec;
            if (spec.startsWith("plan:")) {
                plan = spec.substring(5);
                company = "";
            }
            out.add(seg("IN1", 1, String.valueOf(set), 2, plan, 3, company, 4, name, 22, priority, 36,
                    "POL" + tag + set));
            set++;
        }
        return out;
    }

    private List<String> dg1s() {
        List<String> out = new ArrayList<>();
        if (row.dx().equals("-")) {
            return out;
        }
        int set = 1;
        for (String d : row.dx().split("\\+")) {
            String[] cs = d.split("\\^", -1);
            String system = cs.length > 1 ? cs[1] : "";
            out.add(seg("DG1", 1, String.valueOf(set), 3, cs[0] + "^dx " + cs[0] + "^" + system, 6, "F"));
            set++;
        }
        return out;
    }
}
