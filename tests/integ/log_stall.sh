#!/bin/sh
# tests/integ/log_stall.sh NOMCASTD - a log reader that stops reading never
# freezes nomcastd.  nomcastd runs with debug logging (every BGP message
# decoded), a 10 ms exec check and a flag check, hold time 3 s to BIRD, and
# its stderr is a FIFO that a process holds open without reading (as a
# stuck `| logger` or a restarting log collector does).  For STALL seconds
# (60 by default; the pipe is full after a few): BIRD's session stays
# Established with its "since" unchanged, nomcastctl answers, the
# dropped-lines counter grows, and a verdict change reaches BIRD (a third
# check, failing every other run, makes the log lines).  Then a
# reader drains the FIFO: the daemon says how many lines it dropped.  Then
# the reader stops again, the pipe fills, and SIGTERM withdraws the routes
# and ends the process within 1 s.  The drained log is checked line by
# line (logcheck): no line is cut or mixed with another.
# NOMCASTCTL: the nomcastctl binary (default: next to NOMCASTD).
set -eu
NOMCASTD=$(realpath "$1")
HERE=$(dirname "$(realpath "$0")")
. "$HERE/lib.sh"
lib_init log-stall
NOMCASTCTL=${NOMCASTCTL:-$(dirname "$NOMCASTD")/nomcastctl}
PY=/usr/bin/python3
STALL=${STALL:-60}

edge_node 3

FLAG=$LIB_TMP/flag
SOCK=$LIB_TMP/nomcast.sock
URL=http://127.0.0.1:9179/metrics
cat >"$LIB_TMP/nomcast.ini" <<EOT
[global]
asn = 65001
router-id = 198.51.100.2
control-socket = $SOCK
metrics-listen = 127.0.0.1:9179

[peer edge]
address = 198.51.100.1
asn = 65000
hold-time = 3
connect-retry = 1

[check fast]
type = exec
command = /bin/true
interval = 10ms
timeout = 9ms
rise = 1
# the check is here for the log lines it makes: a late run on a busy
# machine should not flap the service
fall = 100

[check flag]
type = exec
command = /usr/bin/test -e $FLAG
interval = 100ms
rise = 1
fall = 1

# fails every other run: a verdict, an UPDATE and their debug lines
# every 20 ms, so the pipe and the log buffer fill within seconds
[check flip]
type = exec
command = $LIB_TMP/flip.sh
interval = 10ms
timeout = 9ms
rise = 1
fall = 1

[service fast]
prefix = 203.0.113.10/32
checks = fast

[service flip]
prefix = 203.0.113.30/32
checks = flip

[service flag]
prefix = 203.0.113.20/32
checks = flag
EOT

cat >"$LIB_TMP/flip.sh" <<EOT
#!/bin/sh
rm "$LIB_TMP/flip" 2>/dev/null && exit 1
: >"$LIB_TMP/flip"
EOT
chmod +x "$LIB_TMP/flip.sh"

# the FIFO and its holder: `sleep <>FIFO` keeps a read end open and never
# reads, so writes succeed until the pipe is full and then would block
FIFO=$LIB_TMP/stderr.fifo
mkfifo "$FIFO"
sleep 1000 <>"$FIFO" &
HOLDER=$!
LIB_PIDS="$LIB_PIDS $HOLDER"

# a reader that copies the FIFO to the log until $LIB_TMP/stop-drain
# appears, then ends cleanly (so no byte it read is lost)
LOG=$LIB_TMP/nomcast-s.log
drain_start() {
	rm -f "$LIB_TMP/stop-drain"
	$PY - "$FIFO" "$LOG" "$LIB_TMP/stop-drain" <<'EOP' &
import os, select, sys
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
with open(sys.argv[2], "ab") as out:
    while not os.path.exists(sys.argv[3]):
        if select.select([fd], [], [], 0.05)[0]:
            try:
                data = os.read(fd, 65536)
            except BlockingIOError:
                continue
            out.write(data)
            out.flush()
EOP
	DRAIN=$!
	LIB_PIDS="$LIB_PIDS $DRAIN"
}
drain_stop() {
	touch "$LIB_TMP/stop-drain"
	wait "$DRAIN" || fail "the drain failed"
	forget_pid "$DRAIN"
}

# pipe_full: what sits unread in the FIFO is within a line of its capacity
pipe_full() {
	$PY - "$FIFO" <<'EOP'
import fcntl, os, struct, sys, termios
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
cap = fcntl.fcntl(fd, 1032)	# F_GETPIPE_SZ
n = struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0" * 4))[0]
os.close(fd)
sys.exit(0 if n >= cap - 4096 else 1)
EOP
}

metric() {	# metric NAME: its value, or nothing
	ip netns exec "$(ns node)" curl -sS -f --max-time 2 "$URL" |
		awk -v n="$1" '$1 == n { print $2 }'
}
ctl_status() {
	timeout 2 "$NOMCASTCTL" -s "$SOCK" show status >"$LIB_TMP/status.out" 2>&1
}
has() { bird_has_route edge "$1"; }
hasnt() { bird_no_route edge "$1"; }

touch "$FLAG"
# first with a reader, to see the start and the session come up
drain_start
ip netns exec "$(ns node)" "$NOMCASTD" -c "$LIB_TMP/nomcast.ini" -d 2>"$FIFO" &
PID=$!
LIB_PIDS="$LIB_PIDS $PID"
wait_for 15 bird_established edge node || fail "no session"
wait_for 5 has 203.0.113.10/32 || fail "the fast service not announced"
wait_for 5 has 203.0.113.20/32 || fail "the flag service not announced"
wait_for 5 ctl_status || fail "nomcastctl does not answer"
since0=$(bird_since_ms edge node)
ok "session up, both services announced, with a reader"

# 1. nobody reads for STALL seconds
drain_stop
t0=$(date +%s)
wait_for 10 pipe_full || fail "the pipe did not fill within 10 s"
ok "the pipe is full $(( $(date +%s) - t0 )) s after the reader stopped"
flipped=0 maxctl=0 nctl=0
while [ $(( $(date +%s) - t0 )) -lt "$STALL" ]; do
	kill -0 "$PID" 2>/dev/null || fail "nomcastd died"
	bird_established edge node || fail "session lost with the log stalled"
	same_since "$(bird_since_ms edge node)" "$since0" ||
		fail "session flapped with the log stalled"
	c0=$(date +%s%N)
	ctl_status || fail "nomcastctl got no answer with the log stalled"
	c1=$(( ($(date +%s%N) - c0) / 1000000 ))
	[ "$c1" -gt "$maxctl" ] && maxctl=$c1
	nctl=$((nctl + 1))
	grep -q "1 established" "$LIB_TMP/status.out" ||
		fail "show status: $(cat "$LIB_TMP/status.out")"
	if [ "$flipped" -eq 0 ] && [ $(( $(date +%s) - t0 )) -ge $((STALL / 2)) ]; then
		rm -f "$FLAG"
		v0=$(date +%s%N)
		wait_for 3 hasnt 203.0.113.20/32 ||
			fail "the down verdict did not reach BIRD"
		ok "flag removed: withdrawn at BIRD after $(( ($(date +%s%N) - v0) / 1000000 )) ms (polling included)"
		touch "$FLAG"
		wait_for 3 has 203.0.113.20/32 ||
			fail "the up verdict did not reach BIRD"
		flipped=1
	fi
	sleep 1
done
pipe_full || fail "the pipe is not full at the end of the stall"
dropped=$(metric nomcast_log_lines_dropped_total)
[ -n "$dropped" ] && [ "$dropped" -gt 0 ] ||
	fail "no dropped lines counted after ${STALL} s (metric: '$dropped')"
ok "stalled ${STALL} s: session kept (since unchanged), $nctl nomcastctl answers (slowest ${maxctl} ms), ${dropped} lines dropped"

# 2. a reader again: the daemon says what was lost
drain_start
wait_for 10 grep -q 'msg="log reader stalled: [0-9]* lines dropped"' "$LOG" ||
	fail "no line saying how many lines were dropped"
said=$(grep -o 'dropped=[0-9]*' "$LOG" | tail -1 | cut -d= -f2)
[ "$said" -ge "$dropped" ] || fail "said $said dropped, the metric said $dropped"
wait_for 5 grep -q 'lvl=debug' "$LOG" || fail "nothing logged after the drain"
ok "reader back: the log says $said lines were dropped"

# 3. stalled again: SIGTERM still withdraws and exits within 1 s
drain_stop
wait_for 10 pipe_full || fail "the pipe did not fill again"
sleep 1
t0=$(date +%s%N)
kill -TERM "$PID"
i=0
while kill -0 "$PID" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.01; i=$((i + 1))
done
t1=$(( ($(date +%s%N) - t0) / 1000000 ))
kill -0 "$PID" 2>/dev/null && fail "nomcastd still running 1 s after SIGTERM"
wait "$PID" || fail "nomcastd exited with $?"
forget_pid "$PID"
wait_for 3 hasnt 203.0.113.10/32 || fail "routes left after SIGTERM"
hasnt 203.0.113.20/32 || fail "routes left after SIGTERM"
birdc_q edge show protocols all node | grep -qi "Administrative shutdown" ||
	fail "BIRD saw no administrative shutdown"
ok "SIGTERM with the log stalled: exited in ${t1} ms, routes withdrawn"

# what is left in the pipe ends the log, which logcheck reads at cleanup
drain_start
sleep 0.5
drain_stop
tail -c 1 "$LOG" | od -c | grep -q '\\n' || fail "the log ends inside a line"
