#!/bin/sh
# tests/integ/bird_session.sh NOMCASTD - nomcastd against a real BIRD 2 in
# network namespaces: active and passive sessions, the service's /32 and
# /128 with their communities, large communities and MED in BIRD's RIB,
# SIGTERM -> routes gone and an administrative shutdown with its message,
# BIRD restarted -> session and routes back, TCP-MD5 and TTL security (a
# wrong password never reaches Established).
set -eu
NOMCASTD=$(realpath "$1")
. "$(dirname "$0")/lib.sh"
lib_init bird-session

ns_add edge node
link edge 198.51.100.1/24 2001:db8:1::1/64 node 198.51.100.2/24 2001:db8:1::2/64

bird_conf() {	# bird_conf FILE [extra protocol lines]
	cat >"$1" <<EOT
router id 198.51.100.1;
log "$LIB_TMP/bird-edge.trace" all;
protocol device { }
protocol bgp node {
	local 198.51.100.1 as 65000;
	neighbor 198.51.100.2 as 65001;
	hold time 9;
	connect retry time 1;
	error wait time 1, 2;
	$2
	ipv4 { import all; export none; };
	ipv6 { import all; export none; };
}
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

routes_present() {
	bird_has_route edge 203.0.113.10/32 && bird_has_route edge 2001:db8:100::10/128
}
routes_absent() {
	bird_no_route edge 203.0.113.10/32 && bird_no_route edge 2001:db8:100::10/128
}

# 1. nomcast active, BIRD passive
bird_conf "$LIB_TMP/bird.conf" "passive on;"
nomcast_conf "$LIB_TMP/nomcast.ini" ""
bird_start edge edge "$LIB_TMP/bird.conf"
nomcast_start node a "$LIB_TMP/nomcast.ini"
wait_for 15 bird_established edge node || fail "active: no session"
ok "session Established (nomcast active, BIRD passive)"
wait_for 5 routes_present || fail "routes not in BIRD's RIB"
ok "/32 and /128 in BIRD's RIB"

all=$(birdc_q edge show route all 203.0.113.10/32)
echo "$all" | grep -q "BGP.as_path: 65001" || fail "as_path: $all"
echo "$all" | grep -q "BGP.med: 50" || fail "med: $all"
echo "$all" | grep -q "BGP.community: (65001,100) (65001,200)" || fail "communities: $all"
echo "$all" | grep -q "BGP.large_community: (65001, 1, 2)" || fail "large communities: $all"
echo "$all" | grep -q "BGP.next_hop: 198.51.100.2" || fail "next hop: $all"
all6=$(birdc_q edge show route all 2001:db8:100::10/128)
echo "$all6" | grep -q "BGP.next_hop: 2001:db8:1::2" || fail "v6 next hop: $all6"
echo "$all6" | grep -q "BGP.community: (65001,100) (65001,200)" || fail "v6 communities: $all6"
ok "attributes: AS_PATH, MED, communities, large communities, next hops"

# 2. BIRD restarted: the session comes back and the routes are re-sent
stop_pid "$BIRD_PID_edge"
bird_start edge edge "$LIB_TMP/bird.conf"
wait_for 20 bird_established edge node || fail "no session after BIRD restart"
wait_for 5 routes_present || fail "routes not re-announced after BIRD restart"
ok "BIRD restarted: session and routes back"

# 3. SIGTERM: withdraw, then Cease/Administrative Shutdown with the message
stop_pid "$NOMCAST_PID_a"
wait_for 5 routes_absent || fail "routes still in BIRD after SIGTERM"
proto=$(birdc_q edge show protocols all node)
echo "$proto" | grep -qi "Administrative shutdown" || fail "no admin shutdown: $proto"
echo "$proto" | grep -q "maintenance by integ test" || fail "no shutdown message: $proto"
grep -q "notif=6/2 sent" "$LIB_TMP/nomcast-a.log" || fail "nomcast did not log the Cease"
ok "SIGTERM: routes withdrawn, BIRD shows the administrative shutdown and message"
stop_pid "$BIRD_PID_edge"

# 4. nomcast passive, BIRD active
bird_conf "$LIB_TMP/bird.conf" ""
nomcast_conf "$LIB_TMP/nomcast.ini" "passive = yes"
bird_start edge edge "$LIB_TMP/bird.conf"
nomcast_start node b "$LIB_TMP/nomcast.ini"
wait_for 15 bird_established edge node || fail "passive: no session"
wait_for 5 routes_present || fail "passive: routes missing"
ok "session Established (nomcast passive, BIRD active)"
stop_pid "$NOMCAST_PID_b"
stop_pid "$BIRD_PID_edge"

# 5. TCP-MD5 and TTL security, then a wrong password
bird_conf "$LIB_TMP/bird.conf" 'password "s3cret-key"; ttl security on;'
nomcast_conf "$LIB_TMP/nomcast.ini" "password = s3cret-key
ttl-security = yes"
bird_start edge edge "$LIB_TMP/bird.conf"
nomcast_start node c "$LIB_TMP/nomcast.ini"
wait_for 15 bird_established edge node || fail "md5+gtsm: no session"
wait_for 5 routes_present || fail "md5+gtsm: routes missing"
ok "TCP-MD5 and TTL security: Established"
stop_pid "$NOMCAST_PID_c"
nomcast_conf "$LIB_TMP/nomcast.ini" "password = wrong-key
ttl-security = yes"
nomcast_start node d "$LIB_TMP/nomcast.ini"
sleep 4
bird_established edge node && fail "a wrong password reached Established"
ok "wrong TCP-MD5 password: never Established"
stop_pid "$NOMCAST_PID_d"
stop_pid "$BIRD_PID_edge"

# 6. eBGP multihop: BIRD expects multihop, nomcast sends TTL 2
bird_conf "$LIB_TMP/bird.conf" "multihop 2;"
nomcast_conf "$LIB_TMP/nomcast.ini" "multihop = 2"
bird_start edge edge "$LIB_TMP/bird.conf"
nomcast_start node e "$LIB_TMP/nomcast.ini"
wait_for 15 bird_established edge node || fail "multihop: no session"
ok "eBGP multihop: Established"
stop_pid "$NOMCAST_PID_e"
stop_pid "$BIRD_PID_edge"

# 7. IPv6 transport: the /128's next hop is the session's own address
cat >"$LIB_TMP/bird.conf" <<EOT
router id 198.51.100.1;
protocol device { }
protocol bgp node {
	local 2001:db8:1::1 as 65000;
	neighbor 2001:db8:1::2 as 65001;
	passive on;
	ipv4 { import all; export none; };
	ipv6 { import all; export none; };
}
EOT
cat >"$LIB_TMP/nomcast.ini" <<EOT
[global]
asn = 65001
router-id = 198.51.100.2

[peer edge6]
address = 2001:db8:1::1
asn = 65000
next-hop = 198.51.100.2

[service web]
prefix = 203.0.113.10/32
prefix = 2001:db8:100::10/128
EOT
bird_start edge edge "$LIB_TMP/bird.conf"
nomcast_start node f "$LIB_TMP/nomcast.ini"
wait_for 15 bird_established edge node || fail "IPv6 transport: no session"
wait_for 5 routes_present || fail "IPv6 transport: routes missing"
birdc_q edge show route all 2001:db8:100::10/128 | grep -q "BGP.next_hop: 2001:db8:1::2" ||
	fail "IPv6 transport: next hop is not the session address"
ok "IPv6 transport: Established, /128 with the session's address as next hop"

# 8. a connection from an address that is not a peer is closed at once
ip -n "$(ns edge)" addr add 198.51.100.9/24 dev "$LINK_A"
ip netns exec "$(ns edge)" /usr/bin/python3 - <<'PYEOF' || fail "stranger's connection was not closed"
import socket, sys
s = socket.socket()
s.bind(("198.51.100.9", 0))
s.settimeout(3)
s.connect(("198.51.100.2", 179))
try:
    data = s.recv(100)
except ConnectionResetError:
    data = b""
sys.exit(0 if data == b"" else 1)
PYEOF
wait_for 2 grep -q "from=198.51.100.9 msg=\"connection from an address that is not a configured peer" \
	"$LIB_TMP/nomcast-f.log" || fail "stranger not logged"
bird_established edge node || fail "the stranger disturbed the session"
ok "connection from a non-peer address: closed and logged, session undisturbed"
stop_pid "$NOMCAST_PID_f"
stop_pid "$BIRD_PID_edge"

# 9. both sides active at once: connection collisions are resolved
# (RFC 4271 6.8) and one session stays; -d logs every message decoded
bird_conf "$LIB_TMP/bird.conf" ""
nomcast_conf "$LIB_TMP/nomcast.ini" ""
bird_start edge edge "$LIB_TMP/bird.conf"
nomcast_start node g "$LIB_TMP/nomcast.ini" -d
wait_for 15 bird_established edge node || fail "both active: no session"
wait_for 5 routes_present || fail "both active: routes missing"
since=$(bird_since_ms edge node)
sleep 3
bird_established edge node || fail "both active: session lost"
same_since "$(bird_since_ms edge node)" "$since" ||
	fail "both active: the session flapped"
grep -q 'dir=in len=[0-9]* msg="OPEN' "$LIB_TMP/nomcast-g.log" || fail "-d: no decoded OPEN in the log"
grep -q 'dir=out len=[0-9]* msg="UPDATE' "$LIB_TMP/nomcast-g.log" || fail "-d: no decoded UPDATE in the log"
ok "both sides active: one stable session; -d logs decoded messages"
