#!/usr/bin/python3
"""tests/bench/nomad_failover.py - the helper of tests/bench/nomad-failover.

Subcommands (all times are CLOCK_REALTIME in integer microseconds):

  drive   (run in the namespace of the agent's admin endpoint) flip the
          stand-in Nomad agent's state N times: cycle i even, the
          registration away and back (admin deregister, register: the
          blocking query path); cycle i odd, the proxy's Nomad check to
          failure and back to success (admin check: the polled path).  A
          random pause before each change puts it at a random phase of
          nomcastd's check poll.  BIRD's RIB is polled over its control
          socket every POLL ms throughout; after each change the drive
          waits for the RIB to follow.  Writes a JSON record.
  idle    with nothing changing, count what nomcastd asks the agent over
          SECS seconds: the agent's request log (answers sent in the
          window, by endpoint, with how long each was held) and its
          /admin/stats counters (requests that arrived in the window).
  report  decode the BGP UPDATEs of the capture on BIRD's veth, match
          them, the RIB transitions, nomcastd's log and the agent's log
          to the flips, and print the figures and the goals.

The flip's time is taken just before the admin request is written: the
agent changes its state while it handles that request and logs the
request only after its answer went out, so its log gives no earlier
stamp of the change; the admin round trip is printed as the bound on how
late within it the change can be.

Standard library only; the pcap decoding, the BIRD client and the RIB
poller are tests/bench/failover.py's.
"""
import argparse
import calendar
import datetime
import http.client
import json
import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from failover import Poller, now_us, pct, wire_events, proc_stat  # noqa: E402

QS = ((0.5, "p50"), (0.95, "p95"), (0.99, "p99"), (1.0, "max"))


# ---- the agent's admin endpoint ----

class Admin:
	"""one keep-alive HTTP/1.1 connection to the agent's admin endpoint"""

	def __init__(self, hostport):
		host, port = hostport.rsplit(":", 1)
		self.host, self.port = host, int(port)
		self.c = None

	def call(self, method, path, doc=None):
		"""(time just before the request is written, time the answer
		was read, decoded answer)"""
		body = json.dumps(doc).encode() if doc is not None else None
		hdr = {"Content-Type": "application/json"} if body else {}
		for attempt in (0, 1):
			if self.c is None:
				self.c = http.client.HTTPConnection(self.host,
				    self.port, timeout=10)
				self.c.connect()
			try:
				t0 = now_us()
				self.c.request(method, path, body=body, headers=hdr)
				r = self.c.getresponse()
				data = r.read()
				t1 = now_us()
				break
			except (http.client.HTTPException, OSError):
				self.c.close()
				self.c = None
				if attempt:
					raise
		if r.status != 200:
			sys.exit("admin %s %s: %d %s" % (method, path, r.status,
			    data.decode(errors="replace")))
		return t0, t1, json.loads(data) if data else None


# ---- drive ----

def cmd_drive(a):
	adm = Admin(a.admin)
	sysd = {"name": "nomcast", "sock": a.sock, "prefix": a.prefix}
	p = Poller([sysd], a.poll)
	rng = random.Random(a.seed)
	reg_doc = {"service": a.service, "alloc": a.alloc, "node": a.node,
	    "address": "198.51.100.11", "port": 80}
	changes = {
	    ("reg", False): ("/admin/deregister",
		{"service": a.service, "alloc": a.alloc}),
	    ("reg", True): ("/admin/register", reg_doc),
	    ("check", False): ("/admin/check", {"alloc": a.alloc,
		"check": a.check, "status": "failure",
		"output": "bench: failure"}),
	    ("check", True): ("/admin/check", {"alloc": a.alloc,
		"check": a.check, "status": "success",
		"output": "bench: success"}),
	}
	if not p.run_until(lambda: p.all_are(True), 60):
		sys.exit("drive: the route is not in BIRD's RIB at the start")
	p.run_until(lambda: False, 2)
	t_start = now_us()
	load = [open("/proc/loadavg").read().split()[:3]]
	flips, timeouts = [], 0
	for n in range(a.n):
		kind = "reg" if n % 2 == 0 else "check"
		for up in (False, True):
			p.run_until(lambda: False, rng.uniform(a.pause_min,
			    a.pause_max))
			path, doc = changes[(kind, up)]
			t0, t1, _ = adm.call("POST", path, doc)
			flips.append({"kind": kind, "up": up, "t": t0,
			    "ack": t1})
			if not p.run_until(lambda: p.all_are(up), a.settle):
				timeouts += 1
				print("drive: cycle %d (%s %s) did not settle in "
				    "%ss" % (n, kind, "up" if up else "down",
				    a.settle), file=sys.stderr)
				p.run_until(lambda: p.all_are(up), 60)
		if (n + 1) % 20 == 0:
			print("drive: %d/%d cycles" % (n + 1, a.n),
			    file=sys.stderr)
	p.run_until(lambda: False, 1)
	t_end = now_us()
	load.append(open("/proc/loadavg").read().split()[:3])
	gaps = sorted(p.gaps)
	out = {"flips": flips, "timeouts": timeouts, "t_start": t_start,
	    "t_end": t_end, "rib": p.trans[0], "load": load,
	    "poll": {"period_ms": a.poll, "gap_p50": pct(gaps, 0.5),
		"gap_p99": pct(gaps, 0.99), "gap_max": pct(gaps, 1.0)}}
	with open(a.out, "w") as f:
		json.dump(out, f)


# ---- idle ----

def cpu_ticks(pid):
	try:
		return proc_stat(pid)["own"]
	except OSError:
		return None


def cmd_idle(a):
	adm = Admin(a.admin)
	pids = [int(x) for x in a.pid]
	c0 = [cpu_ticks(x) for x in pids]
	t0, _, _ = adm.call("POST", "/admin/stats")
	time.sleep(a.secs)
	_, t1, st = adm.call("GET", "/admin/stats")
	c1 = [cpu_ticks(x) for x in pids]
	cpu = [None if x is None or y is None else
	    (y - x) / os.sysconf("SC_CLK_TCK") for x, y in zip(c0, c1)]
	with open(a.out, "w") as f:
		json.dump({"t0": t0, "t1": t1, "stats": st, "cpu": cpu,
		    "pids": pids}, f)


# ---- logs ----

AGENT_LINE = re.compile(r"^(\d+\.\d+) via=(\w+) (\S+) (\S+) status=(\S+) "
    r"ms=([\d.]+)")


def endpoint_of(path):
	path = path.split("?", 1)[0]
	if path.startswith("/v1/service/"):
		return "service"
	if path.startswith("/v1/client/allocation/") and \
	    path.endswith("/checks"):
		return "checks"
	if path.startswith("/admin/"):
		return "admin"
	return "other " + path


def agent_log(path):
	"""[(time the answer went out, via, endpoint, status, held ms)]"""
	out = []
	with open(path, errors="replace") as f:
		for line in f:
			m = AGENT_LINE.match(line)
			if not m:
				continue
			ts = m.group(1).split(".")
			t = int(ts[0]) * 1000000 + int(ts[1].ljust(6, "0")[:6])
			out.append((t, m.group(2), endpoint_of(m.group(4)),
			    m.group(5), float(m.group(6))))
	out.sort()
	return out


def daemon_log(path):
	"""[(time, what)] of nomcastd's lines about the Nomad source:
	what is reg-yes, reg-no, checks-passing, checks-failing, ..."""
	out = []
	with open(path, errors="replace") as f:
		for line in f:
			w = line.split()
			if not w or not w[0].endswith("Z"):
				continue
			what = None
			for x in w:
				if x.startswith("registered="):
					what = "reg-" + x.split("=", 1)[1]
				elif x.startswith("checks="):
					what = "checks-" + x.split("=", 1)[1]
			if what is None:
				continue
			try:
				dt = datetime.datetime.strptime(w[0],
				    "%Y-%m-%dT%H:%M:%S.%fZ")
			except ValueError:
				continue
			out.append((calendar.timegm(dt.timetuple()) * 1000000 +
			    dt.microsecond, what))
	out.sort()
	return out


# ---- report ----

def first(seq, pred):
	for x in seq:
		if pred(x):
			return x
	return None


def ms(v):
	return "%9.3f" % (v / 1000.0) if v is not None else "%9s" % "-"


def row(label, v):
	v = sorted(v)
	print("  %-44s %4d%s" % (label, len(v),
	    "".join(ms(pct(v, q)) for q, _ in QS)))


def analyze(drive, ev, dlog, alog):
	flips = drive["flips"]
	rib = drive["rib"]
	keys = ("wire", "rib", "seen", "send", "agent", "take", "ack")
	r = {(k, up): {x: [] for x in keys}
	    for k in ("reg", "check") for up in (False, True)}
	miss = []
	for i, fl in enumerate(flips):
		tf, up, kind = fl["t"], fl["up"], fl["kind"]
		tn = flips[i + 1]["t"] if i + 1 < len(flips) else drive["t_end"]
		want = "A" if up else "W"
		wire = first(ev, lambda e: tf < e[0] <= tn and e[1] == want)
		ribt = first(rib, lambda x: tf < x[0] <= tn and x[3] == up)
		d = r[(kind, up)]
		d["ack"].append(fl["ack"] - tf)
		if wire is None or ribt is None:
			miss.append("%s %s at %d" % (kind, "up" if up else "down",
			    tf))
			continue
		d["wire"].append(wire[0] - tf)
		d["rib"].append(ribt[0] - tf)
		if kind == "reg":
			what = "reg-yes" if up else "reg-no"
		else:
			what = "checks-passing" if up else "checks-failing"
		seen = first(dlog, lambda x: tf < x[0] <= wire[0] and
		    x[1] == what)
		if seen is not None:
			d["seen"].append(seen[0] - tf)
			d["send"].append(wire[0] - seen[0])
		if kind == "reg":
			# the agent's answer to the blocking query that was
			# held over the change (logged once it went out)
			ans = first(alog, lambda x: tf < x[0] <= tn and
			    x[1] == "unix" and x[2] == "service")
			if ans is not None:
				d["agent"].append(ans[0] - tf)
				if seen is not None:
					d["take"].append(seen[0] - ans[0])
	return r, miss


def cmd_report(a):
	with open(a.drive) as f:
		drive = json.load(f)
	with open(a.idle) as f:
		idle = json.load(f)
	ev, _ = wire_events(a.pcap, a.src)
	ev = [e for e in ev if e[2] == a.prefix]
	dlog = daemon_log(a.daemonlog)
	alog = agent_log(a.agentlog)
	R, miss = analyze(drive, ev, dlog, alog)
	flips = drive["flips"]
	ncyc = len(flips) // 2
	nreg = len([x for x in flips if x["kind"] == "reg"]) // 2
	dur = (drive["t_end"] - drive["t_start"]) / 1e6
	iv = a.interval_ms
	print()
	print("nomad-failover: %d cycles in %.0f s: %d x registration away "
	    "and back (blocking query),\n  %d x Nomad check to failure and "
	    "back (polled, nomad check-interval %d ms);" % (ncyc, dur, nreg,
	    ncyc - nreg, iv))
	print("  nomcastd over the Task API unix socket, nomad-checks = all, "
	    "no local checks, wait %d s" % a.wait_s)
	print("  times in ms from the admin call (stamped just before it is "
	    "sent) to the UPDATE on BIRD's veth (pcap)")
	print("  and to the first RIB answer that shows the change (BIRD "
	    "polled every %s ms); percentiles by nearest rank" %
	    drive["poll"]["period_ms"])
	hdr = "  %-44s %4s" % ("", "n") + "".join("%9s" % q for _, q in QS)
	for kind, title, lab in (
	    ("reg", "registration (admin deregister / register -> "
		"blocking query answered)", ("deregister", "register")),
	    ("check", "check (admin check failure / success -> next "
		"poll of the alloc's checks)", ("check failure", "check success"))):
		print()
		print(title)
		print(hdr)
		dn, upd = R[(kind, False)], R[(kind, True)]
		row("%s -> withdraw, wire" % lab[0], dn["wire"])
		row("%s -> gone from RIB" % lab[0], dn["rib"])
		row("%s -> announce, wire" % lab[1], upd["wire"])
		row("%s -> back in RIB" % lab[1], upd["rib"])
		both = dn["seen"] + upd["seen"]
		if kind == "reg":
			row("  split: change -> agent logged its answer",
			    dn["agent"] + upd["agent"])
			row("  split: change -> nomcastd logs registered=",
			    both)
			row("  split: agent's log line -> nomcastd's",
			    dn["take"] + upd["take"])
		else:
			row("  split: change -> nomcastd logs checks=", both)
		row("  split: that log line -> UPDATE on the wire",
		    dn["send"] + upd["send"])
		row("  admin call round trip (bound on the stamp)",
		    dn["ack"] + upd["ack"])
	pl = drive["poll"]
	print()
	print("  RIB poll: gap between answers p50 %.1f ms, p99 %.1f ms, max "
	    "%.1f ms; load average before %s, after %s" % (
	    pl["gap_p50"] / 1000, pl["gap_p99"] / 1000, pl["gap_max"] / 1000,
	    "/".join(drive["load"][0]), "/".join(drive["load"][1])))
	print("  split lines: the agent's log stamps an answer after it went "
	    "out (so nomcastd may log first: < 0);\n  nomcastd's log "
	    "(gettimeofday) when it has parsed the answer; down and up "
	    "together")
	if drive["timeouts"]:
		print("  WARNING: %d changes did not reach the RIB within the "
		    "settle time" % drive["timeouts"])
	if miss:
		print("  WARNING: %d changes without a matching UPDATE or RIB "
		    "transition: %s" % (len(miss), ", ".join(miss[:5])))

	# goals: the measure is the RIB, both directions
	print()
	g1 = 20000
	g2 = iv * 1000 + 20000
	for kind, goal, what in (("reg", g1, "registration change: p99 < "
	    "20 ms"), ("check", g2, "check change: p99 < poll interval + "
	    "20 ms = %d ms" % (g2 // 1000))):
		res = []
		for up, dirn in ((False, "gone"), (True, "back")):
			v = sorted(R[(kind, up)]["rib"])
			w = sorted(R[(kind, up)]["wire"])
			p = pct(v, 0.99)
			res.append((dirn, p, pct(w, 0.99),
			    p is not None and p < goal))
		met = all(x[3] for x in res)
		print("goal, %s (flip -> RIB): %s; %s" % (what,
		    "; ".join("%s p99 %s ms (wire %s)" % (d, ms(p).strip(),
		    ms(pw).strip()) for d, p, pw, _ in res),
		    "met" if met else "NOT met"))

	# idle
	t0, t1 = idle["t0"], idle["t1"]
	span = (t1 - t0) / 1e6
	win = [x for x in alog if t0 <= x[0] <= t1 and x[1] != "admin"]
	by = {}
	for x in win:
		by.setdefault(x[2], []).append(x)
	st = idle["stats"]
	print()
	print("idle (no change for %.1f s): requests nomcastd sent to the "
	    "agent" % span)
	print("  %-12s %9s %9s %9s   %s" % ("endpoint", "answered", "/min",
	    "arrived", "held ms (answers in the window)"))
	arrived = {k.split(" ", 1)[1]: v for k, v in
	    st["by_endpoint"].items() if k.startswith("unix ")}
	for ep in sorted(set(by) | set(arrived) | {"checks", "service"}):
		v = by.get(ep, [])
		held = sorted(x[4] for x in v)
		hs = ("p50 %.1f, max %.1f" % (pct(held, 0.5), held[-1])) \
		    if held else "-"
		if ep == "service":
			hs = ", ".join("%.0f" % h for h in held) or "-"
		print("  %-12s %9d %9.1f %9d   %s" % (ep, len(v),
		    len(v) * 60 / span, arrived.get(ep, 0), hs))
	other = [k for k in st["by_endpoint"] if not k.startswith("unix ")]
	if other:
		print("  (also, not over the socket: %s)" % ", ".join(
		    "%s %d" % (k, st["by_endpoint"][k]) for k in other))
	# a process that starts at most once per P seconds has at most
	# floor(T/P) + 1 starts (or answers) in a window of T seconds
	imp_chk = 60000.0 / iv
	imp_svc = 60.0 / a.wait_s
	lim_chk = int(span * 1000 // iv) + 1
	lim_svc = int(span // a.wait_s) + 1
	n_chk = max(len(by.get("checks", [])), arrived.get("checks", 0))
	n_svc = max(len(by.get("service", [])), arrived.get("service", 0))
	n_oth = sum(len(v) for k, v in by.items()
	    if k not in ("checks", "service"))
	print("  implied: check-interval %d ms -> %.0f/min; wait %d s -> "
	    "%.2f/min (%.2f with the agent's jitter of up to wait/16)" % (
	    iv, imp_chk, a.wait_s, imp_svc, 60.0 / (a.wait_s * 33 / 32)))
	print("  at most in %.1f s: checks %d, service %d, others 0" % (
	    span, lim_chk, lim_svc))
	tot = len(win) * 60 / span
	print("goal, idle requests no more than wait and check interval "
	    "imply: %.1f/min in all (checks %d, service %d, other %d): %s" % (
	    tot, n_chk, n_svc, n_oth, "met" if n_chk <= lim_chk and
	    n_svc <= lim_svc and n_oth == 0 else "NOT met"))
	cpu = idle.get("cpu") or []
	if cpu and cpu[0] is not None:
		print("  CPU over the idle window: nomcastd %.2f s%s" % (cpu[0],
		    (", agent %.2f s" % cpu[1]) if len(cpu) > 1 and
		    cpu[1] is not None else ""))


def main():
	ap = argparse.ArgumentParser()
	sub = ap.add_subparsers(dest="cmd", required=True)
	d = sub.add_parser("drive")
	d.add_argument("--admin", required=True, help="HOST:PORT")
	d.add_argument("--sock", required=True, help="BIRD's control socket")
	d.add_argument("--prefix", required=True)
	d.add_argument("--service", default="traefik")
	d.add_argument("--check", default="traefik-ping")
	d.add_argument("--alloc", required=True)
	d.add_argument("--node", required=True)
	d.add_argument("--n", type=int, default=200)
	d.add_argument("--poll", type=float, default=5.0)
	d.add_argument("--pause-min", type=float, default=0.15)
	d.add_argument("--pause-max", type=float, default=0.65)
	d.add_argument("--settle", type=float, default=5.0)
	d.add_argument("--seed", type=int)
	d.add_argument("--out", required=True)
	i = sub.add_parser("idle")
	i.add_argument("--admin", required=True)
	i.add_argument("--secs", type=float, default=60)
	i.add_argument("--pid", action="append", default=[])
	i.add_argument("--out", required=True)
	r = sub.add_parser("report")
	r.add_argument("--drive", required=True)
	r.add_argument("--idle", required=True)
	r.add_argument("--pcap", required=True)
	r.add_argument("--src", required=True)
	r.add_argument("--prefix", required=True)
	r.add_argument("--daemonlog", required=True)
	r.add_argument("--agentlog", required=True)
	r.add_argument("--interval-ms", type=int, default=500)
	r.add_argument("--wait-s", type=int, default=60)
	a = ap.parse_args()
	{"drive": cmd_drive, "idle": cmd_idle, "report": cmd_report}[a.cmd](a)


if __name__ == "__main__":
	main()
