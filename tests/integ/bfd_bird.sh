#!/bin/sh
# tests/integ/bfd_bird.sh NOMCASTD - BFD against a real BIRD 2, IPv4 and
# IPv6 sessions at 50 ms x 3:
#  1. both BFD sessions Up on both sides, the routes at BIRD;
#  2. the node dies (nomcastd stopped, SIGSTOP): BIRD's BFD goes Down and
#     the routes leave BIRD within the detection time (measured);
#     nomcastd resumes: everything comes back by itself;
#  3. the router dies (BIRD stopped): nomcastd's BFD goes Down and it
#     closes BGP at once with Cease / BFD Down (RFC 9384), and holds it
#     until BFD has been Up for the hold-down;
#  4. a reload that changes the interval: BFD stays Up on both sides
#     (Poll sequence), the new interval in effect;
#  5. authentication (meticulous keyed SHA1): the right key comes Up, a
#     wrong one never does and BGP is not disturbed by it.
set -eu
NOMCASTD=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
lib_init bfd-bird
NOMCASTCTL=${NOMCASTCTL:-$(dirname "$NOMCASTD")/nomcastctl}
SOCK="$LIB_TMP/ctl.sock"
ctl() { ip netns exec "$(ns node)" "$NOMCASTCTL" -s "$SOCK" "$@"; }
PY=/usr/bin/python3

ns_add edge node
link edge 198.51.100.1/24 2001:db8:1::1/64 node 198.51.100.2/24 2001:db8:1::2/64

bird_conf() {	# bird_conf [AUTH LINES]
	cat >"$LIB_TMP/bird.conf" <<EOT
router id 198.51.100.1;
log "$LIB_TMP/bird-edge.trace" all;
timeformat log "%s.%f";
protocol device { }
protocol bfd {
	interface "*" {
		min rx interval 50 ms;
		min tx interval 50 ms;
		multiplier 3;
		$1
	};
}
protocol bgp node {
	local 198.51.100.1 as 65000;
	neighbor 198.51.100.2 as 65001;
	hold time 9;
	passive on;
	bfd on;
	# BIRD waits 60 s by default after an error (a BFD down is one)
	error wait time 1, 5;
	ipv4 { import all; export none; };
}
protocol bgp node6 {
	local 2001:db8:1::1 as 65000;
	neighbor 2001:db8:1::2 as 65001;
	hold time 9;
	passive on;
	bfd on;
	error wait time 1, 5;
	ipv6 { import all; export none; };
}
EOT
}

nomcast_conf() {	# nomcast_conf INTERVAL [PASSWORD]
	pw=${2:+bfd-password = $2}
	cat >"$LIB_TMP/nomcast.ini" <<EOT
[global]
asn = 65001
router-id = 198.51.100.2
control-socket = $SOCK
metrics-listen = 127.0.0.1:9179

[peer edge4]
address = 198.51.100.1
asn = 65000
hold-time = 9
connect-retry = 1
bfd = yes
bfd-interval = $1
bfd-hold-down = 1s
$pw

[peer edge6]
address = 2001:db8:1::1
asn = 65000
hold-time = 9
connect-retry = 1
next-hop6 = 2001:db8:1::2
bfd = yes
bfd-interval = $1
bfd-hold-down = 1s
$pw

[service web]
prefix = 203.0.113.10/32
prefix = 2001:db8:100::10/128
EOT
}

# bfd_js FIELD...: each session's FIELD, one line "peer=state ..." etc.
bfd_field() {	# bfd_field NAME FIELD
	ctl -j show bfd "$1" | "$PY" -c '
import json, sys
s = json.load(sys.stdin)["sessions"][0]
v = s
for k in sys.argv[1].split("."):
    v = v[k]
print(v)' "$2"
}
nomcast_bfd_up() {
	[ "$(bfd_field edge4 state)" = Up ] && [ "$(bfd_field edge6 state)" = Up ]
}
bird_bfd_up() {	# both of BIRD's sessions Up
	[ "$(birdc_q edge show bfd sessions | grep -c ' Up ')" -eq 2 ]
}
routes_present() {
	bird_has_route edge 203.0.113.10/32 &&
		bird_has_route edge 2001:db8:100::10/128
}
routes_gone() {
	bird_no_route edge 203.0.113.10/32 &&
		bird_no_route edge 2001:db8:100::10/128
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

bird_conf ""
bird_start edge edge "$LIB_TMP/bird.conf"
nomcast_conf 50ms
nomcast_start node n "$LIB_TMP/nomcast.ini"
N=$NOMCAST_PID_n

# 1. up
wait_for 20 nomcast_bfd_up || fail "nomcastd's BFD sessions not Up: $(ctl show bfd)"
wait_for 10 bird_bfd_up || fail "BIRD's BFD sessions not Up: $(birdc_q edge show bfd sessions)"
wait_for 20 routes_present || fail "routes not at BIRD"
[ "$(bfd_field edge4 tx_interval_seconds)" = 0.05 ] ||
	fail "edge4 tx interval $(bfd_field edge4 tx_interval_seconds), want 0.05"
m=$(ip netns exec "$(ns node)" curl -sf http://127.0.0.1:9179/metrics) ||
	fail "no metrics"
echo "$m" | grep -q '^nomcast_bfd_up{peer="edge4",address="198.51.100.1"} 1$' ||
	fail "metrics: nomcast_bfd_up for edge4 is not 1"
echo "$m" | awk '$1 == "nomcast_bfd_detect_time_seconds{peer=\"edge6\",address=\"2001:db8:1::1\"}" {
	found = 1; if ($2 < 0.1499 || $2 > 0.1501) exit 1 } END { exit !found }' ||
	fail "metrics: detect time of edge6 is not 150 ms: $(echo "$m" | grep detect_time)"
ok "BFD Up on both sides (IPv4 and IPv6) at 50 ms x 3, routes at BIRD, metrics say so"

# 2. the node dies: nothing more from nomcastd, not even a FIN
t0=$(now_ms)
kill -STOP "$N"
wait_for 5 routes_gone || { kill -CONT "$N"; fail "routes still at BIRD"; }
gone=$(( $(now_ms) - t0 ))
kill -CONT "$N"
[ "$gone" -lt 1000 ] || fail "routes left BIRD $gone ms after the node stopped"
ok "node stopped: routes gone at BIRD within $gone ms (polled with birdc)"
wait_for 20 nomcast_bfd_up || fail "BFD not Up again after the node resumed"
wait_for 20 routes_present || fail "routes not back after the node resumed"
ok "node resumed: BFD Up, sessions and routes back"

# 3. the router dies: nomcastd sees BFD Down and closes BGP at once
lines=$(wc -l <"$LIB_TMP/nomcast-n.log")
t0=$(now_ms)
kill -STOP "$BIRD_PID_edge"
new_cease() {
	tail -n +"$((lines + 1))" "$LIB_TMP/nomcast-n.log" |
		grep -q 'peer=198.51.100.1 notif=6/10 sent="Cease/BFD Down"'
}
wait_for 5 new_cease ||
	{ kill -CONT "$BIRD_PID_edge"; fail "no Cease/BFD Down sent"; }
closed=$(( $(now_ms) - t0 ))
held=$(ctl -j show peers edge4 | "$PY" -c '
import json, sys; p = json.load(sys.stdin)["peers"][0]
print(p["bfd_held"], p["last_error"]["code"], p["last_error"]["subcode"])')
kill -CONT "$BIRD_PID_edge"
[ "$held" = "True 6 10" ] || fail "show peers: bfd_held/last error: $held"
[ "$closed" -lt 1000 ] || fail "BGP closed $closed ms after the router stopped"
ok "router stopped: Cease/BFD Down sent within $closed ms, session held"
wait_for 20 nomcast_bfd_up || fail "BFD not Up again after the router resumed"
wait_for 20 bird_established edge node || fail "BGP not back after BFD"
wait_for 20 routes_present || fail "routes not back after the router resumed"
# the gate opened only after the hold-down (1 s) of Up
tail -n +"$lines" "$LIB_TMP/nomcast-n.log" | grep -q 'BFD up for the hold-down' ||
	fail "no hold-down before BGP came back"
ok "router resumed: BGP back after BFD Up for the hold-down"

# 4. a reload changes the interval: a Poll sequence, no flap
t4=$(bfd_field edge4 counters.transitions)
b4=$(birdc_q edge show bfd sessions | grep 198.51.100.2 | awk '{ print $4 }')
nomcast_conf 100ms
ctl reload >/dev/null || fail "reload failed"
wait_for 5 sh -c "[ \"\$($(command -v ip) netns exec $(ns node) $NOMCASTCTL -s $SOCK -j show bfd edge4 |
	$PY -c 'import json,sys; print(json.load(sys.stdin)[\"sessions\"][0][\"tx_interval_seconds\"])')\" = 0.1 ]" ||
	fail "tx interval not 100 ms after the reload: $(ctl show bfd)"
sleep 1
[ "$(bfd_field edge4 state)" = Up ] || fail "BFD left Up on the reload"
[ "$(bfd_field edge4 counters.transitions)" = "$t4" ] ||
	fail "BFD changed state on the reload"
b4b=$(birdc_q edge show bfd sessions | grep 198.51.100.2 | awk '{ print $4 }')
# BIRD prints "since" as now minus the age, so it may move by a
# millisecond between two reads; a restart would move it by more than the
# second of hold-down that passed since the session came Up
moved=$("$PY" -c '
import sys
def ms(t):
    h, m, s = t.split(":"); return (int(h) * 3600 + int(m) * 60 + float(s)) * 1000
d = abs(ms(sys.argv[2]) - ms(sys.argv[1])) % 86400000
print(int(min(d, 86400000 - d)))' "$b4" "$b4b")
[ "$moved" -lt 100 ] || fail "BIRD's BFD session restarted on the reload ($b4 -> $b4b)"
ok "reload to 100 ms: BFD stayed Up on both sides, new interval in effect"

# 5. authentication
bird_conf 'authentication meticulous keyed sha1; password "s3cret" { id 1; };'
birdc_q edge configure >/dev/null || fail "birdc configure"
nomcast_conf 50ms s3cret
ctl reload >/dev/null || fail "reload failed"
wait_for 20 nomcast_bfd_up || fail "BFD with the right key not Up: $(ctl show bfd)"
wait_for 10 bird_bfd_up || fail "BIRD's BFD with the key not Up"
[ "$(bfd_field edge4 auth)" = meticulous-sha1 ] || fail "auth not meticulous-sha1"
ok "meticulous keyed SHA1 with the right key: Up"
# a wrong key from the start: BFD never comes Up, which leaves BGP alone;
# with bfd-strict, BGP waits for BFD, and starts once the key is right
stop_pid "$N"
nomcast_conf 50ms wrong
nomcast_start node n2 "$LIB_TMP/nomcast.ini"
N=$NOMCAST_PID_n2
wait_for 20 bird_established edge node || fail "BGP not up with a wrong BFD key"
wait_for 20 routes_present || fail "routes not at BIRD with a wrong BFD key"
sleep 2
[ "$(bfd_field edge4 state)" != Up ] || fail "BFD Up with a wrong key"
bird_bfd_up && fail "BIRD's BFD Up with a wrong key"
grep -q 'bfd=edge4 msg="packet dropped: bad digest"' "$LIB_TMP/nomcast-n2.log" ||
	fail "no log line for the packets with a wrong digest"
ok "a wrong key: BFD never Up, BGP and routes undisturbed"
stop_pid "$N"
wait_for 10 sh -c "! birdc -s $LIB_TMP/bird-edge.ctl show protocols node | grep -q Established" ||
	fail "BIRD kept the session of a stopped nomcastd"
sed -i 's/^bfd-hold-down = 1s$/bfd-hold-down = 1s\nbfd-strict = yes/' "$LIB_TMP/nomcast.ini"
nomcast_start node n3 "$LIB_TMP/nomcast.ini"
N=$NOMCAST_PID_n3
sleep 4
bird_established edge node && fail "bfd-strict: BGP up while BFD is not"
[ "$(ctl -j show peers edge4 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["peers"][0]["bfd_held"])')" = True ] ||
	fail "bfd-strict: the peer is not shown held"
sed -i 's/^bfd-password = wrong$/bfd-password = s3cret/' "$LIB_TMP/nomcast.ini"
ctl reload >/dev/null || fail "reload failed"
wait_for 20 nomcast_bfd_up || fail "bfd-strict: BFD not Up with the right key"
wait_for 20 routes_present || fail "bfd-strict: routes not at BIRD after BFD came Up"
ok "bfd-strict: BGP held while BFD was down, up once BFD was Up for the hold-down"
kill -0 "$N" || fail "nomcastd died"
