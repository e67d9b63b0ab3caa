#!/bin/sh
# tests/integ/nomad_events.sh NOMCASTD - the Nomad events that reach every
# node at once, and the ways to reach the agent, observed in a real BIRD
# sampled every 20 ms.  Five daemons against three stand-in agents
# (tests/nomad_agent.py): n1 over the Task API socket with a local watch
# check of a small TCP listener (the proxy), n2 over TCP with on-outage =
# withdraw, n3 over HTTPS with mutual TLS (and n3b with the CA but no
# client certificate), n4 over the socket of an alloc whose services have
# no Nomad checks, with two services on the same Nomad service.
#
#  1. an in-place job update re-stubs the check as pending: the route
#     never leaves BIRD, the hold reason is logged, the first run passes;
#     one whose first run fails withdraws after that run, not before;
#  2. a pending stub that never runs withdraws after grace (3 s), not
#     before;
#  3. a Nomad service without checks (the checks endpoint answers null)
#     is announced on its registration alone, with nomad-checks = all;
#  4. one blocking query per Nomad service: two services of n4 on
#     traefik hold one query at the agent; a deregistration withdraws both;
#  5. what wakes that query: a change to another service name does not
#     make the daemon query again, another alloc's traefik does;
#  6. HTTPS with cacert, client-cert and client-key announces; without
#     the client certificate nothing is announced and the TLS error is
#     logged;
#  7. the cluster loses its leader for 5.5 s: under on-outage = hold no
#     route leaves BIRD, the outage shows in the log (once each way),
#     nomcastctl and the metrics; the proxy killed in the outage is still
#     withdrawn by its local check within 1 s; on-outage = withdraw
#     withdraws after grace (3 s), not before;
#  8. the alloc stopped: its deregistration (before the purge of its
#     check results) withdraws within 1 s;
#  9. reloads of n3: with [nomad] unchanged the client is kept (no new
#     client, no new query), with [nomad] changed a new one takes over;
#     the route never leaves BIRD.
# Then SIGTERM: exit 0 and no sanitizer report in any daemon's log.  Run
# with NOMCASTD from a -Db_sanitize=address,undefined build to check that.
set -eu
NOMCASTD=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
AGENT="$HERE/../nomad_agent.py"
NOMCASTCTL=${NOMCASTCTL:-$(dirname "$NOMCASTD")/nomcastctl}
PY=/usr/bin/python3
. "$HERE/lib.sh"
lib_init nomad-events
T=$LIB_TMP
T_START=$(date +%s)

ALLOC=5b3d8f2e-7c1a-4e9b-a0d4-2f6c8e1b9a73	# n1, n2 (agent a), n3 (agent c)
ALLOC2=7a1e2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b	# n4 (agent b), no checks
ALLOC3=9e0c4a17-3b2d-4f58-b6e1-7a9d2c5f8e04	# another node's traefik
NODE=f2a1c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d
NODE3=6d7e8f90-a1b2-4c3d-9e4f-5a6b7c8d9e0f
TOKEN=$($PY -c "import sys; sys.path.insert(0, '$HERE/..'); import nomad_agent; print(nomad_agent.DEFAULT_TOKEN)")
P1=203.0.113.10/32	# n1: unix socket, watch check, hold
P2=203.0.113.20/32	# n2: TCP, on-outage = withdraw
P3=203.0.113.30/32	# n3: HTTPS, mutual TLS
P3B=203.0.113.31/32	# n3b: HTTPS without a client certificate
P4A=203.0.113.40/32	# n4: no Nomad checks, two services on traefik
P4B=203.0.113.41/32

ns_add edge n1 n2 n3 n4
link edge 198.51.100.1/28 - n1 198.51.100.2/28 -
link edge 198.51.100.17/28 - n2 198.51.100.18/28 -
link edge 198.51.100.33/28 - n3 198.51.100.34/28 -
ip -n "$(ns n3)" addr add 198.51.100.35/28 dev "$LINK_B"
link edge 198.51.100.49/28 - n4 198.51.100.50/28 -

cat >"$T/bird.conf" <<EOT
router id 198.51.100.1;
protocol device { }
template bgp nc {
	local as 65000;
	passive on;
	ipv4 { import all; export none; };
}
protocol bgp d1 from nc { neighbor 198.51.100.2 as 65001; }
protocol bgp d2 from nc { neighbor 198.51.100.18 as 65001; }
protocol bgp d3 from nc { neighbor 198.51.100.34 as 65001; }
protocol bgp d3b from nc { neighbor 198.51.100.35 as 65001; }
protocol bgp d4 from nc { neighbor 198.51.100.50 as 65001; }
EOT
bird_start edge edge "$T/bird.conf"

# ---- BIRD's table, sampled every 20 ms for the whole run ----
# routes.tl: one line per sample, "EPOCH_MS prefix prefix ..." (the time
# the sample was read); tl.py answers questions about it.
cat >"$T/mon.py" <<'PYEOF'
import subprocess, sys, time
ctl, out = sys.argv[1], sys.argv[2]
with open(out, "a", buffering=1) as f:
    while True:
        t0 = time.monotonic()
        try:
            r = subprocess.run(["birdc", "-s", ctl, "show", "route"],
                               capture_output=True, text=True, timeout=2)
        except subprocess.TimeoutExpired:
            r = None
        if r is not None and r.returncode == 0 and "ready." in r.stdout:
            pfx = sorted(l.split()[0] for l in r.stdout.splitlines()
                         if l[:1].isdigit() and "/" in l.split()[0])
            f.write("%d %s\n" % (int(time.time() * 1000), " ".join(pfx)))
        time.sleep(max(0.0, 0.02 - (time.monotonic() - t0)))
PYEOF
cat >"$T/tl.py" <<'PYEOF'
"""tl.py FILE kept T1 T2 PREFIX...  every sample in [T1, T2] has them all
   tl.py FILE gone T0 PREFIX         ms from T0 to the first sample >= T0
                                     without PREFIX
   tl.py FILE back T0 PREFIX         ... with PREFIX
   tl.py FILE never PREFIX           no sample ever had PREFIX"""
import sys
f, cmd, args = sys.argv[1], sys.argv[2], sys.argv[3:]
samples = []
for line in open(f):
    p = line.split()
    if p:
        samples.append((int(p[0]), set(p[1:])))
if cmd == "kept":
    t1, t2, want = int(args[0]), int(args[1]), set(args[2:])
    win = [(t, s) for t, s in samples if t1 <= t <= t2]
    if not win:
        sys.exit("no sample in the window")
    ts = [t1] + [t for t, _ in win] + [t2]
    gap = max(b - a for a, b in zip(ts, ts[1:]))
    miss = [(t - t1, sorted(want - s)) for t, s in win if not want <= s]
    print("%d samples, largest gap %d ms" % (len(win), gap))
    if miss:
        sys.exit("missing at %s" % miss[:5])
    if gap > 200:
        sys.exit("sampling too sparse: a gap of %d ms" % gap)
elif cmd in ("gone", "back"):
    t0, p = int(args[0]), args[1]
    for t, s in samples:
        if t >= t0 and ((p not in s) if cmd == "gone" else (p in s)):
            print(t - t0)
            sys.exit(0)
    sys.exit(1)
elif cmd == "never":
    n = sum(1 for _, s in samples if args[0] in s)
    print("%d samples" % len(samples))
    sys.exit(1 if n else 0)
PYEOF
TL=$T/routes.tl
: >"$TL"
spawn edge monitor $PY "$T/mon.py" "$T/bird-edge.ctl" "$TL"
tl() { $PY "$T/tl.py" "$TL" "$@"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# gone_after T0 SECONDS PREFIX: wait until PREFIX is gone; prints the ms
gone_after() {
	wait_for "$2" tl gone "$1" "$3" || return 1
	tl gone "$1" "$3"
}
back_after() {
	wait_for "$2" tl back "$1" "$3" || return 1
	tl back "$1" "$3"
}
sleep_until() {	# sleep_until EPOCH_MS
	_s=$(( $1 - $(now_ms) ))
	[ "$_s" -gt 0 ] && sleep "$(echo "$_s" | awk '{ printf "%.3f", $1 / 1000 }')"
	return 0
}

# ---- TLS material: a CA, the agent's certificate, a client's ----
mkdir "$T/tls"
(
	cd "$T/tls"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout ca.key -out ca.pem -days 2 -subj /CN=nomcast-test-ca
	printf 'subjectAltName=IP:127.0.0.1,DNS:client.global.nomad\nextendedKeyUsage=serverAuth\n' >srv.ext
	printf 'extendedKeyUsage=clientAuth\n' >cli.ext
	for n in srv cli; do
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout $n.key -out $n.csr -subj /CN=nomcast-test-$n
		openssl x509 -req -in $n.csr -CA ca.pem -CAkey ca.key \
			-CAcreateserial -days 2 -extfile $n.ext -out $n.pem
	done
) >"$T/openssl.log" 2>&1 || fail "openssl: $(tail -5 "$T/openssl.log")"

# ---- three agents: a (n2: socket and TCP), b (n4: socket, an alloc
#      without checks), c (n3: HTTPS, client certificates required) ----
agent_start() {	# agent_start NAME NS ARGS...
	a=$1 n=$2; shift 2
	spawn "$n" "agent-$a" $PY "$AGENT" --admin 127.0.0.1:4647 \
		--ready "$T/agent-$a.ready" "$@"
	wait_for 10 test -s "$T/agent-$a.ready" || fail "agent $a did not start"
}
agent_start a n2 --unix "$T/a.sock" --listen 127.0.0.1:4646 --no-register
agent_start b n4 --unix "$T/b.sock" --alloc "$ALLOC2" --no-register --no-checks
agent_start c n3 --tls-listen 127.0.0.1:4646 --tls-cert "$T/tls/srv.pem" \
	--tls-key "$T/tls/srv.key" --tls-client-ca "$T/tls/ca.pem" --no-register
agent_ns() { case $1 in a) echo n2 ;; b) echo n4 ;; c) echo n3 ;; esac; }
admin() {	# admin AGENT PATH JSON: POST to its admin endpoint
	ip netns exec "$(ns "$(agent_ns "$1")")" curl -sf -X POST \
		-H 'Content-Type: application/json' -d "$3" \
		"http://127.0.0.1:4647/admin/$2" >"$T/admin.out" ||
		fail "admin $1 $2 $3 refused"
}
stats() {	# stats AGENT: GET /admin/stats
	ip netns exec "$(ns "$(agent_ns "$1")")" curl -sf \
		http://127.0.0.1:4647/admin/stats
}
held() {	# held AGENT: the requests it holds now
	stats "$1" | $PY -c 'import json, sys; print(json.load(sys.stdin)["held"])'
}
held_is() { [ "$(held "$1")" = "$2" ]; }
register() {	# register AGENT SERVICE ALLOC [NODE]
	admin "$1" register "{\"service\": \"$2\", \"alloc\": \"$3\", \"node\": \"${4:-$NODE}\", \"address\": \"198.51.100.11\", \"port\": 80}"
}
check_status() {	# check_status success|failure (agent a's alloc)
	admin a check "{\"alloc\": \"$ALLOC\", \"check\": \"traefik-ping\", \"status\": \"$1\", \"output\": \"nomad: test says $1\"}"
}

# ---- the proxy of n1: accepts and keeps connections ----
cat >"$T/proxy.py" <<'PYEOF'
import socket, threading
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 8080))
s.listen(64)
def hold(c):
    try:
        while c.recv(4096):
            pass
    except OSError:
        pass
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=hold, args=(c,), daemon=True).start()
PYEOF
proxy_start() {
	spawn n1 proxy $PY "$T/proxy.py"
	PROXY=$SPAWNED
	wait_for 5 ip netns exec "$(ns n1)" $PY -c 'import socket; socket.create_connection(("127.0.0.1", 8080), 1).close()' ||
		fail "the proxy did not start"
}
proxy_start

# ---- five daemons ----
global() {	# global NAME ROUTER_ID LOCAL_ADDR PEER_ADDR [GLOBAL_LINE]
	cat <<EOT
[global]
asn = 65001
router-id = $2
listen = no
control-socket = $T/$1.ctl
${5:-}

[peer edge]
address = $4
asn = 65000
hold-time = 9
connect-retry = 1
local-address = $3
EOT
}
NOMAD_TIMING='check-interval = 200ms
wait = 10s
grace = 3s'

{ global d1 198.51.100.2 198.51.100.2 198.51.100.1 \
	'metrics-listen = 127.0.0.1:9179'
cat <<EOT

[service web]
prefix = $P1
nomad-service = traefik
checks = proxy

[check proxy]
type = watch
target = 127.0.0.1:8080
interval = 200ms

[nomad]
$NOMAD_TIMING
EOT
} >"$T/d1.ini"

{ global d2 198.51.100.18 198.51.100.18 198.51.100.17
cat <<EOT

[service web]
prefix = $P2
nomad-service = traefik

[nomad]
address = http://127.0.0.1:4646
alloc-id = $ALLOC
on-outage = withdraw
$NOMAD_TIMING
EOT
} >"$T/d2.ini"

for d in d3 d3b; do
	case $d in
	d3) a=198.51.100.34 p=$P3
	    cc="client-cert = $T/tls/cli.pem
client-key = $T/tls/cli.key" ;;
	d3b) a=198.51.100.35 p=$P3B cc="" ;;
	esac
	{ global $d $a $a 198.51.100.33
	cat <<EOT

[service web]
prefix = $p
nomad-service = traefik

[nomad]
address = https://127.0.0.1:4646
alloc-id = $ALLOC
cacert = $T/tls/ca.pem
$cc
$NOMAD_TIMING
EOT
	} >"$T/$d.ini"
done

{ global d4 198.51.100.50 198.51.100.50 198.51.100.49
cat <<EOT

[service a]
prefix = $P4A
nomad-service = traefik

[service b]
prefix = $P4B
nomad-service = traefik

[nomad]
$NOMAD_TIMING
EOT
} >"$T/d4.ini"

daemon() {	# daemon NAME NS [ENV...]: -t, then start it
	d=$1 n=$2; shift 2
	env "$@" "$NOMCASTD" -t -c "$T/$d.ini" >"$T/$d.t" 2>&1 ||
		fail "nomcastd -t $d: $(cat "$T/$d.t")"
	spawn "$n" "nomcast-$d" env "$@" "$NOMCASTD" -c "$T/$d.ini" -d
	eval "PID_$d=$SPAWNED"
}
daemon d1 n1 NOMAD_UNIX_ADDR="unix://$T/a.sock" NOMAD_TOKEN="$TOKEN" \
	NOMAD_ALLOC_ID="$ALLOC"
daemon d2 n2
daemon d3 n3
daemon d3b n3
daemon d4 n4 NOMAD_UNIX_ADDR="unix://$T/b.sock" NOMAD_TOKEN="$TOKEN" \
	NOMAD_ALLOC_ID="$ALLOC2"
log() { echo "$T/nomcast-$1.log"; }
DAEMONS="d1 d2 d3 d3b d4"
alive() {
	for d in $DAEMONS; do
		eval "p=\$PID_$d"
		kill -0 "$p" 2>/dev/null || fail "nomcastd $d died"
		bird_established edge "$d" || fail "session $d not Established"
	done
}
for d in $DAEMONS; do
	wait_for 15 bird_established edge "$d" || fail "no session $d"
done
mark() {	# mark D: the number of lines in D's log now
	wc -l <"$(log "$1")"
}
since() {	# since D MARK: D's log after MARK
	tail -n +"$(( $2 + 1 ))" "$(log "$1")"
}
withdraws() {	# withdraws D: UPDATEs with withdrawn routes that D sent
	grep -c 'dir=out .*msg="UPDATE withdrawn=[1-9]' "$(log "$1")" || true
}
ctl() { d=$1; shift; "$NOMCASTCTL" -s "$T/$d.ctl" "$@"; }

# ---- the registrations: everything but n3b announced ----
t0=$(now_ms)
register a traefik "$ALLOC"
register b traefik "$ALLOC2"
register c traefik "$ALLOC"
for p in $P1 $P2 $P3 $P4A $P4B; do
	back_after "$t0" 10 "$p" >/dev/null || fail "$p not announced after the registration"
done
alive
ok "start: five sessions; $P1 (socket), $P2 (TCP), $P3 (mutual TLS), $P4A and $P4B (no checks) announced $(( $(now_ms) - t0 )) ms after the registrations"

# ==== 1. in-place check edits ====
# interval 2 s: a pending stub under a new ID, the first run 1 s later
# gives the previous result (success).  The route must not leave BIRD.
w1=$(withdraws d1) w2=$(withdraws d2)
m1=$(mark d1) m2=$(mark d2)
t0=$(now_ms)
admin a inplace_update "{\"alloc\": \"$ALLOC\", \"interval_ms\": 2000}"
grep -q '"first_run_in_ms": *1000' "$T/admin.out" || fail "inplace_update: $(cat "$T/admin.out")"
sleep_until $(( t0 + 2500 ))
k=$(tl kept "$t0" $(( t0 + 2500 )) $P1 $P2) || fail "in-place update (success): a route left BIRD: $k"
[ "$(withdraws d1)" -eq "$w1" ] && [ "$(withdraws d2)" -eq "$w2" ] ||
	fail "in-place update (success): a withdraw was sent"
for d in d1 d2; do
	since $d "$(eval echo \$m${d#d})" >"$T/since.log"
	grep -q "svc=web source=nomad .*state=pass reason=.*nomad check 'traefik-ping' re-registered (pending): its last result, success, holds" "$T/since.log" ||
		fail "$d: no hold reason logged"
	grep -q 'svc=web nomad-service=traefik checks=pending' "$T/since.log" ||
		fail "$d: the pending stub was not seen"
	sed -n '/checks=pending/,$p' "$T/since.log" | grep -q 'svc=web nomad-service=traefik checks=passing' ||
		fail "$d: the source did not pass again after the first run"
	sed -n '/checks=pending/,$p' "$T/since.log" | grep -q 'svc=web source=nomad .*state=pass reason=".*nomad checks passing: 1"' ||
		fail "$d: the source's reason is not passing again"
done
ok "in-place update, first run success after 1 s: $P1 and $P2 never left BIRD ($k over 2.5 s), no withdraw sent; hold reason 're-registered (pending)' logged, passing again after the run"

# the same with a first run that fails: withdrawn after the run only
t0=$(now_ms)
admin a inplace_update "{\"alloc\": \"$ALLOC\", \"interval_ms\": 2000, \"result\": \"failure\"}"
d=$(gone_after "$t0" 4 $P1) || fail "in-place update (failure): not withdrawn"
dd=$(gone_after "$t0" 4 $P2) || fail "in-place update (failure): $P2 not withdrawn"
k=$(tl kept "$t0" $(( t0 + 700 )) $P1 $P2) || fail "in-place update (failure): withdrawn before the run: $k"
[ "$d" -ge 950 ] && [ "$dd" -ge 950 ] || fail "in-place update (failure): withdrawn after $d / $dd ms, before the first run (1 s)"
[ "$d" -le 1700 ] && [ "$dd" -le 1700 ] || fail "in-place update (failure): withdrawn only after $d / $dd ms (run at 1 s, poll 200 ms)"
grep -q 'inplace_update: alloc=.* checks=1 ran' "$T/agent-a.log" || fail "the agent did not run the check"
ok "in-place update, first run failure after 1 s: still announced at 0.7 s ($k), withdrawn after $d ms (socket) / $dd ms (TCP)"
t0=$(now_ms)
check_status success
back_after "$t0" 5 $P1 >/dev/null && back_after "$t0" 5 $P2 >/dev/null || fail "not back after the check passed"

# ==== 2. a pending stub that never runs: withdrawn after grace ====
t0=$(now_ms)
admin a inplace_update "{\"alloc\": \"$ALLOC\", \"interval_ms\": 60000}"
d=$(gone_after "$t0" 6 $P1) || fail "a pending stub left $P1 announced past grace"
dd=$(gone_after "$t0" 6 $P2) || fail "a pending stub left $P2 announced past grace"
k=$(tl kept "$t0" $(( t0 + 2800 )) $P1 $P2) || fail "a pending stub withdrew before grace: $k"
[ "$d" -ge 2950 ] && [ "$dd" -ge 2950 ] || fail "pending withdrew after $d / $dd ms, before the 3 s grace"
[ "$d" -le 3800 ] && [ "$dd" -le 3800 ] || fail "pending withdrew only after $d / $dd ms (grace 3 s, poll 200 ms)"
grep -q "svc=web source=nomad .*state=fail reason=\"nomad check 'traefik-ping' still pending after 3000 ms\"" "$(log d1)" ||
	fail "no 'still pending' reason in d1's log"
ok "pending stub that never runs (interval 60 s): held through 2.8 s ($k), withdrawn after $d ms (socket) / $dd ms (TCP), grace 3 s"
t0=$(now_ms)
check_status success
back_after "$t0" 5 $P1 >/dev/null && back_after "$t0" 5 $P2 >/dev/null || fail "not back after pending"

# ==== 3. a Nomad service without checks ====
body=$(ip netns exec "$(ns n4)" curl -sf --unix-socket "$T/b.sock" \
	-H "X-Nomad-Token: $TOKEN" \
	"http://localhost/v1/client/allocation/$ALLOC2/checks") ||
	fail "agent b's checks endpoint"
[ "$body" = null ] || fail "agent b's checks: $body, not null"
grep -q 'svc=a nomad-service=traefik checks=none' "$(log d4)" &&
	grep -q 'svc=b nomad-service=traefik checks=none' "$(log d4)" ||
	fail "d4 did not log its services' checks as none"
bird_has_route edge $P4A && bird_has_route edge $P4B || fail "$P4A/$P4B not announced"
ok "no Nomad checks (checks endpoint: $body): $P4A and $P4B announced on the registration alone, nomad-checks = all"

# ==== 4. one blocking query per Nomad service ====
grep -q 'nomad=client .* watches=2 queries=1 ' "$(log d4)" ||
	fail "d4's client: $(grep 'nomad=client' "$(log d4)")"
# agent b's answers to d4's query on traefik, and the time since the last
nsvc() { grep -c 'via=unix GET /v1/service/traefik?' "$T/agent-b.log" || true; }
lastsvc() {	# ms since agent b answered d4's last query on traefik
	awk -v now="$(now_ms)" '/via=unix GET \/v1\/service\/traefik\?/ { t = $1 }
		END { printf "%d\n", now - t * 1000 }' "$T/agent-b.log"
}
# quiet_window MS: d4's query is held and will not expire (wait 10 s)
# within MS ms: if it might, wait for its next round first
quiet_window() {
	wait_for 3 held_is b 1 || fail "d4's query is not held"
	if [ "$(lastsvc)" -gt $(( 9500 - $1 )) ]; then
		_n=$(nsvc)
		wait_for 8 sh -c "[ \$(grep -c 'via=unix GET /v1/service/traefik?' '$T/agent-b.log') -gt $_n ]" ||
			fail "d4's held query did not come back after its wait"
		wait_for 3 held_is b 1 || fail "d4's query is not held again"
	fi
}
quiet_window 1500
maxheld=0 minheld=99
for i in 1 2 3 4 5 6 7 8 9 10; do
	h=$(held b)
	[ "$h" -gt "$maxheld" ] && maxheld=$h
	[ "$h" -lt "$minheld" ] && minheld=$h
	sleep 0.1
done
[ "$maxheld" -eq 1 ] && [ "$minheld" -eq 1 ] ||
	fail "agent b held $minheld..$maxheld queries for d4's two services on traefik"
t0=$(now_ms)
admin b deregister "{\"service\": \"traefik\", \"alloc\": \"$ALLOC2\"}"
da=$(gone_after "$t0" 3 $P4A) && db=$(gone_after "$t0" 3 $P4B) ||
	fail "a deregistration did not withdraw both services"
[ "$da" -le 1000 ] && [ "$db" -le 1000 ] || fail "deregistration: withdrawn after $da / $db ms"
ok "two services on one Nomad service: the agent holds $maxheld blocking query (10 samples over 1 s), d4 logs queries=1; a deregistration withdrew both in $da / $db ms"
t0=$(now_ms)
register b traefik "$ALLOC2"
back_after "$t0" 5 $P4A >/dev/null && back_after "$t0" 5 $P4B >/dev/null ||
	fail "not back after re-registration"

# ==== 5. what wakes the query ====
# While d4's query on traefik is held at agent b (and will not expire in
# the next 2.5 s), another service name comes and goes: nothing may make
# d4 ask about traefik again.
quiet_window 2500
n0=$(nsvc)
register b whoami "$ALLOC2"
sleep 0.5
admin b deregister "{\"service\": \"whoami\", \"alloc\": \"$ALLOC2\"}"
sleep 1
n1=$(nsvc)
[ "$n1" -eq "$n0" ] || fail "a change to another service made d4 query traefik again ($n0 -> $n1)"
h=$(held b)
[ "$h" -eq 1 ] || fail "after another service's change agent b holds $h queries"
# control: another alloc's traefik wakes it, and the filter keeps it out
t0=$(now_ms)
register b traefik "$ALLOC3" "$NODE3"
wait_for 2 sh -c "[ \$(grep -c 'via=unix GET /v1/service/traefik?' '$T/agent-b.log') -gt $n1 ]" ||
	fail "another alloc's traefik did not wake the held query"
dw=$(( $(now_ms) - t0 ))
admin b deregister "{\"service\": \"traefik\", \"alloc\": \"$ALLOC3\"}"
sleep 0.3
k=$(tl kept "$t0" "$(now_ms)" $P4A $P4B) || fail "another alloc's registration moved $P4A/$P4B: $k"
ok "wake-up scope: 'whoami' registered and deregistered, no new query on traefik in 1.5 s (held: $h); another alloc's traefik woke it within $dw ms, routes kept"

# ==== 6. HTTPS with mutual TLS ====
grep -q 'nomad=client agent=https://127.0.0.1:4646 ' "$(log d3)" || fail "d3 not on https"
bird_has_route edge $P3 || fail "$P3 (mutual TLS) not announced"
grep -q 'via=tls GET /v1/client/allocation/.*/checks.* status=200' "$T/agent-c.log" ||
	fail "no checks request over TLS answered"
n=$(tl never $P3B) || fail "$P3B (no client certificate) was announced"
grep -q 'via=tls handshake from .* failed' "$T/agent-c.log" ||
	fail "agent c logged no failed handshake"
# the TLS error logged (the first of its kind), and the outage's class:
# a refused certificate is "refused" (under TLS 1.3 the server's
# certificate_required alert comes after the client's side of the
# handshake and libcurl reports it as a failed read or write)
tlserr=$( (grep -m1 'lvl=warn nomad=.*msg=".*certificate required' "$(log d3b)" ||
	grep -m1 'lvl=warn nomad=.*msg=".*\(certificate\|SSL\|TLS\)' "$(log d3b)") |
	sed 's/.*msg="\(.*\)"$/\1/')
[ -n "$tlserr" ] || fail "d3b logged no TLS error: $(grep 'nomad=' "$(log d3b)" | head -5)"
cls=$(grep 'nomad=agent .*outage=' "$(log d3b)" | tail -1 | sed 's/.*outage=\([a-z-]*\).*/\1/')
[ "$cls" = refused ] || fail "d3b: a refused client certificate is outage=$cls, not refused"
ok "mutual TLS: $P3 announced over https with cacert, client-cert and client-key; without the client certificate $P3B never announced ($n), outage=$cls, logged \"$tlserr\""

# ==== 7. no leader for 5.5 s ====
alive
for d in $DAEMONS; do eval "M_$d=\$(mark $d)"; eval "W_$d=\$(withdraws $d)"; done
t0=$(now_ms)
for a in a b c; do admin $a leader '{"leader": false}'; done
for d in d1 d2 d3 d4; do
	eval "m=\$M_$d"
	wait_for 2 sh -c "tail -n +$(( m + 1 )) '$(log $d)' | grep -q 'nomad=agent .*outage=control-plane policy='" ||
		fail "$d: no control-plane outage logged"
done
sleep 0.3
ip netns exec "$(ns n1)" curl -sf http://127.0.0.1:9179/metrics >"$T/metrics.txt" ||
	fail "no metrics from d1"
grep -qx 'nomcast_nomad_outage{class="control-plane"} 1' "$T/metrics.txt" ||
	fail "metrics in the outage: $(grep '^nomcast_nomad_outage' "$T/metrics.txt")"
osec=$(awk '$1 == "nomcast_nomad_outage_seconds" { printf "%.3f", $2 }' "$T/metrics.txt")
ctl d1 -j show services >"$T/ctl.json" || fail "nomcastctl -j show services"
src=$($PY - "$T/ctl.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
s = [x for x in d["services"] if x["name"] == "web"][0]
n = [x for x in s["sources"] if x["kind"] == "nomad"]
assert len(n) == 1 and n[0]["outage"] == "control-plane", n
assert s["announced"] and s["verdict"] == "up", s
print("%s: %s, outage %s for %.1f s" % (n[0]["name"], n[0]["state"],
      n[0]["outage"], n[0]["outage_seconds"]))
EOF
) || fail "nomcastctl in the outage: $(cat "$T/ctl.json")"
ctl d1 show services >"$T/ctl.txt" || fail "nomcastctl show services"
grep -q 'outage control-plane' "$T/ctl.txt" || fail "plain show services: $(cat "$T/ctl.txt")"
# on-outage = withdraw (d2): after grace, not before
dd=$(gone_after "$t0" 5 $P2) || fail "on-outage = withdraw: $P2 kept past grace"
[ "$dd" -ge 2950 ] && [ "$dd" -le 3900 ] || fail "on-outage = withdraw: withdrawn after $dd ms (grace 3 s)"
k2=$(tl kept "$t0" $(( t0 + 2800 )) $P2) || fail "on-outage = withdraw: withdrawn before grace: $k2"
# the proxy dies in the outage: its local check withdraws d1's route
sleep_until $(( t0 + 3800 ))
tk=$(now_ms)
[ "$(withdraws d1)" -eq "$W_d1" ] || fail "d1 sent a withdraw in the outage before its proxy died"
stop_pid "$PROXY" KILL
dk=$(gone_after "$tk" 3 $P1) || fail "the proxy died in the outage: $P1 not withdrawn"
[ "$dk" -le 1000 ] || fail "the proxy died in the outage: withdrawn after $dk ms"
since d1 "$M_d1" | grep -q "svc=web verdict=down prev=up reason=\"check proxy" ||
	fail "d1's withdraw was not the local check's: $(since d1 "$M_d1" | grep verdict=)"
sleep_until $(( t0 + 5500 ))
tb=$(now_ms)
for a in a b c; do admin $a leader '{"leader": true}'; done
k=$(tl kept "$t0" "$tb" $P3 $P4A $P4B) || fail "on-outage = hold: a route left BIRD in the outage: $k"
k1=$(tl kept "$t0" "$tk" $P1) || fail "on-outage = hold: $P1 left BIRD before the proxy died: $k1"
for d in d3 d4; do
	eval "w=\$W_$d"
	[ "$(withdraws $d)" -eq "$w" ] || fail "$d sent a withdraw in the outage"
done
for d in d1 d2 d3 d4; do
	wait_for 3 sh -c "tail -n +$(( $(eval echo \$M_$d) + 1 )) '$(log $d)' | grep -q 'nomad=agent .*outage=over'" ||
		fail "$d: the outage's end not logged"
done
db=$(back_after "$tb" 5 $P2) || fail "$P2 not back after the leader"
sleep 0.5
for d in d1 d2 d3 d4; do
	eval "m=\$M_$d"
	a=$(since $d "$m" | grep -c 'nomad=agent .*outage=control-plane' || true)
	b=$(since $d "$m" | grep -c 'nomad=agent .*outage=over' || true)
	[ "$a" -eq 1 ] && [ "$b" -eq 1 ] || fail "$d logged the outage's start $a times, its end $b times"
done
olen=$(since d1 "$M_d1" | grep -m1 'outage=over' | sed 's/.*duration=\([0-9.]*s\).*/\1/')
bird_no_route edge $P1 || fail "$P1 back with its proxy dead"
ip netns exec "$(ns n1)" curl -sf http://127.0.0.1:9179/metrics >"$T/metrics2.txt" ||
	fail "no metrics from d1"
grep -qx 'nomcast_nomad_outage{class="control-plane"} 0' "$T/metrics2.txt" ||
	fail "metrics after the outage: $(grep '^nomcast_nomad_outage' "$T/metrics2.txt")"
tr=$(now_ms)
proxy_start
dr=$(back_after "$tr" 5 $P1) || fail "$P1 not back with its proxy"
alive
ok "no leader for $(( tb - t0 )) ms: hold kept $P3, $P4A, $P4B in BIRD ($k) and $P1 until its proxy died ($k1); outage=control-plane and outage=over logged once each (d1's: $olen); nomcastctl: $src; metrics: nomcast_nomad_outage{class=\"control-plane\"} 1 (outage_seconds $osec)"
ok "proxy killed 3.8 s into the outage: $P1 withdrawn by its local check after $dk ms; back $dr ms after the proxy restarted"
ok "on-outage = withdraw: $P2 kept through 2.8 s ($k2), withdrawn after $dd ms (grace 3 s); back $db ms after the leader returned"

# ==== 8. the alloc stopped: deregistration, then (1.5 s later) purge ====
t0=$(now_ms)
admin a stop_alloc "{\"alloc\": \"$ALLOC\", \"shutdown_delay_ms\": 1500}"
d=$(gone_after "$t0" 3 $P1) || fail "stop_alloc: $P1 not withdrawn"
dd=$(gone_after "$t0" 3 $P2) || fail "stop_alloc: $P2 not withdrawn"
[ "$d" -le 1000 ] && [ "$dd" -le 1000 ] || fail "stop_alloc: withdrawn after $d / $dd ms"
grep -q 'nomad-service=traefik alloc=5b3d8f2e registered=no' "$(log d1)" ||
	fail "d1 did not see the deregistration"
wait_for 3 grep -q "stop_alloc: alloc=$ALLOC check results purged" "$T/agent-a.log" ||
	fail "the agent did not purge the check results"
sleep 0.3
bird_no_route edge $P1 && bird_no_route edge $P2 || fail "back after the purge"
ok "stop_alloc (shutdown_delay 1.5 s): deregistered, withdrawn after $d ms (socket) / $dd ms (TCP), before the purge; still withdrawn after it"

# ==== 9. reloads: the client is kept while [nomad] does not change ====
clients() { grep -c 'nomad=client agent=' "$(log d3)" || true; }
reloads() { grep -c 'msg="reloaded"' "$(log d3)" || true; }
reload_d3() {	# reload_d3 WHAT: reload d3 and wait for its log line
	r0=$(reloads)
	ctl d3 reload >"$T/reload.out" || fail "$1: $(cat "$T/reload.out")"
	wait_for 5 sh -c "[ \$(grep -c 'msg=\"reloaded\"' '$(log d3)') -gt $r0 ]" ||
		fail "$1: no reload logged"
}
c0=$(clients)
t1=$(now_ms)
reload_d3 "reload, [nomad] unchanged"
grep -qx "  services  kept 1, changed 0, added 0, removed 0" "$T/reload.out" ||
	fail "reload plan: $(cat "$T/reload.out")"
sleep 1
[ "$(clients)" -eq "$c0" ] || fail "[nomad] unchanged, yet a new client started"
sed -i 's/^grace = 3s$/grace = 4s/' "$T/d3.ini"
reload_d3 "reload, grace 3s -> 4s"
wait_for 3 sh -c "[ \$(grep -c 'nomad=client agent=' '$(log d3)') -eq $((c0 + 1)) ]" ||
	fail "[nomad] changed, yet no new client ($(clients) client lines)"
grep 'nomad=client agent=' "$(log d3)" | tail -1 | grep -q 'grace=4000ms' ||
	fail "the new client does not have the new grace"
sleep 1
t2=$(now_ms)
tl kept "$t1" "$t2" $P3 >/dev/null || fail "$P3 left BIRD during the reloads"
ok "reloads of d3: [nomad] unchanged keeps its client (one client line), [nomad] changed starts one; $P3 never left BIRD"

# ==== SIGTERM: exit 0, no sanitizer report ====
alive
for d in $DAEMONS; do
	eval "p=\$PID_$d"
	kill -TERM "$p"
	rc=0
	wait "$p" || rc=$?
	forget_pid "$p"
	[ "$rc" -eq 0 ] || fail "$d exited $rc on SIGTERM"
done
for d in $DAEMONS; do
	if grep -qE 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error' "$(log $d)"; then
		fail "sanitizer report in $d's log: $(grep -m3 -E 'Sanitizer|runtime error' "$(log $d)")"
	fi
	n=$(grep -c 'state=OpenConfirm->Established' "$(log $d)" || true)
	[ "$n" -eq 1 ] || fail "$d's session went down and up ($n times Established)"
done
wait_for 5 sh -c "! birdc -s '$T/bird-edge.ctl' show route | grep -q '^203\.0\.113\.'" ||
	fail "routes left after SIGTERM"
ok "SIGTERM: five daemons exited 0, one session each the whole run, no sanitizer report ($(( $(date +%s) - T_START )) s)"
