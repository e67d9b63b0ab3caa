#!/bin/sh
# tests/integ/gobgp_session.sh NOMCASTD - nomcastd against a real GoBGP
# (gobgpd + the gobgp CLI) in network namespaces: nomcast active with
# GoBGP passive, the service's /32 and /128 in GoBGP's global RIB with
# their AS_PATH, next hops, MED, communities and large communities; GoBGP
# restarted -> session and routes back; SIGTERM -> the withdrawals reach
# GoBGP before Cease/Administrative Shutdown with the RFC 9003 message,
# routes gone; then nomcast passive with GoBGP active.
set -eu
NOMCASTD=$(realpath "$1")
. "$(dirname "$0")/lib.sh"
lib_init gobgp-session

# gRPC API of our gobgpd, on the edge namespace's own loopback
API=50151

ns_add edge node
link edge 198.51.100.1/24 2001:db8:1::1/64 node 198.51.100.2/24 2001:db8:1::2/64

gobgp_conf() {	# gobgp_conf FILE PASSIVE(true|false)
	cat >"$1" <<EOT
[global.config]
  as = 65000
  router-id = "198.51.100.1"
  port = 179
  local-address-list = ["198.51.100.1"]

[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.51.100.2"
    peer-as = 65001
  [neighbors.timers.config]
    connect-retry = 1
    hold-time = 9
    keepalive-interval = 3
  [neighbors.transport.config]
    passive-mode = $2
    local-address = "198.51.100.1"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
EOT
}

nomcast_conf() {	# nomcast_conf FILE [extra peer lines]
	cat >"$1" <<EOT
[global]
asn = 65001
router-id = 198.51.100.2
shutdown-message = maintenance by integ test

[peer edge]
address = 198.51.100.1
asn = 65000
hold-time = 9
connect-retry = 1
next-hop6 = 2001:db8:1::2
$2

[service web]
prefix = 203.0.113.10/32
prefix = 2001:db8:100::10/128
communities = 65001:100 65001:200
large-communities = 65001:1:2
med = 50
EOT
}

g() {		# the gobgp CLI against our gobgpd
	ip netns exec "$(ns edge)" gobgp -u 127.0.0.1 -p "$API" "$@"
}

GOBGP_RUNS=0
gobgp_start() {	# gobgp_start CONFFILE; sets GOBGP_PID and GOBGP_LOG
	GOBGP_RUNS=$((GOBGP_RUNS + 1))
	spawn edge "gobgpd-$GOBGP_RUNS" gobgpd -f "$1" -t toml -p \
	    --api-hosts="127.0.0.1:$API" --pprof-disable
	GOBGP_PID=$SPAWNED
	GOBGP_LOG="$LIB_TMP/gobgpd-$GOBGP_RUNS.log"
	wait_for 10 g global || fail "gobgpd did not start"
}

nbr() {
	g neighbor 198.51.100.2
}
established() {
	nbr | grep -q "BGP state = ESTABLISHED"
}
not_established() {
	! established
}
nbr_count() {	# nbr_count Updates|Notifications: messages received
	nbr | awk -v k="$1:" '$1 == k { print $3 }'
}
rib_line() {	# rib_line AFI PREFIX: GoBGP's line for it
	g global rib -a "$1" "$2" | grep -F " $2 "
}
routes_present() {
	rib_line ipv4 203.0.113.10/32 && rib_line ipv6 2001:db8:100::10/128
}
routes_absent() {
	! rib_line ipv4 203.0.113.10/32 && ! rib_line ipv6 2001:db8:100::10/128
}

check_attrs() {	# check_attrs AFI PREFIX NEXTHOP
	line=$(rib_line "$1" "$2") || fail "$2 not in GoBGP's RIB"
	# "*>  PREFIX  NEXTHOP  AS_PATH  AGE  [attrs]"
	echo "$line" | awk -v p="$2" -v nh="$3" \
	    '$2 == p && $3 == nh && $4 == "65001" { f = 1 } END { exit !f }' ||
	    fail "$2: next hop or AS_PATH: $line"
	for a in "{Origin: i}" "{Med: 50}" \
	    "{Communities: 65001:100, 65001:200}" "65001:1:2]}"; do
		echo "$line" | grep -qF "$a" || fail "$2: no $a: $line"
	done
}

nomcast_clean_exit() {	# nomcast_clean_exit PID LOGNAME
	rc=0
	wait "$1" || rc=$?
	[ "$rc" -eq 0 ] || fail "nomcastd exited with status $rc"
	if grep -Eq "AddressSanitizer|LeakSanitizer|runtime error:" \
	    "$LIB_TMP/$2.log"; then
		fail "sanitizer report in $2.log"
	fi
}

# 1. nomcast active, GoBGP passive
gobgp_conf "$LIB_TMP/gobgp.toml" true
nomcast_conf "$LIB_TMP/nomcast.ini" ""
ip netns exec "$(ns edge)" gobgpd -f "$LIB_TMP/gobgp.toml" -t toml -d \
    >"$LIB_TMP/gobgp-dry.log" 2>&1 || fail "gobgpd rejects its config"
gobgp_start "$LIB_TMP/gobgp.toml"
nomcast_start node a "$LIB_TMP/nomcast.ini"
wait_for 15 established || fail "active: no session: $(nbr)"
ok "session Established (nomcast active, GoBGP passive)"
wait_for 5 routes_present || fail "routes not in GoBGP's RIB: $(g global rib)"
ok "/32 and /128 in GoBGP's global RIB"
check_attrs ipv4 203.0.113.10/32 198.51.100.2
check_attrs ipv6 2001:db8:100::10/128 2001:db8:1::2
ok "attributes: AS_PATH, next hops, ORIGIN, MED, communities, large communities"

# 2. GoBGP restarted: the session comes back and the routes are re-sent
stop_pid "$GOBGP_PID"
gobgp_start "$LIB_TMP/gobgp.toml"
wait_for 20 established || fail "no session after GoBGP restart: $(nbr)"
wait_for 5 routes_present || fail "routes not re-announced after restart"
check_attrs ipv4 203.0.113.10/32 198.51.100.2
ok "GoBGP restarted: session and routes back"

# 3. SIGTERM: the withdrawals, then Cease/Administrative Shutdown (RFC
# 9003) with the message; GoBGP reads nothing after a NOTIFICATION, so
# more UPDATEs counted means the withdrawals came first
upd_at_least() {
	[ "$(nbr_count Updates)" -ge "$1" ]
}
# the two announcements and the two End-of-RIB markers (RFC 4724 2)
wait_for 5 upd_at_least 4 || fail "GoBGP counts $(nbr_count Updates) UPDATEs"
upd_before=$(nbr_count Updates)
notif_before=$(nbr_count Notifications)
kill -TERM "$NOMCAST_PID_a"
wait_for 5 routes_absent || fail "routes still in GoBGP after SIGTERM"
wait_for 5 not_established ||
    fail "GoBGP still Established after SIGTERM"
nomcast_clean_exit "$NOMCAST_PID_a" nomcast-a
upd_after=$(nbr_count Updates)
notif_after=$(nbr_count Notifications)
[ "$upd_after" -ge $((upd_before + 2)) ] ||
    fail "no withdrawals before the Cease: UPDATEs $upd_before -> $upd_after"
[ "$notif_after" -eq $((notif_before + 1)) ] ||
    fail "GoBGP counts no NOTIFICATION: $notif_before -> $notif_after"
wait_for 2 grep -q 'received notification.*Code=6.*maintenance by integ test.*Subcode=2' \
    "$GOBGP_LOG" || fail "GoBGP did not log the shutdown and its message"
grep -q "notif=6/2 sent" "$LIB_TMP/nomcast-a.log" ||
    fail "nomcast did not log the Cease"
ok "SIGTERM: withdrawals, then Administrative Shutdown with the message; routes gone"
echo "$(nbr | grep -E 'BGP state|Notifications:')"
stop_pid "$GOBGP_PID"

# 4. nomcast passive, GoBGP active
gobgp_conf "$LIB_TMP/gobgp.toml" false
nomcast_conf "$LIB_TMP/nomcast.ini" "passive = yes"
gobgp_start "$LIB_TMP/gobgp.toml"
nomcast_start node b "$LIB_TMP/nomcast.ini"
wait_for 20 established || fail "passive: no session: $(nbr)"
wait_for 5 routes_present || fail "passive: routes missing"
check_attrs ipv4 203.0.113.10/32 198.51.100.2
check_attrs ipv6 2001:db8:100::10/128 2001:db8:1::2
ok "session Established (nomcast passive, GoBGP active), routes present"
kill -TERM "$NOMCAST_PID_b"
nomcast_clean_exit "$NOMCAST_PID_b" nomcast-b
wait_for 5 routes_absent || fail "passive: routes still in GoBGP after SIGTERM"
ok "nomcastd exited 0 on SIGTERM, no sanitizer report"
stop_pid "$GOBGP_PID"
