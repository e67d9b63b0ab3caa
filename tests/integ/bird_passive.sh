#!/bin/sh
# tests/integ/bird_passive.sh NOMCASTD - nomcastd passive against a real
# BIRD 2: GTSM (ttl security) over IPv4 and IPv6 with BIRD dialing in, and
# a router-side reset (birdc restart, disable + enable) with BIRD's default
# 120 s connect retry: the routes are back within 10 s, because nomcast
# takes BIRD's first reconnect even while it waits in Idle.
set -eu
NOMCASTD=$(realpath "$1")
. "$(dirname "$0")/lib.sh"
lib_init bird-passive

ns_add edge node
link edge 198.51.100.1/24 2001:db8:1::1/64 node 198.51.100.2/24 2001:db8:1::2/64

bird_conf() {	# bird_conf FILE LOCAL NEIGHBOR [extra protocol lines]
	cat >"$1" <<EOT
router id 198.51.100.1;
log "$LIB_TMP/bird-edge.trace" all;
protocol device { }
protocol bgp node {
	local $2 as 65000;
	neighbor $3 as 65001;
	hold time 9;
	$4
	ipv4 { import all; export none; };
	ipv6 { import all; export none; };
}
EOT
}

nomcast_conf() {	# nomcast_conf FILE ADDRESS [extra peer lines]
	cat >"$1" <<EOT
[global]
asn = 65001
router-id = 198.51.100.2

[peer edge]
address = $2
asn = 65000
hold-time = 9
passive = yes
next-hop = 198.51.100.2
next-hop6 = 2001:db8:1::2
$3

[service web]
prefix = 203.0.113.10/32
prefix = 2001:db8:100::10/128
EOT
}

routes_present() {
	bird_has_route edge 203.0.113.10/32 && bird_has_route edge 2001:db8:100::10/128
}

# 1. and 2. GTSM with nomcast passive, IPv4 then IPv6 transport: the
# SYN-ACK must leave with TTL 255 or BIRD drops it
for af in 4 6; do
	if [ $af = 4 ]; then l=198.51.100.1 r=198.51.100.2
	else l=2001:db8:1::1 r=2001:db8:1::2; fi
	bird_conf "$LIB_TMP/bird.conf" $l $r "ttl security on; connect retry time 2;"
	nomcast_conf "$LIB_TMP/nomcast.ini" $l "ttl-security = yes"
	nomcast_start node g$af "$LIB_TMP/nomcast.ini"
	sleep 0.3
	# on a veth pair BIRD may get the SYN-ACK before it sets its minimum
	# TTL, so what a router would see is read off the wire
	spawn edge synack$af /usr/bin/python3 \
		"$(dirname "$0")/synack_ttl.py" "$LINK_A" 15
	sniffer=$SPAWNED
	sleep 0.3
	bird_start edge edge "$LIB_TMP/bird.conf"
	wait_for 15 bird_established edge node || fail "GTSM passive IPv$af: no session"
	wait "$sniffer" 2>/dev/null || true
	forget_pid "$sniffer"
	ttl=$(cat "$LIB_TMP/synack$af.log")
	[ "$ttl" = 255 ] || fail "GTSM passive IPv$af: SYN-ACK sent with TTL '$ttl', not 255"
	wait_for 5 routes_present || fail "GTSM passive IPv$af: routes missing"
	ok "GTSM, nomcast passive, IPv$af transport: SYN-ACK TTL 255, Established, routes in BIRD"
	eval "stop_pid \$NOMCAST_PID_g$af"
	stop_pid "$BIRD_PID_edge"
done

# 3. router-side resets with BIRD's default timers (connect retry 120 s);
# nomcast's own restart delay (connect-retry 30: 22.5 to 30 s in Idle) is
# far longer than BIRD's 5 s start delay, so BIRD's first reconnect comes
# while nomcast is in Idle
bird_conf "$LIB_TMP/bird.conf" 198.51.100.1 198.51.100.2 ""
nomcast_conf "$LIB_TMP/nomcast.ini" 198.51.100.1 "connect-retry = 30"
bird_start edge edge "$LIB_TMP/bird.conf"
nomcast_start node r "$LIB_TMP/nomcast.ini"
wait_for 20 bird_established edge node || fail "reset: no session"
wait_for 5 routes_present || fail "reset: routes missing"
for how in restart disable; do
	since=$(bird_since_ms edge node)
	if [ $how = restart ]; then
		birdc_q edge restart node >/dev/null
	else
		birdc_q edge disable node >/dev/null
		sleep 0.5
		birdc_q edge enable node >/dev/null
	fi
	t0=$(date +%s%N)
	wait_for 10 bird_established edge node || fail "birdc $how: no session within 10 s"
	wait_for 2 routes_present || fail "birdc $how: routes missing"
	same_since "$(bird_since_ms edge node)" "$since" &&
		fail "birdc $how: the session never went down"
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	ok "birdc $how with nomcast passive: routes back in ${ms} ms"
	# the next reset comes after the session has had time to settle
	sleep 1
done
stop_pid "$NOMCAST_PID_r"
stop_pid "$BIRD_PID_edge"
