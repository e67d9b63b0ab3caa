#!/bin/sh
# tests/integ/check_types.sh NOMCASTD - the tcp, watch and exec checks,
# run by chkrun ($CHKRUN) in a network namespace against python targets:
# tcp pass, refused, timeout, IPv6; watch: the proxy killed with SIGKILL is
# a failure within milliseconds (measured and printed), a polite idle
# close is not a failure, a reset is one at once; exec: exit 0, exit 1
# with its first line, a missing command, a killing signal, a hang killed
# at the timeout, a background child, a megabyte of output; and 1000
# cycles of exec and of tcp leave no descriptor, child or zombie behind.
set -eu
NOMCASTD=$(realpath "$1")
. "$(dirname "$0")/lib.sh"
[ -n "${CHKRUN:-}" ] || fail "CHKRUN is not set"
CHKRUN=$(realpath "$CHKRUN")
PY=/usr/bin/python3
lib_init check-types

# a silent target: 198.51.100.9 is on a link to a namespace that has no
# address, so an ARP request is all that goes out
ns_add node void
link node 198.51.100.1/24 - void - -

# every process chkrun starts inherits this; none may outlive its probe
MARK="chk$$"

# ---- helpers ----

# srv.py ADDR PORT [hold | close SECS | rst SECS]: a TCP target that holds
# every connection (reading and dropping), or closes each one politely, or
# with a reset, SECS after accepting it, while it keeps listening.
cat >"$LIB_TMP/srv.py" <<'PYEOF'
import selectors, socket, struct, sys, time
addr, port = sys.argv[1], int(sys.argv[2])
mode = sys.argv[3] if len(sys.argv) > 3 else "hold"
after = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
ls = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((addr, port))
ls.listen(128)
sel = selectors.DefaultSelector()
sel.register(ls, selectors.EVENT_READ)
conns = {}
n = 0
print("listening", flush=True)
def drop(s, rst):
    if rst:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
    sel.unregister(s)
    s.close()
    del conns[s]
while True:
    for key, _ in sel.select(0.01):
        s = key.fileobj
        if s is ls:
            c, _ = ls.accept()
            n += 1
            print("accepted", n, flush=True)
            conns[c] = time.monotonic()
            sel.register(c, selectors.EVENT_READ)
        elif not s.recv(4096):
            drop(s, False)
    if mode != "hold":
        now = time.monotonic()
        for c, t in list(conns.items()):
            if now - t >= after:
                drop(c, mode == "rst")
PYEOF

srv_start() {	# srv_start LOGNAME ARGS...: sets SRV_PID once it listens
	log=$1; shift
	spawn node "$log" "$PY" "$LIB_TMP/srv.py" "$@"
	SRV_PID=$SPAWNED
	wait_for 10 grep -q listening "$LIB_TMP/$log.log" ||
		fail "target $log did not start"
}

ini() {		# ini FILE: a [global] section, then stdin
	{
		printf '[global]\nasn = 65001\nrouter-id = 198.51.100.2\n\n'
		cat
	} >"$1"
}

chk() {		# chk INI SECONDS: run chkrun; its lines in $LIB_TMP/out
	ip netns exec "$(ns node)" env CHK_MARK="$MARK" "$CHKRUN" -c "$1" \
		-s "$2" >"$LIB_TMP/out" 2>"$LIB_TMP/chkrun-err.log" ||
		fail "chkrun exited $?: $(cat "$LIB_TMP/chkrun-err.log")"
}

chk_bg() {	# chk_bg INI SECONDS: chkrun in the background; sets CHK_PID
	ip netns exec "$(ns node)" env CHK_MARK="$MARK" "$CHKRUN" -c "$1" \
		-s "$2" >"$LIB_TMP/out" 2>"$LIB_TMP/chkrun-err.log" &
	CHK_PID=$!
	LIB_PIDS="$LIB_PIDS $CHK_PID"
}

chk_wait() {	# chk_wait: chkrun started by chk_bg ended cleanly
	wait "$CHK_PID" ||
		fail "chkrun exited $?: $(cat "$LIB_TMP/chkrun-err.log")"
}

lines() {	# lines NAME: the result lines of one check
	grep " check=$1 " "$LIB_TMP/out" || true
}

expect_all() {	# expect_all NAME PASS REASON: every line says so, and some do
	l=$(lines "$1")
	[ -n "$l" ] || fail "$1: no result in $(cat "$LIB_TMP/out")"
	if echo "$l" | grep -v -F " pass=$2 latency=" >/dev/null; then
		fail "$1: not all pass=$2: $l"
	fi
	if echo "$l" | grep -v -F "reason=\"$3\"" >/dev/null; then
		fail "$1: want reason \"$3\": $l"
	fi
}

marked() {	# marked [EXCEPT_PID]: processes carrying CHK_MARK, one a line
	grep -lxzF "CHK_MARK=$MARK" /proc/[0-9]*/environ 2>/dev/null |
		sed 's|/proc/||; s|/environ||' | grep -vx "${1:-none}" || true
}

# ---- tcp ----

srv_start tcp4 127.0.0.1 8080
srv_start tcp6 ::1 8080
ini "$LIB_TMP/tcp.ini" <<EOT
[check up]
type = tcp
target = 127.0.0.1:8080
interval = 100ms
timeout = 50ms

[check up6]
type = tcp
target = [::1]:8080
interval = 100ms
timeout = 50ms

[check refused]
type = tcp
target = 127.0.0.1:8081
interval = 100ms
timeout = 50ms

[check silent]
type = tcp
target = 198.51.100.9:80
interval = 100ms
timeout = 50ms
EOT
chk "$LIB_TMP/tcp.ini" 0.45
expect_all up 1 "tcp connected to 127.0.0.1:8080"
expect_all up6 1 "tcp connected to [::1]:8080"
expect_all refused 0 "tcp connect to 127.0.0.1:8081: Connection refused"
expect_all silent 0 "tcp timeout after 50 ms"
[ "$(lines up | wc -l)" -ge 4 ] || fail "tcp: too few probes: $(lines up)"
ok "tcp: connected (IPv4, IPv6), refused, and a silent target times out"

# ---- watch ----

# The proxy killed with SIGKILL: kill it, note the time, and note the time
# chkrun's failure line arrives.  The polled interval is 1 s, so anything
# well under that is the event, not a probe.
cat >"$LIB_TMP/watchkill.py" <<'PYEOF'
import subprocess, sys, time
chkrun, ini, srv, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
p = subprocess.Popen([chkrun, "-c", ini, "-s", "600", "-n", "w"],
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                     text=True)
def line():
    l = p.stdout.readline()
    if not l:
        sys.exit("chkrun ended")
    return l
lat = []
try:
    for i in range(rounds):
        s = subprocess.Popen([sys.executable, srv, "127.0.0.1", "8090"],
                             stdout=subprocess.PIPE, text=True)
        s.stdout.readline()
        while " pass=1 " not in line():
            pass
        time.sleep(0.2)
        t0 = time.monotonic()
        s.kill()
        l = line()
        t1 = time.monotonic()
        s.wait()
        if " pass=0 " not in l or "closed" not in l and "reset" not in l:
            sys.exit("round %d: unexpected line: %s" % (i, l.strip()))
        lat.append((t1 - t0) * 1000)
        print("round %d: %.3f ms %s" % (i, lat[-1], l.strip()))
finally:
    p.terminate()
    p.wait()
lat.sort()
print("watch: SIGKILL -> failure: min %.3f ms median %.3f ms max %.3f ms"
      " (%d rounds, interval 1 s)" % (lat[0], lat[len(lat) // 2], lat[-1],
                                      len(lat)))
sys.exit(0 if lat[-1] < 50 else 1)
PYEOF
ini "$LIB_TMP/watch.ini" <<EOT
[check w]
type = watch
target = 127.0.0.1:8090
interval = 1s
timeout = 500ms
EOT
ip netns exec "$(ns node)" "$PY" "$LIB_TMP/watchkill.py" "$CHKRUN" \
	"$LIB_TMP/watch.ini" "$LIB_TMP/srv.py" 10 >"$LIB_TMP/watchkill.log" 2>&1 ||
	fail "watch kill: $(cat "$LIB_TMP/watchkill.log")"
sed 's/^/# /' "$LIB_TMP/watchkill.log"
ok "$(tail -1 "$LIB_TMP/watchkill.log")"

# A polite idle close (every 200 ms) while the target keeps listening:
# reconnected, never a failure.
srv_start polite 127.0.0.1 8091 close 0.2
ini "$LIB_TMP/polite.ini" <<EOT
[check w]
type = watch
target = 127.0.0.1:8091
interval = 1s
timeout = 500ms
EOT
chk "$LIB_TMP/polite.ini" 2.5
expect_all w 1 "watch connected to 127.0.0.1:8091"
[ "$(lines w | wc -l)" -eq 3 ] || fail "polite: want 3 probes: $(lines w)"
n=$(grep -c accepted "$LIB_TMP/polite.log")
[ "$n" -ge 8 ] || fail "polite: only $n connections: no reconnects?"
stop_pid "$SRV_PID"
ok "watch: $n polite closes in 2.5 s reconnected, no failure reported"

# A reset 300 ms after each accept: a failure at once, not at the next
# probe (1 s), and the probe after it reconnects.
srv_start rst 127.0.0.1 8092 rst 0.3
ini "$LIB_TMP/rst.ini" <<EOT
[check w]
type = watch
target = 127.0.0.1:8092
interval = 1s
timeout = 500ms
EOT
chk "$LIB_TMP/rst.ini" 1.5
first=$(lines w | grep -m1 ' pass=0 ') || fail "rst: no failure: $(lines w)"
echo "$first" | grep -qF 'reason="watch connection to 127.0.0.1:8092: Connection reset by peer"' ||
	fail "rst: reason: $first"
t=$(echo "$first" | sed 's/^t=\([0-9.]*\) .*/\1/')
awk -v t="$t" 'BEGIN { exit !(t >= 0.25 && t < 0.5) }' ||
	fail "rst: failure at t=$t, want at the reset (0.3 s): $(lines w)"
lines w | sed -n 3p | grep -q ' pass=1 ' || fail "rst: no reconnect: $(lines w)"
stop_pid "$SRV_PID"
ok "watch: a reset fails at once (t=$t s, the reset at 0.3 s, interval 1 s)"

# ---- exec ----

cat >"$LIB_TMP/bg.sh" <<'EOT'
#!/bin/sh
# a command that leaves a child running and holding the output pipe
/bin/sleep 30 &
echo started
exit 0
EOT
cat >"$LIB_TMP/mega.sh" <<'EOT'
#!/bin/sh
echo "first line, then a megabyte"
/usr/bin/head -c 1048576 /dev/zero | /usr/bin/tr '\0' x
exit 1
EOT
cat >"$LIB_TMP/megaline.sh" <<'EOT'
#!/bin/sh
/usr/bin/head -c 1048576 /dev/zero | /usr/bin/tr '\0' y
EOT
chmod +x "$LIB_TMP/bg.sh" "$LIB_TMP/mega.sh" "$LIB_TMP/megaline.sh"
ini "$LIB_TMP/exec.ini" <<EOT
[check true]
type = exec
command = /bin/true
interval = 200ms
timeout = 150ms

[check false]
type = exec
command = /bin/false
interval = 200ms
timeout = 150ms

[check said]
type = exec
command = /bin/sh -c "echo 'bad \"thing\"'; echo second >&2; exit 2"
interval = 200ms
timeout = 150ms

[check missing]
type = exec
command = /nonexistent/check --flag
interval = 200ms
timeout = 150ms

[check killed]
type = exec
command = /bin/sh -c "kill -9 \$\$"
interval = 200ms
timeout = 150ms

[check mega]
type = exec
command = $LIB_TMP/mega.sh
interval = 300ms
timeout = 250ms

[check megaline]
type = exec
command = $LIB_TMP/megaline.sh
interval = 300ms
timeout = 250ms
EOT
chk "$LIB_TMP/exec.ini" 0.5
expect_all true 1 "exec /bin/true exited 0"
expect_all false 0 "exec /bin/false exited 1"
expect_all said 0 "exec /bin/sh exited 2: bad 'thing'"
expect_all missing 0 "exec /nonexistent/check: No such file or directory"
expect_all killed 0 "exec /bin/sh killed by signal 9"
expect_all mega 0 "exec $LIB_TMP/mega.sh exited 1: first line, then a megabyte"
# the first line is cut at 160 bytes
y160=$(printf '%160s' '' | tr ' ' y)
expect_all megaline 1 "exec $LIB_TMP/megaline.sh exited 0: $y160"
ok "exec: exit 0, exit 1, first line kept, missing command, signal, a megabyte"

# A hang: killed at the timeout, every time, and nothing left behind.
ini "$LIB_TMP/hang.ini" <<EOT
[check hang]
type = exec
command = /bin/sh -c "/bin/sleep 10; echo never"
interval = 300ms
timeout = 100ms
EOT
chk_bg "$LIB_TMP/hang.ini" 1.5
sleep 1.05
# the probe in flight (its sh and sleep) at most: the others were killed
live=$(marked "$CHK_PID" | wc -l)
chk_wait
[ "$live" -le 2 ] || fail "hang: $live processes alive during the run"
expect_all hang 0 "exec timeout after 100 ms"
[ "$(lines hang | wc -l)" -ge 4 ] || fail "hang: too few probes: $(lines hang)"
left=$(marked)
[ -z "$left" ] || fail "hang: processes left after exit: $left"
ok "exec: a hanging command is killed at the timeout, no process left"

# A background child: the probe ends at the exit, not at the pipe's EOF,
# and the child is killed with its group as soon as the probe ends.
ini "$LIB_TMP/bg.ini" <<EOT
[check bg]
type = exec
command = $LIB_TMP/bg.sh
interval = 10s
timeout = 1s
EOT
chk_bg "$LIB_TMP/bg.ini" 3
wait_for 2 grep -q check=bg "$LIB_TMP/out" || fail "bg: no result"
sleep 0.2
left=$(marked "$CHK_PID")
chk_wait
expect_all bg 1 "exec $LIB_TMP/bg.sh exited 0: started"
lat=$(lines bg | sed 's/.* latency=\([0-9.]*\) .*/\1/')
awk -v l="$lat" 'BEGIN { exit !(l < 0.5) }' ||
	fail "bg: the probe waited for the pipe: $lat s"
[ -z "$left" ] || fail "bg: background child left running: $left"
ok "exec: a background child neither holds the probe ($lat s) nor outlives it"

# ---- 1000 cycles: no descriptor, child or zombie left ----

srv_start leak 127.0.0.1 8093
ini "$LIB_TMP/leak.ini" <<EOT
[check e]
type = exec
command = /bin/true
interval = 5ms
timeout = 5ms

[check t]
type = tcp
target = 127.0.0.1:8093
interval = 5ms
timeout = 5ms
EOT
fds() { ls "/proc/$1/fd" | wc -l; }
# the fewest descriptors over 20 samples: probes in flight hold a pipe or
# a socket for a moment, a leak of 1000 cycles never goes away
fds_min() {
	m=100000 i=0
	while [ $i -lt 20 ]; do
		n=$(fds "$1"); [ "$n" -lt "$m" ] && m=$n
		i=$((i + 1)); sleep 0.01
	done
	echo "$m"
}
count() { grep -c " check=$1 " "$LIB_TMP/out" || true; }
cycles() {	# cycles N: both checks have N more results than at the start
	[ "$(count e)" -ge $((ne0 + $1)) ] && [ "$(count t)" -ge $((nt0 + $1)) ]
}
kids() {	# kids PID: its children, and the zombies among them
	k=0 z=0
	for s in /proc/[0-9]*/stat; do
		set -- $(sed 's/^[0-9]* (.*) //' "$s" 2>/dev/null) || continue
		[ "${2:-}" = "$CHK_PID" ] || continue
		k=$((k + 1))
		[ "$1" = Z ] && z=$((z + 1))
	done
	echo "$k $z"
}
chk_bg "$LIB_TMP/leak.ini" 60
sleep 1
fd0=$(fds_min "$CHK_PID")
ne0=$(count e) nt0=$(count t)
wait_for 50 cycles 1000 ||
	fail "leak: under 1000 cycles: $(count e) exec, $(count t) tcp"
fd1=$(fds_min "$CHK_PID")
set -- $(kids "$CHK_PID")
kids1=$1 zombies1=$2
ne=$(($(count e) - ne0)) nt=$(($(count t) - nt0))
kill -TERM "$CHK_PID"	# chkrun stops its checks and exits 0
chk_wait
[ "$fd1" -le $((fd0 + 1)) ] || fail "leak: descriptors $fd0 -> $fd1"
# one probe in flight, one killed at its timeout and not yet reaped
[ "$kids1" -le 3 ] || fail "leak: $kids1 children ($zombies1 zombies)"
[ "$zombies1" -le 2 ] || fail "leak: $zombies1 zombies"
left=$(marked)
[ -z "$left" ] || fail "leak: processes left: $left"
ok "leak: $ne exec and $nt tcp cycles: fds $fd0 -> $fd1," \
	"$kids1 children, $zombies1 zombies, none left after exit"

echo "all check types ok"
