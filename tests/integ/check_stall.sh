#!/bin/sh
# tests/integ/check_stall.sh NOMCASTD - a late loop never fails a healthy
# check.  nomcastd runs a tcp check every 10 ms (timeout 8 ms) and an exec
# check of /bin/true every 150 ms (timeout 150 ms: on a busy machine, and
# forked from a sanitizer build, the command alone has taken over 50 ms),
# both with fall = 1, each gating a
# service announced to BIRD.  The daemon is stopped with SIGSTOP for
# random 20-200 ms pauses, STALLS times (default 200, about 30 s), with
# 10-60 ms of running between them.  The targets answer while the daemon
# is stopped, so every probe finishes in time: no failure may be counted,
# no verdict may go down, and BIRD must never receive a withdraw.
set -eu
NOMCASTD=$(realpath "$1")
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
STALLS=${STALLS:-200}
lib_init check-stall

edge_node

# the tcp target: accepts and closes, in the node namespace
cat >"$LIB_TMP/srv.py" <<'PYEOF'
import socket
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", 8080))
ls.listen(1024)
print("listening", flush=True)
while True:
    c, _ = ls.accept()
    c.close()
PYEOF
spawn node srv "$PY" "$LIB_TMP/srv.py"
SRV_PID=$SPAWNED
wait_for 10 grep -q listening "$LIB_TMP/srv.log" || fail "target did not start"

cat >"$LIB_TMP/nomcast.ini" <<EOT
[global]
asn = 65001
router-id = 198.51.100.2
control-socket = $LIB_TMP/ctl.sock

[peer edge]
address = 198.51.100.1
asn = 65000
hold-time = 9
connect-retry = 1

[check port]
type = tcp
target = 127.0.0.1:8080
interval = 10ms
timeout = 8ms
rise = 1
fall = 1

[check true]
type = exec
command = /bin/true
interval = 150ms
timeout = 150ms
rise = 1
fall = 1

[service tcp-svc]
prefix = 203.0.113.10/32
checks = port

[service exec-svc]
prefix = 203.0.113.20/32
checks = true
EOT

nomcast_start node n "$LIB_TMP/nomcast.ini"
PID=$NOMCAST_PID_n
wait_for 15 bird_established edge node || fail "no session"
wait_for 5 bird_has_route edge 203.0.113.10/32 || fail "tcp-svc not announced"
wait_for 5 bird_has_route edge 203.0.113.20/32 || fail "exec-svc not announced"
# a second with no stall first: a loop merely slowed by a busy machine
# must not fail a check either
sleep 1
base=$(grep -c 'verdict=down' "$LIB_TMP/nomcast-n.log" || true)
wd0=$(birdc_q edge show protocols all node | awk '/Import withdraws:/ {print $3}')

cat >"$LIB_TMP/stall.py" <<'PYEOF'
import os, random, signal, sys, time
pid, n = int(sys.argv[1]), int(sys.argv[2])
random.seed(os.getpid())
total = 0.0
t0 = time.monotonic()
for i in range(n):
    pause = random.uniform(0.020, 0.200)
    os.kill(pid, signal.SIGSTOP)
    time.sleep(pause)
    os.kill(pid, signal.SIGCONT)
    total += pause
    time.sleep(random.uniform(0.010, 0.060))
print("%d stalls, %.1f s stopped in %.1f s" % (n, total,
      time.monotonic() - t0))
PYEOF
"$PY" "$LIB_TMP/stall.py" "$PID" "$STALLS" >"$LIB_TMP/stall.out" ||
	fail "stall driver: $(cat "$LIB_TMP/stall.out")"
# let a probe or two run after the last pause
sleep 0.3

kill -0 "$PID" || fail "nomcastd died"
bird_established edge node || fail "session lost during the stalls"
downs=$(grep -c 'verdict=down' "$LIB_TMP/nomcast-n.log" || true)
wdogs=$(grep -c 'counted as failed' "$LIB_TMP/nomcast-n.log" || true)
wd1=$(birdc_q edge show protocols all node | awk '/Import withdraws:/ {print $3}')
echo "# $(cat "$LIB_TMP/stall.out"): verdict=down $downs ($base before" \
	"the stalls), watchdog failures $wdogs, BIRD withdraws $((wd1 - wd0))"
[ "$downs" -eq 0 ] || fail "$downs false down verdicts: $(grep 'verdict=down' "$LIB_TMP/nomcast-n.log" | head -5)"
[ "$wdogs" -eq 0 ] || fail "$wdogs watchdog failures"
[ "$wd1" -eq "$wd0" ] || fail "BIRD received $((wd1 - wd0)) withdraws"
bird_has_route edge 203.0.113.10/32 || fail "tcp-svc not announced at the end"
bird_has_route edge 203.0.113.20/32 || fail "exec-svc not announced at the end"
ok "$STALLS stalls of 20-200 ms: no check failed, no withdraw reached BIRD"

# and a real failure is still seen at once after all that
stop_pid "$SRV_PID"
wait_for 3 bird_no_route edge 203.0.113.10/32 || fail "tcp-svc not withdrawn with its target gone"
ok "target stopped: withdrawn"
