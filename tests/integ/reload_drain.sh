#!/bin/sh
# tests/integ/reload_drain.sh NOMCASTD - hitless reload and drain against a
# real BIRD that honours GRACEFUL_SHUTDOWN (RFC 8326: local-pref 0):
#   - reload with one service's community changed: no session flap and
#     exactly one UPDATE sent;
#   - a reload of an invalid file changes nothing and says why;
#   - a removed service is withdrawn (one UPDATE), the others untouched;
#   - a changed hold time resets the session with Cease/Other
#     Configuration Change; SIGHUP reloads like the control command;
#   - drain: the route carries 65535:0 (BIRD lowers its local-pref) for
#     drain-time, then is withdrawn; undrain brings it back;
#   - SIGTERM with shutdown-drain-time: GRACEFUL_SHUTDOWN first, then the
#     withdraw and the Cease.
set -eu
NOMCASTD=$(realpath "$1")
NOMCASTCTL=$(dirname "$NOMCASTD")/nomcastctl
. "$(dirname "$0")/lib.sh"
lib_init reload-drain

ns_add edge node
link edge 198.51.100.1/24 - node 198.51.100.2/24 -

cat >"$LIB_TMP/bird.conf" <<EOT
router id 198.51.100.1;
log "$LIB_TMP/bird-edge.trace" all;
protocol device { }
filter gshut {
	if (65535, 0) ~ bgp_community then bgp_local_pref = 0;
	accept;
}
protocol bgp node {
	local 198.51.100.1 as 65000;
	neighbor 198.51.100.2 as 65001;
	passive on;
	ipv4 { import filter gshut; export none; };
}
EOT
bird_start edge edge "$LIB_TMP/bird.conf"

SOCK=$LIB_TMP/ctl.sock
write_conf() {	# write_conf COMMUNITY_OF_A HOLD_TIME [extra service b? yes|no]
	cat >"$LIB_TMP/nomcast.ini" <<EOT
[global]
asn = 65001
router-id = 198.51.100.2
control-socket = $SOCK
shutdown-drain-time = 1s

[peer edge]
address = 198.51.100.1
asn = 65000
hold-time = $2
connect-retry = 1

[service a]
prefix = 203.0.113.10/32
communities = $1
drain-time = 2s
EOT
	if [ "$3" = yes ]; then
		printf '\n[service b]\nprefix = 203.0.113.20/32\n' >>"$LIB_TMP/nomcast.ini"
	fi
}
ctl() { ip netns exec "$(ns node)" "$NOMCASTCTL" -s "$SOCK" "$@"; }
# the session did not flap: BIRD's "since" is unchanged and nomcastd's
# session reached Established once
since() { bird_since_ms edge node; }
ests() { grep -c 'state=OpenConfirm->Established' "$LIB_TMP/nomcast-n.log" || true; }
no_flap() { same_since "$(since)" "$s0" && [ "$(ests)" -eq 1 ]; }
updates_out() { grep -c 'dir=out len=[0-9]* msg="UPDATE' "$LIB_TMP/nomcast-n.log" || true; }
route() { birdc_q edge show route all "$1"; }
has() { bird_has_route edge "$1"; }
hasnt() { bird_no_route edge "$1"; }

write_conf 65001:1 30 yes
nomcast_start node n "$LIB_TMP/nomcast.ini" -d
wait_for 15 bird_established edge node || fail "no session"
wait_for 5 has 203.0.113.20/32 || fail "b not announced"
wait_for 5 has 203.0.113.10/32 || fail "a not announced"
sleep 1.2	# BIRD's "since" has one-second resolution
s0=$(since); u0=$(updates_out)

# 1. one community changed: one UPDATE, no flap
write_conf 65001:2 30 yes
ctl reload >/dev/null || fail "reload refused a valid file"
wait_for 5 sh -c "birdc -s $LIB_TMP/bird-edge.ctl show route all 203.0.113.10/32 | grep -q '(65001,2)'" ||
	fail "new community not at BIRD"
sleep 0.3
no_flap || fail "the session flapped on reload ($s0 -> $(since), $(ests) x Established)"
u1=$(updates_out)
[ $((u1 - u0)) -eq 1 ] || fail "reload sent $((u1 - u0)) UPDATEs for one changed route"
ok "reload, one community changed: no session flap, exactly 1 UPDATE"

# 2. an invalid file: error with file:line, nothing changes
cp "$LIB_TMP/nomcast.ini" "$LIB_TMP/good.ini"
printf '\n[service c]\nprefix = 203.0.113.30/24\n' >>"$LIB_TMP/nomcast.ini"
if ctl reload >"$LIB_TMP/bad.out" 2>&1; then fail "a bad file was accepted"; fi
grep -q "nomcast.ini:[0-9]*:" "$LIB_TMP/bad.out" || fail "no file:line in the reply: $(cat "$LIB_TMP/bad.out")"
[ "$(updates_out)" -eq "$u1" ] || fail "a rejected reload sent UPDATEs"
has 203.0.113.20/32 || fail "a rejected reload changed the routes"
ok "reload of an invalid file: refused with file:line, old config in force"

# 3. a service removed: withdrawn with one UPDATE, SIGHUP works too
write_conf 65001:2 30 no
kill -HUP "$NOMCAST_PID_n"
wait_for 5 hasnt 203.0.113.20/32 || fail "removed service still announced"
sleep 0.3
no_flap || fail "the session flapped on SIGHUP reload"
[ $(( $(updates_out) - u1 )) -eq 1 ] || fail "removing one service sent $(( $(updates_out) - u1 )) UPDATEs"
has 203.0.113.10/32 || fail "the kept service went away"
ok "SIGHUP reload, one service removed: withdrawn with 1 UPDATE, no flap"

# 4. drain: GRACEFUL_SHUTDOWN for drain-time (BIRD: local-pref 0), then gone
ctl drain a >/dev/null || fail "drain refused"
wait_for 3 sh -c "birdc -s $LIB_TMP/bird-edge.ctl show route all 203.0.113.10/32 | grep -q '(65535,0)'" ||
	fail "no GRACEFUL_SHUTDOWN community on the drained route"
route 203.0.113.10/32 | grep -q "BGP.local_pref: 0" || fail "BIRD did not lower the local-pref"
ok "drain: the route carries 65535:0 and BIRD prefers it least"
wait_for 4 hasnt 203.0.113.10/32 || fail "not withdrawn after drain-time"
ok "drain: withdrawn after drain-time"
ctl undrain a >/dev/null || fail "undrain refused"
wait_for 3 has 203.0.113.10/32 || fail "not back after undrain"
route 203.0.113.10/32 | grep -q '(65535,0)' && fail "undrained route still has GSHUT"
ok "undrain: announced again without the community"
if ctl drain nosuch >/dev/null 2>&1; then fail "drain of an unknown service succeeded"; fi

# 5. a changed hold time resets the session with Other Configuration Change
write_conf 65001:2 20 no
ctl reload >/dev/null || fail "reload refused"
# BIRD's log, not its protocol status: the session is back within a
# second or two and the status then shows no error any more
wait_for 5 grep -qi "Received: Other configuration change" "$LIB_TMP/bird-edge.trace" ||
	fail "no Cease/Other Configuration Change at BIRD: $(grep -i 'received' "$LIB_TMP/bird-edge.trace" | tail -3)"
wait_for 15 bird_established edge node || fail "session not back after the reset"
wait_for 5 has 203.0.113.10/32 || fail "route not back after the reset"
ok "hold time changed: session reset with Cease/Other Configuration Change, back up"

# 6. SIGTERM with shutdown-drain-time: GSHUT first, then the withdraw
t0=$(date +%s%N)
kill -TERM "$NOMCAST_PID_n"
wait_for 2 sh -c "birdc -s $LIB_TMP/bird-edge.ctl show route all 203.0.113.10/32 | grep -q '(65535,0)'" ||
	fail "SIGTERM: no GRACEFUL_SHUTDOWN before the withdraw"
wait_for 5 hasnt 203.0.113.10/32 || fail "SIGTERM: not withdrawn after the drain"
t1=$(date +%s%N)
[ $(( (t1 - t0) / 1000000 )) -ge 900 ] || fail "SIGTERM: withdrawn before shutdown-drain-time"
stop_pid "$NOMCAST_PID_n"
birdc_q edge show protocols all node | grep -qi "administrative shutdown" || fail "no Cease after the drain"
ok "SIGTERM: GRACEFUL_SHUTDOWN for shutdown-drain-time, then withdraw and Cease ($(( (t1 - t0) / 1000000 )) ms)"
if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$LIB_TMP"/nomcast-*.log; then
	fail "sanitizer report in nomcastd's log"
fi
ok "no sanitizer report"
