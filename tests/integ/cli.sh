#!/bin/sh
# tests/integ/cli.sh NOMCASTD - the command line: -t on a good and a bad
# file (every error as file:line: message, exit 1), -V, and a bad option;
# nomcastctl's help and argument-count errors, which need no daemon.
set -eu
NOMCASTD=$1
NOMCASTCTL=${NOMCASTCTL:-$(dirname "$NOMCASTD")/nomcastctl}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cat >"$T/good.ini" <<'EOT'
[global]
asn = 65001
router-id = 198.51.100.2

[peer edge]
address = 198.51.100.1
asn = 65000

[service web]
prefix = 203.0.113.10/32
EOT
"$NOMCASTD" -t -c "$T/good.ini" 2>"$T/out" || fail "-t on a good file: $(cat "$T/out")"
grep -q "configuration ok" "$T/out" || fail "no ok message"
echo "ok - -t on a valid file exits 0"

cat >"$T/bad.ini" <<'EOT'
[global]
asn = 0
router-id = 198.51.100.2

[peer edge]
address = 198.51.100.1
asn = 65000
colour = blue

[service web]
prefix = 203.0.113.10/24
EOT
if "$NOMCASTD" -t -c "$T/bad.ini" 2>"$T/out"; then fail "-t on a bad file exits 0"; fi
for line in 2 8 11; do
	grep -q "^$T/bad.ini:$line: " "$T/out" || fail "no error at line $line: $(cat "$T/out")"
done
echo "ok - -t on a bad file: every error as file:line, exit 1"

if "$NOMCASTD" -c "$T/missing.ini" 2>"$T/out"; then fail "missing file exits 0"; fi
grep -q "missing.ini" "$T/out" || fail "missing file not named"
echo "ok - a missing file is an error naming it"

# --version: the release, the commit (the same for both programs) and
# the build's options
"$NOMCASTD" --version >"$T/v1" || fail "--version: exit $?"
"$NOMCASTCTL" --version >"$T/v2" || fail "nomcastctl --version: exit $?"
"$NOMCASTD" -V | cmp -s - "$T/v1" || fail "-V and --version differ"
grep -Eq '^nomcastd [0-9]+\.[0-9]+\.[0-9]+$' "$T/v1" || fail "--version: $(cat "$T/v1")"
grep -Eq '^commit ([0-9a-f]{12}(-dirty)?|unknown)$' "$T/v1" || fail "--version: $(cat "$T/v1")"
grep -Eq '^build buildtype=[a-z]+ optimization=[0-3gs] sanitize=[a-z,]+ [a-z]+-[0-9.]+$' "$T/v1" ||
	fail "--version: $(cat "$T/v1")"
if git -C "$(dirname "$0")/../.." rev-parse HEAD >/dev/null 2>&1; then
	c=$(git -C "$(dirname "$0")/../.." rev-parse --short=12 HEAD)
	grep -q "^commit $c" "$T/v1" || fail "--version: not commit $c: $(cat "$T/v1")"
fi
[ "$(tail -n 2 "$T/v1")" = "$(tail -n 2 "$T/v2")" ] ||
	fail "nomcastd and nomcastctl disagree: $(cat "$T/v1" "$T/v2")"
if "$NOMCASTD" -Z 2>/dev/null; then fail "bad option exits 0"; fi
echo "ok - -V/--version (release, commit, build) and bad options"

# nomcastctl: help and usage come from the command table, not the daemon
# (no socket at the path: anything that tried to connect would fail)
NOSOCK="$T/none.sock"
CMDS="show status|show peers \[PEER\]|show services \[SERVICE\]|show routes \[PEER\]|show bfd \[PEER\]|check|drain SERVICE\|--all|undrain SERVICE\|--all|reload|exit-mode \[auto\|graceful\|hard\]|shutdown \[auto\|graceful\|hard\]|help"
"$NOMCASTCTL" -s "$NOSOCK" help >"$T/out" 2>&1 || fail "nomcastctl help: exit $?: $(cat "$T/out")"
[ "$(wc -l <"$T/out")" -eq 12 ] || fail "nomcastctl help: not 12 commands: $(cat "$T/out")"
grep -Evq "^  ($CMDS)  +[a-z]" "$T/out" && fail "nomcastctl help: unexpected line: $(cat "$T/out")"
grep -q "^  drain SERVICE|--all  *drain a service" "$T/out" || fail "nomcastctl help: $(cat "$T/out")"
"$NOMCASTCTL" -s "$NOSOCK" -j help >"$T/out" || fail "nomcastctl -j help: exit $?"
python3 -c 'import json,sys; d = json.load(sys.stdin); assert len(d["commands"]) == 12 and d["commands"][0] == "show status", d' <"$T/out" ||
	fail "nomcastctl -j help: $(cat "$T/out")"
"$NOMCASTCTL" -h >"$T/out" || fail "nomcastctl -h: exit $?"
grep -q "^usage: nomcastctl \[-jV\] \[-s socket\] command \[argument ...\]$" "$T/out" || fail "nomcastctl -h: $(cat "$T/out")"
grep -q "^  show services \[SERVICE\]  *each service" "$T/out" || fail "nomcastctl -h: no commands: $(cat "$T/out")"
if "$NOMCASTCTL" >/dev/null 2>"$T/out"; then fail "nomcastctl without a command exits 0"; fi
grep -q "^commands:$" "$T/out" || fail "nomcastctl without a command: $(cat "$T/out")"
echo "ok - nomcastctl help, -j help and -h list the commands without a daemon"

for args in "drain" "undrain web api" "show peers a b" "reload now" "show status x"; do
	# shellcheck disable=SC2086
	if "$NOMCASTCTL" -s "$NOSOCK" $args >"$T/out" 2>&1; then fail "nomcastctl $args exits 0"; fi
	case $args in
	drain) want="drain SERVICE|--all" ;;
	undrain*) want="undrain SERVICE|--all" ;;
	"show peers"*) want="show peers [PEER]" ;;
	reload*) want="reload" ;;
	*) want="show status" ;;
	esac
	[ "$(cat "$T/out")" = "nomcastctl: usage: $want" ] || fail "nomcastctl $args: $(cat "$T/out")"
done
# a right count does go to the daemon (and fails here: there is none)
if "$NOMCASTCTL" -s "$NOSOCK" drain web >"$T/out" 2>&1; then fail "drain web without a daemon exits 0"; fi
grep -q "^nomcastctl: cannot connect to $NOSOCK: " "$T/out" || fail "drain web: $(cat "$T/out")"
echo "ok - nomcastctl: a wrong argument count is a usage error before the daemon is asked"

# the descriptor budget: -t warns when the limit is short; a start raises
# the soft limit toward the hard one and says so
if (ulimit -n 64 && "$NOMCASTD" -t -c "$T/good.ini") >"$T/out" 2>&1; then :; else
	fail "-t under ulimit -n 64: $(cat "$T/out")"; fi
grep -q 'msg="the descriptor limit is below what this configuration may use: raise it (ulimit -n, LimitNOFILE=)" limit=64 hard=64 need=' "$T/out" ||
	fail "-t under ulimit -n 64: no warning: $(cat "$T/out")"
"$NOMCASTD" -t -c "$T/good.ini" >"$T/out" 2>&1 || fail "-t: $(cat "$T/out")"
grep -q 'descriptor limit' "$T/out" && fail "-t warns under the default limit: $(cat "$T/out")"
cat >"$T/run.ini" <<EOT
[global]
asn = 65001
router-id = 198.51.100.2
listen = no
control-socket = $T/run.sock

[peer edge]
address = 127.0.0.9
asn = 65000
passive = yes
EOT
(ulimit -Sn 64 && exec "$NOMCASTD" -c "$T/run.ini") 2>"$T/run.log" &
pid=$!
i=0
while ! grep -q 'control socket ready' "$T/run.log" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
soft=$(awk '/Max open files/ { print $4 }' "/proc/$pid/limits")
kill -TERM "$pid"; wait "$pid" || true
grep -q 'msg="descriptor limit raised" from=64 to=' "$T/run.log" ||
	fail "soft limit 64 not raised: $(cat "$T/run.log")"
[ "$soft" -gt 64 ] || fail "soft limit still $soft"
echo "ok - descriptors: -t warns under ulimit -n 64; a start raises a soft limit of 64 to $soft"
