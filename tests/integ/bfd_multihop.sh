#!/bin/sh
# tests/integ/bfd_multihop.sh NOMCASTD - multihop BFD (RFC 5883, UDP 4784)
# with a BIRD two hops away: node -- mid (a router) -- edge, eBGP
# multihop 2 with bfd = yes.  The session comes Up as multihop on both
# sides; the node stops (SIGSTOP): BIRD's multihop BFD goes Down and the
# route leaves BIRD within a second; the node resumes: all comes back.
set -eu
NOMCASTD=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
lib_init bfd-multihop
NOMCASTCTL=${NOMCASTCTL:-$(dirname "$NOMCASTD")/nomcastctl}
SOCK="$LIB_TMP/ctl.sock"
ctl() { ip netns exec "$(ns node)" "$NOMCASTCTL" -s "$SOCK" "$@"; }

ns_add node mid edge
link node 198.51.100.2/30 - mid 198.51.100.1/30 -
link mid 198.51.100.5/30 - edge 198.51.100.6/30 -
ip netns exec "$(ns mid)" sysctl -qw net.ipv4.ip_forward=1
ip -n "$(ns node)" route add default via 198.51.100.1
ip -n "$(ns edge)" route add default via 198.51.100.5

cat >"$LIB_TMP/bird.conf" <<EOT
router id 198.51.100.6;
log "$LIB_TMP/bird-edge.trace" all;
protocol device { }
protocol bfd {
	multihop { min rx interval 50 ms; min tx interval 50 ms; multiplier 3; };
}
protocol bgp node {
	local 198.51.100.6 as 65000;
	neighbor 198.51.100.2 as 65001;
	multihop 2;
	hold time 9;
	passive on;
	bfd on;
	error wait time 1, 5;
	ipv4 { import all; export none; };
}
EOT
bird_start edge edge "$LIB_TMP/bird.conf"

cat >"$LIB_TMP/nomcast.ini" <<EOT
[global]
asn = 65001
router-id = 198.51.100.2
control-socket = $SOCK

[peer edge]
address = 198.51.100.6
asn = 65000
multihop = 2
hold-time = 9
connect-retry = 1
bfd = yes
bfd-interval = 50ms
bfd-hold-down = 1s

[service web]
prefix = 203.0.113.10/32
EOT
nomcast_start node n "$LIB_TMP/nomcast.ini"
N=$NOMCAST_PID_n

bfd_json() {
	ctl -j show bfd | /usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)["sessions"][0]
print(s["state"], s["multihop"], s["source_port"])'
}
wait_for 20 sh -c "[ \"\$($NOMCASTCTL -s $SOCK -j show bfd 2>/dev/null | grep -c '\"state\":\"Up\"')\" = 1 ]" ||
	fail "nomcastd's BFD not Up: $(ctl show bfd)"
set -- $(bfd_json)
[ "$1" = Up ] && [ "$2" = True ] || fail "show bfd: $*"
[ "$3" -ge 49152 ] || fail "source port $3 below 49152"
wait_for 10 sh -c "birdc -s $LIB_TMP/bird-edge.ctl show bfd sessions | grep -q ' Up '" ||
	fail "BIRD's BFD not Up: $(birdc_q edge show bfd sessions)"
wait_for 20 bird_has_route edge 203.0.113.10/32 || fail "route not at BIRD"
ok "multihop BFD Up on both sides (UDP 4784, source port $3), route at BIRD"

t0=$(date +%s%N)
kill -STOP "$N"
wait_for 5 bird_no_route edge 203.0.113.10/32 || { kill -CONT "$N"; fail "route still at BIRD"; }
gone=$(( ($(date +%s%N) - t0) / 1000000 ))
kill -CONT "$N"
[ "$gone" -lt 1000 ] || fail "route left BIRD $gone ms after the node stopped"
ok "node stopped: route gone at BIRD within $gone ms"
wait_for 20 bird_has_route edge 203.0.113.10/32 || fail "route not back"
ok "node resumed: multihop BFD and route back"
