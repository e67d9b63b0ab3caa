#!/bin/sh
# tests/integ/control.sh NOMCASTD - the control socket and nomcastctl
# against a running nomcastd peering with BIRD (hold time 3 s on both
# sides): show status/peers/services/routes as tables and as JSON (parsed,
# fields checked against BIRD's view), check on a good and a broken file,
# connection errors, then the abuse suite (tests/integ/ctl_abuse.py:
# unknown command, bad JSON, an over-long line, 1000 clients at once, 256
# clients trickling requests, a stalled half line, a client that never
# reads) while the BGP session stays
# Established: BIRD's "since" unchanged and no state change in the log.
# NOMCASTCTL: the nomcastctl binary (default: next to NOMCASTD).
set -eu
NOMCASTD=$(realpath "$1")
HERE=$(dirname "$(realpath "$0")")
. "$HERE/lib.sh"
lib_init control
NOMCASTCTL=${NOMCASTCTL:-$(dirname "$NOMCASTD")/nomcastctl}
PY=/usr/bin/python3

edge_node 3

SOCK=$LIB_TMP/run/nomcast.sock
INI=$LIB_TMP/nomcast.ini
cat >"$INI" <<EOT
[global]
asn = 65001
router-id = 198.51.100.2
control-socket = $SOCK

[peer edge]
address = 198.51.100.1
asn = 65000
hold-time = 3
connect-retry = 1

[check alive]
type = exec
command = /bin/true
interval = 500ms
rise = 2

[service web]
prefix = 203.0.113.10/32
communities = 65001:100 no-export 65535:0
large-communities = 65001:1:2
med = 50
checks = alive

[service dns]
prefix = 203.0.113.53/32

[check api-port]
type = tcp
target = 127.0.0.1:8081

[service api]
prefix = 203.0.113.20/32
checks = api-port
EOT
cp "$INI" "$LIB_TMP/nomcast.ini.good"

nomcast_start node a "$INI"
LOG=$LIB_TMP/nomcast-a.log
wait_for 15 bird_established edge node || fail "no session"
routes() {
	bird_has_route edge 203.0.113.10/32 && bird_has_route edge 203.0.113.53/32
}
wait_for 10 routes || fail "routes not in BIRD's RIB"
bird_no_route edge 203.0.113.20/32 || fail "api announced with its check failing"
ok "session Established with hold time 3, both routes in BIRD"

ctl() { "$NOMCASTCTL" -s "$SOCK" "$@"; }
# json_check CMD... -- PYTHON: the --json output parsed, then asserted
json_assert() {
	expr=$1; shift
	ctl --json "$@" >"$LIB_TMP/out.json" || fail "nomcastctl --json $*: exit $?"
	$PY -c 'import json,sys; json.load(sys.stdin)' <"$LIB_TMP/out.json" ||
		fail "nomcastctl --json $*: not JSON: $(cat "$LIB_TMP/out.json")"
	$PY -c "import json,sys; d = json.load(sys.stdin); assert $expr, d" \
		<"$LIB_TMP/out.json" || fail "nomcastctl --json $*: $expr"
}

# the socket: where the config says, mode 0660
[ -S "$SOCK" ] || fail "no socket at $SOCK"
[ "$(stat -c %a "$SOCK")" = 660 ] || fail "socket mode $(stat -c %a "$SOCK")"
grep -q "ctl=$SOCK mode=0660 msg=\"control socket ready\"" "$LOG" ||
	fail "control socket not logged"
ok "control socket at the configured path, mode 0660"

# show status
ctl show status >"$LIB_TMP/out" || fail "show status: exit $?"
grep -q "^router id  *198.51.100.2$" "$LIB_TMP/out" || fail "show status: $(cat "$LIB_TMP/out")"
grep -q "^peers  *1 configured, 1 established$" "$LIB_TMP/out" || fail "show status: $(cat "$LIB_TMP/out")"
grep -q "^config  *$INI (loaded " "$LIB_TMP/out" || fail "show status: $(cat "$LIB_TMP/out")"
json_assert 'd["asn"] == 65001 and d["peers"]["established"] == 1 and d["services"]["up"] == 2 and d["services"]["down"] == 1 and d["config"]["file"] == "'"$INI"'"' show status
ok "show status: text and JSON"

# show peers
wait_for 5 sh -c "'$NOMCASTCTL' -s '$SOCK' show peers | grep -q '^edge .* Established .* 2 '" ||
	fail "show peers: $(ctl show peers)"
ctl show peers >"$LIB_TMP/out"
head -1 "$LIB_TMP/out" | grep -q "^NAME  *ADDRESS  *AS  *STATE  *SINCE  *PFX-OUT  *MSGS-IN/OUT  *LAST-ERROR$" ||
	fail "show peers header: $(cat "$LIB_TMP/out")"
json_assert 'len(d["peers"]) == 1 and d["peers"][0]["state"] == "Established" and d["peers"][0]["prefixes_out"] == 2 and d["peers"][0]["hold_time"] == 3 and d["peers"][0]["capabilities"]["as4"] and d["peers"][0]["capabilities"]["ipv4"] and d["peers"][0]["asn"] == 65000 and d["peers"][0]["updates_out"] >= 1' show peers
ctl show peers edge | grep -q "^  hold time  *3 s (configured 3 s), keepalive 1 s$" ||
	fail "show peers edge: $(ctl show peers edge)"
ok "show peers: Established, 2 prefixes, hold time 3, capabilities"

# show services
ctl show services >"$LIB_TMP/out"
grep -q "^web  *up  .* announced  *all" "$LIB_TMP/out" || grep -q "^web  *up  .* announced" "$LIB_TMP/out" ||
	fail "show services: $(cat "$LIB_TMP/out")"
grep -q "^    check alive  *pass  *last pass  *[0-9.]*ms" "$LIB_TMP/out" ||
	fail "show services sources: $(cat "$LIB_TMP/out")"
grep -q "^api  *down  .* withdrawn  *check api-port: tcp connect to 127.0.0.1:8081: Connection refused$" "$LIB_TMP/out" ||
	fail "show services, api: $(cat "$LIB_TMP/out")"
json_assert '[s["verdict"] for s in d["services"]] == ["up", "up", "down"] and d["services"][0]["sources"][0]["last_result"] == "pass" and d["services"][0]["sources"][0]["type"] == "exec" and d["services"][0]["sources"][0]["latency_seconds"] > 0' show services
ok "show services: verdicts up and down, each check's last result, latency and output"

# show routes: what BIRD has is what nomcast says it sent
# (well-known communities by name, large ones in their own column; the
# JSON keeps the numbers)
ctl show routes >"$LIB_TMP/out"
grep -q "^PREFIX  *NEXT-HOP  *AS-PATH  *MED  *LPREF  *COMMUNITIES  *LARGE-COMMUNITIES  *SENT$" "$LIB_TMP/out" ||
	fail "show routes header: $(cat "$LIB_TMP/out")"
grep -q "^203.0.113.10/32  *198.51.100.2  *65001  *50  *-  *65001:100 graceful-shutdown no-export  *65001:1:2  *20" "$LIB_TMP/out" ||
	fail "show routes: $(cat "$LIB_TMP/out")"
grep -q "^203.0.113.53/32  *198.51.100.2  *65001  *-  *-  *-  *-  *20" "$LIB_TMP/out" ||
	fail "show routes, no communities: $(cat "$LIB_TMP/out")"
json_assert 'sorted(r["prefix"] for r in d["peers"][0]["routes"]) == ["203.0.113.10/32", "203.0.113.53/32"] and d["peers"][0]["routes"][0]["communities"] == ["65001:100", "65535:0", "65535:65281"] and d["peers"][0]["routes"][0]["large_communities"] == ["65001:1:2"] and d["peers"][0]["routes"][0]["med"] == 50 and d["peers"][0]["routes"][0]["sent_seconds"] < 60' show routes edge
birdc_q edge show route all 203.0.113.10/32 | grep -q "BGP.med: 50" || fail "BIRD disagrees on the MED"
ok "show routes: prefixes, next hop, AS path, MED, communities (well-known by name; numbers in JSON), large communities, when sent"

# errors: unknown peer, unknown command, no daemon at the path
ctl show routes nosuch >"$LIB_TMP/out" 2>&1 && fail "show routes nosuch: exit 0"
grep -q "^nomcastctl: no such peer: nosuch$" "$LIB_TMP/out" || fail "nosuch: $(cat "$LIB_TMP/out")"
ctl show bogus >"$LIB_TMP/out" 2>&1 && fail "show bogus: exit 0"
grep -q "^nomcastctl: unknown command: show bogus$" "$LIB_TMP/out" || fail "bogus: $(cat "$LIB_TMP/out")"
"$NOMCASTCTL" -s "$LIB_TMP/none/x.sock" show status >"$LIB_TMP/out" 2>&1 && fail "no daemon: exit 0"
grep -qx "nomcastctl: cannot connect to $LIB_TMP/none/x.sock: No such file or directory" "$LIB_TMP/out" ||
	fail "no daemon: $(cat "$LIB_TMP/out")"
NOMCAST_SOCKET=$SOCK "$NOMCASTCTL" show status >/dev/null || fail "NOMCAST_SOCKET not used"
ok "errors: unknown peer and command (exit 1), no daemon (exit 1, clear message), NOMCAST_SOCKET"

# check: the running file re-read; broken on disk -> file:line errors, exit 1
ctl check >"$LIB_TMP/out" || fail "check on a good file: exit $?"
grep -qx "$INI: configuration ok" "$LIB_TMP/out" || fail "check: $(cat "$LIB_TMP/out")"
printf 'med = lots\nbogus-key = 1\n' >>"$INI"
ctl check >"$LIB_TMP/out" 2>"$LIB_TMP/err" && fail "check on a broken file: exit 0"
grep -q "^$INI:[0-9][0-9]*: med: " "$LIB_TMP/out" || fail "check: $(cat "$LIB_TMP/out")"
grep -q "^$INI:[0-9][0-9]*: .*bogus-key" "$LIB_TMP/out" || fail "check: $(cat "$LIB_TMP/out")"
grep -qx "nomcastctl: $INI: 2 errors" "$LIB_TMP/err" || fail "check: $(cat "$LIB_TMP/err")"
json_check_fail=$(ctl --json check 2>/dev/null || true)
echo "$json_check_fail" | $PY -c 'import json,sys; d = json.load(sys.stdin); assert d["ok"] is False and d["data"]["errors"] == 2, d' ||
	fail "check --json: $json_check_fail"
cp "$LIB_TMP/nomcast.ini.good" "$INI"
ctl check >/dev/null || fail "check after repair"
bird_established edge node || fail "check disturbed the session"
ok "check: ok on the good file; file:line errors and exit 1 on a broken one; running config untouched"

# drain, undrain, reload: the commands reach the daemon; no session flap
since=$(bird_since_ms edge node)
[ -n "$since" ] || fail "no since from BIRD"
ctl drain web >"$LIB_TMP/out" || fail "drain web: exit $?"
grep -qx "service web: drain on" "$LIB_TMP/out" || fail "drain: $(cat "$LIB_TMP/out")"
json_assert 'd["services"][0]["drain"] is True' show services web
ctl undrain web >"$LIB_TMP/out" || fail "undrain web: exit $?"
grep -qx "service web: drain off" "$LIB_TMP/out" || fail "undrain: $(cat "$LIB_TMP/out")"
json_assert 'd["services"][0]["drain"] is False' show services web
ctl drain nosuch 2>"$LIB_TMP/err" && fail "drain nosuch: exit 0"
grep -qx "nomcastctl: no such service: nosuch" "$LIB_TMP/err" || fail "drain nosuch: $(cat "$LIB_TMP/err")"
wait_for 10 sh -c "'$NOMCASTCTL' -s '$SOCK' show services web | grep -q '^web  *up  .* announced'" ||
	fail "web not back up after undrain: $(ctl show services web)"
ctl reload >"$LIB_TMP/out" || fail "reload: exit $?"
grep -q "^$INI: reloaded at " "$LIB_TMP/out" || fail "reload: $(cat "$LIB_TMP/out")"
grep -qx "  peers     kept 1, reset 0, added 0, removed 0" "$LIB_TMP/out" &&
	grep -qx "  services  kept 3, changed 0, added 0, removed 0" "$LIB_TMP/out" &&
	grep -qx "  checks    kept 2, restarted 0, added 0, removed 0" "$LIB_TMP/out" ||
	fail "reload plan: $(cat "$LIB_TMP/out")"
# a key read only at start-up is named, in the reply and in the log
sed -i "s|^control-socket = .*|&\ncontrol-socket-mode = 0600|" "$INI"
ctl reload >"$LIB_TMP/out" || fail "reload (socket mode): exit $?"
grep -qx "  control-socket-mode: changed, takes effect at the next restart" "$LIB_TMP/out" ||
	fail "reload (socket mode): $(cat "$LIB_TMP/out")"
grep -q 'msg="reload: changed key takes effect at the next restart" key=control-socket-mode' "$LOG" ||
	fail "reload (socket mode): no log line"
cp "$LIB_TMP/nomcast.ini.good" "$INI"
printf 'asn = x\377"\033[31m\n' >>"$INI"
ctl reload >"$LIB_TMP/out" 2>"$LIB_TMP/err" && fail "reload of a broken file: exit 0"
grep -q "$INI:[0-9][0-9]*: " "$LIB_TMP/err" || fail "reload error: $(cat "$LIB_TMP/err")"
# a FIFO at the config path (nobody writes it): refused at once, the
# daemon keeps running on what it had
rm "$INI"
mkfifo "$INI"
t0=$(date +%s%N)
timeout 5 "$NOMCASTCTL" -s "$SOCK" reload >"$LIB_TMP/out" 2>"$LIB_TMP/err" &&
	fail "reload of a FIFO: exit 0"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -lt 1000 ] || fail "reload of a FIFO: answered after $ms ms"
grep -qx "nomcastctl: $INI: not a regular file (a FIFO)" "$LIB_TMP/err" ||
	fail "reload of a FIFO: $(cat "$LIB_TMP/out" "$LIB_TMP/err")"
timeout 5 "$NOMCASTCTL" -s "$SOCK" show status >"$LIB_TMP/out" ||
	fail "show status after the FIFO reload"
grep -q "^peers  *1 configured, 1 established$" "$LIB_TMP/out" ||
	fail "show status after the FIFO reload: $(cat "$LIB_TMP/out")"
rm "$INI"
ok "reload with a FIFO at the config path: refused in $ms ms, daemon still answering"
cp "$LIB_TMP/nomcast.ini.good" "$INI"
bird_established edge node || fail "drain/reload: the session went down"
same_since "$(bird_since_ms edge node)" "$since" ||
	fail "drain/reload: the session flapped (BIRD's since changed)"
wait_for 5 routes || fail "drain/reload: routes missing"
ok "drain, undrain, reload (good and broken file) through nomcastctl; the session did not flap"

# the abuse suite, with the session watched
trans_before=$(grep -c "peer=198.51.100.1 state=" "$LOG" || true)
NOMCASTCTL=$NOMCASTCTL $PY "$HERE/ctl_abuse.py" "$SOCK" 10 5 || fail "abuse suite"
bird_established edge node || fail "the session went down during the abuse"
same_since "$(bird_since_ms edge node)" "$since" ||
	fail "the session flapped during the abuse (BIRD's since changed)"
trans_after=$(grep -c "peer=198.51.100.1 state=" "$LOG" || true)
[ "$trans_before" = "$trans_after" ] || fail "state changes in nomcast's log during the abuse"
grep -q 'msg="too many clients (256): closed to make room for a new one, after [0-9.]* s ' "$LOG" ||
	fail "evictions not logged"
grep -q 'msg="request not done within 5.0 s: closed"' "$LOG" || fail "request deadline not logged"
grep -q 'msg="request line longer than 8191 bytes: closed"' "$LOG" || fail "long line not logged"
ok "abuse: BGP session with hold time 3 stayed Established (BIRD since $since, no state change logged)"

if [ -n "${CTL_CAPTURE:-}" ]; then	# a session for the README
	for c in "show status" "show peers" "show services" "show routes"; do
		echo "\$ nomcastctl $c"; ctl $c; done >"$CTL_CAPTURE"
fi

# SIGTERM: the socket goes with the daemon
stop_pid "$NOMCAST_PID_a"
[ ! -e "$SOCK" ] || fail "socket left behind after exit"
# under -Db_sanitize the report lands in the log, not in an exit status
! grep -qE "AddressSanitizer|LeakSanitizer|runtime error" "$LOG" ||
	fail "sanitizer report: $(grep -A20 -E "Sanitizer|runtime error" "$LOG")"
ok "socket removed at exit; no sanitizer report"
