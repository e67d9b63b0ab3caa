#!/bin/sh
# tests/integ/nomad_bird.sh NOMCASTD - Nomad-native health (nomad/watch.c)
# against the stand-in agent (tests/nomad_agent.py), observed in a real
# BIRD.  Two daemons at once, one per way to reach the agent: n1 over the
# Task API unix socket with everything from the task environment
# (NOMAD_UNIX_ADDR, NOMAD_TOKEN, NOMAD_ALLOC_ID), n2 over TCP with a
# [nomad] section.  The registration appearing announces; a failing Nomad
# check withdraws; the registration going withdraws within a round trip of
# the blocking query; the agent killed withdraws after grace (2 s) and not
# before, and its return announces again; a token without read-job gets
# 403 and a log line naming the capability; every fault mode of the agent
# leaves the daemons running with their sessions Established.  Run with
# NOMCASTD from a -Db_sanitize=address,undefined build to check them too.
set -eu
NOMCASTD=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
AGENT="$HERE/../nomad_agent.py"
. "$HERE/lib.sh"
lib_init nomad-bird
T=$LIB_TMP

ALLOC=5b3d8f2e-7c1a-4e9b-a0d4-2f6c8e1b9a73
NODE=f2a1c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d
TOKEN=$(python3 -c "import sys; sys.path.insert(0, '$HERE/..'); import nomad_agent; print(nomad_agent.DEFAULT_TOKEN)")
P1=203.0.113.50/32	# n1, unix socket
P1R=203.0.113.51/32	# n1, the registration alone (nomad-checks = none)
P2=203.0.113.60/32	# n2, TCP

ns_add edge n1 n2
link edge 198.51.100.1/25 - n1 198.51.100.2/25 -
link edge 198.51.100.129/25 - n2 198.51.100.130/25 -

cat >"$T/bird.conf" <<EOT
router id 198.51.100.1;
protocol device { }
template bgp nc {
	local as 65000;
	passive on;
	ipv4 { import all; export none; };
}
protocol bgp n1 from nc { neighbor 198.51.100.2 as 65001; }
protocol bgp n2 from nc { neighbor 198.51.100.130 as 65001; }
EOT
bird_start edge edge "$T/bird.conf"

# the agent lives in n2 (TCP on its loopback); n1 reaches it by the socket
agent_start() {
	rm -f "$T/agent.ready"
	spawn n2 agent /usr/bin/python3 "$AGENT" --unix "$T/api.sock" \
		--listen 127.0.0.1:4646 --admin 127.0.0.1:4647 \
		--ready "$T/agent.ready" "$@"
	AGENT_PID=$SPAWNED
	wait_for 10 test -s "$T/agent.ready" || fail "the agent did not start"
}
admin() {	# admin PATH JSON: POST to the agent's admin endpoint
	ip netns exec "$(ns n2)" curl -sf -X POST -H 'Content-Type: application/json' \
		-d "$2" "http://127.0.0.1:4647/admin/$1" >/dev/null ||
		fail "admin $1 $2 refused"
}
register() {
	admin register "{\"service\": \"traefik\", \"alloc\": \"$ALLOC\", \"node\": \"$NODE\", \"address\": \"198.51.100.11\", \"port\": 80}"
}
check_status() {	# check_status success|failure|pending
	out="nomad: test says $1"
	# a failing check's output is hostile: a quote, a forged key, a new
	# line, an escape sequence, a backslash (every log line must hold)
	[ "$1" = failure ] &&
		out="$out\\\" lvl=err forged=1\\n\\u001b[31m\\\\"
	admin check "{\"alloc\": \"$ALLOC\", \"check\": \"traefik-ping\", \"status\": \"$1\", \"output\": \"$out\"}"
}
fault() {	# fault MODE [extra json members]
	admin fault "{\"mode\": \"$1\"${2:+, $2}}"
}

agent_start --no-register

common() {	# common ROUTER_ID PREFIX: global, peer and service
	cat <<EOT
[global]
asn = 65001
router-id = $1
listen = no

[peer edge]
address = $3
asn = 65000
hold-time = 9
connect-retry = 1

[service web]
prefix = $2
nomad-service = traefik
EOT
}
common 198.51.100.2 $P1 198.51.100.1 >"$T/n1.ini"
cat >>"$T/n1.ini" <<EOT

[service reg]
prefix = $P1R
nomad-service = traefik
nomad-checks = none

[nomad]
check-interval = 200ms
wait = 10s
grace = 2s
on-outage = withdraw
EOT
common 198.51.100.130 $P2 198.51.100.129 |
	sed 's/^\[global\]$/[global]\nmetrics-listen = 127.0.0.1:9179/' >"$T/n2.ini"
cat >>"$T/n2.ini" <<EOT

[nomad]
address = http://127.0.0.1:4646
alloc-id = $ALLOC
namespace = default
check-interval = 200ms
wait = 10s
grace = 2s
EOT

# n1 sees what a sidecar in Nomad sees; n2 has an environment that must
# not matter
ip netns exec "$(ns n1)" env NOMAD_UNIX_ADDR="unix://$T/api.sock" \
	NOMAD_TOKEN="$TOKEN" NOMAD_ALLOC_ID="$ALLOC" NOMAD_NAMESPACE=default \
	"$NOMCASTD" -t -c "$T/n1.ini" >"$T/t1.out" 2>&1 || fail "-t n1: $(cat "$T/t1.out")"
spawn n1 nomcast-n1 env NOMAD_UNIX_ADDR="unix://$T/api.sock" \
	NOMAD_TOKEN="$TOKEN" NOMAD_ALLOC_ID="$ALLOC" NOMAD_NAMESPACE=default \
	"$NOMCASTD" -c "$T/n1.ini" -d
N1=$SPAWNED
spawn n2 nomcast-n2 env NOMAD_ADDR=http://192.0.2.99:1 NOMAD_ALLOC_ID=bogus \
	"$NOMCASTD" -c "$T/n2.ini" -d
N2=$SPAWNED
L1=$T/nomcast-n1.log
L2=$T/nomcast-n2.log

both() {	# both CMD: CMD for each prefix
	"$@" edge "$P1" && "$@" edge "$P2"
}
neither() {
	bird_no_route edge "$P1" && bird_no_route edge "$P2"
}
alive() {	# both daemons running, both sessions Established
	kill -0 "$N1" 2>/dev/null || fail "nomcastd n1 died"
	kill -0 "$N2" 2>/dev/null || fail "nomcastd n2 died"
	bird_established edge n1 || fail "session n1 not Established"
	bird_established edge n2 || fail "session n2 not Established"
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# gone_within MS T0 [PREFIX]: poll BIRD every 10 ms until both prefixes
# (or PREFIX) are gone; prints the delay since T0
gone_within() {
	t0=$2
	while [ $(( $(now_ms) - t0 )) -lt "$1" ]; do
		if [ -n "${3:-}" ]; then
			bird_no_route edge "$3" && { echo $(( $(now_ms) - t0 )); return 0; }
		elif neither; then echo $(( $(now_ms) - t0 )); return 0; fi
		sleep 0.01
	done
	return 1
}

wait_for 15 bird_established edge n1 || fail "no session n1"
wait_for 15 bird_established edge n2 || fail "no session n2"
sleep 0.5
neither || fail "announced before Nomad knew of the service"
grep -q 'nomad=client agent=/.*api.sock namespace=default alloc='"$ALLOC"' token=set' "$L1" ||
	fail "n1 did not take the socket, token and alloc from the environment"
grep -q 'nomad=client agent=http://127.0.0.1:4646 namespace=default alloc='"$ALLOC"' token=none' "$L2" ||
	fail "n2 did not take [nomad] over the environment"
ok "start: not registered, nothing announced; n1 configured from the environment"

# 1. the registration appears: announced (checks already passing)
register
wait_for 5 both bird_has_route || fail "not announced after the registration"
grep -q 'svc=web source=nomad nomad-service=traefik state=pass' "$L1" ||
	fail "no pass line in n1's log"
ok "registration appears: announced over the socket and TCP"

# 2. the Nomad check fails: withdrawn at the next poll; passes: back
t0=$(now_ms)
check_status failure
d=$(gone_within 3000 "$t0") || fail "not withdrawn after the check failed"
grep -qF "state=fail reason=\"nomad check 'traefik-ping' failure: nomad: test says failure' lvl=err forged=1\"" "$L1" ||
	fail "the failing check's output is not the reason"
ok "check fails: withdrawn in $d ms (poll interval 200 ms)"
check_status success
wait_for 5 both bird_has_route || fail "not back after the check passed"
ok "check passes: announced again"

# 3. pending after a result is a re-registration (an in-place update
#    re-stubs the check), not a failure: the last result holds for grace
#    (2 s), then a check that still has not run counts as not healthy
t0=$(now_ms)
check_status pending
sleep 1.2
both bird_has_route || fail "pending after up withdrew before grace"
d=$(gone_within 4000 "$t0") || fail "a check pending past grace left the route announced"
[ "$d" -ge 1900 ] || fail "pending withdrew after $d ms, before the 2 s grace"
grep -q 'nomad check .traefik-ping. re-registered (pending): its last result, success, holds' "$L1" ||
	fail "no hold reason in n1's log"
check_status success
wait_for 5 both bird_has_route || fail "not back after pending"
ok "check pending after up: the last result held, withdrawn after $d ms (grace 2 s), back when it passes"

# 4. the registration goes (a planned stop): the blocking query sees it.
#    The daemons' reaction is measured from the agent's log line of the
#    change to each daemon's withdraw (same clock); the end-to-end time to
#    BIRD's RIB includes this script's process start-ups and polling.
react() {	# react LOG: ms from the last deregistration to the withdraw
	python3 - "$T/agent.log" "$1" <<'EOF'
import sys, datetime
agent = [l for l in open(sys.argv[1]) if "POST /admin/deregister" in l]
t0 = float(agent[-1].split()[0])
lines = open(sys.argv[2]).read().splitlines()
i = max(n for n, l in enumerate(lines) if "registered=no" in l)
out = next(l for l in lines[i:] if "dir=out" in l and "withdrawn=1" in l)
ts = datetime.datetime.strptime(out.split()[0], "%Y-%m-%dT%H:%M:%S.%fZ")
t1 = ts.replace(tzinfo=datetime.timezone.utc).timestamp()
print(int(round((t1 - t0) * 1000)))
EOF
}
worst=0 worst1=0 worst2=0
for i in 1 2 3; do
	t0=$(now_ms)
	admin deregister "{\"service\": \"traefik\", \"alloc\": \"$ALLOC\"}"
	d=$(gone_within 2000 "$t0") || fail "not withdrawn after the deregistration"
	[ "$d" -gt "$worst" ] && worst=$d
	r1=$(react "$L1") && r2=$(react "$L2") || fail "no withdraw after registered=no"
	[ "$r1" -gt "$worst1" ] && worst1=$r1
	[ "$r2" -gt "$worst2" ] && worst2=$r2
	register
	wait_for 5 both bird_has_route || fail "not back after re-registration"
done
[ "$worst1" -lt 100 ] && [ "$worst2" -lt 100 ] ||
	fail "deregistration to withdraw: $worst1 ms (unix), $worst2 ms (TCP)"
[ "$worst" -lt 1500 ] || fail "deregistration took $worst ms to leave BIRD"
ok "deregistration: withdraw written $worst1 ms (unix) / $worst2 ms (TCP) after the agent's change, gone from BIRD's RIB within $worst ms (worst of 3)"

# 5. the agent goes away: an outage.  n1 (on-outage = withdraw) keeps the
#    route for grace (2 s), then withdraws; n2 (hold, the default) keeps
#    its last Nomad state for as long as the outage lasts
alive
t0=$(now_ms)
stop_pid "$AGENT_PID" KILL
rm -f "$T/api.sock"
sleep 1.5
both bird_has_route || fail "withdrawn before grace ran out ($(( $(now_ms) - t0 )) ms)"
d=$(gone_within 4000 "$t0" "$P1") || fail "n1 still announced 4 s after the agent died"
[ "$d" -ge 1900 ] || fail "withdrawn after $d ms, before the 2 s grace"
sleep 2
bird_has_route edge "$P2" || fail "n2 withdrew in an outage under on-outage = hold"
grep -q 'nomad=checks .*msg="cannot connect to the agent' "$L1" || fail "no connect error in n1's log"
n=$(grep -c 'lvl=warn nomad=checks .*msg="cannot connect' "$L1")
[ "$n" -le 2 ] || fail "the same connect error logged $n times"
for l in "$L1" "$L2"; do
	n=$(grep -c 'nomad=agent .*outage=unreachable policy=' "$l" || true)
	[ "$n" -eq 1 ] || fail "the outage's start logged $n times in ${l##*/}"
done
ok "agent killed: n1 (withdraw) kept for grace, withdrawn after $d ms; n2 (hold) still announced after 5.5 s; the outage logged once"

t0=$(now_ms)
agent_start
wait_for 10 both bird_has_route || fail "not announced after the agent came back"
grep -q 'nomad=checks .*msg="recovered after [0-9]* errors"' "$L1" || fail "no recovery line"
for l in "$L1" "$L2"; do
	# n2 never withdrew: its polls may see the agent a little later
	wait_for 5 grep -q 'nomad=agent .*outage=over' "$l" ||
		fail "no end of the outage in ${l##*/}"
done
ok "agent back: announced again after $(( $(now_ms) - t0 )) ms (agent start included), recovery and the outage's end logged"

# 5b. a hung agent (accepts, never answers) is noticed by the polls'
#     timeout: n1 withdraws within grace + 2 s whatever the blocking
#     query does; once it answers again the route is back within 1 s
alive
t0=$(now_ms)
fault hang
bird_has_route edge "$P1R" || fail "$P1R (nomad-checks = none) not announced"
t0=$(now_ms)
fault hang
d=$(gone_within 6000 "$t0" "$P1") || fail "n1 still announced 6 s into a hung agent"
[ "$d" -le 4000 ] || fail "hung agent noticed after $d ms (grace 2 s + 2 s)"
# the registration-only service has no checks poll: the probe sees it
dr=$(gone_within 6000 "$t0" "$P1R") || fail "$P1R still announced 6 s into a hung agent"
[ "$dr" -le 4000 ] || fail "hung agent noticed after $dr ms for nomad-checks = none"
bird_has_route edge "$P2" || fail "n2 withdrew for a hung agent under hold"
t0=$(now_ms)
fault clear
wait_for 5 bird_has_route edge "$P1" || fail "n1 not back after the hang"
wait_for 5 bird_has_route edge "$P1R" || fail "$P1R not back after the hang"
b=$(( $(now_ms) - t0 ))
[ "$b" -le 1500 ] || fail "n1 back $b ms after the agent answered again"
ok "hung agent: n1 withdrawn after $d ms (checks) / $dr ms (nomad-checks = none, the probe) (grace 2 s), n2 held; back $b ms after the hang ended"

# 6. ACLs on and no policy: the workload identity may still read the
#    registration (notes 6) but the checks answer 403; n2 has no token at
#    all.  The capability is named, and the routes go after grace.
admin token "{\"token\": \"$TOKEN\", \"kind\": \"workload\", \"read_job\": []}"
t0=$(now_ms)
admin acl '{"enabled": true}'
for l in "$L1" "$L2"; do
	wait_for 3 grep -q 'lvl=warn nomad=checks .*status=403 body="Permission denied" hint=".*read-job.*nomcast-policy.hcl' "$l" ||
		fail "no 403 line naming read-job and the policy in ${l##*/}"
done
sleep 1
both bird_has_route || fail "withdrawn before grace on 403"
d=$(gone_within 5000 "$t0" "$P1") || fail "n1 kept past grace with 403s"
bird_has_route edge "$P2" || fail "n2 withdrew on 403s under on-outage = hold"
for l in "$L1" "$L2"; do
	n=$(grep -c 'lvl=warn nomad=checks .*status=403' "$l")
	[ "$n" -eq 1 ] || fail "403 logged $n times in ${l##*/}"
	grep -q 'nomad=agent .*outage=refused' "$l" || fail "no refused outage in ${l##*/}"
done
grep -q 'lvl=warn nomad=registration .*status=403' "$L1" &&
	fail "n1's workload identity was refused the registration"
admin token "{\"token\": \"$TOKEN\", \"kind\": \"workload\", \"read_job\": [\"default\"]}"
wait_for 10 bird_has_route edge "$P1" || fail "n1 not back with read-job"
admin acl '{"enabled": false}'
bird_has_route edge "$P2" || fail "n2 not announced with ACLs off"
ok "403: logged once naming namespace:read-job and the policy; n1 (withdraw) withdrawn after $d ms (grace 2 s), n2 (hold) kept; back with the policy"

# 7. every fault mode: no crash, sessions stay up, the agent's word wins
#    again once the fault is cleared
for mode in slow hang 500 garbage truncated index_reset close reset 401 403; do
	case $mode in
	slow) fault slow '"ms": 700' ;;
	*) fault "$mode" ;;
	esac
	# another node's instance of traefik (re)registered wakes the
	# blocking queries on traefik (a change to another service would
	# not: notes 5), their filter keeps it out of the body, and their
	# next query meets the fault too
	admin register "{\"service\": \"traefik\", \"alloc\": \"9e0c4a17-3b2d-4f58-b6e1-7a9d2c5f8e04\", \"node\": \"6d7e8f90-a1b2-4c3d-9e4f-5a6b7c8d9e0f\", \"address\": \"198.51.100.12\", \"port\": 80}"
	sleep 1.2
	alive
	fault clear
	wait_for 12 both bird_has_route || fail "not announced again after fault $mode"
	ok "fault $mode: daemons alive, sessions Established, announced after clear"
done

# 7b. after a run of index resets a deregistration still withdraws
#     within a second (no backoff left over from the odd answers): other
#     instances of traefik come and go, which wakes the daemons' queries
#     into the fault
fault index_reset '"count": 40, "endpoint": "service"'
for a in c41f7b22-8d6e-4a03-9f15-e2b7a8c9d061 9e0c4a17-3b2d-4f58-b6e1-7a9d2c5f8e04; do
	admin register "{\"service\": \"traefik\", \"alloc\": \"$a\", \"node\": \"0a9b8c7d-6e5f-4a3b-8c1d-2e3f4a5b6c7d\", \"address\": \"198.51.100.13\", \"port\": 80}"
	sleep 0.6
	admin deregister "{\"service\": \"traefik\", \"alloc\": \"$a\"}"
	sleep 0.6
done
hits=$(ip netns exec "$(ns n2)" curl -sf http://127.0.0.1:4647/admin/fault |
	python3 -c 'import json, sys; print(sum(f["hits"] for f in json.load(sys.stdin)))' 2>/dev/null || echo 0)
[ "$hits" -ge 4 ] || fail "the index resets reached the queries only $hits times"
fault clear
t0=$(now_ms)
admin deregister "{\"service\": \"traefik\", \"alloc\": \"$ALLOC\"}"
d=$(gone_within 3000 "$t0") || fail "not withdrawn 3 s after a deregistration that followed index resets"
r1=$(react "$L1") && r2=$(react "$L2") || fail "no withdraw after registered=no"
[ "$r1" -le 1000 ] && [ "$r2" -le 1000 ] ||
	fail "deregistration after index resets: withdraw after $r1 ms (unix), $r2 ms (TCP)"
register
wait_for 5 both bird_has_route || fail "not back after re-registration"
ok "$hits index resets, then a deregistration: withdraw written $r1 ms (unix) / $r2 ms (TCP) after it, gone from BIRD in $d ms"

n=$(grep -c 'nomad=registration .*errors=' "$L1" || true)
[ "$n" -ge 8 ] || fail "the faults reached the registration queries only $n times"
n=$(grep -cE 'nomad=registration .*msg="(the index went backwards: re-reading|the agent answered a blocking query early)' "$L1" || true)
[ "$n" -ge 1 ] || fail "index_reset: the reset index was not seen"

# a megabyte answer and deep nesting are errors, not a crash
big=$(python3 -c 'print("[" * 100 + "]" * 100)')
fault status "\"status\": 200, \"body\": \"$big\", \"endpoint\": \"checks\""
sleep 1
alive
fault clear
wait_for 12 both bird_has_route || fail "not announced again after deep nesting"
ok "deeply nested JSON: an error, no crash"

python3 -c 'import json; print(json.dumps({"mode": "status", "status": 200,
	"endpoint": "checks", "body": "[" + "0," * 600000 + "0]"}))' >"$T/big.json"
ip netns exec "$(ns n2)" curl -sf -X POST -H 'Content-Type: application/json' \
	--data-binary @"$T/big.json" http://127.0.0.1:4647/admin/fault >/dev/null ||
	fail "admin fault (big) refused"
wait_for 3 grep -q 'nomad=checks .*answer larger than 1048576 octets' "$L1" ||
	fail "a 1.2 MB answer was not refused as too large"
alive
fault clear
wait_for 12 both bird_has_route || fail "not announced again after the big answer"
ok "1.2 MB answer: refused as too large, no crash"

# 8. the idle request rate: blocking queries plus the check poll
ip netns exec "$(ns n2)" curl -sf -X POST http://127.0.0.1:4647/admin/stats >/dev/null
sleep 3
ip netns exec "$(ns n2)" curl -sf http://127.0.0.1:4647/admin/stats >"$T/stats.json"
python3 - "$T/stats.json" <<'EOF' || fail "request rate: $(cat "$T/stats.json")"
import json, sys
s = json.load(open(sys.argv[1]))
n = s["requests"]
# two daemons, 3 s: 2 x 15 check polls (200 ms), n1's 15 probes (its
# service with nomad-checks = none) and a few blocking queries, one per
# Nomad service and daemon (n1's two services share theirs)
print("ok - idle: %d requests in 3 s from two daemons: %s" %
      (n, s["by_endpoint"]))
sys.exit(0 if n <= 60 else 1)
EOF

# 8b. the Nomad client's requests are in the metrics: answers and the
#     errors the fault modes above caused
ip netns exec "$(ns n2)" curl -sf http://127.0.0.1:9179/metrics >"$T/metrics.txt" ||
	fail "no metrics from n2"
mval() { awk -v k="$1" '$1 == k { print $2 }' "$T/metrics.txt"; }
ok_checks=$(mval 'nomcast_nomad_requests_total{endpoint="checks",result="ok"}')
err_checks=$(mval 'nomcast_nomad_requests_total{endpoint="checks",result="error"}')
ok_svc=$(mval 'nomcast_nomad_requests_total{endpoint="service",result="ok"}')
lat_n=$(mval 'nomcast_nomad_checks_request_duration_seconds_count')
[ "${ok_checks:-0}" -gt 10 ] && [ "${err_checks:-0}" -gt 0 ] &&
	[ "${ok_svc:-0}" -gt 0 ] && [ "${lat_n:-0}" -gt 10 ] ||
	fail "nomad metrics: checks ok=$ok_checks error=$err_checks service ok=$ok_svc latency count=$lat_n"
ok "metrics: Nomad requests checks ok=$ok_checks error=$err_checks, service ok=$ok_svc, $lat_n timed"

# 9. SIGTERM: exit 0, nothing left; sanitizer reports fail the test
stop_pid "$N1"
stop_pid "$N2"
wait_for 5 neither || fail "routes left after SIGTERM"
for l in "$L1" "$L2"; do
	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$l"; then
		fail "sanitizer report in ${l##*/}"
	fi
done
n=$(grep -c 'state=OpenConfirm->Established' "$L1" || true)
[ "$n" -eq 1 ] || fail "n1's session went down and up ($n times Established)"
n=$(grep -c 'state=OpenConfirm->Established' "$L2" || true)
[ "$n" -eq 1 ] || fail "n2's session went down and up ($n times Established)"
ok "SIGTERM: withdrawn; one session each the whole run; no sanitizer report"
