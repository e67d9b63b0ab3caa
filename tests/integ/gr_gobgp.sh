#!/bin/sh
# tests/integ/gr_gobgp.sh NOMCASTD - graceful restart with GoBGP as the
# helper, which (unlike BIRD) speaks RFC 8538: both sides send the N bit,
# so the graceful exit's NOTIFICATION (Cease/Administrative Reset) keeps
# the routes and the hard exit's Cease goes as a Hard Reset, which drops
# them.  IPv4 and IPv6; GoBGP's RIB watched with `gobgp monitor`:
#  1. capability and N bit negotiated both ways;
#  2. exit-mode graceful: Cease/Admin Reset sent, GoBGP keeps both routes
#     (stale) while nomcastd is away, the next one comes back with R set,
#     End-of-RIB, and GoBGP never withdrew them;
#  3. exit-mode hard: Cease/Admin Shutdown inside a Hard Reset; GoBGP
#     drops the routes at once.
set -eu
NOMCASTD=$(realpath "$1")
. "$(dirname "$0")/lib.sh"
lib_init gr-gobgp
NOMCASTCTL=${NOMCASTCTL:-$(dirname "$NOMCASTD")/nomcastctl}
SOCK=$LIB_TMP/ctl.sock
REC=$LIB_TMP/nomcast.restart
PY=/usr/bin/python3
API=50152
ctl() { ip netns exec "$(ns node)" "$NOMCASTCTL" -s "$SOCK" "$@"; }

ns_add edge node
link edge 198.51.100.1/24 2001:db8:1::1/64 node 198.51.100.2/24 2001:db8:1::2/64

cat >"$LIB_TMP/gobgp.toml" <<EOT
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
    passive-mode = true
    local-address = "198.51.100.1"
  [neighbors.graceful-restart.config]
    enabled = true
    helper-only = true
    notification-enabled = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
EOT

cat >"$LIB_TMP/nomcast.ini" <<EOT
[global]
asn = 65001
router-id = 198.51.100.2
control-socket = $SOCK
restart-state = $REC
shutdown-message = maintenance by integ test

[peer edge]
address = 198.51.100.1
asn = 65000
hold-time = 9
connect-retry = 1
next-hop6 = 2001:db8:1::2
graceful-restart = yes
restart-time = 8s

[service web]
prefix = 203.0.113.10/32
prefix = 2001:db8:100::10/128
EOT

g() { ip netns exec "$(ns edge)" gobgp -u 127.0.0.1 -p "$API" "$@"; }
nbr() { g neighbor 198.51.100.2; }
established() { nbr | grep -q "BGP state = ESTABLISHED"; }
# "*>PREFIX ...", or "S*>PREFIX ..." while stale
rib_line() { g global rib -a "$1" "$2" | grep -E "^ *S?\*?>? *$2 "; }
not_stale() { routes_present && ! rib_line ipv4 203.0.113.10/32 | grep -q '^ *S'; }
stale() {
	rib_line ipv4 203.0.113.10/32 | grep -q '^ *S' &&
		rib_line ipv6 2001:db8:100::10/128 | grep -q '^ *S'
}
routes_present() {
	rib_line ipv4 203.0.113.10/32 && rib_line ipv6 2001:db8:100::10/128
}
routes_absent() {
	! rib_line ipv4 203.0.113.10/32 && ! rib_line ipv6 2001:db8:100::10/128
}
start_n() {
	nomcast_start node "$1" "$LIB_TMP/nomcast.ini"
	N=$SPAWNED
	NLOG=$LIB_TMP/nomcast-$1.log
}
peer_gr() {	# peer_gr FIELD: show peers' graceful_restart.FIELD
	ctl -j show peers edge | "$PY" -c '
import json, sys; print(json.load(sys.stdin)["peers"][0]["graceful_restart"][sys.argv[1]])' "$1"
}

spawn edge gobgpd gobgpd -f "$LIB_TMP/gobgp.toml" -t toml -p \
	--api-hosts="127.0.0.1:$API" --pprof-disable
GOBGP_LOG=$LIB_TMP/gobgpd.log
wait_for 10 g global || fail "gobgpd did not start"

# 1. negotiated, N bit both ways
start_n n1
wait_for 15 established || fail "no session: $(nbr)"
wait_for 5 routes_present || fail "routes not in GoBGP's RIB"
[ "$(peer_gr negotiated)" = True ] && [ "$(peer_gr notification)" = True ] ||
	fail "GR or the N bit not negotiated: $(ctl -j show peers edge)"
[ "$(peer_gr peer_restart_time)" -gt 0 ] 2>/dev/null || [ "$(peer_gr peer_restart_time)" = 0 ] ||
	fail "peer restart time: $(peer_gr peer_restart_time)"
ok "graceful restart and its N bit (RFC 8538) negotiated with GoBGP"

# 2. graceful: Cease/Admin Reset, the routes stay stale, come back fresh
spawn edge monitor gobgp -u 127.0.0.1 -p "$API" monitor global rib
MON=$SPAWNED
sleep 0.5
ctl exit-mode graceful >/dev/null
stop_pid "$N"
grep -q 'notif=6/4 sent' "$NLOG" || fail "no Cease/Administrative Reset sent"
! grep -q 'Hard Reset' "$NLOG" || fail "the graceful exit sent a Hard Reset"
[ -f "$REC" ] || fail "no record"
sleep 1.5
routes_present || fail "GoBGP dropped the routes during the restart: $(g global rib -a ipv4; nbr)"
stale || fail "GoBGP does not hold the routes as stale: $(g global rib -a ipv4)"
start_n n2
wait_for 15 established || fail "no session after the restart"
grep -q 'graceful restart: coming back' "$NLOG" || fail "the record not used"
# web has no checks: its verdict is in before the session is up, and the
# OPEN must still say Restart State (RFC 4724 4.1)
! grep -q 'restart flag is not set' "$GOBGP_LOG" ||
	fail "the new OPEN did not set the Restart State bit"
wait_for 5 grep -q 'End-of-RIB sent' "$NLOG" || fail "no End-of-RIB"
wait_for 5 not_stale || fail "routes still stale after End-of-RIB: $(g global rib -a ipv4)"
routes_present || fail "routes not in GoBGP after the restart"
ctl show peers edge | grep -Eq '^  graceful rst  negotiated with N \(RFC 8538\), restart time 8 s, the peer.s [0-9]+ s; End-of-RIB sent 2, received [0-9]+$' ||
	fail "show peers edge: $(ctl show peers edge)"
if grep -q 'DELROUTE' "$LIB_TMP/monitor.log"; then
	fail "GoBGP withdrew a route during the restart: $(grep DELROUTE "$LIB_TMP/monitor.log")"
fi
ok "exit-mode graceful: Cease/Administrative Reset (N bit), GoBGP kept both routes, none withdrawn, End-of-RIB after the restart"

# 3. hard: the Cease goes inside a Hard Reset, GoBGP drops the routes
ctl exit-mode hard >/dev/null
stop_pid "$N"
grep -q 'as="Hard Reset"' "$NLOG" || fail "the hard exit sent no Hard Reset"
wait_for 3 routes_absent || fail "GoBGP kept the routes after a Hard Reset"
# the monitor that saw no withdraw in step 2 sees these
wait_for 3 grep -q 'DELROUTE' "$LIB_TMP/monitor.log" ||
	fail "gobgp monitor shows no withdraw: $(cat "$LIB_TMP/monitor.log")"
stop_pid "$MON"
[ ! -e "$REC" ] || fail "a hard exit left a record"
ok "exit-mode hard: Cease inside a Hard Reset (RFC 8538), routes gone"
