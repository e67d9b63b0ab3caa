#!/usr/bin/python3
"""tests/bench/failover.py - the helper of tests/bench/failover.

Subcommands (all times are CLOCK_REALTIME in integer microseconds):

  drive   flip the flag files of the systems together N times and poll
          each BIRD's RIB over its control socket, one persistent
          connection per BIRD, every POLL ms; writes a JSON record of the
          flips, the RIB transitions and each system's RSS and CPU.
  watch   (run inside the node's namespace) start a TCP "proxy", wait for
          the route, SIGKILL the proxy and record the time of the kill,
          wait for the route to leave BIRD, restart; ROUNDS times.
  proxy   the proxy: accept TCP connections and hold them open.
  report  decode the BGP UPDATEs of the packet captures and print the
          figures from the check logs, the drive and watch records.

Standard library only.
"""
import argparse
import calendar
import datetime
import ipaddress
import json
import math
import os
import random
import selectors
import signal
import socket
import struct
import subprocess
import sys
import time


def now_us():
	return time.time_ns() // 1000


# ---- BIRD's control socket ----

class Bird:
	"""A birdc without the fork: one connection, one command at a time."""

	def __init__(self, path):
		self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
		self.s.connect(path)
		self.buf = b""
		self.reply()		# the "0001 BIRD x.y ready." greeting

	def reply(self):
		lines = []
		while True:
			while b"\n" not in self.buf:
				d = self.s.recv(65536)
				if not d:
					raise EOFError("BIRD closed the control socket")
				self.buf += d
			line, self.buf = self.buf.split(b"\n", 1)
			line = line.decode("ascii", "replace")
			lines.append(line)
			# "NNNN " ends a reply; "NNNN-" and " ..." continue it
			if len(line) >= 5 and line[:4].isdigit() and line[4] == " ":
				return lines

	def has(self, prefix):
		self.s.sendall(("show route %s\n" % prefix).encode())
		lines = self.reply()
		return any(l.split()[:1] == [prefix] or
		    (len(l) > 5 and l[5:].split()[:1] == [prefix]) for l in lines)


# ---- /proc ----

def proc_stat(pid):
	with open("/proc/%d/stat" % pid) as f:
		s = f.read()
	f = s[s.rindex(")") + 2:].split()
	# fields from 3 on: f[0] is state; utime 14, stime 15, cutime 16,
	# cstime 17 (1-based in proc(5)) -> f[11..14]; ppid is f[1]
	return {"ppid": int(f[1]), "own": int(f[11]) + int(f[12]),
	    "children": int(f[13]) + int(f[14])}


def proc_status(pid, key):
	with open("/proc/%d/status" % pid) as f:
		for line in f:
			if line.startswith(key + ":"):
				return int(line.split()[1])
	return 0


def proc_cmd(pid):
	with open("/proc/%d/cmdline" % pid, "rb") as f:
		return f.read().replace(b"\0", b" ").decode(errors="replace").strip()


def descendants(root):
	kids = {}
	for d in os.listdir("/proc"):
		if not d.isdigit():
			continue
		try:
			kids.setdefault(proc_stat(int(d))["ppid"], []).append(int(d))
		except (OSError, ValueError):
			pass
	out, todo = [], [root]
	while todo:
		p = todo.pop()
		out.append(p)
		todo.extend(kids.get(p, []))
	return out


def tree_sample(root, resident):
	"""CPU ticks of a process tree: `own` of the resident processes (the
	daemon, ExaBGP and its healthcheck), and `all`: own + reaped
	children of every process in the tree, so that the check runs that
	came and went between two samples are counted once."""
	own = allt = rss = hwm = 0
	procs = []
	for p in descendants(root):
		try:
			st = proc_stat(p)
			cmd = proc_cmd(p)
		except OSError:
			continue
		allt += st["own"] + st["children"]
		if p == root or any(k in cmd for k in resident):
			own += st["own"]
			rss += proc_status(p, "VmRSS")
			hwm += proc_status(p, "VmHWM")
			procs.append("%d:%s" % (p, cmd[:80]))
	return {"own": own, "all": allt, "rss": rss, "hwm": hwm,
	    "procs": procs}


# ---- drive ----

def kv(spec):
	return dict(x.split("=", 1) for x in spec.split(","))


class Poller:
	"""Polls every BIRD each period and records each change of presence
	of its prefix with the times around the query that saw it."""

	def __init__(self, systems, period):
		self.systems = systems
		self.period = period / 1000.0
		self.birds = [Bird(s["sock"]) for s in systems]
		self.state = [None] * len(systems)
		self.last = [0] * len(systems)	# end of the previous query
		self.trans = [[] for _ in systems]
		self.gaps = []
		self.next = time.monotonic()

	def poll_once(self):
		for i, (s, b) in enumerate(zip(self.systems, self.birds)):
			t0 = now_us()
			present = b.has(s["prefix"])
			t1 = now_us()
			if present != self.state[i]:
				# the change happened in (last, t1]
				self.trans[i].append([t1, self.last[i], t0, present])
				self.state[i] = present
			if self.last[i]:
				self.gaps.append(t1 - self.last[i])
			self.last[i] = t1

	def run_until(self, cond, timeout):
		"""poll until cond() holds or timeout seconds pass"""
		end = time.monotonic() + timeout
		while True:
			self.poll_once()
			if cond():
				return True
			if time.monotonic() >= end:
				return False
			self.next += self.period
			d = self.next - time.monotonic()
			if d > 0:
				time.sleep(d)
			else:
				self.next = time.monotonic()

	def all_are(self, present):
		return all(x is present for x in self.state)


def probe(script, log):
	"""run the check script once and return the time from its own stamp
	to the return of a blocking waitpid() here"""
	pr = subprocess.Popen([script], stdin=subprocess.DEVNULL,
	    stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
	os.waitpid(pr.pid, 0)
	t = now_us()
	pr.returncode = 0	# reaped above
	pr.stdout.close()
	return t - check_runs(log)[-1][0]


def cmd_drive(a):
	systems = [kv(s) for s in a.system]
	rng = random.Random(a.seed)
	p = Poller(systems, a.poll)
	for s in systems:
		open(s["flag"], "a").close()
	if not p.run_until(lambda: p.all_are(True), 60):
		sys.exit("drive: the routes are not all in the RIBs at the start")
	p.run_until(lambda: False, 3)	# let both settle in their up state
	resident = ["exabgp", "nomcastd"]
	before = {s["name"]: tree_sample(int(s["pid"]), resident)
	    for s in systems}
	t_start = now_us()
	flips, timeouts = [], 0
	present = True
	load = [open("/proc/loadavg").read().split()[:3]]
	probes = []
	for n in range(a.n):
		# the floor under (a): the same script run by a bare parent that
		# blocks in waitpid(), once per flip, in the same conditions
		if a.probe:
			probes.append(probe(a.probe, a.probe_log))
		# a random pause puts the flip at a random phase of the checks
		p.run_until(lambda: False, rng.uniform(0.3, 1.3))
		present = not present
		order = list(range(len(systems)))
		rng.shuffle(order)
		t = {}
		for i in order:
			if present:
				open(systems[i]["flag"], "a").close()
			else:
				os.unlink(systems[i]["flag"])
			t[systems[i]["name"]] = now_us()
		flips.append({"up": present, "t": t})
		want = present
		if not p.run_until(lambda: p.all_are(want), a.settle):
			timeouts += 1
			print("drive: flip %d (%s) did not settle in %ss" %
			    (n, "up" if present else "down", a.settle),
			    file=sys.stderr)
		if (n + 1) % 10 == 0:
			print("drive: %d/%d flips" % (n + 1, a.n), file=sys.stderr)
	p.run_until(lambda: False, 1.5)
	t_end = now_us()
	load.append(open("/proc/loadavg").read().split()[:3])
	after = {s["name"]: tree_sample(int(s["pid"]), resident)
	    for s in systems}
	gaps = sorted(p.gaps)
	out = {"systems": systems, "flips": flips, "timeouts": timeouts,
	    "t_start": t_start, "t_end": t_end,
	    "rib": {s["name"]: p.trans[i] for i, s in enumerate(systems)},
	    "poll": {"period_ms": a.poll, "gap_p50": pct(gaps, 0.5),
	        "gap_p99": pct(gaps, 0.99), "gap_max": gaps[-1]},
	    "before": before, "after": after, "load": load,
	    "probes": probes,
	    "hz": os.sysconf("SC_CLK_TCK")}
	with open(a.out, "w") as f:
		json.dump(out, f)


# ---- watch ----

def start_proxy(port):
	pr = subprocess.Popen([sys.executable, os.path.abspath(__file__),
	    "proxy", str(port)], stdout=subprocess.PIPE)
	if pr.stdout.readline().strip() != b"ready":
		sys.exit("watch: the proxy did not start")
	return pr


def cmd_watch(a):
	s = {"name": "watch", "sock": a.sock, "prefix": a.prefix}
	rng = random.Random(a.seed)
	p = Poller([s], a.poll)
	kills, timeouts = [], 0
	# a TERM still kills the proxy, in the finally below
	signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
	pr = start_proxy(a.port)
	try:
		if not p.run_until(lambda: p.all_are(True), 60):
			sys.exit("watch: the route never came up")
		for r in range(a.rounds):
			p.run_until(lambda: False, rng.uniform(0.3, 1.3))
			t = now_us()
			os.kill(pr.pid, signal.SIGKILL)
			kills.append(t)
			pr.wait()
			if not p.run_until(lambda: p.all_are(False), 10):
				timeouts += 1
			pr = start_proxy(a.port)
			if not p.run_until(lambda: p.all_are(True), 15):
				timeouts += 1
	finally:
		if pr.poll() is None:
			pr.kill()
			pr.wait()
	with open(a.out, "w") as f:
		json.dump({"kills": kills, "rib": p.trans[0],
		    "timeouts": timeouts}, f)


def cmd_proxy(a):
	ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
	ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	ls.bind(("127.0.0.1", a.port))
	ls.listen(64)
	sel = selectors.DefaultSelector()
	sel.register(ls, selectors.EVENT_READ)
	sys.stdout.write("ready\n")
	sys.stdout.flush()
	while True:
		for key, _ in sel.select():
			if key.fileobj is ls:
				c, _ = ls.accept()
				c.setblocking(False)
				sel.register(c, selectors.EVENT_READ)
				continue
			try:
				d = key.fileobj.recv(4096)
			except OSError:
				d = b""
			if not d:
				sel.unregister(key.fileobj)
				key.fileobj.close()


# ---- pcap and BGP ----

MARKER = b"\xff" * 16
M32 = 0xffffffff


def pcap_packets(path):
	with open(path, "rb") as f:
		data = f.read()
	magic = data[:4]
	if magic == b"\xd4\xc3\xb2\xa1":
		e, div = "<", 1
	elif magic == b"\xa1\xb2\xc3\xd4":
		e, div = ">", 1
	elif magic == b"\x4d\x3c\xb2\xa1":
		e, div = "<", 1000
	elif magic == b"\xa1\xb2\x3c\x4d":
		e, div = ">", 1000
	else:
		raise ValueError("%s: not a pcap file" % path)
	link = struct.unpack(e + "I", data[20:24])[0] & 0x0fffffff
	off = 24
	while off + 16 <= len(data):
		sec, frac, incl, _ = struct.unpack(e + "IIII", data[off:off + 16])
		off += 16
		pkt = data[off:off + incl]
		off += incl
		if len(pkt) < incl:
			break		# a capture cut short
		yield sec * 1000000 + frac // div, link, pkt


def l3(link, pkt):
	"""(ethertype, L3 bytes) for Ethernet, Linux cooked v1 and v2"""
	if link == 1:
		et, off = struct.unpack("!H", pkt[12:14])[0], 14
		while et == 0x8100 and len(pkt) >= off + 4:
			et, off = struct.unpack("!H", pkt[off + 2:off + 4])[0], off + 4
		return et, pkt[off:]
	if link == 113:
		return struct.unpack("!H", pkt[14:16])[0], pkt[16:]
	if link == 276:
		return struct.unpack("!H", pkt[0:2])[0], pkt[20:]
	return None, b""


def tcp_segments(path):
	for ts, link, pkt in pcap_packets(path):
		et, ip = l3(link, pkt)
		if et == 0x0800 and len(ip) >= 20 and ip[9] == 6:
			ihl = (ip[0] & 15) * 4
			tot = struct.unpack("!H", ip[2:4])[0]
			src = str(ipaddress.IPv4Address(ip[12:16]))
			dst = str(ipaddress.IPv4Address(ip[16:20]))
			tcp = ip[ihl:tot]
		elif et == 0x86dd and len(ip) >= 40 and ip[6] == 6:
			plen = struct.unpack("!H", ip[4:6])[0]
			src = str(ipaddress.IPv6Address(ip[8:24]))
			dst = str(ipaddress.IPv6Address(ip[24:40]))
			tcp = ip[40:40 + plen]
		else:
			continue
		if len(tcp) < 20:
			continue
		sp, dp, seq = struct.unpack("!HHI", tcp[0:8])
		doff = (tcp[12] >> 4) * 4
		flags = tcp[13]
		yield ts, (src, sp, dst, dp), seq, flags, tcp[doff:]


class Stream:
	"""One direction of a TCP connection, reassembled in sequence order;
	a BGP message is stamped with the packet that completes it."""

	def __init__(self):
		self.next = None
		self.buf = b""
		self.ooo = {}

	def feed(self, seq, flags, payload):
		if flags & 0x02:		# SYN: a new connection
			self.next = (seq + 1) & M32
			self.buf, self.ooo = b"", {}
			payload = b""
		if not payload:
			return
		if self.next is None:
			self.next = seq
		d = (seq - self.next) & M32
		if d >= 1 << 31:		# starts before what we have
			back = (self.next - seq) & M32
			if back >= len(payload):
				return		# a retransmission
			payload, d = payload[back:], 0
		if d > 0:
			self.ooo[seq] = payload	# after a hole
			return
		self.buf += payload
		self.next = (self.next + len(payload)) & M32
		while self.next in self.ooo:
			p = self.ooo.pop(self.next)
			self.buf += p
			self.next = (self.next + len(p)) & M32

	def messages(self):
		out = []
		while len(self.buf) >= 19:
			if self.buf[:16] != MARKER:
				i = self.buf.find(MARKER, 1)
				if i < 0:
					self.buf = self.buf[-15:]
					break
				self.buf = self.buf[i:]
				continue
			ln = struct.unpack("!H", self.buf[16:18])[0]
			if ln < 19:
				self.buf = self.buf[1:]
				continue
			if len(self.buf) < ln:
				break
			out.append(self.buf[:ln])
			self.buf = self.buf[ln:]
		return out


def prefixes(b, afi):
	out, i = [], 0
	width = 4 if afi == 1 else 16
	while i < len(b):
		ln = b[i]
		n = (ln + 7) // 8
		raw = b[i + 1:i + 1 + n] + bytes(width - n)
		if afi == 1:
			out.append("%s/%d" % (ipaddress.IPv4Address(raw[:4]), ln))
		else:
			out.append("%s/%d" % (ipaddress.IPv6Address(raw[:16]), ln))
		i += 1 + n
	return out


def update_routes(msg):
	"""(announced, withdrawn) prefixes of an UPDATE"""
	body = msg[19:]
	wl = struct.unpack("!H", body[0:2])[0]
	wd = prefixes(body[2:2 + wl], 1)
	al = struct.unpack("!H", body[2 + wl:4 + wl])[0]
	attrs = body[4 + wl:4 + wl + al]
	ann = prefixes(body[4 + wl + al:], 1)
	i = 0
	while i + 3 <= len(attrs):
		fl, ty = attrs[i], attrs[i + 1]
		if fl & 0x10:
			ln = struct.unpack("!H", attrs[i + 2:i + 4])[0]
			v = attrs[i + 4:i + 4 + ln]
			i += 4 + ln
		else:
			ln = attrs[i + 2]
			v = attrs[i + 3:i + 3 + ln]
			i += 3 + ln
		if ty == 14 and len(v) >= 5:		# MP_REACH_NLRI
			afi, nhl = struct.unpack("!H", v[0:2])[0], v[3]
			ann += prefixes(v[5 + nhl:], afi)
		elif ty == 15 and len(v) >= 3:		# MP_UNREACH_NLRI
			wd += prefixes(v[3:], struct.unpack("!H", v[0:2])[0])
	return ann, wd


def wire_events(path, src):
	"""[(time, 'A' | 'W', prefix)] of the UPDATEs sent from src, and the
	number of UPDATEs"""
	streams, ev, nupd = {}, [], 0
	for ts, key, seq, flags, payload in tcp_segments(path):
		if key[0] != src:
			continue
		st = streams.setdefault(key, Stream())
		st.feed(seq, flags, payload)
		for m in st.messages():
			if m[18] != 2:
				continue
			ann, wd = update_routes(m)
			if ann or wd:
				nupd += 1
			ev += [(ts, "A", p) for p in ann]
			ev += [(ts, "W", p) for p in wd]
	return ev, nupd


# ---- report ----

def pct(d, q):
	"""nearest rank: the smallest value with at least q of them at or below"""
	if not d:
		return None
	return d[max(0, math.ceil(q * len(d)) - 1)]


def check_runs(path):
	runs = []
	with open(path) as f:
		for line in f:
			w = line.split()
			if len(w) != 2 or "." not in w[0]:
				continue
			sec, frac = w[0].split(".")
			runs.append((int(sec) * 1000000 + int(frac.ljust(6, "0")[:6]),
			    int(w[1])))
	runs.sort()
	return runs


def first(seq, pred):
	for x in seq:
		if pred(x):
			return x
	return None


def daemon_results(path):
	"""times at which nomcastd logged a check result that changed"""
	out = []
	try:
		f = open(path)
	except OSError:
		return out
	with f:
		for line in f:
			w = line.split()
			if len(w) < 2 or not w[0].endswith("Z") or \
			    not any(x.startswith("check=") for x in w) or \
			    not any(x.startswith("state=") for x in w):
				continue
			try:
				dt = datetime.datetime.strptime(w[0],
				    "%Y-%m-%dT%H:%M:%S.%fZ")
			except ValueError:
				continue
			out.append(calendar.timegm(dt.timetuple()) * 1000000 +
			    dt.microsecond)
	out.sort()
	return out


def analyze(drive, s, rise):
	name, prefix = s["name"], s["prefix"]
	runs = check_runs(s["log"])
	ev, _ = wire_events(s["pcap"], s["src"])
	ev = [e for e in ev if e[2] == prefix]
	rib = drive["rib"][name]
	flips = drive["flips"]
	r = {k: [] for k in ("a_down", "a_up", "b_wire", "b_rib", "up_wire",
	    "up_rib", "rib_window", "a_seen", "a_send")}
	logged = daemon_results(s["daemonlog"]) if "daemonlog" in s else []
	miss = 0
	for i, fl in enumerate(flips):
		tf = fl["t"][name]
		tn = flips[i + 1]["t"][name] if i + 1 < len(flips) else drive["t_end"]
		kind = "A" if fl["up"] else "W"
		wire = first(ev, lambda e: tf < e[0] <= tn and e[1] == kind)
		ribt = first(rib, lambda x: tf < x[0] <= tn and x[3] == fl["up"])
		after = [x for x in runs if tf < x[0] <= tn]
		if fl["up"]:
			ok = [x for x in after if x[1] == 0]
			run = ok[rise - 1] if len(ok) >= rise else None
		else:
			run = first(after, lambda x: x[1] != 0)
		if wire is None or ribt is None or run is None:
			miss += 1
			continue
		seen = first(logged, lambda t: run[0] <= t <= wire[0])
		if seen is not None:
			r["a_seen"].append(seen - run[0])
			r["a_send"].append(wire[0] - seen)
		if fl["up"]:
			r["a_up"].append(wire[0] - run[0])
			r["up_wire"].append(wire[0] - tf)
			r["up_rib"].append(ribt[0] - tf)
		else:
			r["a_down"].append(wire[0] - run[0])
			r["b_wire"].append(wire[0] - tf)
			r["b_rib"].append(ribt[0] - tf)
			r["rib_window"].append(ribt[0] - ribt[1])
	# UPDATEs for the prefix while flipping: one per flip is the least
	win = [e for e in ev if drive["t_start"] < e[0] <= drive["t_end"]]
	r["n_updates"] = len(win)
	r["n_runs"] = len([x for x in runs
	    if drive["t_start"] < x[0] <= drive["t_end"]])
	r["miss"] = miss
	for k in list(r):
		if isinstance(r[k], list):
			r[k].sort()
	return r


def ms(v):
	return "%9.3f" % (v / 1000.0) if v is not None else "%9s" % "-"


def ratio(a, b):
	if a is None or b is None or b <= 0:
		return "%7s" % "-"
	return "%7.1f" % (a / b)


QS = ((0.5, "p50"), (0.95, "p95"), (0.99, "p99"), (1.0, "max"))


def cmd_report(a):
	with open(a.drive) as f:
		drive = json.load(f)
	sy = {s["name"]: s for s in drive["systems"]}
	nc, ex = sy["nomcast"], sy["exabgp"]
	R = {n: analyze(drive, sy[n], a.rise) for n in ("nomcast", "exabgp")}
	nflip = len(drive["flips"])
	ndown = len([x for x in drive["flips"] if not x["up"]])
	dur = (drive["t_end"] - drive["t_start"]) / 1e6
	print()
	print("failover: %d flips (%d down, %d up) in %.0f s; exec check, "
	    "interval 1 s, rise %d, fall %d, on both" % (nflip, ndown,
	    nflip - ndown, dur, a.rise, a.fall))
	print("  times in ms; percentiles by nearest rank (with n <= 100, "
	    "p99 is the max)")
	print()
	print("%-36s %-43s%-43s%s" % ("", "   nomcast", "   ExaBGP",
	    "ExaBGP / nomcast"))
	print("%-36s %s   %s   %s" % ("",
	    "   n" + "".join("%9s" % q for _, q in QS),
	    "   n" + "".join("%9s" % q for _, q in QS),
	    "".join("%7s" % q for _, q in QS)))
	rows = (("a_down", "(a) failing run -> withdraw, wire"),
	    ("a_up", "(a) rise-th pass -> announce, wire"),
	    ("b_wire", "(b) flip down -> withdraw, wire"),
	    ("b_rib", "(b) flip down -> gone from RIB"),
	    ("up_wire", "    flip up -> announce, wire"),
	    ("up_rib", "    flip up -> in RIB"))
	rows = rows[:2] + (
	    ("a_seen", "    split: exit -> result logged"),
	    ("a_send", "    split: result logged -> wire"),
	    ("probes", "    floor: exit -> waitpid() returns")) + rows[2:]
	R["nomcast"]["probes"] = sorted(drive.get("probes", []))
	R["exabgp"]["probes"] = []
	for k, label in rows:
		n, e = R["nomcast"][k], R["exabgp"][k]
		print("%-36s %4d%s   %4d%s   %s" % (label,
		    len(n), "".join(ms(pct(n, q)) for q, _ in QS),
		    len(e), "".join(ms(pct(e, q)) for q, _ in QS),
		    "".join(ratio(pct(e, q), pct(n, q)) for q, _ in QS)))
	print()
	hz = drive["hz"]
	b, af = drive["before"], drive["after"]
	print("%-44s %16s %16s" % ("resources over the flips", "nomcast",
	    "ExaBGP"))
	print("%-44s %16d %16d" % ("RSS at the end, KiB (VmRSS)",
	    af["nomcast"]["rss"], af["exabgp"]["rss"]))
	print("%-44s %16d %16d" % ("peak RSS, KiB (VmHWM)",
	    af["nomcast"]["hwm"], af["exabgp"]["hwm"]))
	for k, label in (("own", "CPU s, the daemon process(es)"),
	    ("all", "CPU s, incl. the check runs")):
		print("%-44s %16.2f %16.2f" % (label,
		    (af["nomcast"][k] - b["nomcast"][k]) / hz,
		    (af["exabgp"][k] - b["exabgp"][k]) / hz))
	print("%-44s %16d %16d" % ("check runs", R["nomcast"]["n_runs"],
	    R["exabgp"]["n_runs"]))
	print("%-44s %16d %16d" % ("UPDATEs with the prefix on the wire",
	    R["nomcast"]["n_updates"], R["exabgp"]["n_updates"]))
	print("%-44s %16d %16d" % ("flips not matched (no run/UPDATE/RIB)",
	    R["nomcast"]["miss"], R["exabgp"]["miss"]))
	print("  ExaBGP = exabgp + its healthcheck: %s" %
	    "; ".join(af["exabgp"]["procs"]))
	pl = drive["poll"]
	w = R["nomcast"]["rib_window"] + R["exabgp"]["rib_window"]
	w.sort()
	print("  RIB polled every %s ms over BIRD's control socket (gap between "
	    "answers p50 %.1f ms, p99 %.1f ms, max %.1f ms);" % (pl["period_ms"],
	    pl["gap_p50"] / 1000, pl["gap_p99"] / 1000, pl["gap_max"] / 1000))
	print("  \"gone from RIB\" is the first answer without the route, "
	    "at most p50 %s / max %s ms after the change" % (
	    ms(pct(w, 0.5)).strip(), ms(pct(w, 1.0)).strip()))
	print("  split: nomcastd's own log line for the check result (its "
	    "gettimeofday) cuts (a) in two, both directions together;")
	print("  floor: the same script run by a bare Python parent blocked "
	    "in waitpid(), once per flip, between the flips")
	print("  load average (1/5/15 min) before the flips %s, after %s" % (
	    "/".join(drive["load"][0]), "/".join(drive["load"][1])))
	if drive["timeouts"]:
		print("  WARNING: %d flips did not settle in time" %
		    drive["timeouts"])
	an = sorted(R["nomcast"]["a_down"] + R["nomcast"]["a_up"])
	ae = sorted(R["exabgp"]["a_down"] + R["exabgp"]["a_up"])
	if an and ae:
		print("  goal (a) p99 < 2 ms and >= 10x below ExaBGP: nomcast "
		    "p99 %s ms (both directions), ExaBGP p99 %s ms: %s" % (
		    ms(pct(an, 0.99)).strip(), ms(pct(ae, 0.99)).strip(),
		    "met" if pct(an, 0.99) < 2000 and
		    pct(ae, 0.99) >= 10 * pct(an, 0.99) else "NOT met"))
	if a.watch:
		with open(a.watch) as f:
			wa = json.load(f)
		ev, _ = wire_events(a.watch_pcap, nc["src"])
		ev = [e for e in ev if e[2] == a.watch_prefix and e[1] == "W"]
		kills = wa["kills"]
		lo = []
		if a.watch_lo:
			# segments from the proxy's port that close the connection
			lo = [(ts, fl) for ts, key, _, fl, _ in
			    tcp_segments(a.watch_lo)
			    if key[1] == a.watch_port and fl & 0x05]
		d, g, c, r = [], [], [], []
		for i, t in enumerate(kills):
			tn = kills[i + 1] if i + 1 < len(kills) else 1 << 62
			e = first(ev, lambda x: t < x[0] <= tn)
			if e:
				d.append(e[0] - t)
			x = first(wa["rib"], lambda x: t < x[0] <= tn and not x[3])
			if x:
				g.append(x[0] - t)
			y = first(lo, lambda x: t < x[0] <= tn)
			if y and e:
				c.append(y[0] - t)
				r.append(e[0] - y[0])
		rows = [("SIGKILL -> withdraw, wire", d),
		    ("SIGKILL -> gone from RIB", g)]
		if a.watch_lo:
			rows += [("  SIGKILL -> proxy's FIN/RST on lo", c),
			    ("  FIN/RST on lo -> withdraw, wire", r)]
		print()
		print("watch check (nomcast only; interval 1 s, rise %d, fall %d): "
		    "proxy SIGKILLed %d times" % (a.rise, a.fall, len(kills)))
		print("%-36s %4s%9s%9s%9s%9s" % ("", "n", "p50", "p95", "p99",
		    "max"))
		for label, v in rows:
			v.sort()
			print("%-36s %4d%s" % (label, len(v),
			    "".join(ms(pct(v, q)) for q, _ in QS)))
		if wa["timeouts"]:
			print("  WARNING: %d rounds timed out" % wa["timeouts"])


def main():
	ap = argparse.ArgumentParser()
	sub = ap.add_subparsers(dest="cmd", required=True)
	d = sub.add_parser("drive")
	d.add_argument("--system", action="append", required=True,
	    help="name=..,flag=..,sock=..,prefix=..,pid=..,log=..,pcap=..,src=..")
	d.add_argument("--n", type=int, default=100)
	d.add_argument("--poll", type=float, default=5.0)
	d.add_argument("--settle", type=float, default=15.0)
	d.add_argument("--seed", type=int)
	d.add_argument("--probe")
	d.add_argument("--probe-log")
	d.add_argument("--out", required=True)
	w = sub.add_parser("watch")
	w.add_argument("--sock", required=True)
	w.add_argument("--prefix", required=True)
	w.add_argument("--port", type=int, required=True)
	w.add_argument("--rounds", type=int, default=20)
	w.add_argument("--poll", type=float, default=5.0)
	w.add_argument("--seed", type=int)
	w.add_argument("--out", required=True)
	p = sub.add_parser("proxy")
	p.add_argument("port", type=int)
	r = sub.add_parser("report")
	r.add_argument("--drive", required=True)
	r.add_argument("--rise", type=int, required=True)
	r.add_argument("--fall", type=int, required=True)
	r.add_argument("--watch")
	r.add_argument("--watch-pcap")
	r.add_argument("--watch-prefix")
	r.add_argument("--watch-lo")
	r.add_argument("--watch-port", type=int)
	a = ap.parse_args()
	{"drive": cmd_drive, "watch": cmd_watch, "proxy": cmd_proxy,
	    "report": cmd_report}[a.cmd](a)


if __name__ == "__main__":
	main()
