#!/usr/bin/env python3
"""Start-up to listening of the packaged engine (docs/operating.md "Start-up"; Linux only).

Starts `java [extra args] -Diep.dataDir=<fresh> -Diep.inbound.port=P ... -jar JAR run` RUNS times from a fresh temporary
folder and times it from the spawn to the LIS port in LISTEN, read from /proc/net/tcp{,6} every 2 ms (no process
forked per poll, so the poller takes next to no CPU from the engine). A LISTEN seen must last 50 ms to count. Printed
per run: that time, the engine's CPU time and its main thread's CPU time at that moment (/proc), the classes loaded
and the JIT's compilations and their time by then (the JVM's own counters in /tmp/hsperfdata_<user>/<pid>, read without attaching;
less sensitive to a loaded machine than times), the engine's own "started in N ms" and the load average before and
after; then the medians.

  python3 deploy/startup-time.py target/iep-charge-router.jar 5
  python3 deploy/startup-time.py target/iep-charge-router.jar 5 -XX:SharedArchiveFile=iep.jsa

Environment: PORT_BASE (default 27650: LIS port; billing +1, console +2), KEEP_LOG=1 (copy each run's log to the
working folder), AUTOGROUP_NICE=-19 with `setsid` (root: gives this session's scheduler group the weight of a
nearly idle machine when other sessions load it; Linux schedules sessions as groups, so a plain `nice` counts only
inside the group).
"""
import os, sys, time, subprocess, tempfile, shutil, signal, statistics, re, struct, getpass

jar = os.path.abspath(sys.argv[1]); runs = int(sys.argv[2]); extra = sys.argv[3:]
base = int(os.environ.get("PORT_BASE", "27650"))

def listening(port):
    hexport = ":%04X" % port
    for f in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(f) as fh:
                next(fh)
                for line in fh:
                    parts = line.split()
                    if parts[1].endswith(hexport) and parts[3] == "0A":
                        return True
        except FileNotFoundError:
            pass
    return False

def perf_counters(pid, names):
    """The named long counters of a HotSpot JVM's hsperfdata file (None when it cannot be read)."""
    try:
        with open("/tmp/hsperfdata_%s/%d" % (getpass.getuser(), pid), "rb") as f:
            data = f.read()
    except OSError:
        return None
    if data[:4] != b"\xca\xfe\xc0\xc0":
        return None
    order = "<" if data[4] == 1 else ">"
    entry_offset, num_entries = struct.unpack_from(order + "ii", data, 24)
    found = {}
    off = entry_offset
    for _ in range(num_entries):
        length, name_off, vlen, dtype, flags, units, var, data_off = struct.unpack_from(order + "iiicccci", data, off)
        name = data[off + name_off:data.index(b"\0", off + name_off)].decode()
        if name in names and dtype == b"J" and vlen == 0:
            found[name] = struct.unpack_from(order + "q", data, off + data_off)[0]
        off += length
    return found

COUNTERS = ("java.cls.loadedClasses", "sun.ci.totalCompiles", "java.ci.totalTime", "sun.os.hrt.frequency")
results = []; cpus = []; mains = []; classes = []; jits = []; compilations = []
if os.environ.get("AUTOGROUP_NICE"):
    # The kernel schedules by autogroup (one per session): a nice value counts only inside the group, so the
    # measuring session's whole group is given the weight (run as `setsid measure.py ...`).
    with open("/proc/self/autogroup", "w") as f:
        f.write(os.environ["AUTOGROUP_NICE"])
    print("autogroup:", open("/proc/self/autogroup").read().strip())
for i in range(runs):
    d = tempfile.mkdtemp(prefix="iep-startup-")
    port = base; billing = base + 1; http = base + 2
    load = open("/proc/loadavg").read().split()[0]
    cmd = ["java"] + extra + ["-Diep.dataDir=" + d + "/data", "-Diep.inbound.port=%d" % port,
           "-Diep.billing.port=%d" % billing, "-Diep.http.port=%d" % http, "-jar", jar, "run"]
    log = open(d + "/log.txt", "w")
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, cwd=d, stdout=log, stderr=subprocess.STDOUT)
    t_listen = None; cpu_ms = None; main_cpu = None; loaded = None; jit_ms = None; compiles = None
    streak = None
    while time.monotonic() - t0 < 90:
        if not listening(port):
            streak = None
        elif streak is None:
            # the first LISTEN seen; counted only if it lasts (the old ListenPorts probe listened for microseconds)
            streak = time.monotonic() - t0
            st = open("/proc/%d/stat" % p.pid).read().rsplit(")", 1)[1].split()
            streak_cpu = (int(st[11]) + int(st[12])) * 1000 // os.sysconf("SC_CLK_TCK")
            perf = perf_counters(p.pid, COUNTERS)
            main_cpu = 0
            for tid in os.listdir("/proc/%d/task" % p.pid):
                try:
                    tst = open("/proc/%d/task/%s/stat" % (p.pid, tid)).read()
                except OSError:
                    continue
                comm = tst[tst.index("(") + 1:tst.rindex(")")]
                if comm == "java" and int(tid) != p.pid:
                    f = tst.rsplit(")", 1)[1].split()
                    main_cpu += (int(f[11]) + int(f[12])) * 1000 // os.sysconf("SC_CLK_TCK")
        elif time.monotonic() - t0 - streak > 0.05:
            t_listen = streak
            cpu_ms = streak_cpu
            if perf and len(perf) == len(COUNTERS):
                loaded = perf["java.cls.loadedClasses"]
                jit_ms = perf["java.ci.totalTime"] * 1000 // perf["sun.os.hrt.frequency"]
                compiles = perf["sun.ci.totalCompiles"]
            break
        if p.poll() is not None: break
        time.sleep(0.002)
    # then the engine's own line, for its "started in N ms"
    t_end = time.monotonic() + 10
    text = ""
    while time.monotonic() < t_end:
        text = open(d + "/log.txt").read()
        if "listening for the LIS" in text: break
        time.sleep(0.01)
    m = re.search(r"started in (\d+) ms", text)
    p.send_signal(signal.SIGTERM)
    try: p.wait(20)
    except subprocess.TimeoutExpired: p.kill(); p.wait()
    load2 = open("/proc/loadavg").read().split()[0]
    ms = None if t_listen is None else round(t_listen * 1000)
    results.append(ms); cpus.append(cpu_ms)
    first = text.splitlines()[0][:13] if text else ""
    mains.append(main_cpu); classes.append(loaded); jits.append(jit_ms); compilations.append(compiles)
    print("run %d: listening %s ms, CPU %s ms, main thread %s ms, %s classes, %s compilations in %s ms (Engine.start %s"
          " ms) load %s -> %s first log line at %s" % (i + 1, ms, cpu_ms, main_cpu, loaded, compiles, jit_ms,
                                                     m.group(1) if m else "?", load, load2, first), flush=True)
    if os.environ.get("KEEP_LOG"):
        shutil.copy(d + "/log.txt", "startup-log-%d.txt" % (i + 1))
    shutil.rmtree(d, ignore_errors=True)
ok = [r for r in results if r is not None]
print("median %s ms of %d (min %s max %s)" % (statistics.median(ok) if ok else None, len(ok), min(ok) if ok else None, max(ok) if ok else None))
okc = [c for c in cpus if c is not None]
print("median CPU to listening %s ms" % (statistics.median(okc) if okc else None))
okm = [c for c in mains if c is not None]
print("median main-thread CPU to listening %s ms" % (statistics.median(okm) if okm else None))
okl = [c for c in classes if c is not None]
print("median classes loaded at listening %s" % (statistics.median(okl) if okl else None))
okc = [c for c in compilations if c is not None]
print("median JIT compilations at listening %s" % (statistics.median(okc) if okc else None))
okj = [c for c in jits if c is not None]
print("median JIT compile time at listening %s ms" % (statistics.median(okj) if okj else None))
