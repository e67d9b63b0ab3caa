#!/bin/sh
# tests/integ/feed_100k.sh NOMCASTD - a peer announces 100,000 distinct
# IPv4 /32s to nomcastd in packed, well-formed UPDATEs (badpeer.py feed).
# nomcastd is announce-only: it validates what it receives and keeps none
# of it (nomcastd(8)), so its resident memory must not grow by as much as
# 256 KiB, and the session must stay Established: nomcastd keeps sending
# KEEPALIVEs and sends no NOTIFICATION.  Prints rss_before_kib= and
# rss_after_kib=.  Under AddressSanitizer the RSS is the sanitizer's
# (quarantine, shadow memory), so the RSS assertion is skipped there.
set -eu
NOMCASTD=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
lib_init feed-100k
COUNT=100000
MAX_GROWTH_KIB=256

sanitized=""
if [ -n "${NOMCAST_SANITIZED:-}" ] ||
    ldd "$NOMCASTD" 2>/dev/null | grep -Eq 'lib(asan|ubsan|tsan|msan)'; then
	sanitized=yes
fi

ns_add edge node
link edge 198.51.100.1/24 2001:db8:1::1/64 node 198.51.100.2/24 2001:db8:1::2/64

cat >"$LIB_TMP/nomcast.ini" <<EOT
[global]
asn = 65001
router-id = 198.51.100.2

[peer edge]
address = 198.51.100.1
asn = 65000
passive = yes
hold-time = 3
connect-retry = 1
next-hop6 = 2001:db8:1::2

[service web]
prefix = 203.0.113.10/32
prefix = 2001:db8:100::10/128
communities = 65001:100 65001:200
large-communities = 65001:1:2
med = 50
EOT
nomcast_start node n "$LIB_TMP/nomcast.ini"
NPID=$NOMCAST_PID_n
NLOG="$LIB_TMP/nomcast-n.log"

rss_kib() {	# VmRSS of nomcastd, in KiB
	awk '$1 == "VmRSS:" { print $2 }' "/proc/$NPID/status"
}

SYNC="$LIB_TMP/sync"
mkdir "$SYNC"
spawn edge feeder /usr/bin/python3 "$HERE/badpeer.py" --local 198.51.100.1 \
    --remote 198.51.100.2 --hold 3 --sync "$SYNC" --count "$COUNT" feed
FEEDER=$SPAWNED

wait_for 20 test -e "$SYNC/established" || fail "no session"
# spawn's pid is nomcastd itself ("ip netns exec" execs it)
[ "$(readlink "/proc/$NPID/exe")" = "$NOMCASTD" ] ||
    fail "pid $NPID is not nomcastd"
ok "session Established"
sleep 0.5
rss_before=$(rss_kib)
touch "$SYNC/go"
wait_for 50 test -e "$SYNC/fed" || fail "the feed did not complete"
rss_after=$(rss_kib)
ok "$COUNT prefixes sent and read ($(grep '^fed' "$LIB_TMP/feeder.log"))"
kill -0 "$NPID" 2>/dev/null || fail "nomcastd died"
touch "$SYNC/done"
rc=0
wait "$FEEDER" || rc=$?
[ "$rc" -eq 0 ] || fail "the feeder failed: $(cat "$LIB_TMP/feeder.log")"
ok "session kept after the feed ($(grep '^keepalives' "$LIB_TMP/feeder.log"))"

echo "rss_before_kib=$rss_before rss_after_kib=$rss_after"
if [ -n "$sanitized" ]; then
	echo "sanitizer build: RSS growth assertion skipped"
else
	growth=$((rss_after - rss_before))
	[ "$growth" -lt "$MAX_GROWTH_KIB" ] ||
	    fail "RSS grew by $growth KiB (limit $MAX_GROWTH_KIB)"
	ok "RSS growth $growth KiB < $MAX_GROWTH_KIB KiB"
fi

# nothing was wrong with the feed: no NOTIFICATION sent, no UPDATE
# complaint; the only NOTIFICATION is the feeder's final Cease
grep -Eq "notif=[0-9]+/[0-9]+ sent=" "$NLOG" &&
    fail "nomcastd sent a NOTIFICATION: $(grep -E 'notif=' "$NLOG")"
grep -Eq "action=|malformed" "$NLOG" &&
    fail "nomcastd complained: $(grep -E 'action=|malformed' "$NLOG")"
[ "$(grep -c 'notif=6/2 rcvd=' "$NLOG")" -eq 1 ] ||
    fail "expected exactly the feeder's Cease in nomcastd's log"
ok "no NOTIFICATION from nomcastd; the session ended with the feeder's Cease"

kill -TERM "$NPID"
rc=0
wait "$NPID" || rc=$?
[ "$rc" -eq 0 ] || fail "nomcastd exited with status $rc"
if grep -Eq "AddressSanitizer|LeakSanitizer|runtime error:" "$NLOG"; then
	fail "sanitizer report in nomcastd's log"
fi
ok "nomcastd exited 0 on SIGTERM, no sanitizer report"
