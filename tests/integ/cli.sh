#!/bin/sh
# tests/integ/cli.sh NOMCASTD - the command line: -t on a good and a bad
# file (every error as file:line: message, exit 1), -V, and a bad option.
set -eu
NOMCASTD=$1
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

"$NOMCASTD" -V | grep -q "^nomcastd [0-9]" || fail "-V"
if "$NOMCASTD" -Z 2>/dev/null; then fail "bad option exits 0"; fi
echo "ok - -V and bad options"
