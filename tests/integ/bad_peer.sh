#!/bin/sh
# tests/integ/bad_peer.sh NOMCASTD - nomcastd against a misbehaving peer
# (tests/integ/badpeer.py, raw BGP over TCP).  nomcastd is passive in one
# namespace; badpeer connects from another and plays one case per peer
# address: a malformed message must get the exact NOTIFICATION (code,
# subcode, data) RFC 4271 6 / RFC 6608 / RFC 7313 / RFC 7606 prescribe, and
# the RFC 7606 treat-as-withdraw and attribute-discard errors must leave
# the session up.  badpeer.py cites the RFC section of every expected
# value.  Each case uses its own [peer], so the reconnect backoff of one
# does not slow the next; at the end every peer must be accepted again
# and reach Established (nomcastd restarted each failed session), and
# nomcastd must exit 0 on SIGTERM with no sanitizer report.
set -eu
NOMCASTD=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
BADPEER="$HERE/badpeer.py"
. "$HERE/lib.sh"
lib_init bad-peer

# case name, then what nomcastd must log about that peer (a regex)
CASES='bad-marker notif=1/1 sent=
bad-length-18 notif=1/2 sent=
bad-length-4097 notif=1/2 sent=
bad-type-9 notif=1/3 sent=
open-version-3 notif=2/1 sent=
open-bad-peer-as notif=2/2 sent=
open-hold-1 notif=2/6 sent=
open-bgp-id-0 notif=2/3 sent=
open-unknown-param notif=2/4 sent=
update-in-opensent notif=5/1 sent=
update-in-openconfirm notif=5/2 sent=
open-in-established notif=5/3 sent=
keepalive-with-body notif=1/2 sent=
update-origin-5 action=treat-as-withdraw attr=1
update-attr-overruns-tal action=treat-as-withdraw
update-atomic-aggregate-len-1 action=attribute-discard attr=6
update-tal-overruns-message notif=3/1 sent=
update-unknown-wellknown notif=3/2 sent=
update-duplicate-mp-reach notif=3/1 sent=
update-nlri-length-33 notif=3/10 sent=
borr-bad-length notif=7/1 sent=
peer-notification notif=6/2 rcvd=.*msg="badpeer says bye ."now." .. .nlvl=err forged=1"$
hold-timer-expiry notif=4/0 sent='
NCASES=$(echo "$CASES" | wc -l)

ns_add edge node
link edge 198.51.100.1/24 2001:db8:1::1/64 node 198.51.100.2/24 2001:db8:1::2/64
EDGE_IF=$LINK_A

# one peer address per case: 198.51.100.11, .12, ...
conf="$LIB_TMP/nomcast.ini"
cat >"$conf" <<EOT
[global]
asn = 65001
router-id = 198.51.100.2

[service web]
prefix = 203.0.113.10/32
prefix = 2001:db8:100::10/128
communities = 65001:100 65001:200
large-communities = 65001:1:2
med = 50
EOT
i=1
while [ "$i" -le "$NCASES" ]; do
	n=$((10 + i))
	ip -n "$(ns edge)" addr add "198.51.100.$n/24" dev "$EDGE_IF"
	cat >>"$conf" <<EOT

[peer p$n]
address = 198.51.100.$n
asn = 65000
passive = yes
hold-time = 9
connect-retry = 1
next-hop6 = 2001:db8:1::2
EOT
	i=$((i + 1))
done

"$NOMCASTD" -t -c "$conf" || fail "configuration rejected"
nomcast_start node n "$conf"
NLOG="$LIB_TMP/nomcast-n.log"

peer() {	# peer ADDR CASE: badpeer.py in the edge namespace
	ip netns exec "$(ns edge)" /usr/bin/python3 "$BADPEER" \
	    --local "$1" --remote 198.51.100.2 "$2"
}

logged() {	# logged ADDR REGEX: nomcastd logged this about that peer
	grep -Eq "peer=$1 .*$2" "$NLOG"
}

i=1
echo "$CASES" | while read -r name expect; do
	echo "$i $name $expect"
	i=$((i + 1))
done >"$LIB_TMP/cases"

while read -r i name expect; do
	addr="198.51.100.$((10 + i))"
	kill -0 "$NOMCAST_PID_n" 2>/dev/null || fail "nomcastd died"
	peer "$addr" "$name" || fail "$name"
	wait_for 3 logged "$addr" "$expect" ||
	    fail "$name: nomcastd did not log /$expect/ for $addr"
	ok "$name"
done <"$LIB_TMP/cases"

# nomcastd restarts every session that ended: each peer is accepted again
while read -r i name expect; do
	addr="198.51.100.$((10 + i))"
	peer "$addr" establish || fail "$name: not accepted again"
done <"$LIB_TMP/cases"
ok "all $NCASES peers accepted again and Established"

# no NOTIFICATION was sent for the cases that must keep the session
for name in update-origin-5 update-attr-overruns-tal \
    update-atomic-aggregate-len-1; do
	i=$(awk -v n="$name" '$2 == n { print $1 }' "$LIB_TMP/cases")
	addr="198.51.100.$((10 + i))"
	! logged "$addr" "notif=[0-9]+/[0-9]+ sent=" ||
	    fail "$name: nomcastd sent a NOTIFICATION"
done
ok "RFC 7606 treat-as-withdraw and attribute-discard: no NOTIFICATION"

# SIGTERM: clean exit, and no sanitizer report (ASan/UBSan builds)
kill -TERM "$NOMCAST_PID_n"
rc=0
wait "$NOMCAST_PID_n" || rc=$?
[ "$rc" -eq 0 ] || fail "nomcastd exited with status $rc"
if grep -Eq "AddressSanitizer|LeakSanitizer|runtime error:" "$NLOG"; then
	fail "sanitizer report in nomcastd's log"
fi
ok "nomcastd exited 0 on SIGTERM, no sanitizer report"
