#!/bin/sh
# tests/pkg/tarball.sh TARBALL - the release tarball (packaging/tarball.sh):
#  - reproducible: built again from the same tree, under another umask,
#    time zone and folder, it is the same bytes;
#  - complete: every file SHA256SUMS lists is there and matches, and the
#    binaries say this tree's version and commit;
#  - runs on Debian 12, Ubuntu 22.04 and 24.04: by its ELF headers (no
#    such host can be booted here, and none of their images can be
#    fetched), it needs only libc, libcurl, libcrypto and GnuTLS, which
#    all three ship (GnuTLS and OpenSSL in every install, libcurl wherever
#    curl is), at symbol versions their oldest (Ubuntu 22.04: glibc 2.35,
#    OpenSSL 3.0.2, GnuTLS 3.7.3, curl 7.81) provides;
#  - works as Nomad's exec driver runs it: unpacked, as nobody with only
#    CAP_NET_ADMIN and CAP_NET_BIND_SERVICE, against BIRD in network
#    namespaces: session Established, the route announced, the VIP on lo,
#    nomcastctl answering; SIGTERM withdraws.
set -eu
TARBALL=$(realpath "$1")
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/integ/lib.sh"
. "$TOP/packaging/common.sh"
lib_init pkg-tarball
V=$(pkg_version "$TOP")
NAME=nomcast-$V-linux-amd64
[ "$(basename "$TARBALL")" = "$NAME.tar.gz" ] ||
	fail "the tarball is not named $NAME.tar.gz: $TARBALL"

# ---- reproducible ----
t0=$(date +%s)
(umask 077; TZ=Pacific/Chatham "$TOP/packaging/tarball.sh" "$LIB_TMP/again") \
	>"$LIB_TMP/again.log" 2>&1 || fail "second build: $(cat "$LIB_TMP/again.log")"
cmp "$TARBALL" "$LIB_TMP/again/$NAME.tar.gz" ||
	fail "two builds of the same tree differ"
ok "reproducible: a second build ($(( $(date +%s) - t0 )) s, umask 077, another TZ and folder) is byte for byte the same"

# ---- complete ----
mkdir "$LIB_TMP/x"
tar -C "$LIB_TMP/x" -xzf "$TARBALL"
D=$LIB_TMP/x/$NAME
[ "$(ls "$LIB_TMP/x")" = "$NAME" ] || fail "more than $NAME/ at the top"
for f in nomcastd nomcastctl README LICENSE SHA256SUMS examples/nomcast.ini \
    man/man8/nomcastd.8 man/man5/nomcast.ini.5 man/man1/nomcastctl.1; do
	[ -s "$D/$f" ] || fail "$f missing from the tarball"
done
(cd "$D" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not match"
n=$(wc -l <"$D/SHA256SUMS")
[ "$n" -eq "$(cd "$D" && find . -type f ! -name SHA256SUMS | wc -l)" ] ||
	fail "SHA256SUMS does not list every file"
commit=$(git -C "$TOP" describe --always --dirty --abbrev=12)
for b in nomcastd nomcastctl; do
	out=$(env -i "$D/$b" --version)
	echo "$out" | grep -qx "$b $V" || fail "$b --version: $out"
	echo "$out" | grep -qx "commit $commit" || fail "$b --version: not commit $commit: $out"
done
env -i "$D/nomcastd" -t -c "$D/examples/nomcast.ini" >"$LIB_TMP/t.out" 2>&1 ||
	fail "the example configuration: $(cat "$LIB_TMP/t.out")"
ok "complete: $n files match SHA256SUMS; version $V, commit $commit; the example configuration is valid"

# ---- what it needs of the host ----
python3 - "$D/nomcastd" "$D/nomcastctl" <<'PYEOF' || fail "ELF needs"
import re, subprocess, sys
# what Ubuntu 22.04, the oldest of the three, has in its base install
LIBS = {"libc.so.6", "ld-linux-x86-64.so.2", "libcurl.so.4",
        "libcrypto.so.3", "libgnutls.so.30"}
GLIBC_MAX = (2, 35)
OTHER = re.compile(r"^(CURL_OPENSSL_4|OPENSSL_3\.0\.0|GNUTLS_3_4|GNUTLS_3_6_\d+)$")
bad = []
for path in sys.argv[1:]:
    dyn = subprocess.run(["readelf", "-dW", path], capture_output=True,
                         text=True, check=True).stdout
    needed = set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^]]+)\]", dyn))
    bad += ["%s needs %s" % (path, l) for l in sorted(needed - LIBS)]
    flags = re.search(r"\(FLAGS_1\)\s+Flags: (.*)", dyn)
    if not flags or not {"NOW", "PIE"} <= set(flags.group(1).split()):
        bad.append("%s: not PIE with full RELRO (BIND_NOW)" % path)
    ver = subprocess.run(["readelf", "-VW", path], capture_output=True,
                         text=True, check=True).stdout
    part = ver.split("Version needs section", 1)
    nodes = set(re.findall(r"Name: (\S+)\s+Flags", part[1])) if len(part) > 1 else set()
    for n in sorted(nodes):
        m = re.fullmatch(r"GLIBC_(\d+)\.(\d+)(?:\.\d+)?", n)
        if m:
            if (int(m.group(1)), int(m.group(2))) > GLIBC_MAX:
                bad.append("%s needs %s" % (path, n))
        elif not OTHER.match(n) and not n.startswith("GLIBC_PRIVATE"):
            bad.append("%s needs symbol version %s" % (path, n))
    print("%s: %s" % (path.rsplit("/", 1)[1], " ".join(sorted(needed))))
if bad:
    print("\n".join(bad), file=sys.stderr)
    sys.exit(1)
PYEOF
for b in nomcastd nomcastctl; do
	if ldd "$D/$b" | grep -q "not found"; then fail "$b: $(ldd "$D/$b")"; fi
done
ok "PIE, full RELRO; needs only libc (glibc <= 2.35), libcurl, libcrypto and GnuTLS, all resolved"

# ---- as the exec driver runs it ----
edge_node
chmod 755 "$LIB_TMP"
mkdir -m 777 "$LIB_TMP/run"
cat >"$LIB_TMP/nomcast.ini" <<EOT
[global]
asn = 65001
router-id = 198.51.100.2
listen = no
control-socket = $LIB_TMP/run/nomcast.sock

[peer edge]
address = 198.51.100.1
asn = 65000
connect-retry = 1

[service web]
prefix = 203.0.113.10/32
vip-interface = lo
EOT
chmod 644 "$LIB_TMP/nomcast.ini"
spawn node nomcast setpriv --reuid nobody --regid nogroup --clear-groups \
	--inh-caps -all,+net_admin,+net_bind_service \
	--ambient-caps -all,+net_admin,+net_bind_service \
	--bounding-set -all,+net_admin,+net_bind_service \
	"$D/nomcastd" -c "$LIB_TMP/nomcast.ini"
pid=$SPAWNED
wait_for 10 bird_established edge node || fail "no session from the tarball's nomcastd"
wait_for 5 bird_has_route edge 203.0.113.10/32 || fail "the route is not at BIRD"
wait_for 5 sh -c "ip -n $(ns node) -4 addr show dev lo | grep -q 203.0.113.10/32" ||
	fail "the VIP is not on lo (CAP_NET_ADMIN)"
st=$(grep -E '^(Uid|CapEff):' "/proc/$pid/status" | tr -s '\t ' ' ')
echo "$st" | grep -q "^Uid: 65534 " || fail "not running as nobody: $st"
echo "$st" | grep -q "^CapEff: 0000000000001400$" ||
	fail "not exactly NET_ADMIN + NET_BIND_SERVICE: $st"
"$D/nomcastctl" -s "$LIB_TMP/run/nomcast.sock" show peers >"$LIB_TMP/peers" 2>&1 ||
	fail "nomcastctl: $(cat "$LIB_TMP/peers")"
grep -q Established "$LIB_TMP/peers" || fail "nomcastctl show peers: $(cat "$LIB_TMP/peers")"
ok "as nobody with two capabilities: Established, 203.0.113.10/32 at BIRD, the VIP on lo, nomcastctl answers"
stop_pid "$pid"
wait_for 5 bird_no_route edge 203.0.113.10/32 || fail "SIGTERM did not withdraw"
ok "SIGTERM: withdrawn"
