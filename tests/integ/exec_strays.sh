#!/bin/sh
# tests/integ/exec_strays.sh NOMCASTD - nothing an exec check starts
# outlives it, even what leaves the command's process group: nomcastd runs
# a check every 20 ms whose command daemonizes two children that escape
# the group kill (`setsid sleep 30 &`, and a double fork through setsid),
# for CYCLES runs (default 1000; on a busy machine some time out, which
# tests the kill at the timeout as well).  Meanwhile and at the end, no process the
# checks started may be older than a second (a run lasts milliseconds) and
# nomcastd may have no zombie child; after SIGTERM nothing is left.
set -eu
NOMCASTD=$(realpath "$1")
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
CYCLES=${CYCLES:-1000}
lib_init exec-strays

ns_add node
# every process the checks start inherits this
MARK="stray$$"

cat >"$LIB_TMP/stray.sh" <<'EOT'
#!/bin/sh
setsid sleep 30 &
(setsid sh -c 'sleep 30 & exec sleep 30' &)
exit 0
EOT
chmod +x "$LIB_TMP/stray.sh"

cat >"$LIB_TMP/nomcast.ini" <<EOT
[global]
asn = 65001
router-id = 198.51.100.2
control-socket = $LIB_TMP/ctl.sock

[peer edge]
address = 198.51.100.1
asn = 65000
passive = yes
next-hop = 198.51.100.2

[check stray]
type = exec
command = $LIB_TMP/stray.sh
interval = 20ms
timeout = 20ms

[service s]
prefix = 203.0.113.10/32
checks = stray
EOT

# procs.py PID MARK MIN_AGE: "alive=A zombies=Z" -- A processes carrying
# MARK older than MIN_AGE seconds (nomcastd itself aside), Z zombie
# children of PID
cat >"$LIB_TMP/procs.py" <<'PYEOF'
import os, sys
pid, mark, min_age = int(sys.argv[1]), sys.argv[2].encode(), float(sys.argv[3])
hz = os.sysconf("SC_CLK_TCK")
up = float(open("/proc/uptime").read().split()[0])
alive = zombies = 0
for p in os.listdir("/proc"):
    if not p.isdigit() or int(p) == pid:
        continue
    try:
        st = open("/proc/%s/stat" % p).read()
        f = st[st.rindex(")") + 2:].split()
        state, ppid, start = f[0], int(f[1]), int(f[19]) / hz
        if state == "Z" and ppid == pid and up - start >= min_age:
            zombies += 1
            continue
        env = open("/proc/%s/environ" % p, "rb").read().split(b"\0")
    except (OSError, ValueError):
        continue
    if b"STRAY_MARK=" + mark in env and up - start >= min_age:
        alive += 1
print("alive=%d zombies=%d" % (alive, zombies))
PYEOF
procs() { "$PY" "$LIB_TMP/procs.py" "$PID" "$MARK" "$1"; }

# any marked process left at the end (a failed run): killed by pid
kill_marked() {
	for p in $(grep -lxzF "STRAY_MARK=$MARK" /proc/[0-9]*/environ 2>/dev/null |
	    sed 's|/proc/||; s|/environ||'); do
		kill -KILL "$p" 2>/dev/null || true
	done
}
trap 'kill_marked; lib_cleanup' EXIT

spawn node nomcast-n env STRAY_MARK="$MARK" "$NOMCASTD" -c "$LIB_TMP/nomcast.ini" -d
PID=$SPAWNED
runs() { grep -c ' check=stray pass=' "$LIB_TMP/nomcast-n.log" || true; }

# the most strays alive at once, sampled while the runs go on
peak=0
t0=$(date +%s)
while [ "$(runs)" -lt "$CYCLES" ]; do
	kill -0 "$PID" 2>/dev/null || fail "nomcastd died"
	[ $(( $(date +%s) - t0 )) -lt 60 ] || fail "only $(runs) runs in 60 s"
	n=$(procs 1 | sed 's/alive=\([0-9]*\).*/\1/')
	[ "$n" -gt "$peak" ] && peak=$n
	sleep 0.5
done
n=$(runs)
passes=$(grep -c ' check=stray pass=1 ' "$LIB_TMP/nomcast-n.log" || true)
end=$(procs 1)
echo "# $n runs ($passes passed) in $(( $(date +%s) - t0 )) s: peak strays older than 1 s: $peak; at the end: $end"
[ "$peak" -eq 0 ] || fail "up to $peak strays alive at once"
[ "$end" = "alive=0 zombies=0" ] || fail "at the end: $end"
[ "$passes" -gt 0 ] || fail "no run passed"
ok "$n runs of a command that escapes its group: no stray, no zombie"

stop_pid "$PID"
sleep 0.2
end=$(procs 0)
[ "$end" = "alive=0 zombies=0" ] || fail "after SIGTERM: $end"
ok "SIGTERM: nothing left"
