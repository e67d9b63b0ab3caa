#!/bin/sh
# tests/integ/reload_checks.sh NOMCASTD - a reload never flaps a route:
# a service that is up stays in a real BIRD's RIB, without a
# single withdraw, while a reload changes each field of its checks in turn
# (interval, timeout, rise, fall, expect, body, host, url, the type, an
# exec command); a check whose new settings fail withdraws only after fall
# results under them; a check added to the service withdraws only once it
# has failed fall times.  Reloads go through nomcastctl and SIGHUP alike.
set -eu
NOMCASTD=$(realpath "$1")
NOMCASTCTL=$(dirname "$NOMCASTD")/nomcastctl
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
lib_init reload-checks
T=$LIB_TMP

ns_add edge node
link edge 198.51.100.1/24 - node 198.51.100.2/24 -
cat >"$T/bird.conf" <<EOT
router id 198.51.100.1;
protocol device { }
protocol bgp node {
	local 198.51.100.1 as 65000;
	neighbor 198.51.100.2 as 65001;
	passive on;
	ipv4 { import all; export none; };
}
EOT
bird_start edge edge "$T/bird.conf"

echo 200 >"$T/mode"
spawn node target /usr/bin/python3 "$HERE/httptarget.py" \
	--listen 127.0.0.1:8080 --mode-file "$T/mode" --log "$T/requests.txt" \
	--ready "$T/target.ready"
wait_for 10 test -s "$T/target.ready" || fail "httptarget did not start"

P=203.0.113.10/32
SOCK=$T/ctl.sock
# the check "web" as the variables say; "alive" (exec) and, with EXTRA,
# more checks of the service
TYPE=http URL=http://127.0.0.1:8080/ping IVL=200ms TMO=150ms RISE=2 FALL=2
EXPECT=200 BODY=pong HOST= ARGV=/bin/true EXTRA= EXTRA_NAMES=
write_conf() {
	{
		printf '[global]\nasn = 65001\nrouter-id = 198.51.100.2\n'
		printf 'control-socket = %s\nlisten = no\n\n' "$SOCK"
		printf '[peer edge]\naddress = 198.51.100.1\nasn = 65000\n'
		printf 'hold-time = 9\nconnect-retry = 1\n\n'
		printf '[check web]\ntype = %s\n' "$TYPE"
		if [ "$TYPE" = http ]; then
			printf 'url = %s\nexpect = %s\nbody = %s\n' "$URL" \
				"$EXPECT" "$BODY"
			[ -n "$HOST" ] && printf 'host = %s\n' "$HOST"
		else
			printf 'target = 127.0.0.1:8080\n'
		fi
		printf 'interval = %s\ntimeout = %s\nrise = %s\nfall = %s\n\n' \
			"$IVL" "$TMO" "$RISE" "$FALL"
		printf '[check alive]\ntype = exec\ncommand = %s\n' "$ARGV"
		printf 'interval = 200ms\ntimeout = 150ms\n\n'
		[ -n "$EXTRA" ] && printf '%s\n\n' "$EXTRA"
		printf '[service web]\nprefix = %s\nchecks = web, alive%s\n' "$P" \
			"$EXTRA_NAMES"
	} >"$T/nomcast.ini"
}
ctl() { ip netns exec "$(ns node)" "$NOMCASTCTL" -s "$SOCK" "$@"; }
LOG=$T/nomcast-n.log
downs() { grep -c 'svc=web verdict=down' "$LOG" || true; }
withdraws() { grep -c 'dir=out .*msg="UPDATE withdrawn=1' "$LOG" || true; }

write_conf
nomcast_start node n "$T/nomcast.ini" -d
N=$NOMCAST_PID_n
wait_for 15 bird_established edge node || fail "no session"
wait_for 10 bird_has_route edge "$P" || fail "web not announced"
ok "web up and announced"

# steady MS: the route stays in BIRD's RIB for MS, looked at every 20 ms
steady() {
	t_end=$(( $(date +%s%3N) + $1 ))
	while [ "$(date +%s%3N)" -lt "$t_end" ]; do
		bird_has_route edge "$P" || return 1
		sleep 0.02
	done
}
# reload_step WHAT HOW: write the file, reload (ctl or HUP), then the
# route must stay and nomcastd must neither go down nor withdraw
n=0
reload_step() {
	write_conf
	d0=$(downs) w0=$(withdraws)
	if [ "$2" = hup ]; then
		kill -HUP "$N"
	else
		ctl reload >/dev/null || fail "reload refused ($1)"
	fi
	wait_for 5 grep -q "msg=\"reloaded\"" "$LOG" || fail "no reload ($1)"
	steady 900 || fail "$1: the route left BIRD after the reload"
	[ "$(downs)" -eq "$d0" ] || fail "$1: the service went down"
	[ "$(withdraws)" -eq "$w0" ] || fail "$1: a withdraw was sent"
	n=$((n + 1))
}

IVL=300ms;		reload_step "interval 200ms -> 300ms" ctl
TMO=200ms;		reload_step "timeout 150ms -> 200ms" hup
RISE=3;			reload_step "rise 2 -> 3" ctl
FALL=3;			reload_step "fall 2 -> 3" hup
EXPECT=200-299;		reload_step "expect 200 -> 200-299" ctl
BODY=pon;		reload_step "body pong -> pon" hup
HOST=web.example;	reload_step "host added" ctl
URL=http://127.0.0.1:8080/m/200/x; reload_step "url changed" hup
TYPE=tcp;		reload_step "type http -> tcp" ctl
TYPE=http;		reload_step "type tcp -> http" hup
ARGV=/usr/bin/true;	reload_step "exec command /bin/true -> /usr/bin/true" ctl
ests=$(grep -c 'state=OpenConfirm->Established' "$LOG" || true)
[ "$ests" -eq 1 ] || fail "the session went down and up"
ok "$n reloads, each changing one field of a check: the route never left BIRD, no withdraw, no down"

# a changed check whose new settings fail: fall (3) failures under them,
# not fewer, withdraw
URL=http://127.0.0.1:8080/m/503/x
reload_step_fail() {
	write_conf
	l0=$(wc -l <"$LOG")
	ctl reload >/dev/null || fail "reload refused"
	wait_for 5 bird_no_route edge "$P" || fail "$1: never withdrawn"
	# the failing results of the check before its verdict went down
	k=$(tail -n +"$((l0 + 1))" "$LOG" | awk -v c="$2" '
		/svc=web verdict=down/ { print n + 0; exit }
		$0 ~ "check=" c " pass=0" { n++ }')
	[ "${k:-0}" -ge "$3" ] || fail "$1: withdrawn after ${k:-0} failures (fall $3)"
}
reload_step_fail "web's url now answers 503" web 3
ok "a changed check that fails under its new settings: withdrawn after $k failures (fall 3), not at the reload"

URL=http://127.0.0.1:8080/m/200/x
write_conf
ctl reload >/dev/null
wait_for 10 bird_has_route edge "$P" || fail "not back after the fix"
sleep 0.5

# a check added to a service that is up: passing until it fails fall (2)
# times; the closed port 9 refuses at once
EXTRA='[check new]
type = tcp
target = 127.0.0.1:9
interval = 200ms
timeout = 150ms
fall = 2'
EXTRA_NAMES=', new'
d0=$(downs)
write_conf
l0=$(wc -l <"$LOG")
ctl reload >/dev/null || fail "reload with a new check refused"
wait_for 5 bird_no_route edge "$P" || fail "a failing new check never withdrew"
k=$(tail -n +"$((l0 + 1))" "$LOG" | awk '
	/svc=web verdict=down/ { print n + 0; exit } /check=new pass=0/ { n++ }')
[ "$(downs)" -eq $((d0 + 1)) ] || fail "down more than once"
[ "${k:-0}" -ge 2 ] || fail "the new check withdrew after ${k:-0} failures (fall 2)"
grep -q 'added by reload: passing until it fails 2 times' "$LOG" ||
	fail "no reason for the added check"
ok "a failing check added to an up service: withdrawn after $k failures (fall 2), not at the reload"

stop_pid "$N"
if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$LOG"; then
	fail "sanitizer report"
fi
ok "SIGTERM: clean exit"
