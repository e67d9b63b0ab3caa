# tests/integ/lib.sh - network namespaces, routers and cleanup for the
# integration tests and the demo.  Sourced, not run.
#
# Every namespace, process and file made here is recorded and removed by
# cleanup (installed as an EXIT/INT/TERM trap by lib_init): processes are
# stopped by pid, never by name, and no address or route is ever added in
# the root namespace.  Addresses: 198.51.100.0/24, 203.0.113.0/24,
# 2001:db8::/32 only, inside the namespaces made here.

LIB_PIDS=""
LIB_NS=""
LIB_TMP=""
LIB_FAILED=0

lib_init() {	# lib_init TAG
	LIB_TAG="$1"
	LIB_PFX="nc$$"
	LIB_TMP=$(mktemp -d "/tmp/nomcast-$1.XXXXXX")
	# a nomcastd whose config names no control socket would take the
	# host's /run/nomcast/nomcast.sock (and make /run/nomcast): its socket
	# goes here instead, as under Nomad (NOMAD_ALLOC_DIR still wins)
	export NOMAD_TASK_DIR="$LIB_TMP"
	# the tests' own tools (this file is sourced from tests/integ, the
	# benches and scripts/demo)
	for LIB_LOGCHECK in "$(dirname "$0")/../tools/logcheck.py" \
	    "${ROOT:-.}/tests/tools/logcheck.py"; do
		[ -f "$LIB_LOGCHECK" ] && break
	done
	trap lib_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

lib_cleanup() {
	rc=$?
	trap - EXIT
	for p in $LIB_PIDS; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $LIB_PIDS; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 30 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -KILL "$p" 2>/dev/null || true
	done
	for n in $LIB_NS; do
		ip netns del "$n" 2>/dev/null || true
	done
	# every line the daemons wrote follows the logging rule (log.h)
	if [ "$rc" -eq 0 ] && [ -n "${LIB_TMP:-}" ]; then
		for f in "$LIB_TMP"/nomcast-*.log; do
			[ -f "$f" ] && [ -f "$LIB_LOGCHECK" ] || continue
			/usr/bin/python3 "$LIB_LOGCHECK" "$f" >&2 || rc=1
		done
	fi
	if [ "$rc" -ne 0 ] && [ -n "${LIB_TMP:-}" ] && [ -z "${KEEP_LOGS:-}" ]; then
		for f in "$LIB_TMP"/*.log; do
			[ -f "$f" ] || continue
			echo "---- ${f##*/} (last 40 lines)"
			tail -40 "$f"
		done
	fi
	[ -n "${LIB_TMP:-}" ] && [ -z "${KEEP_LOGS:-}" ] && rm -rf "$LIB_TMP"
	exit "$rc"
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

ok() {
	echo "ok - $*"
}

ns() {		# ns NAME -> the real namespace name
	echo "$LIB_PFX-$1"
}

ns_add() {	# ns_add NAME...
	for n in "$@"; do
		ip netns add "$(ns "$n")"
		LIB_NS="$LIB_NS $(ns "$n")"
		ip -n "$(ns "$n")" link set lo up
	done
}

# link A ADDR4/LEN [ADDR6/LEN] B ADDR4/LEN [ADDR6/LEN]: a veth pair between
# two namespaces made here (addresses "-" to skip one)
link() {
	a=$1 a4=$2 a6=$3 b=$4 b4=$5 b6=$6
	LIB_LINKS=$(( ${LIB_LINKS:-0} + 1 ))
	va="v${LIB_LINKS}${a}"; vb="v${LIB_LINKS}${b}"
	va=$(echo "$va" | cut -c1-15); vb=$(echo "$vb" | cut -c1-15)
	ip link add "$va" netns "$(ns "$a")" type veth peer name "$vb" \
		netns "$(ns "$b")"
	[ "$a4" != - ] && ip -n "$(ns "$a")" addr add "$a4" dev "$va"
	[ "$a6" != - ] && ip -n "$(ns "$a")" addr add "$a6" dev "$va" nodad
	[ "$b4" != - ] && ip -n "$(ns "$b")" addr add "$b4" dev "$vb"
	[ "$b6" != - ] && ip -n "$(ns "$b")" addr add "$b6" dev "$vb" nodad
	ip -n "$(ns "$a")" link set "$va" up
	ip -n "$(ns "$b")" link set "$vb" up
	LINK_A=$va; LINK_B=$vb
}

spawn() {	# spawn NS LOGNAME CMD... ; sets SPAWNED to the pid
	n=$1 log=$2; shift 2
	ip netns exec "$(ns "$n")" "$@" >"$LIB_TMP/$log.log" 2>&1 &
	SPAWNED=$!
	LIB_PIDS="$LIB_PIDS $SPAWNED"
}

forget_pid() {	# forget_pid PID: cleanup must not signal it (it may be reused)
	LIB_PIDS=$(echo " $LIB_PIDS " | sed "s/ $1 / /; s/^ *//; s/ *\$//")
}

stop_pid() {	# stop_pid PID [SIGNAL]: signal it and wait for it to exit
	if ! kill "-${2:-TERM}" "$1" 2>/dev/null; then
		forget_pid "$1"
		return 0
	fi
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
	wait "$1" 2>/dev/null || true
	kill -0 "$1" 2>/dev/null || forget_pid "$1"
}

# wait_for SECONDS CMD...: poll every 50 ms until CMD succeeds
wait_for() {
	t=$1; shift
	end=$(( $(date +%s%N) + t * 1000000000 ))
	while [ "$(date +%s%N)" -lt "$end" ]; do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.05
	done
	return 1
}

# ---- BIRD ----

bird_start() {	# bird_start NS NAME CONFFILE
	n=$1 name=$2 conf=$3
	spawn "$n" "bird-$name" bird -f -c "$conf" -s "$LIB_TMP/bird-$name.ctl" \
		-P "$LIB_TMP/bird-$name.pid"
	eval "BIRD_PID_$name=$SPAWNED"
	wait_for 10 birdc_q "$name" show status || fail "bird $name did not start"
}

# edge_node [HOLD]: namespaces edge and node on one link (198.51.100.1
# and .2), and BIRD started in edge: AS 65000, passive, importing what
# node (AS 65001) announces, with hold time HOLD if given
edge_node() {
	ns_add edge node
	link edge 198.51.100.1/24 - node 198.51.100.2/24 -
	cat >"$LIB_TMP/bird.conf" <<EOT
router id 198.51.100.1;
log "$LIB_TMP/bird-edge.trace" all;
protocol device { }
protocol bgp node {
	local 198.51.100.1 as 65000;
	neighbor 198.51.100.2 as 65001;
${1:+	hold time $1;
}	passive on;
	ipv4 { import all; export none; };
}
EOT
	bird_start edge edge "$LIB_TMP/bird.conf"
}

birdc_q() {	# birdc_q NAME CMD...: birdc on that instance's socket
	name=$1; shift
	birdc -s "$LIB_TMP/bird-$name.ctl" "$@"
}

bird_established() {	# bird_established NAME PROTO
	birdc_q "$1" show protocols "$2" | grep -q Established
}

bird_has_route() {	# bird_has_route NAME PREFIX
	birdc_q "$1" show route "$2" | grep -q "$2"
}

bird_no_route() {
	! birdc_q "$1" show route "$2" | grep -q "$2"
}

# ---- nomcastd ----

NOMCASTD=${NOMCASTD:-}

nomcast_start() {	# nomcast_start NS NAME CONFFILE [args]
	n=$1 name=$2 conf=$3; shift 3
	spawn "$n" "nomcast-$name" "$NOMCASTD" -c "$conf" "$@"
	eval "NOMCAST_PID_$name=$SPAWNED"
}

# bird_since_ms NAME PROTO: when the protocol last changed state, in ms of
# the day.  BIRD derives the printed milliseconds from its monotonic clock,
# so two readings of the same instant may differ by a millisecond or two:
# compare them with same_since.
bird_since_ms() {
	birdc_q "$1" show protocols "$2" |
		awk -v p="$2" '$1 == p { split($5, t, /[:.]/);
			printf "%d\n", ((t[1] * 60 + t[2]) * 60 + t[3]) * 1000 + t[4] }'
}

same_since() {	# same_since MS1 MS2: within 5 ms of each other
	[ -n "$1" ] && [ -n "$2" ] && [ $(( $1 - $2 )) -le 5 ] && [ $(( $2 - $1 )) -le 5 ]
}
