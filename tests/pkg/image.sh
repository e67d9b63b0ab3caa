#!/bin/sh
# tests/pkg/image.sh ARCHIVE - the OCI image (packaging/image.sh):
#  - reproducible: built again from the tarball beside it (when it is
#    there), under another umask and time zone, it is the same bytes;
#  - loadable by docker and podman: every blob matches its digest; index.json
#    names nomcast:VERSION (io.containerd.image.name, ref.name);
#    manifest.json lists the config and the layers that the OCI manifest
#    does; the layer is gzipped, and gunzipped it is the config's diff_id.  docker itself is not run:
#    this host has its client but no daemon, so what docker load reads is
#    checked by reading it here; podman loads it (and pulls it as
#    oci-archive: the same image);
#  - the config: user 65532:65532, entrypoint /usr/sbin/nomcastd, command
#    -c /local/nomcast.ini, labels version VERSION and this tree's commit;
#  - the layer holds only what it should: the two binaries, LICENSE, the CA
#    bundle, passwd and group, /tmp, /local, /run/nomcast, and exactly the
#    libraries the binaries need, all found inside the image by its own
#    loader; nomcastd carries cap_net_admin,cap_net_bind_service=ep;
#  - works as Nomad's docker driver runs it: podman (runc, a private vfs
#    store in the test's folder), the test's network namespace as the
#    host network, --cap-drop all --cap-add net_admin,net_bind_service,
#    the INI in /local: session Established at BIRD, the route announced,
#    the VIP on lo, running as 65532 with exactly those two capabilities,
#    nomcastctl answering through podman exec; podman stop withdraws.
# Skipped (77) without root; fails without podman, runc, jq or getcap.  The container, the images and
# the store are removed however the test ends; namespaces, addresses and
# BIRD come from tests/integ/lib.sh.
set -eu
if [ $# -ne 1 ]; then
	echo "usage: $0 ARCHIVE" >&2
	exit 2
fi
ARCHIVE=$(realpath "$1")
[ -f "$ARCHIVE" ] || { echo "FAIL: no $ARCHIVE" >&2; exit 1; }
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: tests/pkg/image.sh needs root" >&2
	exit 77
fi
# (scripts/deps installs them: a missing one fails, never skips)
for c in podman runc jq getcap; do
	command -v "$c" >/dev/null 2>&1 ||
		{ echo "FAIL: tests/pkg/image.sh needs $c (scripts/deps)" >&2; exit 1; }
done
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/packaging/common.sh"
V=$(pkg_version "$TOP")
# shellcheck source=tests/integ/lib.sh
. "$TOP/tests/integ/lib.sh"
lib_init pkg-image
[ "$(basename "$ARCHIVE")" = "nomcast-$V-oci.tar" ] ||
	fail "the archive is not named nomcast-$V-oci.tar: $ARCHIVE"

CTR=nomcast-test-$$
# podman with its store, state and runtime in the test's folder.  As root,
# podman 4.3 also keeps a blob-info cache in /var/lib/containers/cache, a
# lock in /var/cache/containers and one in /etc/cni/net.d, whatever --root
# says: each podman runs in a mount namespace of its own where those are
# empty tmpfs, so the host's are not written to (conmon and the container
# stay in the one of podman run, which ends with them)
pm() {
	# shellcheck disable=SC2016
	unshare --mount --propagation private sh -c '
	    for d in /var/lib /var/cache /etc/cni/net.d; do
		[ ! -d "$d" ] ||
		    mount -t tmpfs -o size=1m,mode=755 nomcast-test "$d" || exit 1
	    done
	    exec "$@"' sh \
	podman --runtime runc --cgroup-manager=cgroupfs --events-backend=none \
		--root "$LIB_TMP/storage" --runroot "$LIB_TMP/prun" \
		--tmpdir "$LIB_TMP/ptmp" --storage-driver vfs "$@"
}
LOADED=0
image_cleanup() {
	rc=$?
	trap - EXIT
	set +e
	if [ "$LOADED" -eq 1 ]; then
		pm rm -f -t 0 "$CTR" >/dev/null 2>&1
		pm rmi -a -f >/dev/null 2>&1
	fi
	# BIRD, namespaces and LIB_TMP (the store with them); lib_cleanup
	# takes the status from $? and exits with it: run it in a subshell
	(exit "$rc")
	(lib_cleanup)
	exit $?
}
trap image_cleanup EXIT

# ---- reproducible ----
TARBALL=$(dirname "$ARCHIVE")/nomcast-$V-linux-amd64.tar.gz
if [ -f "$TARBALL" ]; then
	t0=$(date +%s)
	mkdir "$LIB_TMP/tb"
	tar -C "$LIB_TMP/tb" -xzf "$TARBALL"
	(umask 077; TZ=Pacific/Chatham "$TOP/packaging/image.sh" \
	    "$LIB_TMP/tb/nomcast-$V-linux-amd64" "$V" "$LIB_TMP/again") \
		>"$LIB_TMP/again.log" 2>&1 ||
		fail "second build: $(cat "$LIB_TMP/again.log")"
	cmp "$ARCHIVE" "$LIB_TMP/again/nomcast-$V-oci.tar" ||
		fail "two builds from the same binaries differ"
	ok "reproducible: a second build ($(( $(date +%s) - t0 )) s, umask 077, another TZ and folder) is byte for byte the same"
else
	echo "# reproducibility not checked: no $TARBALL beside the archive"
fi

# ---- the archive: what podman and docker read ----
A=$LIB_TMP/a
mkdir "$A"
tar -C "$A" -xf "$ARCHIVE"
top=$(cd "$A" && find . -mindepth 1 -maxdepth 1 -printf '%P ' | tr ' ' '\n' | LC_ALL=C sort | tr '\n' ' ')
[ "$top" = "blobs index.json manifest.json oci-layout " ] ||
	fail "unexpected top level: $top"
jq -e '.imageLayoutVersion == "1.0.0"' "$A/oci-layout" >/dev/null ||
	fail "oci-layout: $(cat "$A/oci-layout")"
for b in "$A"/blobs/sha256/*; do
	[ "$(sha256sum <"$b" | cut -d' ' -f1)" = "${b##*/}" ] ||
		fail "blob ${b##*/} does not match its digest"
done
blob() {	# blob sha256:HEX -> its file
	echo "$A/blobs/sha256/${1#sha256:}"
}
jq -e --arg n "docker.io/library/nomcast:$V" --arg r "nomcast:$V" '
	(.manifests | length) == 1 and
	.manifests[0].mediaType == "application/vnd.oci.image.manifest.v1+json" and
	.manifests[0].annotations["io.containerd.image.name"] == $n and
	.manifests[0].annotations["org.opencontainers.image.ref.name"] == $r' \
	"$A/index.json" >/dev/null || fail "index.json: $(cat "$A/index.json")"
M=$(blob "$(jq -r '.manifests[0].digest' "$A/index.json")")
[ "$(stat -c %s "$M")" -eq "$(jq '.manifests[0].size' "$A/index.json")" ] ||
	fail "the manifest's size is not the one index.json says"
C=$(blob "$(jq -r '.config.digest' "$M")")
# docker load (before 25: manifest.json only): the same config and layers,
# in order, as paths in the archive (docker decompresses each layer itself)
jq -e --slurpfile m "$M" --arg t "nomcast:$V" '
	length == 1 and .[0].RepoTags == [$t] and
	.[0].Config == ("blobs/sha256/" + ($m[0].config.digest | ltrimstr("sha256:"))) and
	.[0].Layers == [$m[0].layers[].digest | "blobs/sha256/" + ltrimstr("sha256:")] and
	all($m[0].layers[].mediaType; . == "application/vnd.oci.image.layer.v1.tar+gzip")' \
	"$A/manifest.json" >/dev/null || fail "manifest.json: $(cat "$A/manifest.json")"
nl=$(jq '.layers | length' "$M")
[ "$nl" -eq 1 ] || fail "$nl layers, not one"
# the config's diff_id is the digest of the layer gunzipped, and the sizes
# are the blobs'
LAYER=$(blob "$(jq -r '.layers[0].digest' "$M")")
[ "sha256:$(gzip -dc <"$LAYER" | sha256sum | cut -d' ' -f1)" = "$(jq -r '.rootfs.diff_ids[0]' "$C")" ] ||
	fail "the layer, gunzipped, is not the config's diff_id"
for f in "$LAYER:.layers[0].size" "$C:.config.size"; do
	[ "$(stat -c %s "${f%%:*}")" -eq "$(jq "${f#*:}" "$M")" ] ||
		fail "sizes in the manifest: $(cat "$M")"
done
commit=$(git -C "$TOP" describe --always --dirty --abbrev=12)
jq -e --arg v "$V" --arg c "$commit" '
	.os == "linux" and .architecture == "amd64" and
	.config.User == "65532:65532" and
	.config.Entrypoint == ["/usr/sbin/nomcastd"] and
	.config.Cmd == ["-c", "/local/nomcast.ini"] and
	.config.Labels["org.opencontainers.image.version"] == $v and
	.config.Labels["org.opencontainers.image.title"] == "nomcast" and
	.config.Labels["org.opencontainers.image.licenses"] == "ISC" and
	.config.Labels["org.opencontainers.image.revision"] == $c and
	(has("history") | not)' "$C" >/dev/null ||
	fail "the image config (commit $commit): $(cat "$C")"
ok "the archive: index.json (nomcast:$V), manifest.json as docker load reads it, blobs match their digests, one gzipped layer; config: user 65532:65532, nomcastd -c /local/nomcast.ini, version $V, commit $commit"

# ---- the layer ----
X=$LIB_TMP/rootfs
mkdir "$X"
tar -C "$X" --xattrs --xattrs-include='security.capability' -xzf "$LAYER"
# what the binaries need, as the image's own loader finds it inside the image
for b in /usr/sbin/nomcastd /usr/bin/nomcastctl; do
	chroot "$X" /lib64/ld-linux-x86-64.so.2 --list "$b" >"$LIB_TMP/needs" 2>&1 ||
		fail "$b in the image: $(cat "$LIB_TMP/needs")"
	if grep -q "not found" "$LIB_TMP/needs"; then
		fail "$b in the image: $(cat "$LIB_TMP/needs")"
	fi
	sed -n 's|.* => /usr/lib/x86_64-linux-gnu/\([^ ]*\) (.*|usr/lib/x86_64-linux-gnu/\1|p' \
		"$LIB_TMP/needs"
done | LC_ALL=C sort -u >"$LIB_TMP/libs"
# every file, folder and link of the layer, with its type, mode and owner
(cd "$X" && find . -mindepth 1 -printf '%P %y %m %U:%G\n') | LC_ALL=C sort >"$LIB_TMP/have"
{
	for d in etc etc/ssl etc/ssl/certs lib64 run usr usr/bin usr/lib \
	    usr/lib/x86_64-linux-gnu usr/sbin usr/share usr/share/doc \
	    usr/share/doc/nomcast; do
		echo "$d d 755 0:0"
	done
	echo "tmp d 1777 0:0"
	echo "local d 755 65532:65532"
	echo "run/nomcast d 755 65532:65532"
	echo "etc/passwd f 644 0:0"
	echo "etc/group f 644 0:0"
	echo "etc/ssl/certs/ca-certificates.crt f 644 0:0"
	echo "usr/share/doc/nomcast/LICENSE f 644 0:0"
	echo "usr/sbin/nomcastd f 755 0:0"
	echo "usr/bin/nomcastctl f 755 0:0"
	echo "lib64/ld-linux-x86-64.so.2 f 755 0:0"
	sed 's/$/ f 644 0:0/' "$LIB_TMP/libs"
} | LC_ALL=C sort >"$LIB_TMP/want"
diff -u "$LIB_TMP/want" "$LIB_TMP/have" >"$LIB_TMP/layer.diff" ||
	fail "the layer (- expected, + in it): $(cat "$LIB_TMP/layer.diff")"
grep -q "^nomcast:x:65532:65532:" "$X/etc/passwd" || fail "no user nomcast: $(cat "$X/etc/passwd")"
grep -q "^nomcast:x:65532:" "$X/etc/group" || fail "no group nomcast: $(cat "$X/etc/group")"
cmp "$X/usr/share/doc/nomcast/LICENSE" "$TOP/LICENSE" || fail "LICENSE differs"
caps=$(getcap "$X/usr/sbin/nomcastd")
case "$caps" in
*" cap_net_bind_service,cap_net_admin=ep") ;;
*) fail "nomcastd's file capabilities: '$caps'" ;;
esac
for b in nomcastd:usr/sbin nomcastctl:usr/bin; do
	out=$(chroot "$X" "/${b#*:}/${b%%:*}" --version)
	echo "$out" | grep -qx "${b%%:*} $V" || fail "${b%%:*} --version: $out"
	echo "$out" | grep -qx "commit $commit" || fail "${b%%:*} --version: $out"
done
ok "the layer: $(wc -l <"$LIB_TMP/have") entries, only the expected ones ($(wc -l <"$LIB_TMP/libs") libraries, exactly what the image's loader resolves for the two binaries, and the loader); nomcastd has cap_net_admin,cap_net_bind_service=ep; both say $V, commit $commit"

# ---- podman load ----
LOADED=1
pm load -i "$ARCHIVE" >"$LIB_TMP/load.log" 2>&1 || fail "podman load: $(cat "$LIB_TMP/load.log")"
grep -q "^Loaded image: docker.io/library/nomcast:$V$" "$LIB_TMP/load.log" ||
	fail "podman load: $(cat "$LIB_TMP/load.log")"
cfg=$(jq -r '.config.digest' "$M")
id=$(pm image inspect --format '{{.Id}}' "nomcast:$V")
[ "sha256:$id" = "$cfg" ] || [ "$id" = "$cfg" ] ||
	fail "podman's image $id is not the config $cfg"
# the OCI side of the archive (what docker 25 and later read) is the same image
pm pull -q "oci-archive:$ARCHIVE" >"$LIB_TMP/pull.log" 2>&1 ||
	fail "podman pull oci-archive: $(cat "$LIB_TMP/pull.log")"
grep -qx "${cfg#sha256:}" "$LIB_TMP/pull.log" ||
	fail "as oci-archive, another image: $(cat "$LIB_TMP/pull.log")"
ok "podman load: docker.io/library/nomcast:$V, image ${cfg#sha256:}; as oci-archive the same image"
# the file capabilities are all or nothing: without net_admin and
# net_bind_service in reach the kernel refuses to run nomcastd at all
# (the header of examples/nomad/proxy-docker.nomad.hcl says so)
if pm run --rm --network none --ulimit nofile=1024:1024 \
    --ulimit nproc=1000:1000 --cap-drop all "nomcast:$V" --version \
    >"$LIB_TMP/nocap.log" 2>&1; then
	fail "nomcastd ran without the two capabilities: $(cat "$LIB_TMP/nocap.log")"
fi
grep -qi "operation not permitted" "$LIB_TMP/nocap.log" ||
	fail "without capabilities: $(cat "$LIB_TMP/nocap.log")"
pm run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=1000:1000 \
	--cap-drop all --cap-add net_admin,net_bind_service "nomcast:$V" --version \
	>"$LIB_TMP/version.log" 2>&1 || fail "nomcastd --version: $(cat "$LIB_TMP/version.log")"
grep -qx "nomcastd $V" "$LIB_TMP/version.log" || fail "nomcastd --version: $(cat "$LIB_TMP/version.log")"
ok "with --cap-drop all alone the kernel refuses to start nomcastd (EPERM); with the two caps added it runs"

# ---- as Nomad's docker driver runs it ----
edge_node
mkdir -m 755 "$LIB_TMP/local"
cat >"$LIB_TMP/local/nomcast.ini" <<EOT
[global]
asn = 65001
router-id = 198.51.100.2
listen = no

[peer edge]
address = 198.51.100.1
asn = 65000
connect-retry = 1

[service web]
prefix = 203.0.113.10/32
vip-interface = lo
EOT
chmod 644 "$LIB_TMP/local/nomcast.ini"
# the namespace node is the container's host network
pm run -d --name "$CTR" --network "ns:/run/netns/$(ns node)" \
	--ulimit nofile=1024:1024 --ulimit nproc=1000:1000 \
	--cap-drop all --cap-add net_admin,net_bind_service \
	--volume "$LIB_TMP/local:/local:ro" "nomcast:$V" \
	>"$LIB_TMP/run.log" 2>&1 || fail "podman run: $(cat "$LIB_TMP/run.log")"
container_log() {
	pm logs "$CTR" >"$LIB_TMP/nomcast-image.log" 2>&1 || true
}
wait_for 10 bird_established edge node ||
	{ container_log; fail "no session from the image's nomcastd: $(cat "$LIB_TMP/nomcast-image.log")"; }
wait_for 5 bird_has_route edge 203.0.113.10/32 || fail "the route is not at BIRD"
wait_for 5 sh -c "ip -n $(ns node) -4 addr show dev lo | grep -q 203.0.113.10/32" ||
	fail "the VIP is not on lo (CAP_NET_ADMIN)"
pid=$(pm inspect --format '{{.State.Pid}}' "$CTR")
[ "$pid" -gt 0 ] || fail "no pid for the container: $pid"
[ "$(cat "/proc/$pid/comm")" = nomcastd ] || fail "pid $pid is $(cat "/proc/$pid/comm")"
[ "$(readlink "/proc/$pid/ns/net")" = "$(ip netns exec "$(ns node)" readlink /proc/self/ns/net)" ] ||
	fail "the container is not in the namespace node"
st=$(grep -E '^(Uid|Gid|CapEff|CapPrm|CapInh|CapAmb):' "/proc/$pid/status" | tr -s '\t ' ' ')
echo "$st" | grep -q "^Uid: 65532 65532 65532 65532$" || fail "not running as 65532: $st"
echo "$st" | grep -q "^Gid: 65532 65532 65532 65532$" || fail "not group 65532: $st"
echo "$st" | grep -q "^CapEff: 0000000000001400$" ||
	fail "not exactly NET_ADMIN + NET_BIND_SERVICE: $st"
echo "$st" | grep -q "^CapPrm: 0000000000001400$" || fail "permitted: $st"
pm exec "$CTR" nomcastctl show peers >"$LIB_TMP/peers" 2>&1 ||
	fail "nomcastctl: $(cat "$LIB_TMP/peers")"
grep -q Established "$LIB_TMP/peers" || fail "nomcastctl show peers: $(cat "$LIB_TMP/peers")"
ok "in podman as 65532 with two capabilities (file capabilities, CapEff 0x1400): Established, 203.0.113.10/32 at BIRD, the VIP on lo, nomcastctl answers through podman exec"
pm stop -t 10 "$CTR" >/dev/null 2>&1 || fail "podman stop"
wait_for 5 bird_no_route edge 203.0.113.10/32 || fail "podman stop did not withdraw"
container_log
ec=$(pm inspect --format '{{.State.ExitCode}}' "$CTR")
[ "$ec" -eq 0 ] || fail "nomcastd exited $ec: $(cat "$LIB_TMP/nomcast-image.log")"
ok "podman stop (SIGTERM): withdrawn, nomcastd exited 0"
