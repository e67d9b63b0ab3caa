#!/bin/sh
# tests/pkg/deb.sh DEBFILE - the Debian package (packaging/deb.sh) on this
# host: install, files, user, unit neither enabled nor started, then the
# installed nomcastd run as the unit runs it (user nomcast, only
# CAP_NET_ADMIN and CAP_NET_BIND_SERVICE, no new privileges) against BIRD
# in network namespaces, then purge.  Run as root.
#
# A host where a package nomcast is installed (or left its configuration)
# is not touched: the test is skipped (exit 77).  The package is purged
# however the test ends; while it is installed, a policy-rc.d that denies
# every start is in place, unless the host has one of its own.  The user
# nomcast that the package makes stays after the purge, as Debian leaves
# system users.  Namespaces, addresses and BIRD come from tests/integ/lib.sh.
set -eu
if [ $# -ne 1 ]; then
	echo "usage: $0 DEBFILE" >&2
	exit 2
fi
DEB=$(realpath "$1")
[ -f "$DEB" ] || { echo "FAIL: no $DEB" >&2; exit 1; }
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: tests/pkg/deb.sh needs root" >&2
	exit 77
fi
status=$(dpkg-query -W -f='${Status}' nomcast 2>/dev/null || true)
case "$status" in
"" | *not-installed)
	;;
*)
	echo "SKIP: a package nomcast is on this host ($status); it is" \
	    "not the test's to replace or purge" >&2
	exit 77
	;;
esac

# shellcheck source=tests/integ/lib.sh
. "$(dirname "$0")/../integ/lib.sh"
lib_init pkg-deb

INSTALLED=0
POLICY=/usr/sbin/policy-rc.d
OWN_POLICY=0
pkg_cleanup() {
	rc=$?
	trap - EXIT
	set +e
	# daemons, namespaces and LIB_TMP first; lib_cleanup takes the status
	# from $? and exits with it: run it in a subshell
	(exit "$rc")
	(lib_cleanup)
	rc=$?
	if [ "$INSTALLED" -eq 1 ]; then
		dpkg --purge nomcast >"/tmp/nomcast-pkg-purge.$$.log" 2>&1 ||
			{ cat "/tmp/nomcast-pkg-purge.$$.log" >&2; rc=1; }
		rm -f "/tmp/nomcast-pkg-purge.$$.log"
	fi
	[ "$OWN_POLICY" -eq 1 ] && rm -f "$POLICY"
	exit "$rc"
}
trap pkg_cleanup EXIT
trap 'exit 129' HUP

# invoke-rc.d and deb-systemd-invoke ask it before any start; 101: not now
if (set -C; : >"$POLICY") 2>/dev/null; then
	OWN_POLICY=1
	printf '%s\n' '#!/bin/sh' \
	    '# nomcast tests/pkg/deb.sh: no service starts while it runs' \
	    'exit 101' >"$POLICY"
	chmod 755 "$POLICY"
else
	prc=0
	"$POLICY" nomcast.service start >/dev/null 2>&1 || prc=$?
	[ "$prc" -eq 101 ] ||
		echo "note: $POLICY is the host's own and allows starts" \
		    "(the package starts nothing on install anyway)" >&2
fi

# ---- install ----
INSTALLED=1
dpkg -i "$DEB" >"$LIB_TMP/dpkg-install.log" 2>&1 ||
	fail "dpkg -i: $(cat "$LIB_TMP/dpkg-install.log")"
ok "dpkg -i $(basename "$DEB")"

for f in /usr/sbin/nomcastd /usr/bin/nomcastctl; do
	[ -x "$f" ] || fail "$f missing"
done
for f in /usr/share/man/man8/nomcastd.8.gz /usr/share/man/man5/nomcast.ini.5.gz \
    /usr/share/man/man1/nomcastctl.1.gz /lib/systemd/system/nomcast.service \
    /etc/nomcast/nomcast.ini /usr/share/doc/nomcast/examples/nomcast.ini \
    /usr/share/doc/nomcast/README.Debian /usr/share/doc/nomcast/copyright; do
	[ -f "$f" ] || fail "$f missing"
done
dpkg-query --showformat='${Conffiles}\n' -W nomcast |
	grep -q '^ /etc/nomcast/nomcast.ini [0-9a-f]\{32\}$' ||
	fail "/etc/nomcast/nomcast.ini is not a conffile"
ok "binaries, man pages, unit, example and conffile /etc/nomcast/nomcast.ini"

getent passwd nomcast >/dev/null || fail "no user nomcast"
getent group nomcast >/dev/null || fail "no group nomcast"
[ "$(id -gn nomcast)" = nomcast ] || fail "nomcast's group is $(id -gn nomcast)"
home=$(getent passwd nomcast | cut -d: -f6)
[ "$home" = /nonexistent ] || fail "nomcast's home is $home"
[ ! -e /nonexistent ] || fail "/nonexistent exists"
[ "$(stat -c '%U:%G %a' /etc/nomcast/nomcast.ini)" = "root:nomcast 640" ] ||
	fail "config: $(stat -c '%U:%G %a' /etc/nomcast/nomcast.ini)"
ok "system user and group nomcast; config root:nomcast 0640"

/usr/sbin/nomcastd --version >"$LIB_TMP/version" || fail "--version failed"
[ "$(head -n 1 "$LIB_TMP/version")" = "nomcastd 0.1.0" ] ||
	fail "--version: $(cat "$LIB_TMP/version")"
grep -Eq '^commit [0-9a-f]{12}(-dirty)?$' "$LIB_TMP/version" ||
	fail "--version: no commit: $(cat "$LIB_TMP/version")"
/usr/bin/nomcastctl --version | head -n 1 | grep -qx "nomcastctl 0.1.0" ||
	fail "nomcastctl --version: $(/usr/bin/nomcastctl --version)"
ok "--version: $(tr '\n' ' ' <"$LIB_TMP/version")"

# not enabled, not started
for d in /etc/systemd/system/*.wants; do
	[ ! -e "$d/nomcast.service" ] || fail "enabled: $d/nomcast.service"
done
# (systemd is in scripts/deps: these never pass by being skipped)
en=$(systemctl is-enabled nomcast.service 2>/dev/null || true)
[ "$en" = disabled ] || fail "systemctl is-enabled: $en"
pgrep -u nomcast >/dev/null && fail "a process of user nomcast runs after install"
ok "unit neither enabled nor started"

systemd-analyze verify --man=no /lib/systemd/system/nomcast.service \
    >"$LIB_TMP/verify.log" 2>&1 || fail "systemd-analyze verify: $(cat "$LIB_TMP/verify.log")"
[ ! -s "$LIB_TMP/verify.log" ] || fail "systemd-analyze verify: $(cat "$LIB_TMP/verify.log")"
ok "systemd-analyze verify nomcast.service"

# ---- the installed daemon, as the unit runs it ----
# the unit's user, its two capabilities (inherited across exec as ambient
# capabilities), no new privileges, outside Nomad
CAPS=+net_admin,+net_bind_service
as_unit() {
	env -u NOMAD_TASK_DIR -u NOMAD_ALLOC_DIR \
	    setpriv --reuid nomcast --regid nomcast --init-groups \
	    --inh-caps "$CAPS" --ambient-caps "$CAPS" \
	    --bounding-set "-all,$CAPS" --no-new-privs "$@"
}

# the unit's ExecStartPre on the installed example configuration
as_unit /usr/sbin/nomcastd -t -c /etc/nomcast/nomcast.ini >"$LIB_TMP/t.log" 2>&1 ||
	fail "nomcastd -t on the installed configuration: $(cat "$LIB_TMP/t.log")"
grep -qi warn "$LIB_TMP/t.log" && fail "nomcastd -t warns: $(cat "$LIB_TMP/t.log")"
ok "the installed /etc/nomcast/nomcast.ini passes nomcastd -t as user nomcast"

# a folder the user nomcast reads (config) and writes (control socket)
RUN="$LIB_TMP/run"
mkdir -m 0750 "$RUN"
chgrp nomcast "$LIB_TMP" && chmod 0750 "$LIB_TMP"
chown nomcast:nomcast "$RUN"
SOCK="$RUN/nomcast.sock"

edge_node 9
cat >"$RUN/nomcast.ini" <<EOT
[global]
asn = 65001
router-id = 198.51.100.2
control-socket = $SOCK
restart-state = $RUN/nomcast.restart
shutdown-message = tests/pkg/deb.sh done

[peer edge]
address = 198.51.100.1
asn = 65000
hold-time = 9
connect-retry = 1

[service web]
prefix = 203.0.113.10/32
checks = true
vip-interface = lo

[check true]
type = exec
command = /bin/true
interval = 200ms
rise = 1
EOT
chgrp nomcast "$RUN/nomcast.ini"
chmod 0640 "$RUN/nomcast.ini"
as_unit /usr/sbin/nomcastd -t -c "$RUN/nomcast.ini" >"$LIB_TMP/t2.log" 2>&1 ||
	fail "nomcastd -t: $(cat "$LIB_TMP/t2.log")"

spawn node nomcast-pkg env -u NOMAD_TASK_DIR -u NOMAD_ALLOC_DIR \
    setpriv --reuid nomcast --regid nomcast --init-groups \
    --inh-caps "$CAPS" --ambient-caps "$CAPS" \
    --bounding-set "-all,$CAPS" --no-new-privs \
    /usr/sbin/nomcastd -c "$RUN/nomcast.ini"
N=$SPAWNED

wait_for 15 bird_established edge node || fail "no session at BIRD"
ok "BGP session Established at BIRD"
wait_for 10 bird_has_route edge 203.0.113.10/32 || fail "203.0.113.10/32 not in BIRD's RIB"
ok "203.0.113.10/32 in BIRD's RIB"

# who it runs as: the user nomcast, CapEff = CapBnd = CapAmb = bits 10
# (net_bind_service) and 12 (net_admin), no new privileges
[ "$(readlink "/proc/$N/exe")" = /usr/sbin/nomcastd ] ||
	fail "pid $N is $(readlink "/proc/$N/exe")"
uid=$(awk '$1 == "Uid:" { print $2 }' "/proc/$N/status")
[ "$uid" = "$(id -u nomcast)" ] || fail "runs as uid $uid"
for k in CapEff CapBnd CapAmb; do
	v=$(awk -v k="$k:" '$1 == k { print $2 }' "/proc/$N/status")
	[ "$v" = 0000000000001400 ] || fail "$k is $v"
done
[ "$(awk '$1 == "NoNewPrivs:" { print $2 }' "/proc/$N/status")" = 1 ] ||
	fail "NoNewPrivs not set"
ok "nomcastd runs as nomcast with CAP_NET_ADMIN and CAP_NET_BIND_SERVICE only"

vip_on_lo() {
	ip -n "$(ns node)" addr show dev lo | grep -q 'inet 203\.0\.113\.10/32 '
}
wait_for 5 vip_on_lo || fail "203.0.113.10 not on lo (vip-interface over netlink)"
ok "vip-interface: 203.0.113.10/32 on lo (netlink with CAP_NET_ADMIN)"

wait_for 5 test -S "$SOCK" || fail "no control socket $SOCK"
[ "$(stat -c '%U:%G %a' "$SOCK")" = "nomcast:nomcast 660" ] ||
	fail "control socket: $(stat -c '%U:%G %a' "$SOCK")"
/usr/bin/nomcastctl -s "$SOCK" show peers >"$LIB_TMP/peers" 2>&1 ||
	fail "nomcastctl show peers: $(cat "$LIB_TMP/peers")"
peer_up() {	# peer_up FILE: the line of peer edge says Established
	awk '$1 == "edge" && $2 == "198.51.100.1" && $4 == "Established" { f = 1 }
	    END { exit !f }' "$1"
}
peer_up "$LIB_TMP/peers" || fail "nomcastctl show peers: $(cat "$LIB_TMP/peers")"
ok "nomcastctl -s SOCK show peers (root): edge Established"
# a member of the group nomcast may use it, another user may not
setpriv --reuid nobody --regid nogroup --groups nomcast \
    /usr/bin/nomcastctl -s "$SOCK" show peers >"$LIB_TMP/peers2" 2>&1 ||
	fail "group nomcast: nomcastctl: $(cat "$LIB_TMP/peers2")"
peer_up "$LIB_TMP/peers2" || fail "group nomcast: $(cat "$LIB_TMP/peers2")"
if setpriv --reuid nobody --regid nogroup --clear-groups \
    /usr/bin/nomcastctl -s "$SOCK" show peers >/dev/null 2>&1; then
	fail "a user outside the group nomcast used the control socket"
fi
ok "control socket: the group nomcast may use it, others may not"

stop_pid "$N"
kill -0 "$N" 2>/dev/null && fail "nomcastd did not exit on SIGTERM"
wait_for 5 bird_no_route edge 203.0.113.10/32 || fail "route still at BIRD after SIGTERM"
vip_on_lo && fail "203.0.113.10 still on lo after SIGTERM"
grep -q 'notif=6/2 sent' "$LIB_TMP/nomcast-pkg.log" || fail "no Cease sent"
ok "SIGTERM: route withdrawn, address removed, Cease sent"
# shellcheck disable=SC2154 # set by bird_start (eval)
stop_pid "$BIRD_PID_edge"

# ---- purge ----
dpkg --purge nomcast >"$LIB_TMP/dpkg-purge.log" 2>&1 ||
	fail "dpkg --purge: $(cat "$LIB_TMP/dpkg-purge.log")"
INSTALLED=0
for f in /usr/sbin/nomcastd /usr/bin/nomcastctl /lib/systemd/system/nomcast.service \
    /etc/nomcast /usr/share/man/man8/nomcastd.8.gz /usr/share/man/man5/nomcast.ini.5.gz \
    /usr/share/man/man1/nomcastctl.1.gz /usr/share/doc/nomcast; do
	[ ! -e "$f" ] || fail "$f left after purge"
done
status=$(dpkg-query -W -f='${Status}' nomcast 2>/dev/null || true)
case "$status" in
"" | *not-installed) ;;
*) fail "after purge: $status" ;;
esac
ok "dpkg --purge: files, /etc/nomcast and the package gone"
