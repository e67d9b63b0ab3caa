#!/bin/sh
# tests/integ/metrics.sh NOMCASTD - the Prometheus endpoint (nomcastd/metrics.c)
# of a nomcastd peering with BIRD in network namespaces, scraped with curl
# from inside the node's namespace.  Every scrape is checked by
# promparse.py (the text format: names, labels, escapes, TYPE lines,
# counters, histogram buckets); the values follow what happens: the peer
# Established, check results growing, a failing check bumping its fail
# total and the service going down, the verdict coming back.  Other paths
# are 404.  200 concurrent scrapes plus 200 stalled connections leave the
# loop responsive: checks keep their rate, another scrape answers fast, the
# BGP session stays up.  SIGTERM exits 0 (with a sanitizer build: clean).
set -eu
NOMCASTD=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
lib_init metrics
PY=/usr/bin/python3
PARSE="$PY $HERE/promparse.py"

$PARSE --selftest >/dev/null || fail "promparse.py accepts broken input"

edge_node

FLAG=$LIB_TMP/flag
cat >"$LIB_TMP/check.sh" <<EOT
#!/bin/sh
test -e "$FLAG"
EOT
chmod +x "$LIB_TMP/check.sh"
mkdir -p "$LIB_TMP/www"
echo pong >"$LIB_TMP/www/ping"
http_start() {
	spawn node http $PY -m http.server 8080 --bind 127.0.0.1 \
		--directory "$LIB_TMP/www"
	HTTP_PID=$SPAWNED
}

cat >"$LIB_TMP/nomcast.ini" <<EOT
[global]
asn = 65001
router-id = 198.51.100.2
metrics-listen = 127.0.0.1:9179

[peer edge]
address = 198.51.100.1
asn = 65000
hold-time = 9
connect-retry = 1

[check flag]
type = exec
command = $LIB_TMP/check.sh
interval = 100ms
timeout = 90ms
rise = 2

[check ping]
type = http
url = http://127.0.0.1:8080/ping
body = pong
interval = 100ms
timeout = 90ms
rise = 2

[service flagged]
prefix = 203.0.113.10/32
checks = flag

[service web]
prefix = 203.0.113.20/32
checks = ping
EOT

M=$LIB_TMP/m.txt
URL=http://127.0.0.1:9179/metrics
scrape() {	# scrape: fetch into $M and check the format
	ip netns exec "$(ns node)" curl -sS -f --max-time 5 -D "$LIB_TMP/h.txt" \
		-o "$M" "$URL" || fail "scrape failed"
	$PARSE "$M" || fail "exposition rejected (kept in $M)"
}
val() {		# val SELECTOR: its value in the last scrape
	$PARSE "$M" "$1" || fail "no sample $1 in $(cat "$M")"
}
# wait_val SECONDS SELECTOR OP NUMBER: scrape until the value compares
wait_val() {
	t=$1 sel=$2 op=$3 want=$4
	end=$(( $(date +%s%N) + t * 1000000000 ))
	while :; do
		scrape
		v=$(val "$sel")
		# values are integers or floats: compare with awk
		if awk -v a="$v" -v b="$want" "BEGIN { exit !(a $op b) }"; then
			return 0
		fi
		[ "$(date +%s%N)" -lt "$end" ] || return 1
		sleep 0.1
	done
}
P='peer="edge",address="198.51.100.1"'

# 1. the flag absent, no HTTP target: both checks fail, nothing is up
nomcast_start node n "$LIB_TMP/nomcast.ini"
wait_for 10 ip netns exec "$(ns node)" curl -sf -o /dev/null "$URL" ||
	fail "no metrics endpoint"
grep -q 'msg="metrics on http://127.0.0.1:9179/metrics"' \
	"$LIB_TMP/nomcast-n.log" || fail "no startup line for the endpoint"
scrape
grep -qi '^Content-Type: text/plain; version=0.0.4; charset=utf-8' \
	"$LIB_TMP/h.txt" || fail "content type: $(cat "$LIB_TMP/h.txt")"
[ "$(val 'nomcast_build_info')" = 1 ] || fail "build_info"
start=$(val nomcast_start_time_seconds)
now=$(date +%s)
[ "$start" -le "$now" ] && [ "$start" -ge $((now - 60)) ] ||
	fail "start time $start, now $now"
wait_val 5 'nomcast_check_results_total{check="flag",result="fail"}' '>=' 3 ||
	fail "flag check fails not counted"
wait_val 5 'nomcast_check_results_total{check="ping",result="fail"}' '>=' 3 ||
	fail "ping check fails not counted"
[ "$(val 'nomcast_check_results_total{check="flag",result="pass"}')" = 0 ] ||
	fail "flag passes while the flag is absent"
[ "$(val 'nomcast_service_verdict{service="web"}')" = 2 ] ||
	fail "web verdict not down (2)"
[ "$(val 'nomcast_service_up{service="web"}')" = 0 ] || fail "web up"
[ "$(val 'nomcast_check_passing{check="ping"}')" = 0 ] || fail "ping passing"
ok "start: checks fail and are counted; services down; build and start time"

# 2. the session: Established, counted once, messages both ways
wait_for 15 bird_established edge node || fail "no session"
wait_val 5 "nomcast_peer_up{$P}" '==' 1 || fail "peer_up not 1"
[ "$(val "nomcast_peer_state{$P}")" = 5 ] || fail "state not 5 (Established)"
EST="nomcast_peer_transitions_total{$P,state=\"Established\"}"
[ "$(val "$EST")" = 1 ] || fail "Established entered $(val "$EST") times"
[ "$(val "nomcast_peer_transitions_total{$P,state=\"OpenSent\"}")" -ge 1 ] ||
	fail "OpenSent never entered"
[ "$(val "nomcast_peer_messages_received_total{$P}")" -ge 2 ] ||
	fail "messages received (OPEN, KEEPALIVE)"
[ "$(val "nomcast_peer_messages_sent_total{$P}")" -ge 2 ] ||
	fail "messages sent"
[ "$(val "nomcast_peer_prefixes_announced{$P}")" = 0 ] ||
	fail "prefixes announced while every service is down"
ok "session: peer_up 1, state 5, one transition into Established"

# 3. the flag appears: passes grow, the service comes up and is announced
upd0=$(val "nomcast_peer_updates_sent_total{$P}")
tr0=$(val 'nomcast_service_transitions_total{service="flagged"}')
touch "$FLAG"
wait_val 5 'nomcast_service_verdict{service="flagged"}' '==' 1 ||
	fail "flagged not up"
wait_val 5 "nomcast_peer_prefixes_announced{$P}" '==' 1 ||
	fail "prefix not counted as announced"
[ "$(val 'nomcast_check_results_total{check="flag",result="pass"}')" -ge 2 ] ||
	fail "flag passes (rise 2) not counted"
[ "$(val "nomcast_peer_updates_sent_total{$P}")" -gt "$upd0" ] ||
	fail "UPDATE sent not counted"
[ "$(val 'nomcast_service_transitions_total{service="flagged"}')" -gt "$tr0" ] ||
	fail "service transition not counted"
bird_has_route edge 203.0.113.10/32 || fail "BIRD lacks the route"
n=$(val 'nomcast_check_latency_seconds_count{check="flag"}')
[ "$n" -ge 5 ] || fail "flag latency observations: $n"
ok "flag up: passes counted, verdict 1, one prefix announced, UPDATE counted"

# 4. the HTTP target: passes; then stopped: the fail total grows, down
http_start
wait_val 5 'nomcast_service_up{service="web"}' '==' 1 || fail "web not up"
wait_val 5 "nomcast_peer_prefixes_announced{$P}" '==' 2 ||
	fail "two prefixes not announced"
f0=$(val 'nomcast_check_results_total{check="ping",result="fail"}')
stop_pid "$HTTP_PID"
wait_val 5 'nomcast_check_results_total{check="ping",result="fail"}' '>' "$f0" ||
	fail "ping fail total did not grow with the target stopped"
wait_val 5 'nomcast_service_verdict{service="web"}' '==' 2 ||
	fail "web not down"
wait_val 5 "nomcast_peer_prefixes_announced{$P}" '==' 1 ||
	fail "withdrawn prefix still counted"
# a fast local HTTP answer: most probes well under 50 ms
b=$(val 'nomcast_check_latency_seconds_bucket{check="ping",le="0.05"}')
c=$(val 'nomcast_check_latency_seconds_count{check="ping"}')
[ "$b" -ge 1 ] && [ "$c" -ge "$b" ] || fail "ping latency buckets: $b of $c"
f1=$(val 'nomcast_check_results_total{check="ping",result="fail"}')
ok "http target stopped: fail total $f0 -> $f1, web down (2), 1 prefix"

# 5. other paths and methods
code=$(ip netns exec "$(ns node)" curl -s -o /dev/null -w '%{http_code}' \
	http://127.0.0.1:9179/)
[ "$code" = 404 ] || fail "/ answered $code"
code=$(ip netns exec "$(ns node)" curl -s -o /dev/null -w '%{http_code}' \
	http://127.0.0.1:9179/metrics/x)
[ "$code" = 404 ] || fail "/metrics/x answered $code"
code=$(ip netns exec "$(ns node)" curl -s -o /dev/null -w '%{http_code}' \
	-X POST -d x "$URL")
[ "$code" = 405 ] || fail "POST answered $code"
ok "other paths 404, POST 405"

# 6. load: 200 stalled connections (half a request line each) and five
#    rounds of 200 concurrent scrapes.  The loop must stay responsive: the
#    flag check (every 100 ms) keeps its rate, a scrape in the middle
#    answers fast, and the session stays up.
cat >"$LIB_TMP/stall.py" <<'EOT'
import socket, sys, time
socks = []
for _ in range(200):
    s = socket.create_connection(("127.0.0.1", 9179))
    s.sendall(b"GET /metr")
    socks.append(s)
open(sys.argv[1], "w").write("%d\n" % len(socks))
time.sleep(float(sys.argv[2]))
EOT
scrape
r0=$(val 'nomcast_check_results_total{check="flag",result="pass"}')
t0=$(date +%s%N)
spawn node stall $PY "$LIB_TMP/stall.py" "$LIB_TMP/stalled" 4
wait_for 5 test -s "$LIB_TMP/stalled" || fail "could not open 200 connections"
urls=""
i=0
while [ $i -lt 200 ]; do urls="$urls $URL"; i=$((i + 1)); done
# five rounds of 200 at once, so the load outlasts the scrape timed below
# shellcheck disable=SC2086
ip netns exec "$(ns node)" sh -c 'for r in 1 2 3 4 5; do
	curl -s --parallel --parallel-immediate --parallel-max 200 \
		--max-time 20 -w "%{http_code} %{size_download}\n" \
		-o /dev/null "$@" || exit 1
done' sh $urls >"$LIB_TMP/par.txt" 2>&1 &
PAR=$!
# scrapes of our own while the load runs (at least one): the slowest,
# connect to last byte as curl times it (no process start-up in it)
max=0 n=0
while [ $n -eq 0 ] || kill -0 "$PAR" 2>/dev/null; do
	tt=$(ip netns exec "$(ns node)" curl -sS -f --max-time 5 -o "$M" \
		-w '%{time_total}' "$URL") || fail "scrape during the load failed"
	ms=$(awk -v t="$tt" 'BEGIN { printf "%d", t * 1000 }')
	[ "$ms" -gt "$max" ] && max=$ms
	n=$((n + 1))
done
$PARSE "$M" || fail "exposition during the load rejected"
wait "$PAR" || fail "parallel scrapes: curl failed: $(tail -3 "$LIB_TMP/par.txt")"
n200=$(grep -c '^200 [1-9]' "$LIB_TMP/par.txt" || true)
# every scrape is answered; a client-side timeout on a loaded sanitizer
# run may cost one or two, the loop's responsiveness is timed below
[ "$n200" -ge 995 ] || fail "of 5 x 200 concurrent scrapes $n200 got a 200 with a body: $(grep -v '^200 [1-9]' "$LIB_TMP/par.txt" | sort | uniq -c | head -5)"
[ "$max" -lt 1000 ] || fail "a scrape during the load took $max ms"
wait_for 6 sh -c "! kill -0 $SPAWNED 2>/dev/null" || true
t1=$(date +%s%N)
scrape
r1=$(val 'nomcast_check_results_total{check="flag",result="pass"}')
el=$(( (t1 - t0) / 1000000 ))
# one result per 100 ms; allow half of that for a loaded machine
[ $(( (r1 - r0) * 200 )) -ge "$el" ] ||
	fail "flag results fell behind under load: $((r1 - r0)) in $el ms"
[ "$(val "nomcast_peer_up{$P}")" = 1 ] &&
	[ "$(val "$EST")" = 1 ] ||
	fail "the session dropped under load"
ok "load: 5 x 200 concurrent scrapes beside 200 stalled connections;" \
	"$n scrapes beside them, the slowest $max ms;" \
	"flag results $((r1 - r0)) in $el ms"

# 7. SIGTERM: exit 0, and under a sanitizer nothing reported
kill -TERM "$NOMCAST_PID_n"
rc=0
wait "$NOMCAST_PID_n" || rc=$?
[ "$rc" = 0 ] || fail "nomcastd exited $rc after SIGTERM"
if grep -Eq "AddressSanitizer|LeakSanitizer|runtime error:" \
	"$LIB_TMP/nomcast-n.log"; then
	fail "sanitizer report: $(grep -E -A5 'Sanitizer|runtime error' \
		"$LIB_TMP/nomcast-n.log" | head -20)"
fi
ok "SIGTERM: exited; no sanitizer report"
