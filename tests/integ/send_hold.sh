#!/bin/sh
# tests/integ/send_hold.sh NOMCASTD - a peer that asks for the table and
# then reads nothing, while its KEEPALIVEs keep the session alive: after
# the send hold time (RFC 9687; send-hold-time = 10 here) nomcastd closes
# the session with Send Hold Timer Expired, says so in the log, show peers
# and the metrics, and nothing else in the daemon waited on that peer.
set -eu
NOMCASTD=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
lib_init send-hold
NOMCASTCTL=${NOMCASTCTL:-$(dirname "$NOMCASTD")/nomcastctl}
SOCK="$LIB_TMP/ctl.sock"
ctl() { ip netns exec "$(ns node)" "$NOMCASTCTL" -s "$SOCK" "$@"; }

ns_add edge node
link edge 198.51.100.1/24 2001:db8:1::1/64 node 198.51.100.2/24 2001:db8:1::2/64

conf="$LIB_TMP/nomcast.ini"
cat >"$conf" <<EOT
[global]
asn = 65001
router-id = 198.51.100.2
control-socket = $SOCK

[peer edge]
address = 198.51.100.1
asn = 65000
passive = yes
hold-time = 9
send-hold-time = 10

EOT
# 240 routes: each refresh queues about 1.5 KB again
s=0
while [ $s -lt 4 ]; do
	printf '\n[service bulk%d]\n' $s >>"$conf"
	i=0
	while [ $i -lt 60 ]; do
		echo "prefix = 203.0.$s.$((i + 1))/32" >>"$conf"
		i=$((i + 1))
	done
	s=$((s + 1))
done

nomcast_start node n "$conf"
wait_for 10 test -S "$SOCK" || fail "no control socket"
mkdir -p "$LIB_TMP/sync"
spawn edge badpeer /usr/bin/python3 "$HERE/badpeer.py" --local 198.51.100.1 \
	--remote 198.51.100.2 --count 2000 --sync "$LIB_TMP/sync" -v send-hold
bp=$SPAWNED
wait_for 30 test -f "$LIB_TMP/sync/flooded" || fail "the requests were not sent"
# the loop is free meanwhile: the control socket answers at once
i=0
while [ $i -lt 5 ]; do
	sleep 1
	t0=$(date +%s%N)
	ctl show peers >/dev/null || fail "nomcastctl failed while the peer stalled"
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ "$ms" -lt 500 ] || fail "show peers took $ms ms while the peer stalled"
	i=$((i + 1))
done
wait_for 40 test -f "$LIB_TMP/sync/closed" ||
	fail "the session outlived its send hold time"
took=$(cat "$LIB_TMP/sync/closed")
rc=0
wait "$bp" || rc=$?
forget_pid "$bp"
[ $rc -eq 0 ] || fail "send-hold: $(cat "$LIB_TMP/badpeer.log")"
# 10 s from the last byte the peer read, and that was before the last
# request was in: not sooner than 10 s after the flood, not much later
awk -v t="$took" 'BEGIN { exit !(t >= 10 && t <= 25) }' ||
	fail "closed $took s after the flood (send hold time 10 s)"
grep -q 'send hold timer expired' "$LIB_TMP/nomcast-n.log" ||
	fail "no log line for the send hold timer"
js=$(ctl -j show peers)
echo "$js" | /usr/bin/python3 -c '
import json, sys
p = json.load(sys.stdin)["peers"][0]
assert p["send_hold_expired"] == 1, p
err = p["last_error"]
assert err["code"] == 8 and err["direction"] == "sent", err
' || fail "show peers: $js"
kill -0 "$NOMCAST_PID_n" || fail "nomcastd died"
ok "unread peer closed with Send Hold Timer Expired $took s after its requests; nomcastctl answered meanwhile"
