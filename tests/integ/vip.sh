#!/bin/sh
# tests/integ/vip.sh NOMCASTD - the service address on an interface through
# libnl (nomcastd/vip.c), driven by viptool ($VIPTOOL) inside a network
# namespace and observed with `ip -n NS addr` / `ip -n NS link`: add on lo
# (IPv4 and IPv6, usable at once: a socket binds to it and a peer namespace
# connects to it), idempotent add and del, a missing interface created as
# a dummy and removed by cleanup, an operator's interface left alone, an
# invalid name refused with a logged reason.  Never in the root namespace.
set -eu
VIPTOOL=${VIPTOOL:?VIPTOOL must name the viptool binary}
VIPTOOL=$(realpath "$VIPTOOL")
. "$(dirname "$0")/lib.sh"
lib_init vip

V4=203.0.113.10/32
V6=2001:db8:100::10/128

ns_add node peer
link node 198.51.100.2/24 2001:db8:1::2/64 peer 198.51.100.1/24 2001:db8:1::1/64
NODE=$(ns node)
PEER=$(ns peer)

vt() {		# vt ARGS...: viptool in the node namespace, log kept
	ip netns exec "$NODE" "$VIPTOOL" "$@" 2>>"$LIB_TMP/viptool.log"
}

vt_log() {	# vt_log LOGNAME ARGS...: viptool, stderr in LOGNAME.log only
	log=$1; shift
	ip netns exec "$NODE" "$VIPTOOL" "$@" 2>"$LIB_TMP/$log.log"
}

has_addr() {	# has_addr DEV ADDR/LEN: ip as the observer
	ip -n "$NODE" addr show dev "$1" | grep -q "inet6\? $2 "
}

count_addr() {	# count_addr DEV ADDR/LEN
	ip -n "$NODE" addr show dev "$1" | grep -c "inet6\? $2 " || true
}

# 1. add on lo: both families appear, and are usable at once
vt add lo "$V4" || fail "add $V4 on lo"
vt add lo "$V6" || fail "add $V6 on lo"
has_addr lo "$V4" || fail "$V4 not on lo: $(ip -n "$NODE" addr show dev lo)"
has_addr lo "$V6" || fail "$V6 not on lo: $(ip -n "$NODE" addr show dev lo)"
ip -n "$NODE" -6 addr show dev lo | grep "$V6" | grep -q tentative &&
	fail "$V6 tentative (DAD not skipped)"
vt present lo "$V4" || fail "vip_present: $V4 not seen"
vt present lo "$V6" || fail "vip_present: $V6 not seen"
ok "add: $V4 and $V6 on lo, seen by ip and by vip_present"

ip -n "$NODE" -4 addr show dev lo | grep "$V4" | grep -q "scope host" ||
	fail "$V4 on lo is not scope host"
ok "IPv4 VIP on lo has scope host (never chosen as a source address)"

# a proxy binds to the VIP right away, and a peer reaches it (the node
# routes both VIPs to itself through the veth of the peer)
ip -n "$PEER" route add 203.0.113.10/32 via 198.51.100.2
ip -n "$PEER" -6 route add 2001:db8:100::10/128 via 2001:db8:1::2
cat >"$LIB_TMP/serve.py" <<'EOT'
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(1)
open(sys.argv[3], "w").close()
c, _ = s.accept()
c.sendall(b"vip-ok\n")
c.close()
EOT
cat >"$LIB_TMP/connect.py" <<'EOT'
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
sys.stdout.write(s.recv(64).decode())
EOT
for a in 203.0.113.10 2001:db8:100::10; do
	rm -f "$LIB_TMP/listening"
	spawn node "serve-$a" python3 "$LIB_TMP/serve.py" "$a" 8080 \
		"$LIB_TMP/listening"
	pid=$SPAWNED
	wait_for 5 test -e "$LIB_TMP/listening" ||
		fail "bind to $a failed: $(cat "$LIB_TMP/serve-$a.log")"
	got=$(ip netns exec "$PEER" python3 "$LIB_TMP/connect.py" "$a" 8080) ||
		fail "peer cannot connect to $a"
	[ "$got" = vip-ok ] || fail "peer got '$got' from $a"
	stop_pid "$pid"
done
ok "a socket binds to each VIP at once and a peer namespace connects to it"

# 2. idempotent add: success, still exactly one address
vt add lo "$V4" || fail "second add $V4"
vt add lo "$V6" || fail "second add $V6"
[ "$(count_addr lo "$V4")" = 1 ] || fail "$V4 not exactly once on lo"
[ "$(count_addr lo "$V6")" = 1 ] || fail "$V6 not exactly once on lo"
ok "adding an address that is there succeeds and changes nothing"

# 3. del: gone; del again: still success
vt del lo "$V4" || fail "del $V4"
vt del lo "$V6" || fail "del $V6"
has_addr lo "$V4" && fail "$V4 still on lo after del"
has_addr lo "$V6" && fail "$V6 still on lo after del"
vt present lo "$V4" && fail "vip_present: $V4 seen after del"
vt present lo "$V6" && fail "vip_present: $V6 seen after del"
ok "del: both addresses gone"
vt del lo "$V4" || fail "second del $V4"
vt del lo "$V6" || fail "second del $V6"
ok "removing an address that is not there succeeds"
# del on an interface that does not exist: nothing to remove
vt del nosuchif0 "$V4" || fail "del on a missing interface"
ok "removing from a missing interface succeeds"

# adding to a missing interface without ensure fails with a reason
vt_log addmissing add nosuchif0 "$V4" && fail "add on a missing interface"
grep -q 'lvl=warn vip=203.0.113.10/32 dev=nosuchif0 msg="no such interface"' \
	"$LIB_TMP/addmissing.log" || fail "no reason: $(cat "$LIB_TMP/addmissing.log")"
ok "adding to a missing interface fails with a logged reason"

# a prefix that is not a host route is refused
vt_log nothost add lo 203.0.113.0/24 && fail "/24 accepted"
grep -q 'msg="not a host prefix' "$LIB_TMP/nothost.log" ||
	fail "no reason: $(cat "$LIB_TMP/nothost.log")"
has_addr lo 203.0.113.0/24 && fail "/24 added"
ok "a prefix that is not /32 or /128 is refused with a logged reason"

# 4./5. a missing interface is created as a dummy and removed by cleanup.
# A kernel without the dummy driver (CONFIG_DUMMY) cannot do that: then
# ensure must fail with a logged reason and leave nothing behind.
# VIP_KIND=bridge runs this part against a viptool built with
# -DVIP_LINK_KIND='"bridge"' (see nomcastd/vip.c) on such a kernel.
KIND=${VIP_KIND:-dummy}
if ip -n "$NODE" link add vipprobe type "$KIND" 2>/dev/null; then
	ip -n "$NODE" link del vipprobe
	HAVE_KIND=1
else
	HAVE_KIND=0
	vt_log nokind ensure vip0 && fail "ensure vip0 without $KIND support"
	grep -q "lvl=warn dev=vip0 msg=\"cannot create $KIND interface" \
		"$LIB_TMP/nokind.log" ||
		fail "no reason: $(cat "$LIB_TMP/nokind.log")"
	ip -n "$NODE" link show vip0 >/dev/null 2>&1 && fail "vip0 left behind"
	ok "no $KIND driver in this kernel: ensure fails with a logged reason"
	echo "skip - creating and cleaning up a $KIND interface (kernel lacks it)"
fi

if [ "$HAVE_KIND" = 1 ]; then
	# 4. a missing interface is created as a $KIND, set up, and holds the VIP
	ip -n "$NODE" link show vip0 >/dev/null 2>&1 && fail "vip0 exists already"
	vt ensure vip0 || fail "ensure vip0"
	ip -n "$NODE" link show type "$KIND" | grep -q ": vip0:" ||
		fail "vip0 is not a $KIND: $(ip -n "$NODE" link show)"
	ip -n "$NODE" link show vip0 | grep -q "<.*UP.*>" || fail "vip0 not up"
	vt ensure vip0 || fail "second ensure vip0"
	[ "$(ip -n "$NODE" link show type "$KIND" | grep -c ': vip0:')" = 1 ] ||
		fail "second ensure made another vip0"
	vt add vip0 "$V4" || fail "add $V4 on vip0"
	vt add vip0 "$V6" || fail "add $V6 on vip0"
	has_addr vip0 "$V4" || fail "$V4 not on vip0"
	has_addr vip0 "$V6" || fail "$V6 not on vip0"
	ip -n "$NODE" -4 addr show dev vip0 | grep "$V4" | grep -q "scope global" ||
		fail "$V4 on vip0 is not scope global"
	ip -n "$NODE" -6 addr show dev vip0 | grep "$V6" | grep -q tentative &&
		fail "$V6 on vip0 tentative (DAD not skipped)"
	ok "a missing interface is created as an up $KIND and holds both VIPs"
	vt del vip0 "$V4" || fail "del $V4 on vip0"
	vt del vip0 "$V6" || fail "del $V6 on vip0"
	has_addr vip0 "$V4" && fail "$V4 still on vip0"
	has_addr vip0 "$V6" && fail "$V6 still on vip0"
	ok "del on the $KIND"

	# 5. cleanup removes the interface it made, and only that one
	rm -f "$LIB_TMP/sync"
	spawn node cleanup "$VIPTOOL" cleanup-test vip1 203.0.113.11/32 \
		"$LIB_TMP/sync"
	pid=$SPAWNED
	wait_for 10 test -e "$LIB_TMP/sync" ||
		fail "cleanup-test not ready: $(cat "$LIB_TMP/cleanup.log")"
	ip -n "$NODE" link show type "$KIND" | grep -q ": vip1:" ||
		fail "vip1 not made"
	has_addr vip1 203.0.113.11/32 || fail "203.0.113.11/32 not on vip1"
	rm -f "$LIB_TMP/sync"
	wait "$pid" || fail "cleanup-test: $(cat "$LIB_TMP/cleanup.log")"
	ip -n "$NODE" link show vip1 >/dev/null 2>&1 && fail "vip1 still there"
	grep -q "dev=vip1 msg=\"removed $KIND interface\"" "$LIB_TMP/cleanup.log" ||
		fail "removal not logged: $(cat "$LIB_TMP/cleanup.log")"
	ok "vip_cleanup removes the $KIND interface it created"

	# vip0 was made by an earlier run: this run did not create it, keeps it
	vt cleanup-test vip0 203.0.113.12/32 || fail "cleanup-test on vip0"
	ip -n "$NODE" link show vip0 >/dev/null 2>&1 ||
		fail "cleanup removed vip0, which it did not create"
	ok "vip_cleanup leaves an interface it did not create"
fi

# 6. invalid interface names fail cleanly, each with one logged reason
for bad in "name-longer-than-15" "a/b" "a:b" "a b" ""; do
	vt_log badname ensure "$bad" && fail "ensure '$bad' succeeded"
	[ "$(grep -c 'lvl=warn' "$LIB_TMP/badname.log")" = 1 ] ||
		fail "'$bad': not one reason: $(cat "$LIB_TMP/badname.log")"
	# a name that is not a plain token is quoted (the logging rule)
	case "$bad" in
	"" | *" "*) q="\"$bad\"" ;;
	*) q=$bad ;;
	esac
	grep -qF "dev=$q msg=\"" "$LIB_TMP/badname.log" ||
		fail "'$bad': $(cat "$LIB_TMP/badname.log")"
	vt_log badname add "$bad" "$V4" && fail "add on '$bad' succeeded"
	grep -qF "lvl=warn vip=203.0.113.10/32 dev=$q msg=\"" \
		"$LIB_TMP/badname.log" ||
		fail "'$bad': $(cat "$LIB_TMP/badname.log")"
done
ok "invalid interface names fail with one logged reason"
[ "$(ip -n "$NODE" link show type "$KIND" | grep -c ': ')" = "$HAVE_KIND" ] ||
	fail "stray interfaces: $(ip -n "$NODE" link show type "$KIND")"
ok "no stray interfaces left in the namespace"
