#!/usr/bin/env python3
"""SIGKILL trial of the packaged engine from outside (README "The ledger's durability"; BENCHMARKS.md, issue 9).

Starts the built-in billing receiver (`java -jar JAR receive`) and the engine (`java [extra args] -jar JAR run`, billing
over MLLP to that receiver), sends ORDERS IEP orders with the jar's `send` command (ORM^O01 NW, then the final ORU^R01,
one message at a time, each order with its own MSH-10, MRN, placer and filler number), SIGKILLs the engine KILL_AFTER
seconds in, starts it again on the same ledger and sends every message that was not answered AA, then the last 20
answered ones once more (resends). When billing has received nothing new for 5 s it stops both and counts billing's files:

  lost     = orders whose final ORU was answered AA and for which billing holds no charge (FT1-6 CG)
  doubled  = orders with more than one distinct charge transaction ID (FT1-2)
  redelivered = DFTs received twice under the same MSH-10 (allowed: a DFT in flight at the kill is sent again under
                its fixed IDs, and billing can tell it from a new charge)
  MSH-10 reused = one MSH-10 carrying two different charges (FT1-2, FT1-6 or the order differ: a new DFT under an
                  old ID)

Exit code 0 when every message ended answered AA and nothing was lost, doubled or reused, 1 otherwise.

  python3 deploy/kill-trial.py target/iep-charge-router.jar 600 3.3
  python3 deploy/kill-trial.py target/iep-charge-router.jar 600 3.3 \\
      '-Diep.ledger.url=jdbc:postgresql://127.0.0.1:5432/iep_test?currentSchema=trial' -Diep.ledger.user=iep \\
      -Diep.ledger.password=iep                                    # a fresh, existing schema

Environment: TRIAL_DIR (default ./kill-trial, emptied first: the engine's data folder, billing's files, both logs),
PORT_BASE (default 27660: LIS port; billing +1, console +2).
"""
import glob, os, re, shutil, signal, socket, subprocess, sys, threading, time

jar = os.path.abspath(sys.argv[1]); orders = int(sys.argv[2]); kill_after = float(sys.argv[3]); extra = sys.argv[4:]
work = os.path.abspath(os.environ.get("TRIAL_DIR", "kill-trial"))
base = int(os.environ.get("PORT_BASE", "27660"))
lis_port, billing_port, http_port = base, base + 1, base + 2
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)


def order_messages(i):
    orm = (f"MSH|^~\\&|LIS|MAINLAB|IEPROUTER|MAINLAB|20261120083000||ORM^O01^ORM_O01|KO{i}|P|2.5.1\r"
           f"PID|1||MRN{i}^^^MAINLAB^MR||Doe^Jane^Q||19580312|F\r"
           f"PV1|1|O|OUTPT^^^MAINLAB||||1234567890^Welby^Marcus\r"
           f"IN1|1|MCR|00430|MEDICARE PART B||||||||||||||||||1\r"
           f"ORC|NW|PL{i}^LIS||||||||||1234567890^Welby^Marcus^^^^^^NPI||||||||4\r"
           f"OBR|1|PL{i}^LIS||13169-8^Immunoelectrophoresis serum^LN|||20261120080000|||||||||"
           f"1234567890^Welby^Marcus^^^^^^NPI\r"
           f"DG1|1||D47.2^Monoclonal gammopathy^I10|||F\r")
    oru = (f"MSH|^~\\&|LIS|MAINLAB|IEPROUTER|MAINLAB|20261121100000||ORU^R01^ORU_R01|KR{i}|P|2.5.1\r"
           f"PID|1||MRN{i}^^^MAINLAB^MR||Doe^Jane^Q||19580312|F\r"
           f"PV1|1|O|OUTPT^^^MAINLAB\r"
           f"ORC|RE|PL{i}^LIS|FL{i}^LAB\r"
           f"OBR|1|PL{i}^LIS|FL{i}^LAB|13169-8^Immunoelectrophoresis serum^LN|||20261120080000|||||||||||||||"
           f"20261121095900|||F\r"
           f"OBX|1|TX|13169-8^Immunoelectrophoresis serum^LN||IgG kappa monoclonal protein identified||||||F\r")
    return [(f"KO{i}", orm), (f"KR{i}", oru)]


def wait_listening(port, proc, what):
    for _ in range(600):
        if proc.poll() is not None:
            sys.exit(f"{what} exited with code {proc.returncode} before listening (log in {work})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{what} did not listen on {port} within 60 s (log in {work})")


def start_engine(tag):
    log = open(os.path.join(work, f"engine-{tag}.log"), "w")
    proc = subprocess.Popen(["java", f"-Diep.dataDir={work}/data", "-Diep.billing.mode=mllp",
                             "-Diep.billing.host=127.0.0.1", f"-Diep.billing.port={billing_port}",
                             f"-Diep.inbound.port={lis_port}", f"-Diep.http.port={http_port}", *extra,
                             "-jar", jar, "run"], stdout=log, stderr=subprocess.STDOUT)
    wait_listening(lis_port, proc, f"engine ({tag})")
    return proc


def send(tag, batch):
    """The jar's own `send` command over the batch; its answer per MSH-10 (it stops at a lost connection)."""
    path = os.path.join(work, f"send-{tag}.hl7")
    with open(path, "w", newline="") as fh:
        fh.write("".join(text for _, text in batch))
    out = subprocess.run(["java", "-jar", jar, "send", path, "--port", str(lis_port)], capture_output=True, text=True)
    with open(os.path.join(work, f"send-{tag}.log"), "w") as fh:
        fh.write(out.stdout + out.stderr)
    return (dict(re.findall(r" MSH-10=(\S+) MSA-1=(\w+)", out.stdout)),
            [line for line in out.stderr.splitlines() if line.startswith("error")])


receiver = subprocess.Popen(["java", "-jar", jar, "receive", "--port", str(billing_port), "--out", f"{work}/billing"],
                            stdout=open(os.path.join(work, "receive.log"), "w"), stderr=subprocess.STDOUT)
wait_listening(billing_port, receiver, "billing receiver")
engine = start_engine("1")
messages = [m for i in range(orders) for m in order_messages(i)]
killer = threading.Timer(kill_after, lambda: os.kill(engine.pid, signal.SIGKILL))
killer.start()
answers, errors = send("1", messages)
if killer.is_alive():
    killer.cancel()
    os.kill(engine.pid, signal.SIGKILL)
    print(f"all {len(messages)} messages answered before the kill (raise ORDERS or lower KILL_AFTER): "
          f"SIGKILLed after the stream instead")
else:
    print(f"engine SIGKILLed {kill_after} s in: {len(answers)} messages answered; send said: {errors[-1:]}")
engine.wait()
answered_aa = sum(1 for a in answers.values() if a == "AA")

engine = start_engine("2")
unanswered = [(c, t) for c, t in messages if answers.get(c) != "AA"]
resends = [(c, t) for c, t in messages if answers.get(c) == "AA"][-20:]
again, errors = send("2", unanswered + resends)
answers.update(again)
codes = {}
for code in again.values():
    codes[code] = codes.get(code, 0) + 1
print(f"after the restart: {len(unanswered)} unanswered messages sent again and {len(resends)} answered ones resent; "
      f"answers {codes}{'; send said: ' + str(errors[-1:]) if errors else ''}")

last, quiet = -1, 0
while quiet < 5:
    count = len(glob.glob(f"{work}/billing/*.hl7"))
    quiet = quiet + 1 if count == last else 0
    last = count
    time.sleep(1)
engine.terminate()
engine.wait()
receiver.terminate()
receiver.wait()

charges, per_control_id, files = {}, {}, 0
for path in glob.glob(f"{work}/billing/*.hl7"):
    files += 1
    with open(path, newline="") as fh:
        segments = {s.split("|")[0]: s.split("|") for s in fh.read().replace("\n", "\r").split("\r") if s}
    ft1 = segments["FT1"]
    per_control_id.setdefault(segments["MSH"][9], []).append((ft1[2], ft1[6], ft1[23].split("^")[0]))
    if ft1[6] == "CG":
        charges.setdefault(ft1[23].split("^")[0], set()).add(ft1[2])
owed = [f"FL{i}" for i in range(orders) if answers.get(f"KR{i}") == "AA"]
lost = [o for o in owed if o not in charges]
doubled = [o for o, ids in charges.items() if len(ids) > 1]
reused = [c for c, ids in per_control_id.items() if len(set(ids)) > 1]
all_aa = all(answers.get(c) == "AA" for c, _ in messages)
print(f"{orders} orders; every message answered AA in the end: {all_aa}; "
      f"messages answered AA before the kill: {answered_aa}; "
      f"billing files {files}, distinct MSH-10 {len(per_control_id)}, "
      f"redelivered under the same MSH-10 {sum(1 for ids in per_control_id.values() if len(ids) > 1)}; "
      f"orders charged {len(charges)}; lost {len(lost)}; doubled {len(doubled)}; "
      f"MSH-10 reused for another charge {len(reused)}")
if lost or doubled or reused:
    print(f"lost: {lost[:10]}  doubled: {doubled[:10]}  MSH-10 reused: {reused[:10]}")
sys.exit(0 if all_aa and not lost and not doubled and not reused else 1)
