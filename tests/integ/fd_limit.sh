#!/bin/sh
# tests/integ/fd_limit.sh NOMCASTD - nomcastd at `ulimit -n 32` with 40
# tcp checks whose connects hang (an address nobody answers for) until
# their timeout, each holding a socket: the descriptors run out and stay
# out.  nomcastd warns at start-up with the limit, does not
# spin (CPU), says why a reconnect fails, counts the checks that cannot
# get a descriptor as failed, and once the checks release their
# descriptors, everything recovers by itself: the BGP session is back, the
# route announced, and all 40 checks pass.  The soft limit is changed on
# the running daemon (prlimit) to pin the moment: 1 while the router
# resets the session.
set -eu
NOMCASTD=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
lib_init fd-limit
NOMCASTCTL=${NOMCASTCTL:-$(dirname "$NOMCASTD")/nomcastctl}
SOCK="$LIB_TMP/ctl.sock"
ctl() { ip netns exec "$(ns node)" "$NOMCASTCTL" -s "$SOCK" "$@"; }
CHECKS=40

edge_node 9

EDGE_IF=$LINK_A NODE_IF=$LINK_B
# the checks' target: 198.51.100.99, nobody's until the end; a fixed
# neighbour entry sends its SYNs to a MAC no one has, so each connect
# hangs (an address that fails ARP would fail fast after a while)
ip -n "$(ns node)" neigh add 198.51.100.99 lladdr 02:00:00:00:00:99 \
	dev "$NODE_IF" nud permanent
spawn edge target /usr/bin/python3 "$HERE/httptarget.py" --listen 0.0.0.0:8080 \
	--ready "$LIB_TMP/target.ready"
wait_for 10 test -f "$LIB_TMP/target.ready" || fail "target did not start"

conf="$LIB_TMP/nomcast.ini"
cat >"$conf" <<EOT
[global]
asn = 65001
router-id = 198.51.100.2
control-socket = $SOCK

[peer edge]
address = 198.51.100.1
asn = 65000
hold-time = 9
connect-retry = 1

[service web]
prefix = 203.0.113.10/32
EOT
# four services of ten checks each (a service takes at most 16)
i=1
while [ $i -le $CHECKS ]; do
	printf '\n[check hog%d]\ntype = tcp\ntarget = 198.51.100.99:8080\ninterval = 200ms\ntimeout = 150ms\nrise = 1\nfall = 1\n' \
		$i >>"$conf"
	i=$((i + 1))
done
s=0
while [ $s -lt 4 ]; do
	printf '\n[service hog%d]\nprefix = 203.0.113.%d/32\n' $s $((20 + s)) >>"$conf"
	i=1
	while [ $i -le 10 ]; do
		echo "checks = hog$((s * 10 + i))" >>"$conf"
		i=$((i + 1))
	done
	s=$((s + 1))
done

spawn node nomcast-n prlimit --nofile=32:32 "$NOMCASTD" -c "$conf"
PID=$SPAWNED
LOG="$LIB_TMP/nomcast-n.log"
wait_for 10 grep -q 'descriptor limit is below what this configuration may use.*limit=32 hard=32' "$LOG" ||
	fail "no start-up warning naming the limit"
grep -q 'descriptor limit raised' "$LOG" && fail "a limit at its hard value was 'raised'"
wait_for 20 grep -q 'tcp connect to .*Too many open files' "$LOG" ||
	fail "the checks never ran out of descriptors (no failure said so)"

# exhausted for good: no spinning (under 20 % of a core over 5 s)
cpu() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }
t0=$(cpu)
sleep 5
t1=$(cpu)
hz=$(getconf CLK_TCK)
pct=$(( (t1 - t0) * 100 / (5 * hz) ))
[ "$pct" -lt 20 ] || fail "nomcastd used $pct % of a core while out of descriptors"

# The checks leave a descriptor free now and then; to make sure the
# reconnect meets none, the soft limit drops to 1 (prlimit on the running
# daemon) before the router resets the session.
prlimit --pid "$PID" --nofile=1:32
birdc_q edge restart node >/dev/null
wait_for 10 grep -q 'cannot open a socket: Too many open files.*reason=descriptors limit=1' "$LOG" ||
	fail "no log line for the reconnect that found no descriptor"
t0=$(cpu)
sleep 3
t1=$(cpu)
pct2=$(( (t1 - t0) * 100 / (3 * hz) ))
[ "$pct2" -lt 20 ] || fail "nomcastd used $pct2 % of a core with no descriptor at all"
bird_established edge node && fail "a session came up with no descriptor"
# Descriptors free again: the limit is back at 32, and the target answers,
# so each connect ends at once (the checks' ticks drift apart, so they do
# not all want a descriptor in the same instant)
prlimit --pid "$PID" --nofile=32:32
ip -n "$(ns edge)" addr add 198.51.100.99/24 dev "$EDGE_IF"
mac=$(cat "/sys/class/net/$EDGE_IF/address" 2>/dev/null ||
	ip netns exec "$(ns edge)" cat "/sys/class/net/$EDGE_IF/address")
ip -n "$(ns node)" neigh replace 198.51.100.99 lladdr "$mac" dev "$NODE_IF" \
	nud permanent
released=$(date +%s%N)
wait_for 20 bird_established edge node || fail "the session did not come back"
wait_for 10 bird_has_route edge 203.0.113.10/32 || fail "route not announced"
for s in 0 1 2 3; do
	wait_for 10 bird_has_route edge 203.0.113.2$s/32 ||
		fail "the checks of service hog$s did not all pass again"
done
back_ms=$(( ($(date +%s%N) - released) / 1000000 ))
ctl -j show services | /usr/bin/python3 -c '
import json, sys
svc = {s["name"]: s for s in json.load(sys.stdin)["services"]}
for n in ("hog0", "hog1", "hog2", "hog3"):
    assert svc[n]["verdict"] == "up", svc[n]
' || fail "show services: a hog service is not up"
kill -0 "$PID" || fail "nomcastd died"
ok "ulimit -n 32, $CHECKS checks: warned at start, $pct % / $pct2 % CPU while exhausted, the failed reconnect logged; all recovered ${back_ms} ms after the descriptors were free"
