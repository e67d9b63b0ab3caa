#!/bin/sh
# tests/integ/check_http.sh NOMCASTD - the http check (health/check_http.c)
# run by chkrun ($CHKRUN) against httptarget.py in a network namespace:
# every way a target can answer (200, 5xx, hang, reset, garbage, slow, a
# megabyte, a body without the substring, the wrong Host, TLS with and
# without verification, a unix socket) is a pass or a fail with the reason
# that says what was seen; a hang fails by the timeout and the next probe
# still starts on time; keep-alive connections are reused; 1000+ fast
# probes against 200/503/reset leak no descriptor; a megabyte per probe
# does not grow memory; SIGTERM exits 0.  Run it with CHKRUN from a build
# with -Db_sanitize=address,undefined to check for leaks at exit as well.
set -eu
: "${CHKRUN:?CHKRUN must be the path of chkrun}"
CHKRUN=$(realpath "$CHKRUN")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
lib_init check-http

ns_add h
T=$LIB_TMP
U=http://127.0.0.1:8080
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-subj /CN=localhost -days 2 -keyout "$T/key.pem" -out "$T/cert.pem" \
	>/dev/null 2>&1 || fail "openssl could not make a test certificate"
echo 200 >"$T/mode"
spawn h target /usr/bin/python3 "$HERE/httptarget.py" \
	--listen 127.0.0.1:8080 --tls-listen 127.0.0.1:8443 \
	--cert "$T/cert.pem" --key "$T/key.pem" --unix "$T/t.sock" \
	--mode-file "$T/mode" --log "$T/requests.txt" --ready "$T/ready"
wait_for 10 test -s "$T/ready" || fail "httptarget did not start"

ini_start() {	# ini_start: a config with no peers or services, only checks
	printf '[global]\nasn = 65001\nrouter-id = 198.51.100.2\n' >"$T/c.ini"
}

check() {	# check NAME URL INTERVAL TIMEOUT [extra key = value lines]
	printf '\n[check %s]\ntype = http\nurl = %s\ninterval = %s\ntimeout = %s\n%s\n' \
		"$1" "$2" "$3" "$4" "${5:-}" >>"$T/c.ini"
}

run() {		# run SECONDS: chkrun in the namespace, results in $T/out
	ip netns exec "$(ns h)" "$CHKRUN" -c "$T/c.ini" -s "$1" \
		>"$T/out" 2>"$T/chkrun.log" || fail "chkrun exited $?"
}

results() {	# results NAME: that check's result lines
	grep " check=$1 " "$T/out" || true
}

# expect NAME PASS TEXT: at least two results, every one with pass=PASS
# and TEXT in its reason
expect() {
	r=$(results "$1")
	n=$(printf '%s\n' "$r" | grep -c "pass=" || true)
	[ "$n" -ge 2 ] || fail "$1: $n results: $(cat "$T/out")"
	bad=$(printf '%s\n' "$r" | grep -v " pass=$2 " || true)
	[ -z "$bad" ] || fail "$1: wanted pass=$2, got: $bad"
	bad=$(printf '%s\n' "$r" | grep -vF "$3" || true)
	[ -z "$bad" ] || fail "$1: wanted reason with '$3', got: $bad"
	ok "$1: $n results, pass=$2, reason \"$3\""
}

# ---- 1. every mode at once, one check each ----
ini_start
check ok "$U/ping" 300ms 250ms "body = pong"
check s503 "$U/m/503" 300ms 250ms
check s404 "$U/m/status/404" 300ms 250ms "expect = 200 204 300-399"
check s302 "$U/m/status/302" 300ms 250ms "expect = 200 204 300-399"
check want503 "$U/m/503" 300ms 250ms "expect = 503"
check reset "$U/m/reset" 300ms 250ms
check garbage "$U/m/garbage" 300ms 250ms
check slow "$U/m/slow/50" 300ms 250ms "body = pong"
check slowto "$U/m/slow/2000" 300ms 250ms
# a megabyte over loopback: a generous timeout, so a loaded (or sanitizer)
# machine measures the body rule, not its own speed
check big "$U/m/big" 1s 900ms "body = pong"
check bigtail "$U/m/bigtail" 1s 900ms "body = pong"
check nobody "$U/m/nobody" 300ms 250ms "body = pong"
check host "$U/m/host/web.example" 300ms 250ms "host = web.example"
check hostbad "$U/m/host/web.example" 300ms 250ms "host = other.example"
check nohost "$U/m/host/web.example" 300ms 250ms
check refused "http://127.0.0.1:8081/ping" 300ms 250ms
check unix "http://localhost/m/host/web.example" 300ms 250ms \
	"unix-socket = $T/t.sock
host = web.example
body = pong"
check nosock "http://localhost/ping" 300ms 250ms "unix-socket = $T/none.sock"
run 2.5
expect ok 1 "http 200 from 127.0.0.1:8080/ping"
expect s503 0 "http 503 from 127.0.0.1:8080/m/503"
expect s404 0 "http 404 from 127.0.0.1:8080/m/status/404"
expect s302 1 "http 302 from 127.0.0.1:8080/m/status/302"
expect want503 1 "http 503 from"
expect reset 0 "connection reset by 127.0.0.1:8080/m/reset"
expect garbage 0 "not an http answer from 127.0.0.1:8080/m/garbage"
expect slow 1 "http 200 from 127.0.0.1:8080/m/slow/50"
expect slowto 0 "timeout after 250 ms"
expect big 1 "http 200 from 127.0.0.1:8080/m/big"
# only the first 64 KiB are searched: "pong" after a megabyte is not seen
expect bigtail 0 "http 200 from 127.0.0.1:8080/m/bigtail without \"pong\" in body"
expect nobody 0 "http 200 from 127.0.0.1:8080/m/nobody without \"pong\" in body"
expect host 1 "http 200 from"
expect hostbad 0 "http 421 from 127.0.0.1:8080/m/host/web.example"
expect nohost 0 "http 421 from"
expect refused 0 "connection refused to 127.0.0.1:8081"
expect unix 1 "http 200 from localhost/m/host/web.example via $T/t.sock"
expect nosock 0 "no such socket to $T/none.sock"

# the slow answer's latency is the server's delay, not less
results slow | awk '{ split($4, a, "="); if (a[2] < 0.045) exit 1 }' ||
	fail "slow: a latency below the server's 50 ms delay: $(results slow)"
ok "slow: latency at least the server's delay"

# what the server saw: the Host header, the user agent, one connection
grep -q "host=web.example path=/m/host/web.example" "$T/requests.txt" ||
	fail "no request with Host: web.example"
grep -q "host=127.0.0.1:8080 path=/m/host/web.example" "$T/requests.txt" ||
	fail "no request with the default Host"
grep "path=/ping " "$T/requests.txt" | grep -q "ua=nomcast/" ||
	fail "user agent is not nomcast/VERSION"
ok "Host header sent as configured (default: the URL's), user agent nomcast/"

# ---- 1b. TLS, alone: libcurl parses the CA bundle once, on the loop (tens
# of ms, ten times that under AddressSanitizer), which would make the
# first probes of the checks above late ----
ini_start
check tlsoff "https://127.0.0.1:8443/ping" 500ms 450ms "tls-verify = no
body = pong"
check tlson "https://127.0.0.1:8443/ping" 500ms 450ms "tls-verify = yes"
run 1.2
expect tlsoff 1 "http 200 from 127.0.0.1:8443/ping"
expect tlson 0 "tls error from 127.0.0.1:8443/ping: SSL certificate problem"

# ---- 2. a hang fails by the timeout; the next probe is still on time ----
ini_start
check hang "$U/m/hang" 200ms 100ms
check beside "$U/m/200" 200ms 100ms
run 2.1
expect hang 0 "timeout after 100 ms"
expect beside 1 "http 200 from"
results hang | awk '
	{ split($1, t, "="); split($4, l, "=") }
	l[2] < 0.095 || l[2] > 0.160 { print "latency " l[2]; bad = 1 }
	NR > 1 && (t[2] - prev < 0.160 || t[2] - prev > 0.240) {
		print "spacing " t[2] - prev; bad = 1 }
	{ prev = t[2]; n++ }
	END { exit bad || n < 8 }' >"$T/hang.txt" ||
	fail "hang: $(cat "$T/hang.txt") in: $(results hang)"
ok "hang: latency ~ timeout (100 ms), results 200 ms apart, the other check unaffected"

# ---- 3. the mode switched while chkrun runs: pass, fail, pass ----
ini_start
check flip "$U/flip" 100ms 80ms
echo 200 >"$T/mode"
spawn h chkrun-flip "$CHKRUN" -c "$T/c.ini" -s 2.4
flip=$SPAWNED
sleep 0.8; echo 503 >"$T/mode"
sleep 0.8; echo 200 >"$T/mode"
wait "$flip" || fail "chkrun exited $?"
grep " check=flip " "$LIB_TMP/chkrun-flip.log" >"$T/out" || true
seq=$(results flip | awk '{ print $3 }' | uniq | tr '\n' ' ')
[ "$seq" = "pass=1 pass=0 pass=1 " ] || fail "flip: $seq in $(cat "$T/out")"
results flip | grep -q 'pass=0 .*reason="http 503 from 127.0.0.1:8080/flip"' ||
	fail "flip: no 503 reason"
ok "mode switched at runtime: pass, then http 503, then pass again"
# a 503 keeps the connection open too: every probe over one connection
conns=$(grep " path=/flip " "$T/requests.txt" | awk '{ print $1 }' |
	sort -u | wc -l)
probes=$(grep -c " path=/flip " "$T/requests.txt" || true)
[ "$probes" -ge 20 ] && [ "$conns" -eq 1 ] ||
	fail "keep-alive: $probes probes over $conns connections"
ok "keep-alive: $probes probes over one connection"

# ---- 4. 1000+ probes against 200/503/reset: no descriptor leak ----
ini_start
check fast "$U/fast" 5ms 4ms
echo "cycle 200 503 reset" >"$T/mode"
spawn h chkrun-fast "$CHKRUN" -c "$T/c.ini" -s 9
fast=$SPAWNED
fds() {		# the most descriptors chkrun held over 5 looks
	m=0
	for _ in 1 2 3 4 5; do
		n=$(ls "/proc/$fast/fd" | wc -l)
		[ "$n" -gt "$m" ] && m=$n
		sleep 0.05
	done
	echo "$m"
}
sleep 1.5; early=$(fds)
sleep 6; late=$(fds)
wait "$fast" || fail "chkrun exited $?"
out="$LIB_TMP/chkrun-fast.log"
n=$(grep -c " check=fast " "$out" || true)
[ "$n" -ge 1000 ] || fail "fast: only $n results"
grep -q 'pass=1 .*reason="http 200' "$out" || fail "fast: no pass"
grep -q 'reason="http 503' "$out" || fail "fast: no 503"
grep -q 'reason="connection reset by' "$out" || fail "fast: no reset"
[ "$late" -le $((early + 1)) ] || fail "fast: descriptors grew from $early to $late"
ok "fast: $n probes (200/503/reset), descriptors $early early and $late late"

# ---- 5. a megabyte per probe does not grow memory ----
# (not under AddressSanitizer: its quarantine keeps freed memory resident;
# its leak check at exit, in 6, covers that build)
ini_start
check mib "$U/m/big" 50ms 45ms "body = pong"
spawn h chkrun-mib "$CHKRUN" -c "$T/c.ini" -s 4
mib=$SPAWNED
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$mib/status"; }
sleep 1; early=$(rss)
sleep 2.5; late=$(rss)
wait "$mib" || fail "chkrun exited $?"
n=$(grep -c ' check=mib pass=1 ' "$LIB_TMP/chkrun-mib.log" || true)
[ "$n" -ge 20 ] || fail "mib: only $n passing probes of 1 MiB"
if grep -qa __asan_init "$CHKRUN"; then
	ok "mib: $n answers of 1 MiB (RSS not compared under AddressSanitizer)"
else
	[ "$late" -le $((early + 1024)) ] ||
		fail "mib: RSS grew from $early kB to $late kB"
	ok "mib: $n answers of 1 MiB, RSS $early kB then $late kB"
fi

# ---- 6. SIGTERM in the middle of everything: exit 0, nothing leaked ----
ini_start
check a "$U/m/hang" 50ms 40ms
check b "$U/m/big" 50ms 40ms
check c "$U/m/reset" 50ms 40ms
check d "https://127.0.0.1:8443/ping" 50ms 40ms "tls-verify = no"
check e "http://localhost/m/slow/30" 50ms 40ms "unix-socket = $T/t.sock"
check f "$U/ping" 50ms 40ms
spawn h chkrun-term "$CHKRUN" -c "$T/c.ini" -s 60
term=$SPAWNED
sleep 2
kill -TERM "$term"
rc=0; wait "$term" || rc=$?
[ "$rc" -eq 0 ] || fail "chkrun exited $rc after SIGTERM"
! grep -qE "Sanitizer|runtime error" "$LIB_TMP/chkrun-term.log" ||
	fail "sanitizer report after SIGTERM"
ok "SIGTERM: exit 0, no sanitizer report"
