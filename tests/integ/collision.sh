#!/bin/sh
# tests/integ/collision.sh NOMCASTD - connection collisions (RFC 4271 6.8)
# against a scripted peer (collision.py): the higher BGP Identifier's
# connection wins, the loser gets Cease/Connection Collision Resolution,
# and the winner carries the session; a collision while the first
# connection is still in OpenSent keeps one session too.
set -eu
NOMCASTD=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
lib_init collision

ns_add edge node
link edge 198.51.100.1/24 - node 198.51.100.2/24 -
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

[service web]
prefix = 203.0.113.10/32
EOT
for scen in higher lower early; do
	nomcast_start node "$scen" "$LIB_TMP/nomcast.ini"
	pid=$SPAWNED
	ip netns exec "$(ns edge)" /usr/bin/python3 "$HERE/collision.py" "$scen" ||
		fail "collision $scen (log: $(grep -E 'collision|notif' "$LIB_TMP/nomcast-$scen.log" | tail -3))"
	stop_pid "$pid"
	grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$LIB_TMP/nomcast-$scen.log" &&
		fail "sanitizer report ($scen)"
done
ok "collisions resolved as RFC 4271 6.8 says"
