#!/bin/sh
# tests/integ/deps_host.sh [NOMCASTD] - scripts/deps on a host that already
# runs a BIRD service: the service is still running and still enabled
# afterwards, nothing asked the service manager to start, stop, disable or
# reconfigure anything, every start a package's maintainer script would
# request during the install is denied, and the policy-rc.d is the host's
# own again afterwards (removed when deps made it, on success and on
# failure; untouched when the host had one).
#
# The machine a test runs on may have no systemd (a container), and every
# package is already installed, so the host is modelled in this test's own
# folder and nothing of the real one is changed:
#   - "the running bird service" is a BIRD started here, in a network
#     namespace made here, with its own configuration, socket and pid file;
#   - systemctl is a stand-in first on PATH that records every call and
#     acts on that BIRD (stop, disable, ...) as systemd would on bird.service;
#     its "enabled" state is a file here;
#   - dpkg-query reports bird2 missing, so deps takes its install path, and
#     apt-get is a stand-in whose "install" asks what bird2's postinst asks
#     (invoke-rc.d and deb-systemd-invoke, both through policy-rc.d) without
#     installing anything;
#   - /usr/sbin is an overlay in a private mount namespace, so the
#     policy-rc.d deps makes and removes, or the host's own one the test
#     puts there, never reaches the real /usr/sbin.
set -eu
ROOT=$(realpath "$(dirname "$0")/../..")
. "$(dirname "$0")/lib.sh"
lib_init deps-host

# ---- the host's bird service ----
ns_add svc
cat >"$LIB_TMP/bird-host.conf" <<EOT
router id 198.51.100.7;
log "$LIB_TMP/bird-host.trace" all;
protocol device { }
EOT
bird_start svc host "$LIB_TMP/bird-host.conf"
mkdir "$LIB_TMP/enabled"
: >"$LIB_TMP/enabled/bird.service"
pid_before=$(cat "$LIB_TMP/bird-host.pid")

# the real host's enabled state of bird, which must not change: systemd's
# symlink, and the init script's rc links (what an offline systemctl
# disable edits on a machine without systemd)
WANTS=/etc/systemd/system/multi-user.target.wants/bird.service
wants_state() {
	if [ -L "$WANTS" ]; then readlink "$WANTS"
	elif [ -e "$WANTS" ]; then echo present
	else echo absent; fi
	for l in /etc/rc?.d/[SK]??bird; do
		[ -L "$l" ] && echo "$l"
	done
	return 0
}
wants_before=$(wants_state)

# ---- the stand-ins ----
mkdir "$LIB_TMP/bin"
cat >"$LIB_TMP/bin/systemctl" <<EOT
#!/bin/sh
# records every call; acts on the test's BIRD as systemd on bird.service
echo "\$*" >>"$LIB_TMP/systemctl.calls"
verb="" now=0 unit=""
for a in "\$@"; do
	case \$a in
	--now) now=1 ;;
	-*) ;;
	*) if [ -z "\$verb" ]; then verb=\$a; elif [ -z "\$unit" ]; then unit=\$a; fi ;;
	esac
done
[ "\${unit%.service}" = bird ] || exit 0
pidf="$LIB_TMP/bird-host.pid" en="$LIB_TMP/enabled/bird.service"
stop() { [ -f "\$pidf" ] && kill -TERM "\$(cat "\$pidf")" 2>/dev/null; return 0; }
case \$verb in
is-active) [ -f "\$pidf" ] && kill -0 "\$(cat "\$pidf")" 2>/dev/null || exit 3 ;;
is-enabled) if [ -f "\$en" ]; then echo enabled; else echo disabled; exit 1; fi ;;
disable|mask) rm -f "\$en"; [ \$now = 0 ] || stop ;;
stop|kill|restart|try-restart|reload-or-restart|condrestart) stop ;;
esac
exit 0
EOT
cat >"$LIB_TMP/bin/dpkg-query" <<'EOT'
#!/bin/sh
# bird2 "not installed", so that deps installs it; the rest as they are
for a in "$@"; do last=$a; done
[ "$last" = bird2 ] && { echo "unknown ok not-installed"; exit 0; }
exec /usr/bin/dpkg-query "$@"
EOT
cat >"$LIB_TMP/bin/apt-get" <<EOT
#!/bin/sh
# records the call; "install" asks what bird2's postinst asks, and fails
# when the test sets APT_FAIL
echo "\$*" >>"$LIB_TMP/apt.calls"
case " \$* " in *" install "*) ;; *) exit 0 ;; esac
rc=0; invoke-rc.d --query bird start >/dev/null 2>&1 || rc=\$?
echo "invoke-rc.d \$rc" >>"$LIB_TMP/apt.asked"
deb-systemd-invoke start bird.service >/dev/null 2>&1 || true
exit \${APT_FAIL:-0}
EOT
chmod 755 "$LIB_TMP/bin/"*

# in_overlay.sh DIR MODE: deps with /usr/sbin overlaid (upper layer in
# DIR), its policy-rc.d absent (MODE none) or the host's own (MODE own);
# writes deps' exit status and the policy file's state before and after
cat >"$LIB_TMP/in_overlay.sh" <<'EOT'
#!/bin/sh
set -eu
d=$1 mode=$2 P=/usr/sbin/policy-rc.d
mount -t overlay overlay -o "lowerdir=/usr/sbin,upperdir=$d/u,workdir=$d/w" /usr/sbin
rm -f "$P"
if [ "$mode" = own ]; then
	printf '#!/bin/sh\n# the site policy of this host\nexit 101\n' >"$P"
	chmod 750 "$P"
	touch -d @1000000000 "$P"
fi
state() {
	if [ -e "$P" ] || [ -L "$P" ]; then
		stat -c '%i %Y %s %a' "$P"; sha256sum <"$P"
	else echo absent; fi
}
state >"$d/before"
rc=0
PATH="$STUBS:$PATH" "$DEPS" >"$d/deps.log" 2>&1 || rc=$?
echo "$rc" >"$d/rc"
state >"$d/after"
EOT
chmod 755 "$LIB_TMP/in_overlay.sh"

run_deps() {	# run_deps NAME MODE: scripts/deps in its own overlay
	d="$LIB_TMP/ov-$1"
	mkdir -p "$d/u" "$d/w"
	: >"$LIB_TMP/apt.calls"; : >"$LIB_TMP/apt.asked"; : >"$LIB_TMP/systemctl.calls"
	STUBS="$LIB_TMP/bin" DEPS="$ROOT/scripts/deps" \
	    unshare -m --propagation private "$LIB_TMP/in_overlay.sh" "$d" "$2" ||
		fail "$1: the overlay could not be set up"
	RC=$(cat "$d/rc")
}

# after NAME: the host is as before
host_unchanged() {
	pid=$(cat "$LIB_TMP/bird-host.pid" 2>/dev/null || echo none)
	[ "$pid" = "$pid_before" ] && kill -0 "$pid" 2>/dev/null ||
		fail "$1: the bird service is no longer running (pid $pid_before)"
	birdc_q host show status | grep -q "Daemon is up and running" ||
		fail "$1: the bird service does not answer on its socket"
	[ -f "$LIB_TMP/enabled/bird.service" ] ||
		fail "$1: the bird service was disabled"
	[ "$(wants_state)" = "$wants_before" ] ||
		fail "$1: $WANTS changed: $wants_before -> $(wants_state)"
	bad=$(grep -vE '^(--[a-z]+ )*(--quiet )?(is-active|is-enabled)( |$)' \
	    "$LIB_TMP/systemctl.calls" || true)
	[ -z "$bad" ] || fail "$1: systemctl was asked to act: $bad"
	grep -q "^install " "$LIB_TMP/apt.calls" ||
		fail "$1: deps did not take its install path: $(cat "$LIB_TMP/apt.calls")"
	[ "$(cat "$LIB_TMP/apt.asked")" = "invoke-rc.d 101" ] ||
		fail "$1: a maintainer script's start was not denied: $(cat "$LIB_TMP/apt.asked")"
}

# 1. no policy-rc.d on the host: deps makes one for the install, removes it
run_deps none none
[ "$RC" = 0 ] || fail "none: deps exited $RC: $(cat "$LIB_TMP/ov-none/deps.log")"
host_unchanged none
[ "$(cat "$LIB_TMP/ov-none/after")" = absent ] ||
	fail "none: a policy-rc.d was left behind"
ok "no policy-rc.d before: starts denied during the install, none left, the bird service untouched"

# 2. the host has its own policy-rc.d: used, and left exactly as it was
run_deps own own
[ "$RC" = 0 ] || fail "own: deps exited $RC: $(cat "$LIB_TMP/ov-own/deps.log")"
host_unchanged own
cmp -s "$LIB_TMP/ov-own/before" "$LIB_TMP/ov-own/after" ||
	fail "own: the host's policy-rc.d changed: $(cat "$LIB_TMP/ov-own/before" "$LIB_TMP/ov-own/after")"
ok "the host's own policy-rc.d: left as it was, the bird service untouched"

# 3. the install fails: deps fails, and its policy-rc.d is removed all the same
export APT_FAIL=100
run_deps fail none
unset APT_FAIL
[ "$RC" != 0 ] || fail "fail: deps exited 0 although apt-get failed"
host_unchanged fail
[ "$(cat "$LIB_TMP/ov-fail/after")" = absent ] ||
	fail "fail: a policy-rc.d was left behind after a failed install"
ok "failed install: deps fails, no policy-rc.d left, the bird service untouched"

stop_pid "$BIRD_PID_host"
