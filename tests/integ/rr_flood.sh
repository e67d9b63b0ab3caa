#!/bin/sh
# tests/integ/rr_flood.sh NOMCASTD - a peer that asks for the table 20,000
# times (ROUTE-REFRESH) and reads nothing: nomcastd's memory stays within
# 1 MiB of where it was, and the session stays up (RFC 9687's send hold
# timer, 8 minutes by default, is send_hold.sh's).
set -eu
NOMCASTD=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
lib_init rr-flood

# 1 MiB; a sanitizer build's allocator keeps freed memory in quarantine,
# so there the bound is 16 MiB (the queue unbounded grew by 47 MiB)
MAX_GROWTH_KIB=1024
if [ -n "${NOMCAST_SANITIZED:-}" ] ||
    ldd "$NOMCASTD" 2>/dev/null | grep -Eq 'lib(asan|ubsan|tsan|msan)'; then
	MAX_GROWTH_KIB=16384
fi

ns_add edge node
link edge 198.51.100.1/24 2001:db8:1::1/64 node 198.51.100.2/24 2001:db8:1::2/64

conf="$LIB_TMP/nomcast.ini"
cat >"$conf" <<EOT
[global]
asn = 65001
router-id = 198.51.100.2

[peer edge]
address = 198.51.100.1
asn = 65000
passive = yes
hold-time = 9
next-hop6 = 2001:db8:1::2

EOT
# 480 routes (8 services of 60, the most a service takes is 64): each
# refresh would queue about 3 KB again
s=0
while [ $s -lt 8 ]; do
	printf '\n[service bulk%d]\n' $s >>"$conf"
	i=0
	while [ $i -lt 60 ]; do
		echo "prefix = 203.0.$s.$((i + 1))/32" >>"$conf"
		i=$((i + 1))
	done
	s=$((s + 1))
done

rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$NOMCAST_PID_n/status"
}

nomcast_start node n "$conf"
sleep 1
before=$(rss_kb)
mkdir -p "$LIB_TMP/sync"
spawn edge badpeer /usr/bin/python3 "$HERE/badpeer.py" --local 198.51.100.1 \
	--remote 198.51.100.2 --count 20000 --sync "$LIB_TMP/sync" rr-flood
bp=$SPAWNED
wait_for 30 test -f "$LIB_TMP/sync/flooded" || fail "the flood was not sent"
sleep 2
after=$(rss_kb)
kill -0 "$NOMCAST_PID_n" || fail "nomcastd died"
rm -f "$LIB_TMP/sync/flooded"
rc=0
wait "$bp" || rc=$?
forget_pid "$bp"
[ $rc -eq 0 ] || fail "rr-flood: $(cat "$LIB_TMP/badpeer.log")"
grep -q 'notif=[0-9]*/[0-9]* sent=' "$LIB_TMP/nomcast-n.log" &&
	fail "nomcastd sent a NOTIFICATION"
grow=$((after - before))
[ "$grow" -le "$MAX_GROWTH_KIB" ] ||
	fail "RSS grew by $grow KiB ($before -> $after KiB, limit $MAX_GROWTH_KIB)"
ok "20,000 ROUTE-REFRESH unread: RSS $before -> $after KiB (+$grow), session up"
