#!/bin/sh
# tests/integ/health_bird.sh NOMCASTD - health drives the routes, observed
# in a real BIRD: nothing is announced before the checks pass `rise` times;
# an exec check failing withdraws at once and passing again re-announces
# after rise; an HTTP target stopped and started; a flapping target held
# down; on-down = degrade keeps a worse route; the VIP is on the interface
# before the route is announced and leaves after the withdraw.
set -eu
NOMCASTD=$(realpath "$1")
. "$(dirname "$0")/lib.sh"
lib_init health-bird

edge_node

FLAG=$LIB_TMP/flag
# failing, it says hostile things (a quote, a backslash, an escape
# sequence, a byte that is not UTF-8, a forged key): the log holds
cat >"$LIB_TMP/check.sh" <<EOT
#!/bin/sh
test -e "$FLAG" && exit 0
printf 'down "hard" \\\\ \033[31m\377 lvl=err forged=1\nsecond line\n'
exit 1
EOT
chmod +x "$LIB_TMP/check.sh"

# the HTTP target: python's http.server in the node namespace
mkdir -p "$LIB_TMP/www"
echo pong >"$LIB_TMP/www/ping"
http_start() {
	spawn node http /usr/bin/python3 -m http.server 8080 --bind 127.0.0.1 \
		--directory "$LIB_TMP/www"
	HTTP_PID=$SPAWNED
}

cat >"$LIB_TMP/nomcast.ini" <<EOT
[global]
asn = 65001
router-id = 198.51.100.2

[peer edge]
address = 198.51.100.1
asn = 65000
hold-time = 9
connect-retry = 1

[check flag]
type = exec
command = $LIB_TMP/check.sh
interval = 100ms
timeout = 90ms
rise = 3
fall = 1

[check ping]
type = http
url = http://127.0.0.1:8080/ping
body = pong
interval = 100ms
timeout = 90ms
rise = 2

[service exec-svc]
prefix = 203.0.113.10/32
checks = flag
vip-interface = lo

[service http-svc]
prefix = 203.0.113.20/32
checks = ping
hold-down = 3s

[service degrade-svc]
prefix = 203.0.113.30/32
checks = flag
on-down = degrade
degrade-med = 1000
degrade-prepend = 2

[service nocheck-svc]
prefix = 203.0.113.40/32
EOT

has() { bird_has_route edge "$1"; }
hasnt() { bird_no_route edge "$1"; }
vip_on() { ip -n "$(ns node)" addr show dev lo | grep -q "203.0.113.10/32"; }

# 1. start with the flag absent and no HTTP target: only the check-less
#    service and the degraded one are announced; unknown is never announced
nomcast_start node n "$LIB_TMP/nomcast.ini" -d
wait_for 15 bird_established edge node || fail "no session"
wait_for 5 has 203.0.113.40/32 || fail "a service without checks is not announced"
wait_for 5 has 203.0.113.30/32 || fail "degraded service not announced while down"
hasnt 203.0.113.10/32 || fail "exec-svc announced before its check passed"
hasnt 203.0.113.20/32 || fail "http-svc announced with its target down"
vip_on && fail "VIP present while the service is down"
birdc_q edge show route all 203.0.113.30/32 | grep -q "BGP.med: 1000" || fail "degraded MED"
birdc_q edge show route all 203.0.113.30/32 | grep -q "BGP.as_path: 65001 65001 65001" ||
	fail "degraded prepend: $(birdc_q edge show route all 203.0.113.30/32)"
ok "start: unknown/down services not announced; degrade announces MED 1000 and prepends"

# 2. the flag appears: up after rise (3 x 100 ms), VIP before the route
touch "$FLAG"
t0=$(date +%s%N)
wait_for 5 has 203.0.113.10/32 || fail "exec-svc not announced after rise"
t1=$(date +%s%N)
vip_on || fail "VIP missing while announced"
[ $(( (t1 - t0) / 1000000 )) -ge 200 ] || fail "announced before rise passes"
birdc_q edge show route all 203.0.113.30/32 | grep -q "BGP.med: 1000" && fail "degrade-svc still degraded"
vip_line=$(grep -n 'svc=exec-svc vip=added' "$LIB_TMP/nomcast-n.log" | head -1 | cut -d: -f1)
up_line=$(grep -n 'svc=exec-svc verdict=up' "$LIB_TMP/nomcast-n.log" | head -1 | cut -d: -f1)
upd_line=$(awk -v s="$up_line" 'NR > s && /dir=out/ && /UPDATE/ {print NR; exit}' "$LIB_TMP/nomcast-n.log")
[ -n "$vip_line" ] && [ -n "$upd_line" ] && [ "$vip_line" -lt "$upd_line" ] ||
	fail "VIP not added before the announcement (vip line $vip_line, update line $upd_line)"
ok "flag up: announced after rise ($(( (t1 - t0) / 1000000 )) ms incl. polling), VIP added first"

# 3. the flag goes: withdrawn at the next check run, VIP removed after
rm -f "$FLAG"
wait_for 3 hasnt 203.0.113.10/32 || fail "exec-svc not withdrawn"
tw=$(date +%s%N)
# the linger: a packet the router forwarded before it read the withdraw
# still finds the address
vip_on || fail "VIP removed as the withdraw reached BIRD, before the linger"
wait_for 3 sh -c "! ip -n $(ns node) addr show dev lo | grep -q 203.0.113.10/32" || fail "VIP not removed"
linger=$(( ($(date +%s%N) - tw) / 1000000 ))
[ "$linger" -ge 700 ] || fail "VIP removed $linger ms after the withdraw reached BIRD (the linger is 1 s)"
wait_for 3 sh -c "birdc -s $LIB_TMP/bird-edge.ctl show route all 203.0.113.30/32 | grep -q 'BGP.med: 1000'" ||
	fail "degrade-svc not degraded again"
grep -q 'svc=exec-svc verdict=down prev=up reason="check flag: exec .* exited 1' "$LIB_TMP/nomcast-n.log" ||
	fail "no down verdict with its reason in the log"
del_line=$(grep -n 'svc=exec-svc vip=removed' "$LIB_TMP/nomcast-n.log" | head -1 | cut -d: -f1)
down_line=$(grep -n 'svc=exec-svc verdict=down' "$LIB_TMP/nomcast-n.log" | head -1 | cut -d: -f1)
wd_line=$(awk -v s="$down_line" 'NR > s && /dir=out/ && /UPDATE/ {print NR; exit}' "$LIB_TMP/nomcast-n.log")
[ -n "$del_line" ] && [ -n "$wd_line" ] && [ "$wd_line" -lt "$del_line" ] ||
	fail "VIP removed before the withdraw was written"
ok "flag gone: withdrawn with the reason logged; VIP removed $linger ms after the withdraw reached BIRD"

# 4. the HTTP target starts: announced; stops: withdrawn
http_start
wait_for 5 has 203.0.113.20/32 || fail "http-svc not announced with its target up"
ok "HTTP target up: announced"
stop_pid "$HTTP_PID"
wait_for 3 hasnt 203.0.113.20/32 || fail "http-svc not withdrawn with its target stopped"
ok "HTTP target stopped: withdrawn"

# 5. hold-down: the target comes back at once, but the route waits 3 s
http_start
t0=$(date +%s%N)
sleep 1.5
hasnt 203.0.113.20/32 || fail "http-svc back inside its hold-down"
wait_for 5 has 203.0.113.20/32 || fail "http-svc not back after hold-down"
t1=$(date +%s%N)
ok "hold-down: back after $(( (t1 - t0) / 1000000 )) ms (hold-down 3000 ms from the withdraw)"

# 6. SIGTERM: everything withdrawn, the VIP gone
touch "$FLAG"
wait_for 5 has 203.0.113.10/32 || fail "exec-svc not back"
stop_pid "$NOMCAST_PID_n"
wait_for 5 hasnt 203.0.113.40/32 || fail "routes left after SIGTERM"
vip_on && fail "VIP left on lo after exit"
ok "SIGTERM: routes withdrawn and VIP removed"
if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$LIB_TMP"/nomcast-*.log; then
	fail "sanitizer report in nomcastd's log"
fi
ok "no sanitizer report"
