#!/usr/bin/python3
"""tests/bench/bfd.py - the helper of tests/bench/bfd.

Subcommands (times are CLOCK_REALTIME, in seconds as floats):

  cuts    N times: wait a random moment, take t0, set the node's link down
          (ip -n NETNS link set DEV down), poll BIRD's RIB every POLL ms
          until the route is gone, set the link up, poll until the route
          is back; writes a JSON record of each cut.
  flood   flood nomcastd's control socket for SECONDS: `show bfd` and
          `show services`, a new connection for each request.
  report  match BIRD's log (timeformat "%s.%6f") and the capture at the
          edge (udp port 3784) with the records and print the figures.

Standard library only; the pcap reader and BIRD's control-socket client
are failover.py's.
"""
import argparse
import datetime
import json
import os
import random
import re
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from failover import Bird, l3, pcap_packets, pct  # noqa: E402


# ---- cuts ----

def poll_until(bird, prefix, present, period, timeout):
	"""the time of the first poll that saw the route present (or not)"""
	end = time.time() + timeout
	while time.time() < end:
		t = time.time()
		if bird.has(prefix) == present:
			return t
		time.sleep(period)
	return None


def ip_link(netns, dev, state):
	subprocess.run(["ip", "-n", netns, "link", "set", dev, state],
	    check=True)


def cmd_cuts(a):
	rng = random.Random(a.seed)
	bird = Bird(a.sock)
	period = a.poll / 1000.0
	if poll_until(bird, a.prefix, True, period, 30) is None:
		sys.exit("cuts: the route is not at BIRD at the start")
	cuts = []
	for n in range(a.n):
		# a random pause puts the cut at a random phase of the BFD (or
		# keepalive) transmissions
		time.sleep(rng.uniform(0.5, 1.5))
		t0 = time.time()
		ip_link(a.netns, a.dev, "down")
		t1 = time.time()
		gone = poll_until(bird, a.prefix, False, period, a.timeout)
		ip_link(a.netns, a.dev, "up")
		tu = time.time()
		back = poll_until(bird, a.prefix, True, period, 60)
		cuts.append({"t0": t0, "t1": t1, "gone": gone, "up": tu,
		    "back": back})
		if gone is None or back is None:
			print("cuts %s: cut %d: gone %s back %s" %
			    (a.name, n, gone, back), file=sys.stderr)
		if (n + 1) % 10 == 0:
			print("cuts %s: %d/%d" % (a.name, n + 1, a.n),
			    file=sys.stderr)
	with open(a.out, "w") as f:
		json.dump({"name": a.name, "poll_ms": a.poll, "cuts": cuts}, f)


# ---- flood ----

def ask(path, line):
	s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	s.settimeout(10)
	s.connect(path)
	s.sendall(line)
	buf = b""
	while not buf.endswith(b"\n"):
		d = s.recv(65536)
		if not d:
			break
		buf += d
	s.close()
	return buf


def cmd_flood(a):
	end = time.time() + a.seconds
	n, slow, worst = 0, 0, 0.0
	if a.idle:
		time.sleep(a.seconds)
	reqs = (b"show bfd\n", b"show services\n")
	while time.time() < end:
		t = time.monotonic()
		r = ask(a.sock, reqs[n % 2])
		dt = time.monotonic() - t
		if not r.startswith(b"{"):
			sys.exit("flood: bad reply %r" % r[:200])
		n += 1
		worst = max(worst, dt)
		slow += dt > 0.1
	with open(a.out, "w") as f:
		json.dump({"requests": n, "seconds": a.seconds,
		    "slower_100ms": slow, "worst": worst}, f)


# ---- listen ----

def cmd_listen(a):
	"""a target for the tcp check: accept and close"""
	s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
	s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	s.bind(("127.0.0.1", a.port))
	s.listen(1024)
	print("listening", flush=True)
	while True:
		c, _ = s.accept()
		c.close()


# ---- report ----

# BIRD 2's trace lines, after the timestamp
RE_LINE = re.compile(r"^(\d+\.\d+) <(\w+)> (.*)$")


def trace(path):
	out = []
	with open(path, errors="replace") as f:
		for line in f:
			m = RE_LINE.match(line.rstrip("\n"))
			if m:
				out.append((float(m.group(1)), m.group(3)))
	return out


def is_fall(msg):
	"""BIRD's BGP protocol leaving Established (BFD or hold timer)"""
	return msg.startswith("node: ") and (
	    "BFD session down" in msg or "Hold timer expired" in msg or
	    "State changed to stop" in msg or "State changed to down" in msg)


def is_removal(msg, prefix):
	"""BIRD's routes debug: the route leaving its table"""
	return msg.startswith("node.ipv4 > removed ") and prefix in msg.split()


def is_expiry(msg):
	"""BIRD's own detection: nothing received for the detection time"""
	return msg.startswith("bfd1: Session to ") and msg.endswith(" expired")


def nc_downs(path, t0, t1):
	"""nomcastd's BFD falls in [t0, t1] by its local diagnostic"""
	out = {}
	with open(path, errors="replace") as f:
		for line in f:
			if "state=Up->Down" not in line:
				continue
			t = datetime.datetime.strptime(line[:26],
			    "%Y-%m-%dT%H:%M:%S.%f").replace(
			    tzinfo=datetime.timezone.utc).timestamp()
			m = re.search(r' diag="([^"]*)"', line)
			if t0 <= t <= t1 and m:
				out[m.group(1)] = out.get(m.group(1), 0) + 1
	return out


def is_bfd_down(msg):
	return ("changed state from Up to Down" in msg or
	    re.search(r"Session to \S+ (went|changed).*[Dd]own", msg) is not None)


def bfd_packets(path, node):
	"""(time, state, diag) of each BFD control packet sent by NODE"""
	out = []
	for ts, link, pkt in pcap_packets(path):
		et, p = l3(link, pkt)
		if et != 0x0800 or len(p) < 20:
			continue
		ihl = (p[0] & 0x0f) * 4
		if socket.inet_ntoa(p[12:16]) != node or p[9] != 17:
			continue
		udp = p[ihl:]
		if len(udp) < 8 + 24 or struct.unpack("!H", udp[2:4])[0] != 3784:
			continue
		out.append((ts / 1e6, udp[9] >> 6, udp[8] & 0x1f))
	return out


def gaps(pk, t0, t1):
	"""the gaps in [t0, t1] after each packet sent Up: the next one is
	due within the interval, whatever it says.  A gap that made BIRD
	fall ends with a packet saying Down, and counts; so does one ending
	with nomcastd's own expiry: the stall that held its send also kept
	it from reading BIRD's packets (tx_gap_max counts neither)."""
	win = [p for p in pk if t0 <= p[0] <= t1]
	return [win[i][0] - win[i - 1][0] for i in range(1, len(win))
	    if win[i - 1][1] == 3]


def cpu(path):
	"""(own, reaped children's) CPU seconds from a copy of /proc/PID/stat"""
	with open(path) as f:
		v = f.read().rsplit(")", 1)[1].split()
	hz = os.sysconf("SC_CLK_TCK")
	# utime stime cutime cstime: fields 14-17, 12-15 after the name
	return ((int(v[11]) + int(v[12])) / hz, (int(v[13]) + int(v[14])) / hz)


def ms(v):
	return "%8.1f" % (v * 1000.0) if v is not None else "%8s" % "-"


def stats(d):
	d = sorted(x for x in d if x is not None)
	return (len(d), pct(d, 0.5), pct(d, 0.99), d[-1] if d else None)


def row(label, d):
	n, p50, p99, mx = stats(d)
	print("  %-44s %4d %s %s %s" % (label, n, ms(p50), ms(p99), ms(mx)))


def cmd_report(a):
	tr = trace(a.trace)
	pk = bfd_packets(a.pcap, a.node)
	summ = {}
	print("\n1-2. link cuts on the node's side: time until BIRD lost the route"
	    " (ms)")
	print("  %-44s %4s %8s %8s %8s" % ("", "n", "p50", "p99", "max"))
	for path in a.cuts:
		with open(path) as f:
			rec = json.load(f)
		name = {"bfd": "BFD 50 ms x 3", "hold": "no BFD, hold 3 s"}[
		    rec["name"]]
		log, poll, lastpkt, rec_t, miss = [], [], [], [], 0
		for c in rec["cuts"]:
			end = c["up"]
			f = [t for t, m in tr if c["t0"] <= t <= end and
			    is_removal(m, a.prefix)]
			# the protocol's fall, if the route's line is missing
			f = f or [t for t, m in tr if c["t0"] <= t <= end and
			    is_fall(m)]
			if f:
				log.append(f[0] - c["t0"])
				# BFD's own detection: from nomcastd's last packet
				# seen at the edge before the cut (none can pass
				# once `ip link` has returned)
				before = [p[0] for p in pk if p[0] <= c["t1"]]
				if rec["name"] == "bfd" and before:
					lastpkt.append(f[0] - before[-1])
			else:
				miss += 1
			poll.append(c["gone"] - c["t0"] if c["gone"] else None)
			rec_t.append(c["back"] - c["up"] if c["back"] else None)
		print("  %s:" % name)
		row("route removed in BIRD's log - t0", log)
		row("route gone by birdc poll (%g ms) - t0" % rec["poll_ms"],
		    poll)
		if lastpkt:
			row("BIRD's log - nomcastd's last BFD packet", lastpkt)
		row("recovery: link up -> route back (poll)", rec_t)
		if miss:
			print("  (%d cuts without a matching line in BIRD's log)" %
			    miss)
		if rec["name"] == "hold":
			print("  (nomcastd's reconnect backoff doubles connect-retry"
			    " per failure until a\n   session has been up 300 s:"
			    " the recovery grows from cut to cut)")
		summ[rec["name"]] = (stats(log), stats(rec_t))

	t0, t1 = a.load
	with open(a.before) as f:
		b = json.load(f)["sessions"][0]
	with open(a.after) as f:
		e = json.load(f)["sessions"][0]
	with open(a.flood) as f:
		fl = json.load(f)
	q0, q1 = a.quiet
	print("\n3. nomcastd's BFD packets at the edge, gaps while Up (ms);"
	    " %s check every 10 ms in both" % a.check)
	print("  %-44s %4s %8s %8s %8s" % ("", "n", "p50", "p99", "max"))
	qg = gaps(pk, q0, q1)
	row("quiet, %.0f s" % (q1 - q0), qg)
	print("    > 50 ms (the interval): %d; > 150 ms (3 x 50 ms): %d" %
	    (sum(1 for g in qg if g > 0.050), sum(1 for g in qg if g > 0.150)))
	eg = gaps(bfd_packets(a.pcap, a.edge), q0, t1)
	lg = gaps(pk, t0, t1)
	row("under load, %.0f s" % (t1 - t0), lg)
	print("    > 50 ms (the interval): %d; > 150 ms (3 x 50 ms): %d" %
	    (sum(1 for g in lg if g > 0.050), sum(1 for g in lg if g > 0.150)))
	row("BIRD's packets (quiet + load), for scale", eg)
	print("    > 50 ms: %d; > 150 ms: %d" %
	    (sum(1 for g in eg if g > 0.050), sum(1 for g in eg if g > 0.150)))
	bird_downs = sum(1 for t, m in tr if t0 <= t <= t1 and is_bfd_down(m))
	bird_falls = sum(1 for t, m in tr if t0 <= t <= t1 and is_fall(m))
	exp = [t for t, m in tr if t0 <= t <= t1 and is_expiry(m)]
	bird_exp = len(exp)
	# the silence at the wire each of BIRD's expiries saw from nomcastd
	silence = []
	for t in exp:
		last = [p[0] for p in pk if p[0] <= t]
		if last:
			silence.append(t - last[-1])
	dc = lambda k: e["counters"][k] - b["counters"][k]  # noqa: E731
	flood = "no control socket flood"
	if fl["requests"]:
		flood = ("control socket flood (%d requests, %.0f/s, worst %.1f"
		    " ms, %d over 100 ms)" % (fl["requests"],
		    fl["requests"] / max(t1 - t0, 1e-9), fl["worst"] * 1000,
		    fl["slower_100ms"]))
	print("\n   under load for %.0f s: %s check every 10 ms, %d busy"
	    " loops, %s" % (t1 - t0, a.check, a.busy, flood))
	print("  BFD Down events at BIRD (log)              %6d"
	    "   (its own detection expired: %d; BGP falls %d)" %
	    (bird_downs, bird_exp, bird_falls))
	if silence:
		print("    BIRD's expiries: nomcastd silent at the wire for %s ms"
		    " before them" % ", ".join("%.0f" % (x * 1000)
		    for x in sorted(silence)))
	print("  BFD Down events at nomcastd (failures)     %6d" %
	    dc("failures"))
	if a.nclog:
		for k, v in sorted(nc_downs(a.nclog, t0, t1).items()):
			print("    with diag %-31s %6d" % (k, v))
	print("  nomcastd state at the end                  %6s" % e["state"])
	print("  nomcastd tx_gap_max (since its start, ms)        %6.1f" %
	    (e["tx_gap_max_seconds"] * 1000))
	print("  nomcastd rx_late during the load           %6d" % dc("rx_late"))
	print("  nomcastd tx / rx during the load      %6d / %d" %
	    (dc("tx"), dc("rx")))
	if a.stat:
		cb, ce = (cpu(x) for x in a.stat)
		print("  nomcastd CPU during the load: itself %.0f%% of one CPU,"
		    " its checks %.0f%%" % (100 * (ce[0] - cb[0]) / (t1 - t0),
		    100 * (ce[1] - cb[1]) / (t1 - t0)))

	def trio(st):
		return "/".join("%.0f" % (v * 1000) if v is not None else "-"
		    for v in st[1:])
	print("\nsummary (ms)                       %-22s %s" %
	    ("BFD 50 ms x 3", "no BFD, hold 3 s"))
	b_, h_ = summ.get("bfd"), summ.get("hold")
	print("  detection p50/p99/max (%2d/%d)     %-22s %s" %
	    (b_[0][0] if b_ else 0, h_[0][0] if h_ else 0,
	    trio(b_[0]) if b_ else "-", trio(h_[0]) if h_ else "-"))
	print("  recovery  p50/p99/max            %-22s %s" %
	    (trio(b_[1]) if b_ else "-", trio(h_[1]) if h_ else "-"))
	st = stats(lg)
	print("  under load %4.0f s: BFD Down at BIRD %d (expired %d), at"
	    " nomcastd %d;"
	    " send gaps p50/p99/max %s ms, %d > 150 ms; tx_gap_max %.1f ms,"
	    " rx_late %d" % (t1 - t0, bird_downs, bird_exp, dc("failures"),
	    trio(st),
	    sum(1 for g in lg if g > 0.150), e["tx_gap_max_seconds"] * 1000,
	    dc("rx_late")))


def main():
	ap = argparse.ArgumentParser()
	sub = ap.add_subparsers(dest="cmd", required=True)
	c = sub.add_parser("cuts")
	c.add_argument("--name", required=True)
	c.add_argument("--n", type=int, default=50)
	c.add_argument("--poll", type=float, default=5.0)
	c.add_argument("--timeout", type=float, default=15.0)
	c.add_argument("--seed", type=int)
	c.add_argument("--sock", required=True)
	c.add_argument("--prefix", required=True)
	c.add_argument("--netns", required=True)
	c.add_argument("--dev", required=True)
	c.add_argument("--out", required=True)
	f = sub.add_parser("flood")
	f.add_argument("--sock", required=True)
	f.add_argument("--seconds", type=float, required=True)
	f.add_argument("--out", required=True)
	f.add_argument("--idle", action="store_true",
	    help="no requests, only the wait")
	li = sub.add_parser("listen")
	li.add_argument("--port", type=int, required=True)
	r = sub.add_parser("report")
	r.add_argument("--trace", required=True)
	r.add_argument("--cuts", action="append", required=True)
	r.add_argument("--pcap", required=True)
	r.add_argument("--node", required=True)
	r.add_argument("--edge", required=True)
	r.add_argument("--prefix", required=True)
	r.add_argument("--quiet", type=float, nargs=2, required=True)
	r.add_argument("--load", type=float, nargs=2, required=True)
	r.add_argument("--flood", required=True)
	r.add_argument("--before", required=True)
	r.add_argument("--after", required=True)
	r.add_argument("--busy", type=int, default=2)
	r.add_argument("--stat", nargs=2)
	r.add_argument("--check", default="exec")
	r.add_argument("--nclog")
	a = ap.parse_args()
	{"cuts": cmd_cuts, "flood": cmd_flood, "listen": cmd_listen,
	    "report": cmd_report}[a.cmd](a)


if __name__ == "__main__":
	main()
