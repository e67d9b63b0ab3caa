#!/bin/sh
# tests/integ/gr_bird.sh NOMCASTD - graceful restart (RFC 4724) against a
# real BIRD 2 helper, IPv4 and IPv6 sessions, BIRD exporting to its
# kernel table (the edge's FIB), watched with `ip monitor`:
#  1. capability negotiated; exit-mode graceful; SIGTERM: nomcastd leaves
#     without a withdraw, BIRD keeps the routes stale, the next nomcastd
#     comes back with the record, announces after its first verdicts and
#     sends End-of-RIB: the routes never leave BIRD's RIB or FIB;
#  1b. a service still undecided when restart-defer-time runs out: End-of-RIB
#     by the timer, and BIRD drops that service's stale route only;
#  2. a service that came back down is withdrawn by the new process
#     itself, right after its first verdict;
#  3. exit-mode auto without Nomad: a plain stop withdraws as ever;
#  4. kill -9: the routes stay for the restart time, then go (no BFD).
# With "bfd" as the second argument, every session also runs BFD (50 ms x
# 3, BIRD's "bfd on"): step 1 also checks that BIRD's BFD session never
# went down (nomcastd slows it and hands it to the next process), and
# step 4 that a crash leaves within the BFD detection time instead.
set -eu
NOMCASTD=$(realpath "$1")
MODE=${2:-plain}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
lib_init "gr-bird-$MODE"
NOMCASTCTL=${NOMCASTCTL:-$(dirname "$NOMCASTD")/nomcastctl}
SOCK="$LIB_TMP/ctl.sock"
REC="$LIB_TMP/state/nomcast.restart"
ctl() { ip netns exec "$(ns node)" "$NOMCASTCTL" -s "$SOCK" "$@"; }
PY=/usr/bin/python3
mkdir -p "$LIB_TMP/state"

ns_add edge node
link edge 198.51.100.1/24 2001:db8:1::1/64 node 198.51.100.2/24 2001:db8:1::2/64

BIRD_BFD= NOMCAST_BFD=
if [ "$MODE" = bfd ]; then
	BIRD_BFD='bfd on;'
	NOMCAST_BFD='bfd = yes
bfd-interval = 50ms
bfd-multiplier = 3'
fi
cat >"$LIB_TMP/bird.conf" <<EOT
router id 198.51.100.1;
protocol bfd {
	interface "*" {
		min rx interval 50 ms;
		min tx interval 50 ms;
		multiplier 3;
	};
}
log "$LIB_TMP/bird-edge.trace" all;
timeformat log "%s.%f";
protocol device { }
protocol kernel k4 { ipv4 { export all; }; }
protocol kernel k6 { ipv6 { export all; }; }
template bgp nodes {
	hold time 9;
	passive on;
	graceful restart on;
	error wait time 1, 5;
	debug { events, states };
	$BIRD_BFD
}
protocol bgp node from nodes {
	local 198.51.100.1 as 65000;
	neighbor 198.51.100.2 as 65001;
	ipv4 { import all; export none; };
}
protocol bgp node6 from nodes {
	local 2001:db8:1::1 as 65000;
	neighbor 2001:db8:1::2 as 65001;
	ipv6 { import all; export none; };
}
EOT

FLAG=$LIB_TMP/flag
SLOW=$LIB_TMP/slow
cat >"$LIB_TMP/nomcast.ini" <<EOT
[global]
asn = 65001
router-id = 198.51.100.2
control-socket = $SOCK
restart-state = $REC
restart-defer-time = 4s

[peer edge4]
address = 198.51.100.1
asn = 65000
hold-time = 9
connect-retry = 1
graceful-restart = yes
restart-time = 8s
$NOMCAST_BFD

[peer edge6]
address = 2001:db8:1::1
asn = 65000
hold-time = 9
connect-retry = 1
next-hop6 = 2001:db8:1::2
graceful-restart = yes
restart-time = 8s
$NOMCAST_BFD

[check flag]
type = exec
command = /bin/test -e $FLAG
interval = 100ms
timeout = 90ms
rise = 3
fall = 1

[service web]
prefix = 203.0.113.10/32
prefix = 2001:db8:100::10/128
checks = flag

; decided at once, or 6 s late while \$SLOW exists (the deferral step)
[check slow]
type = exec
command = /bin/sh -c "test ! -e $SLOW || sleep 6"
interval = 8s
timeout = 7s
rise = 1
fall = 1

[service slow]
prefix = 203.0.113.20/32
checks = slow
EOT

routes_present() {
	bird_has_route edge 203.0.113.10/32 &&
		bird_has_route edge 2001:db8:100::10/128
}
routes_gone() {
	bird_no_route edge 203.0.113.10/32 &&
		bird_no_route edge 2001:db8:100::10/128
}
fib_present() {
	ip -n "$(ns edge)" route show 203.0.113.10/32 | grep -q 198.51.100.2 &&
		ip -n "$(ns edge)" -6 route show 2001:db8:100::10/128 | grep -q 2001:db8:1::2
}
both_established() {
	bird_established edge node && bird_established edge node6
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
status_field() {	# status_field KEY: show status's graceful_restart.KEY
	ctl -j show status | "$PY" -c '
import json, sys; print(json.load(sys.stdin)["graceful_restart"][sys.argv[1]])' "$1"
}
start_n() {	# start_n NAME: nomcastd in node, its log nomcast-NAME.log
	nomcast_start node "$1" "$LIB_TMP/nomcast.ini"
	N=$SPAWNED
}
# the edge's FIB, watched for any change to the two routes
monitor_start() {
	spawn edge monitor ip monitor route
	MON=$SPAWNED
}
monitor_deletes() {
	grep -E '^Deleted.*(203\.0\.113\.10|2001:db8:100::10)' \
		"$LIB_TMP/monitor.log" | head -3 || true
}

bird_start edge edge "$LIB_TMP/bird.conf"
touch "$FLAG"
start_n n1
wait_for 20 both_established || fail "sessions not Established"
wait_for 10 routes_present || fail "routes not at BIRD"
wait_for 5 fib_present || fail "routes not in the edge's FIB"
gr=$(ctl -j show peers edge4 | "$PY" -c '
import json, sys; p = json.load(sys.stdin)["peers"][0]
print(p["graceful_restart"]["negotiated"], p["capabilities"]["graceful_restart"])')
[ "$gr" = "True True" ] || fail "graceful restart not negotiated: $gr"
bfd_up() {
	[ "$(ip netns exec "$(ns edge)" birdc -s "$LIB_TMP/bird-edge.ctl" show bfd sessions | grep -c ' Up ')" -ge 2 ]
}
if [ "$MODE" = bfd ]; then
	wait_for 10 bfd_up || fail "BFD not Up at BIRD"
fi
ok "graceful restart negotiated with BIRD (IPv4 and IPv6), routes in RIB and FIB${NOMCAST_BFD:+, BFD Up}"

# 1. a graceful restart
[ "$(ctl -j exit-mode graceful | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["exit_mode"])')" = graceful ] ||
	fail "exit-mode graceful not taken"
monitor_start
sleep 0.3
stop_pid "$N"
grep -q 'exit decided.*graceful=yes' "$LIB_TMP/nomcast-n1.log" ||
	fail "exit not graceful: $(grep 'exit decided' "$LIB_TMP/nomcast-n1.log")"
[ -f "$REC" ] || fail "no restart record at $REC"
grep -q 'Neighbor graceful restart detected' "$LIB_TMP/bird-edge.trace" ||
	fail "BIRD did not enter graceful restart"
routes_present || fail "BIRD dropped the routes when nomcastd left"
sleep 1.5	# nomcastd is away: Nomad's restart delay, say
routes_present || fail "BIRD dropped the routes during the restart"
fib_present || fail "the FIB lost the routes during the restart"
t0=$(now_ms)
start_n n2
wait_for 10 both_established || fail "sessions not back"
wait_for 10 sh -c "[ \$(grep -c 'Neighbor graceful restart done' $LIB_TMP/bird-edge.trace) -ge 2 ]" ||
	fail "BIRD never ended the graceful restart (End-of-RIB)"
t1=$(now_ms)
sleep 0.5
routes_present || fail "routes not at BIRD after the restart"
fib_present || fail "routes not in the FIB after the restart"
del=$(monitor_deletes)
[ -z "$del" ] || fail "the FIB lost a route during the restart: $del"
grep -q 'graceful restart: coming back' "$LIB_TMP/nomcast-n2.log" ||
	fail "the new nomcastd did not use the record"
[ ! -e "$REC" ] || fail "the record was not consumed"
[ "$(status_field last_start_graceful)" = True ] || fail "show status: last_start_graceful"
eor=$(status_field eor_after_ms)
[ "$eor" != None ] && [ "$(status_field eor_by_timer)" = False ] ||
	fail "End-of-RIB not after the first verdicts: $eor"
eorn=$(ctl -j show peers edge4 | "$PY" -c '
import json, sys; print(json.load(sys.stdin)["peers"][0]["eor_sent_total"])')
[ "$eorn" -ge 1 ] || fail "no End-of-RIB counted"
ctl show peers edge4 | grep -Eq '^  graceful rst  negotiated, restart time 8 s, the peer.s [0-9]+ s; End-of-RIB sent 1, received 1$' ||
	fail "show peers edge4: $(ctl show peers edge4)"
stop_pid "$MON"
if [ "$MODE" = bfd ]; then
	! grep -q 'BFD session down' "$LIB_TMP/bird-edge.trace" ||
		fail "BIRD's BFD session went down during the graceful restart"
	grep -q 'taken over Up from the previous process' "$LIB_TMP/nomcast-n2.log" ||
		fail "the new nomcastd did not take the BFD sessions over"
	wait_for 5 bfd_up || fail "BFD not Up after the restart"
	iv=$(ctl -j show bfd edge4 | "$PY" -c '
import json, sys; print(round(json.load(sys.stdin)["sessions"][0]["tx_interval_seconds"] * 1000))')
	[ "$iv" = 50 ] || fail "BFD not back to 50 ms after the restart: $iv"
	ok "BFD: slowed down, handed over and taken up again: BIRD's session never left Up, back to 50 ms"
fi
ok "graceful restart: RIB and FIB kept throughout, End-of-RIB ${eor} ms after start (after the first verdicts), BIRD done $((t1 - t0)) ms after start"

# 1b. a service undecided past restart-defer-time (4 s): End-of-RIB by
# the timer, the peer drops that service's stale route, the others stay
slow_in() { bird_has_route edge 203.0.113.20/32; }
slow_out() { bird_no_route edge 203.0.113.20/32; }
wait_for 10 slow_in || fail "service slow not at BIRD"
touch "$SLOW"
ctl exit-mode graceful >/dev/null
stop_pid "$N"
t0=$(now_ms)
start_n n2b
wait_for 8 grep -q 'End-of-RIB sent with services still undecided' "$LIB_TMP/nomcast-n2b.log" ||
	fail "no End-of-RIB by the deferral timer"
wait_for 2 slow_out || fail "the undecided service's stale route outlived End-of-RIB"
t1=$(now_ms)
routes_present || fail "the decided service's routes left with End-of-RIB"
[ "$(status_field eor_by_timer)" = True ] || fail "show status: eor_by_timer"
eor=$(status_field eor_after_ms)
[ "$eor" -ge 3900 ] && [ "$eor" -le 4800 ] ||
	fail "End-of-RIB $eor ms after start, restart-defer-time is 4 s"
rm -f "$SLOW"
wait_for 10 slow_in || fail "service slow not back once decided"
ok "restart-defer-time: End-of-RIB by the timer $eor ms after start, the undecided service's stale route dropped $((t1 - t0)) ms after start, the rest kept"

# 2. the service went down while nomcastd was away
ctl exit-mode graceful >/dev/null
stop_pid "$N"
routes_present || fail "routes not kept on the second graceful exit"
rm -f "$FLAG"
t0=$(now_ms)
start_n n3
wait_for 10 routes_gone || fail "the stale routes of a service now down stayed"
t1=$(now_ms)
grep -q 'stale routes withdrawn' "$LIB_TMP/nomcast-n3.log" ||
	fail "no explicit withdraw of the down service"
ok "a service down after the restart: withdrawn $((t1 - t0)) ms after the new start"

# 3. exit-mode auto, no Nomad: a plain stop withdraws
touch "$FLAG"
wait_for 10 routes_present || fail "routes not back"
stop_pid "$N"
grep -q 'exit decided.*graceful=no.*without Nomad' "$LIB_TMP/nomcast-n3.log" ||
	fail "auto exit without Nomad not hard: $(grep 'exit decided' "$LIB_TMP/nomcast-n3.log")"
wait_for 3 routes_gone || fail "a hard exit left the routes"
[ ! -e "$REC" ] || fail "a hard exit left a record"
ok "exit-mode auto without Nomad: withdrawn, no record"

# 4. kill -9: no record.  Without BFD, BIRD keeps the routes for the
# restart time (8 s); with BFD the crash is a failure, gone at once.
start_n n4
wait_for 20 routes_present || fail "routes not back"
wait_for 10 fib_present || fail "FIB not back"
if [ "$MODE" = bfd ]; then
	wait_for 10 bfd_up || fail "BFD not Up before the crash"
	sleep 1.5	# past nomcastd's BFD hold-down
	stop_pid "$N" KILL
	t0=$(now_ms)
	wait_for 5 routes_gone || fail "routes of a crashed nomcastd stayed with BFD on"
	d=$(( $(now_ms) - t0 ))
	[ "$d" -le 1000 ] ||
		fail "routes of a crash gone after $d ms with BFD 50 ms x 3"
	grep -q 'BFD session down' "$LIB_TMP/bird-edge.trace" ||
		fail "BIRD did not see BFD go down"
	ok "kill -9 with BFD: routes gone in $d ms (BFD detection 150 ms; the restart time was 8 s)"
	exit 0
fi
sleep 1
stop_pid "$N" KILL
t0=$(now_ms)
sleep 2
routes_present || fail "BIRD dropped the routes of a crashed nomcastd before the restart time"
wait_for 15 routes_gone || fail "routes still there after the restart time"
d=$(( $(now_ms) - t0 ))
[ "$d" -ge 7000 ] && [ "$d" -le 11000 ] ||
	fail "routes of a crash gone after $d ms, not the restart time (8 s)"
ok "kill -9 without BFD: routes kept $d ms (restart time 8 s), then gone"
