#!/usr/bin/python3
"""tests/bench/scale.py - the helper of tests/bench/scale.

Subcommands (times are CLOCK_REALTIME in integer microseconds):

  conf    write the configuration of one run: BIRD's (one bgp protocol
          per peer), nomcastd's or ExaBGP's, for SERVICES services (one
          /32 and one /128 each) and PEERS peers.
  feed    ExaBGP's API process: print one `announce route` line per
          route, then read (and drop) ExaBGP's acknowledgements until it
          closes the pipe.
  poll    wait for the start of the speaker, then ask BIRD over its
          control socket (one connection, no birdc fork) every POLL ms
          for `show protocols all`, until every session is Established
          and has imported all the routes of both families; then sample
          the speaker's VmRSS, VmHWM, Private_Dirty and CPU time.
  record  add the UPDATE counts of the run's packet capture (TCP
          reassembled, BGP messages decoded) to the poll record.
  report  print the table and how each figure grows.

Standard library only.
"""
import argparse
import json
import os
import statistics
import struct
import sys
import time

# the capture reading and TCP reassembly of the failover bench
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import failover  # noqa: E402
from failover import Stream, tcp_segments  # noqa: E402


def now_us():
	return time.time_ns() // 1000


# ---- the prefixes (BGP data only) ----

def v4(i, n):
	"""the i-th (1-based) IPv4 /32 of a run with n services: from
	203.0.113.0/24 while they fit, else from 10.0.0.0/8"""
	if n <= 254:
		return "203.0.113.%d/32" % i
	return "10.0.%d.%d/32" % (i >> 8, i & 255)


def v6(i):
	return "2001:db8:100::%x/128" % i


# ---- the addressing of the peers ----
# peer k (1-based): the router's side 198.51.100.k, the speaker's side
# 198.51.100.(64 + k), both on one veth pair; IPv6 next hop of the
# speaker 2001:db8:1::2 on the same link (the router has 2001:db8:1::1)

def router_addr(k):
	return "198.51.100.%d" % k


def node_addr(k):
	return "198.51.100.%d" % (64 + k)


NH6 = "2001:db8:1::2"


def conf_bird(a, f):
	f.write("router id %s;\nprotocol device { }\n" % router_addr(1))
	for k in range(1, a.peers + 1):
		f.write("protocol bgp p%d {\n"
		    "\tlocal %s as 65000;\n"
		    "\tneighbor %s as 65001;\n"
		    "\tpassive on;\n"
		    # a listening socket per session: BIRD's one shared
		    # socket has a backlog of 8, so that 16 connections at
		    # once lose some SYNs and wait for a retry
		    "\tstrict bind on;\n"
		    "\tipv4 { import all; export none; };\n"
		    "\tipv6 { import all; export none; };\n"
		    "}\n" % (k, router_addr(k), node_addr(k)))


def conf_nomcast(a, f):
	f.write("[global]\nasn = 65001\nrouter-id = %s\n"
	    "control-socket = %s\n" % (node_addr(1), a.ctl))
	if a.metrics:
		f.write("metrics-listen = %s\n" % a.metrics)
	for k in range(1, a.peers + 1):
		f.write("\n[peer e%d]\naddress = %s\nasn = 65000\n"
		    "local-address = %s\nnext-hop6 = %s\nconnect-retry = 1\n" %
		    (k, router_addr(k), node_addr(k), NH6))
	for i in range(1, a.services + 1):
		f.write("\n[service s%d]\nprefix = %s\nprefix = %s\n" %
		    (i, v4(i, a.services), v6(i)))


def conf_exabgp(a, f):
	f.write("process feed {\n\trun %s %s feed %d;\n\tencoder text;\n}\n" %
	    (sys.executable, os.path.abspath(__file__), a.services))
	for k in range(1, a.peers + 1):
		f.write("\nneighbor %s {\n"
		    "\trouter-id %s;\n"
		    "\tlocal-address %s;\n"
		    "\tlocal-as 65001;\n"
		    "\tpeer-as 65000;\n"
		    "\tfamily {\n\t\tipv4 unicast;\n\t\tipv6 unicast;\n\t}\n"
		    "\tapi {\n\t\tprocesses [ feed ];\n\t}\n"
		    "}\n" % (router_addr(k), node_addr(1), node_addr(k)))


def cmd_conf(a):
	with open(a.out, "w") as f:
		{"bird": conf_bird, "nomcast": conf_nomcast,
		    "exabgp": conf_exabgp}[a.kind](a, f)


def cmd_feed(a):
	out = []
	for i in range(1, a.services + 1):
		out.append("announce route %s next-hop self\n" % v4(i, a.services))
		out.append("announce route %s next-hop %s\n" % (v6(i), NH6))
	sys.stdout.write("".join(out))
	sys.stdout.flush()
	# ExaBGP answers each command ("done"); keep reading until it goes
	while os.read(0, 65536):
		pass


# ---- BIRD's control socket ----

class Bird(failover.Bird):
	"""the failover bench's control-socket reader, plus the per-protocol
	import counts this bench converges on"""

	def protocols(self):
		"""{name: [established, imported4, imported6]} of the bgp
		protocols"""
		self.s.sendall(b"show protocols all\n")
		out, cur, chan = {}, None, None
		for line in self.reply():
			if line[:5] == "1002-":
				w = line[5:].split()
				cur = w[0] if len(w) > 1 and w[1] == "BGP" else None
				if cur:
					out[cur] = ["Established" in w[5:6], 0, 0]
				chan = None
				continue
			if cur is None:
				continue
			w = line[5:].split() if line[:1] != " " else line.split()
			if w[:1] == ["Channel"] and len(w) > 1:
				chan = w[1]
			elif w[:1] == ["Routes:"] and len(w) > 2 and \
			    w[2].rstrip(",") == "imported":
				n = int(w[1])
				if chan == "ipv4":
					out[cur][1] = n
				elif chan == "ipv6":
					out[cur][2] = n
		return out


# ---- /proc ----

def proc_sample(pid):
	"""VmRSS, VmHWM, Private_Dirty (KiB) and utime + stime (ms)"""
	r = {}
	with open("/proc/%d/status" % pid) as f:
		for line in f:
			k = line.split(":")[0]
			if k in ("VmRSS", "VmHWM"):
				r[k] = int(line.split()[1])
	r["Private_Dirty"] = 0
	try:
		with open("/proc/%d/smaps_rollup" % pid) as f:
			for line in f:
				if line.startswith("Private_Dirty:"):
					r["Private_Dirty"] = int(line.split()[1])
	except OSError:
		pass
	with open("/proc/%d/stat" % pid) as f:
		s = f.read()
	st = s[s.rindex(")") + 2:].split()
	hz = os.sysconf("SC_CLK_TCK")
	r["cpu_ms"] = (int(st[11]) + int(st[12])) * 1000 // hz
	return r


def children(pid):
	out = []
	for d in os.listdir("/proc"):
		if not d.isdigit():
			continue
		try:
			with open("/proc/%s/stat" % d) as f:
				s = f.read()
		except OSError:
			continue
		if int(s[s.rindex(")") + 2:].split()[1]) == pid:
			out.append(int(d))
	return out


def cmd_poll(a):
	bird = Bird(a.sock)
	want = a.services
	period = a.poll / 1000.0
	open(a.ready, "w").close()
	# the start file: "START_US PID", written by the shell as it spawns
	while True:
		try:
			with open(a.start) as f:
				w = f.read().split()
			if len(w) == 2:
				break
		except OSError:
			pass
		time.sleep(0.001)
	t0, pid = int(w[0]), int(w[1])
	est = {}
	res = {"t0": t0, "pid": pid, "ok": False}
	nxt = time.monotonic()
	end = nxt + a.timeout
	polls = 0
	while True:
		tq = now_us()
		pr = bird.protocols()
		te = now_us()
		polls += 1
		for name, (up, _, _) in pr.items():
			if up and name not in est:
				# Established by this poll (the capture has the exact time)
				est[name] = te
		full = len(pr) == a.peers and all(
		    x[0] and x[1] == want and x[2] == want for x in pr.values())
		if full:
			res.update(ok=True, conv=te, conv_lo=tq)
			break
		try:
			os.kill(pid, 0)
		except OSError:
			res["error"] = "the speaker exited"
			break
		if time.monotonic() >= end:
			res["error"] = "timeout after %d s" % a.timeout
			break
		nxt += period
		d = nxt - time.monotonic()
		if d > 0:
			time.sleep(d)
		else:
			nxt = time.monotonic()
	res["imported"] = sum(x[1] + x[2] for x in pr.values())
	res["est_first"] = min(est.values()) if est else None
	res["est_last"] = max(est.values()) if len(est) == a.peers else None
	res["polls"] = polls
	time.sleep(a.settle)
	try:
		res["proc"] = proc_sample(pid)
		# ExaBGP's API process(es): the feeder, reported apart
		kids = []
		for c in children(pid):
			try:
				kids.append(proc_sample(c))
			except OSError:
				pass
		res["children"] = kids
	except OSError:
		res["proc"] = None
	res["load"] = open("/proc/loadavg").read().split()[0]
	with open(a.out, "w") as f:
		json.dump(res, f)
	return 0 if res["ok"] else 1


# ---- pcap, TCP, BGP ----



def nlri_count(b):
	n = i = 0
	while i < len(b):
		i += 1 + (b[i] + 7) // 8
		n += 1
	return n


def update_counts(m):
	"""(announced, withdrawn) prefix counts of an UPDATE"""
	body = m[19:]
	wl = struct.unpack("!H", body[0:2])[0]
	wd = nlri_count(body[2:2 + wl])
	al = struct.unpack("!H", body[2 + wl:4 + wl])[0]
	attrs = body[4 + wl:4 + wl + al]
	ann = nlri_count(body[4 + wl + al:])
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
			ann += nlri_count(v[5 + v[3]:])
		elif ty == 15 and len(v) >= 3:		# MP_UNREACH_NLRI
			wd += nlri_count(v[3:])
	return ann, wd


def cmd_record(a):
	with open(a.run) as f:
		res = json.load(f)
	res.update(system=a.system, services=a.services, peers=a.peers,
	    rep=a.rep)
	streams = {}
	upd = eor = ann = wd = nbytes = 0
	# per connection (named by the speaker's side): when each side first
	# sent a KEEPALIVE (RFC 4271 8.2.2: the one that answers the OPEN;
	# the session is Established on both sides once both are sent), and
	# the first and last UPDATE carrying routes
	conn = {}
	for ts, key, seq, flags, payload in tcp_segments(a.pcap):
		out = key[3] == 179	# the speaker connects to the router
		ck = key[:2] if out else key[2:]
		c = conn.setdefault(ck, {})
		st = streams.setdefault(key, Stream())
		st.feed(seq, flags, payload)
		for m in st.messages():
			if m[18] == 4:
				c.setdefault("ka_out" if out else "ka_in", ts)
			if m[18] != 2 or not out:
				continue
			x, y = update_counts(m)
			upd += 1
			nbytes += len(m)
			ann += x
			wd += y
			if x == 0 and y == 0:
				eor += 1	# RFC 4724 End-of-RIB
			elif x:
				c.setdefault("upd_first", ts)
				c["upd_last"] = ts
	est = [max(c["ka_out"], c["ka_in"]) for c in conn.values()
	    if "ka_out" in c and "ka_in" in c]
	# per session: from its Established to its last UPDATE with routes
	push = [c["upd_last"] - max(c["ka_out"], c["ka_in"])
	    for c in conn.values() if "upd_last" in c and "ka_out" in c and
	    "ka_in" in c]
	last = [c["upd_last"] for c in conn.values() if "upd_last" in c]
	res.update(updates=upd, eor=eor, announced=ann, withdrawn=wd,
	    update_bytes=nbytes, connections=len(conn),
	    wire_est_first=min(est) if est else None,
	    wire_est_last=max(est) if len(est) == a.peers else None,
	    wire_upd_last=max(last) if last else None,
	    wire_push_max=max(push) if push else None)
	if a.metrics:
		tot = None
		try:
			with open(a.metrics) as f:
				for line in f:
					if line.startswith("nomcast_peer_updates_sent_total"):
						tot = (tot or 0) + int(float(line.split()[-1]))
		except OSError:
			pass
		res["metric_updates"] = tot
	if a.dropped is not None:
		res["dropped"] = a.dropped
	with open(a.out, "a") as f:
		f.write(json.dumps(res) + "\n")


# ---- report ----

def ms(us):
	return None if us is None else us / 1000.0


def fmt(x, w, d=0):
	if x is None:
		return "-".rjust(w)
	return ("%.*f" % (d, x)).rjust(w)


def aggregate(rows):
	"""one figure per (system, services, peers): the median of the
	repetitions for times and CPU, the last for memory"""
	groups = {}
	for r in rows:
		groups.setdefault((r["system"], r["services"], r["peers"]),
		    []).append(r)
	out = {}
	for k, rs in groups.items():
		ok = [r for r in rs if r["ok"]]
		g = {"n": len(rs), "ok": len(ok), "routes": 2 * k[1] * k[2],
		    "error": next((r.get("error") for r in rs if not r["ok"]),
		    None)}
		use = ok or rs

		def med(f):
			v = [f(r) for r in use]
			v = [x for x in v if x is not None]
			return statistics.median(v) if v else None
		g["conv"] = med(lambda r: ms(r["conv"] - r["t0"])
		    if r.get("conv") else None)
		# Established: from the capture (the KEEPALIVEs, to the us),
		# else as the poll saw it

		def est(r, k):
			t = r.get("wire_" + k) or r.get(k)
			return t
		g["est1"] = med(lambda r: ms(est(r, "est_first") - r["t0"])
		    if est(r, "est_first") else None)
		g["estn"] = med(lambda r: ms(est(r, "est_last") - r["t0"])
		    if est(r, "est_last") else None)
		g["est_conv"] = med(lambda r: ms(r["conv"] - est(r, "est_first"))
		    if r.get("conv") and est(r, "est_first") else None)
		g["wire"] = med(lambda r: ms(r["wire_upd_last"] - r["t0"])
		    if r.get("wire_upd_last") else None)
		g["push"] = med(lambda r: ms(r.get("wire_push_max")))
		g["cpu"] = med(lambda r: r["proc"]["cpu_ms"] if r.get("proc")
		    else None)
		last = use[-1]
		p = last.get("proc") or {}
		g["rss"] = p.get("VmRSS")
		g["hwm"] = p.get("VmHWM")
		g["pd"] = p.get("Private_Dirty")
		g["upd"] = last.get("updates")
		g["eor"] = last.get("eor")
		g["ann"] = last.get("announced")
		g["imported"] = last.get("imported")
		g["metric"] = last.get("metric_updates")
		g["dropped"] = max((r.get("dropped") or 0) for r in rs)
		g["kids"] = last.get("children") or []
		g["load"] = [r.get("load") for r in rs]
		out[k] = g
	return out


def growth(vals):
	"""'a -> b (xR)' steps between successive sizes"""
	s = []
	for (k0, v0), (k1, v1) in zip(vals, vals[1:]):
		if v0 and v1 is not None:
			s.append("x%.1f" % (v1 / v0))
		else:
			s.append("?")
	if len(vals) > 2:
		v0, v1 = vals[0][1], vals[-1][1]
		s.append("(%s->%s: %s)" % (vals[0][0], vals[-1][0],
		    "x%.1f" % (v1 / v0) if v0 and v1 is not None else "?"))
	return " ".join(s)


def cmd_report(a):
	rows = []
	with open(a.results) as f:
		for line in f:
			if line.strip():
				rows.append(json.loads(line))
	if not rows:
		print("no results")
		return 1
	g = aggregate(rows)
	systems = [s for s in ("nomcast", "exabgp")
	    if any(k[0] == s for k in g)]
	sizes = sorted({k[1] for k in g})
	peers = sorted({k[2] for k in g})
	hdr = ("%-7s %4s %5s %5s %7s %7s %7s %7s %7s %7s %6s %4s %6s %6s "
	    "%6s %6s" % ("speaker", "svcs", "peers", "routes", "est1", "estN",
	    "lastUPD", "conv", "e1->cv", "push", "UPDs", "EoR", "pfx/U",
	    "RSS", "PrvDty", "CPU"))
	print(hdr)
	print("%-7s %4s %5s %5s %7s %7s %7s %7s %7s %7s %6s %4s %6s %6s "
	    "%6s %6s" % ("", "", "", "", "ms", "ms", "ms", "ms", "ms", "ms",
	    "", "", "", "KiB", "KiB", "ms"))
	print("-" * len(hdr))
	notes = []
	for n in sizes:
		for p in peers:
			for s in systems:
				x = g.get((s, n, p))
				if x is None:
					if (s, n, p) in a.skipped:
						print("%-7s %4d %5d %5d  skipped (%s)" % (
						    s, n, p, 2 * n * p, a.skipped[(s, n, p)]))
					continue
				ppu = None
				if x["upd"] and x["upd"] - (x["eor"] or 0) > 0:
					ppu = x["ann"] / (x["upd"] - x["eor"])
				line = ("%-7s %4d %5d %5d %7s %7s %7s %7s %7s %7s %6s %4s "
				    "%6s %6s %6s %6s" % (s, n, p, x["routes"],
				    fmt(x["est1"], 7), fmt(x["estn"], 7),
				    fmt(x["wire"], 7), fmt(x["conv"], 7),
				    fmt(x["est_conv"], 7), fmt(x["push"], 7, 1),
				    fmt(x["upd"], 6), fmt(x["eor"], 4),
				    fmt(ppu, 6, 1), fmt(x["rss"], 6), fmt(x["pd"], 6),
				    fmt(x["cpu"], 6)))
				if x["ok"] < x["n"]:
					line += "  NOT CONVERGED %d/%d: %s (%s of %d routes)" % (
					    x["n"] - x["ok"], x["n"], x["error"],
					    x["imported"], x["routes"])
				print(line)
				if x["ann"] is not None and x["ok"] and \
				    x["ann"] != x["routes"]:
					notes.append("%s %dx%d: %d prefixes announced on the "
					    "wire for %d routes" % (s, n, p, x["ann"],
					    x["routes"]))
				if s == "nomcast" and x["metric"] is not None and \
				    x["metric"] != x["upd"]:
					notes.append("nomcast %dx%d: metric "
					    "nomcast_peer_updates_sent_total %d vs %d "
					    "UPDATEs in the capture" % (n, p, x["metric"],
					    x["upd"]))
				if x["dropped"]:
					notes.append("%s %dx%d: tcpdump reported %d packets "
					    "dropped by the kernel: the UPDATE count may be "
					    "low" % (s, n, p, x["dropped"]))
	print()
	print("How each grows (the ratio of each figure to that of the "
	    "previous size, %s services, and first to last):" %
	    " -> ".join(str(n) for n in sizes))
	for s in systems:
		for p in peers:
			row = [(n, g.get((s, n, p))) for n in sizes]
			row = [(n, x) for n, x in row if x is not None and x["ok"]]
			if len(row) < 2:
				continue

			def col(f):
				return growth([(n, f(x)) for n, x in row])
			print("  %-7s %2d peer%s: conv %s; push %s; UPDATEs %s; "
			    "RSS %s; CPU %s" % (s, p, " " if p == 1 else "s",
			    col(lambda x: x["conv"]), col(lambda x: x["push"]),
			    col(lambda x: x["upd"]), col(lambda x: x["rss"]),
			    col(lambda x: x["cpu"])))
	if len(peers) > 1:
		print("And with the peers (the same, %s peers):" %
		    " -> ".join(str(p) for p in peers))
		for s in systems:
			for n in sizes:
				row = [(p, g.get((s, n, p))) for p in peers]
				row = [(p, x) for p, x in row if x is not None and x["ok"]]
				if len(row) < 2:
					continue

				def colp(f):
					return growth([(p, f(x)) for p, x in row])
				print("  %-7s %4d svcs: conv %s; UPDATEs %s; RSS %s; "
				    "CPU %s" % (s, n, colp(lambda x: x["conv"]),
				    colp(lambda x: x["upd"]), colp(lambda x: x["rss"]),
				    colp(lambda x: x["cpu"])))
	# memory: the slope between the smallest and the largest size
	for s in systems:
		for p in peers:
			lo = g.get((s, sizes[0], p))
			hi = g.get((s, sizes[-1], p))
			if len(sizes) > 1 and lo and hi and lo["ok"] and hi["ok"] \
			    and lo["pd"] is not None and hi["pd"] is not None:
				d = hi["pd"] - lo["pd"]
				notes.append("%s, %d peer%s: Private_Dirty %+d KiB from "
				    "%d to %d services (%.1f KiB per service)" % (
				    s, p, "" if p == 1 else "s", d, sizes[0], sizes[-1],
				    d / float(sizes[-1] - sizes[0])))
	kids = [x["kids"] for k, x in g.items() if k[0] == "exabgp" and
	    x["kids"]]
	if kids:
		rss = [c["VmRSS"] for ks in kids for c in ks]
		cpu = [c["cpu_ms"] for ks in kids for c in ks]
		notes.append("not in ExaBGP's figures: its API process (the "
		    "feeder, python3) %d-%d KiB RSS, %d-%d ms CPU" % (
		    min(rss), max(rss), min(cpu), max(cpu)))
	loads = sorted(float(l) for x in g.values() for l in x["load"] if l)
	if loads:
		notes.append("1-min load average during the runs: %.1f to %.1f "
		    "on %d CPUs" % (loads[0], loads[-1], os.cpu_count()))
	if notes:
		print()
		for n in notes:
			print("note: " + n)
	return 0


def parse_skipped(path):
	out = {}
	if not path:
		return out
	with open(path) as f:
		specs = [l.strip() for l in f if l.strip()]
	for s in specs:
		sysname, n, p, why = s.split(":", 3)
		out[(sysname, int(n), int(p))] = why
	return out


def main():
	ap = argparse.ArgumentParser()
	sub = ap.add_subparsers(dest="cmd", required=True)
	c = sub.add_parser("conf")
	c.add_argument("kind", choices=("bird", "nomcast", "exabgp"))
	c.add_argument("--services", type=int, required=True)
	c.add_argument("--peers", type=int, required=True)
	c.add_argument("--ctl", default="")
	c.add_argument("--metrics", default="")
	c.add_argument("--out", required=True)
	c = sub.add_parser("feed")
	c.add_argument("services", type=int)
	c = sub.add_parser("poll")
	c.add_argument("--sock", required=True)
	c.add_argument("--services", type=int, required=True)
	c.add_argument("--peers", type=int, required=True)
	c.add_argument("--poll", type=float, default=10)
	c.add_argument("--timeout", type=float, default=120)
	c.add_argument("--settle", type=float, default=0.5)
	c.add_argument("--ready", required=True)
	c.add_argument("--start", required=True)
	c.add_argument("--out", required=True)
	c = sub.add_parser("record")
	c.add_argument("--run", required=True)
	c.add_argument("--pcap", required=True)
	c.add_argument("--system", required=True)
	c.add_argument("--services", type=int, required=True)
	c.add_argument("--peers", type=int, required=True)
	c.add_argument("--rep", type=int, default=0)
	c.add_argument("--metrics", default="")
	c.add_argument("--dropped", type=int)
	c.add_argument("--out", required=True)
	c = sub.add_parser("report")
	c.add_argument("results")
	c.add_argument("--skipped", help="a file of SYSTEM:SERVICES:PEERS:WHY lines")
	a = ap.parse_args()
	if a.cmd == "report":
		a.skipped = parse_skipped(a.skipped)
	return {"conf": cmd_conf, "feed": cmd_feed, "poll": cmd_poll,
	    "record": cmd_record, "report": cmd_report}[a.cmd](a) or 0


if __name__ == "__main__":
	sys.exit(main())
