#!/bin/sh
# tests/integ/gr_nomad.sh NOMCASTD - which exit is graceful, decided by
# what Nomad says at the SIGTERM (the stand-in agent, tests/nomad_agent.py,
# over the Task API socket, as a sidecar sees it), observed in a real BIRD
# with "graceful restart on":
#  1. the alloc running and traefik registered (a restart of the nomcast
#     task alone): graceful, the record in $NOMAD_ALLOC_DIR, the route
#     kept, and the next nomcastd comes back with it;
#  2. Nomad stopping the alloc (DesiredStatus stop, traefik deregistered,
#     as its client does): a plain exit, withdrawn, no record;
#  3. DesiredStatus stop while traefik is still registered (the window
#     before the client deregisters): plain, withdrawn;
#  4. the agent not answering the question (a hang on the allocation
#     endpoint): plain after the 1 s bound, not later;
#  5. Nomad's leader lost (every node at once): the question goes to a
#     follower (?stale), which knows the alloc runs: graceful, so a
#     leader election during a fleet-wide restart withdraws nothing.
set -eu
NOMCASTD=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
AGENT="$HERE/../nomad_agent.py"
. "$HERE/lib.sh"
lib_init gr-nomad
T=$LIB_TMP
PY=/usr/bin/python3
ALLOC=5b3d8f2e-7c1a-4e9b-a0d4-2f6c8e1b9a73
NODE=f2a1c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d
TOKEN=$($PY -c "import sys; sys.path.insert(0, '$HERE/..'); import nomad_agent; print(nomad_agent.DEFAULT_TOKEN)")
ALLOC_DIR=$T/alloc
REC=$ALLOC_DIR/nomcast.restart
mkdir -p "$ALLOC_DIR"

ns_add edge node
link edge 198.51.100.1/24 - node 198.51.100.2/24 -

cat >"$T/bird.conf" <<EOT
router id 198.51.100.1;
log "$T/bird-edge.trace" all;
protocol device { }
protocol bgp node {
	local 198.51.100.1 as 65000;
	neighbor 198.51.100.2 as 65001;
	hold time 9;
	passive on;
	graceful restart on;
	error wait time 1, 5;
	debug { events, states };
	ipv4 { import all; export none; };
}
EOT
bird_start edge edge "$T/bird.conf"

agent_start() {
	rm -f "$T/agent.ready"
	spawn node agent "$PY" "$AGENT" --unix "$T/api.sock" \
		--admin 127.0.0.1:4647 --ready "$T/agent.ready" \
		--alloc "$ALLOC" --node "$NODE" --check traefik-ping
	AGENT_PID=$SPAWNED
	wait_for 10 test -s "$T/agent.ready" || fail "the agent did not start"
}
admin() {	# admin PATH JSON
	ip netns exec "$(ns node)" curl -sf -X POST -H 'Content-Type: application/json' \
		-d "$2" "http://127.0.0.1:4647/admin/$1" >/dev/null ||
		fail "admin $1 $2 refused"
}
agent_start

cat >"$T/nomcast.ini" <<EOT
[global]
asn = 65001
router-id = 198.51.100.2
listen = no
control-socket = $T/ctl.sock

[peer edge]
address = 198.51.100.1
asn = 65000
hold-time = 9
connect-retry = 1
graceful-restart = yes
restart-time = 10s

[service web]
prefix = 203.0.113.10/32
nomad-service = traefik

[nomad]
check-interval = 200ms
wait = 10s
EOT

start_n() {	# start_n NAME: nomcastd as a sidecar: the Task API environment
	spawn node "nomcast-$1" env NOMAD_UNIX_ADDR="unix://$T/api.sock" \
		NOMAD_TOKEN="$TOKEN" NOMAD_ALLOC_ID="$ALLOC" \
		NOMAD_NAMESPACE=default NOMAD_ALLOC_DIR="$ALLOC_DIR" \
		"$NOMCASTD" -c "$T/nomcast.ini"
	N=$SPAWNED
	NLOG=$T/nomcast-$1.log
}
route_in() { bird_has_route edge 203.0.113.10/32; }
route_out() { bird_no_route edge 203.0.113.10/32; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
decided() {	# decided LOG: the exit decision's line
	grep 'exit decided' "$1" || echo "(none)"
}
fresh() {	# fresh NAME: a nomcastd up, announced, its route at BIRD
	start_n "$1"
	wait_for 20 bird_established edge node || fail "$1: session not Established"
	wait_for 10 route_in || fail "$1: route not at BIRD"
}

# 1. a restart of the nomcast task alone
fresh n1
stop_pid "$N"
grep -q 'exit decided.*graceful=yes.*Nomad still runs' "$NLOG" ||
	fail "task restart not graceful: $(decided "$NLOG")"
grep -q 'nomad says.*desired=run' "$NLOG" || fail "Nomad not asked"
[ -f "$REC" ] || fail "no record in NOMAD_ALLOC_DIR"
route_in || fail "the route left BIRD on a graceful exit"
start_n n2
wait_for 10 sh -c "grep -q 'Neighbor graceful restart done' $T/bird-edge.trace" ||
	fail "BIRD never ended the graceful restart"
grep -q 'graceful restart: coming back' "$NLOG" || fail "the record not used"
route_in || fail "the route not at BIRD after the restart"
ok "alloc running, traefik registered: graceful, record in NOMAD_ALLOC_DIR, route kept"

# 2. Nomad stops the alloc: DesiredStatus stop, traefik deregistered
admin stop_alloc "{\"alloc\": \"$ALLOC\", \"shutdown_delay_ms\": 0}"
wait_for 5 route_out || fail "the deregistration did not withdraw"
stop_pid "$N"
grep -q 'exit decided.*graceful=no.*Nomad deregistered web' "$NLOG" ||
	fail "a stopping alloc's exit: $(decided "$NLOG")"
[ ! -e "$REC" ] || fail "a record after a stop"
ok "alloc stopped (deregistered first): plain exit, no record"

# 3. DesiredStatus stop, traefik still registered
stop_pid "$AGENT_PID" 2>/dev/null || true
agent_start
fresh n3
admin alloc "{\"alloc\": \"$ALLOC\", \"set\": {\"DesiredStatus\": \"stop\"}}"
stop_pid "$N"
grep -q 'exit decided.*graceful=no.*stopping this allocation' "$NLOG" ||
	fail "DesiredStatus stop: $(decided "$NLOG")"
wait_for 5 route_out || fail "not withdrawn on DesiredStatus stop"
[ ! -e "$REC" ] || fail "a record after DesiredStatus stop"
ok "DesiredStatus stop, still registered: plain exit, withdrawn"

# 4. the agent does not answer the question
admin alloc "{\"alloc\": \"$ALLOC\", \"set\": {\"DesiredStatus\": \"run\"}}"
fresh n4
admin fault '{"mode": "hang", "endpoint": "alloc"}'
t0=$(now_ms)
stop_pid "$N"
d=$(( $(now_ms) - t0 ))
grep -q 'exit decided.*graceful=no.*did not say' "$NLOG" ||
	fail "no answer from Nomad: $(decided "$NLOG")"
[ "$d" -lt 3000 ] || fail "the exit waited $d ms for Nomad"
wait_for 5 route_out || fail "not withdrawn when Nomad did not answer"
ok "Nomad not answering: plain exit after the 1 s bound (exited in $d ms)"

# 5. no leader: the leader's 500, then a follower's stale answer
admin fault '{"mode": "clear"}'
fresh n5
admin leader '{"leader": false}'
stop_pid "$N"
grep -q 'no answer from the leader.*asking again, stale' "$NLOG" ||
	fail "no stale retry: $(grep 'nomad=alloc' "$NLOG")"
grep -q 'exit decided.*graceful=yes' "$NLOG" ||
	fail "leader lost: $(decided "$NLOG")"
route_in || fail "the route left BIRD on a graceful exit without a leader"
[ -f "$REC" ] || fail "no record"
admin leader '{"leader": true}'
ok "Nomad's leader lost: a follower answers (stale), graceful, route kept"
