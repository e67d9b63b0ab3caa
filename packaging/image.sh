#!/bin/sh
# packaging/image.sh BINDIR VERSION OUTDIR - the OCI image, without a
# registry: OUTDIR/nomcast-VERSION-oci.tar, loadable by both `podman load -i`
# and `docker load -i` as nomcast:VERSION.  BINDIR is the unpacked release
# tarball (packaging/tarball.sh): the image holds those very binaries, so it
# says the same version and commit.
#
# What is in it (one layer, from scratch, nothing else):
#   /usr/sbin/nomcastd, /usr/bin/nomcastctl   the tarball's binaries
#   /usr/lib/x86_64-linux-gnu/*.so.*          exactly the shared libraries
#       ldd lists for the two (libc, libcurl, libcrypto, GnuTLS and what
#       they pull in), copied from this host as real files under their
#       sonames, and the loader at the binaries' PT_INTERP path,
#       /lib64/ld-linux-x86-64.so.2
#   /etc/ssl/certs/ca-certificates.crt        the CA bundle (ca-certificates):
#       nomcast speaks https to Nomad ([nomad] address = https://...,
#       without cacert) and to http checks (url = https://..., tls-verify),
#       and this build of libcurl looks for exactly that file
#   /etc/passwd, /etc/group                   root and nomcast (65532:65532)
#   /tmp (1777), /local and /run/nomcast (nomcast's, 0755): /local is
#       where Nomad mounts the task directory (the INI), /run/nomcast the
#       default place of the control socket and the restart record
#   /usr/share/doc/nomcast/LICENSE
# Nothing is dlopened that is not there: glibc (2.34 and later) has the
# files and dns lookups in libc itself; OpenSSL and GnuTLS run without their optional
# configuration files; libcurl's other protocols are never used.
#
# It runs as nomcast (65532:65532) with entrypoint /usr/sbin/nomcastd and
# command -c /local/nomcast.ini.  nomcastd carries the file capabilities
# cap_net_admin and cap_net_bind_service (effective, permitted), so the
# unprivileged user gets them at exec, provided the runtime leaves both in
# the bounding set: --cap-drop all --cap-add net_admin,net_bind_service.
#
# Built with buildah in a private vfs store under a temporary folder (no
# daemon, no registry, nothing left behind), committed as an OCI layout,
# then given what docker load needs besides: a top-level manifest.json,
# what docker's classic image store loads (it gunzips the layers itself),
# and the annotation io.containerd.image.name in index.json, the name that
# docker with the containerd image store gives the image.  podman loads it
# (tests/pkg/image.sh); docker is not run here (this machine has no docker
# daemon), its side is checked only by reading the two files.
#
# Reproducible: the same binaries (and host libraries) give the same bytes.
# Every time in it (the config's created, the layer's file times, the
# archive's) is nomcastd's modification time, which unpacked from the
# tarball is the last commit's; the history is omitted, buildah's own label
# left out, the layer gzipped by gzip -9 -n (as the tarball) and the
# archive's order, owners and modes fixed.
set -eu
if [ $# -ne 3 ]; then
	echo "usage: $0 BINDIR VERSION OUTDIR" >&2
	exit 2
fi
BIN=$(cd "$1" && pwd)
V=$2
OUT=$3
# the tarball's time (the last commit's, which its files carry unpacked),
# not the tree's: the image depends on the binaries, not on later commits
SOURCE_DATE_EPOCH=$(stat -c %Y "$BIN/nomcastd")
export SOURCE_DATE_EPOCH
NAME=nomcast-$V-oci
for b in nomcastd nomcastctl; do
	[ -x "$BIN/$b" ] || { echo "image.sh: no $BIN/$b" >&2; exit 1; }
	"$BIN/$b" --version | grep -qx "$b $V" ||
		{ echo "image.sh: $BIN/$b is not version $V" >&2; exit 1; }
done
REV=$("$BIN/nomcastd" --version | sed -n 's/^commit //p')
CA=/etc/ssl/certs/ca-certificates.crt
[ -s "$CA" ] || { echo "image.sh: no $CA (package ca-certificates)" >&2; exit 1; }

T=$(mktemp -d /tmp/nomcast-image.XXXXXX)
CTR=""
MNT=""
bah() {
	buildah --root "$T/root" --runroot "$T/run" --storage-driver vfs "$@"
}
cleanup() {
	rc=$?
	trap - EXIT
	if [ -n "$CTR" ]; then
		[ -n "$MNT" ] && bah umount "$CTR" >/dev/null 2>&1
		bah rm "$CTR" >/dev/null 2>&1
	fi
	# every image and layer of the private store, then the store
	bah rmi --all --force >/dev/null 2>&1
	rm -rf "$T"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

CTR=$(bah from --quiet scratch)
MNT=$(bah mount "$CTR")
R=$MNT

# ---- the files ----
L=usr/lib/x86_64-linux-gnu
install -d -m 0755 "$R/usr/sbin" "$R/usr/bin" "$R/$L" "$R/lib64" \
	"$R/etc/ssl/certs" "$R/usr/share/doc/nomcast"
install -m 0755 "$BIN/nomcastd" "$R/usr/sbin/nomcastd"
install -m 0755 "$BIN/nomcastctl" "$R/usr/bin/nomcastctl"
install -m 0644 "$BIN/LICENSE" "$R/usr/share/doc/nomcast/LICENSE"
install -m 0644 "$CA" "$R$CA"
INTERP=$(readelf -lW "$BIN/nomcastd" |
	sed -n 's/.*\[Requesting program interpreter: \(.*\)\]/\1/p')
[ "$INTERP" = /lib64/ld-linux-x86-64.so.2 ] ||
	{ echo "image.sh: unexpected loader $INTERP" >&2; exit 1; }
# "soname => path (addr)": each copied as a real file under its soname
ldd "$BIN/nomcastd" "$BIN/nomcastctl" >"$T/ldd"
if grep -q "not found" "$T/ldd"; then cat "$T/ldd" >&2; exit 1; fi
sed -n 's/^[[:space:]]*\([^[:space:]]*\) => \(\/[^[:space:]]*\) (.*/\1 \2/p' \
	"$T/ldd" | LC_ALL=C sort -u >"$T/libs"
while read -r so path; do
	install -m 0644 "$(readlink -f "$path")" "$R/$L/$so"
done <"$T/libs"
install -m 0755 "$(readlink -f "$INTERP")" "$R$INTERP"

printf '%s\n' 'root:x:0:0:root:/root:/usr/sbin/nologin' \
	'nomcast:x:65532:65532:nomcast:/nonexistent:/usr/sbin/nologin' \
	>"$R/etc/passwd"
printf '%s\n' 'root:x:0:' 'nomcast:x:65532:' >"$R/etc/group"
chmod 0644 "$R/etc/passwd" "$R/etc/group"
install -d -m 1777 "$R/tmp"
install -d -m 0755 "$R/run"
install -d -m 0755 -o 65532 -g 65532 "$R/local" "$R/run/nomcast"
setcap cap_net_admin,cap_net_bind_service=ep "$R/usr/sbin/nomcastd"
# every time the commit's (buildah's --timestamp does the same to the layer)
find "$R" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

# ---- the image ----
bah config --user 65532:65532 \
	--entrypoint '["/usr/sbin/nomcastd"]' --cmd '["-c", "/local/nomcast.ini"]' \
	--env PATH=/usr/sbin:/usr/bin --workingdir / \
	--label org.opencontainers.image.title=nomcast \
	--label "org.opencontainers.image.version=$V" \
	--label org.opencontainers.image.licenses=ISC \
	--label "org.opencontainers.image.revision=$REV" \
	--os linux --arch amd64 "$CTR"
bah umount "$CTR" >/dev/null
MNT=""
# (buildah 1.28's commit keeps its blob-info cache in
# /var/lib/containers/cache whatever --root says: it runs in a mount
# namespace of its own where /var/lib is an empty tmpfs, so the host's
# /var/lib is not written to)
unshare --mount --propagation private sh -c \
	'mount -t tmpfs -o size=1m,mode=755 nomcast-image /var/lib && exec "$@"' sh \
	buildah --root "$T/root" --runroot "$T/run" --storage-driver vfs \
	commit --quiet --format oci --timestamp "$SOURCE_DATE_EPOCH" \
	--omit-history --identity-label=false --disable-compression \
	"$CTR" "oci:$T/layout:nomcast:$V" >/dev/null

# ---- the layer gzipped ----
# as the tarball is, with gzip -9 -n (no name, no time): 20 MB become 9.
# buildah 1.28 compresses with a Go library whose output may change with
# its version, hence --disable-compression above and gzip here.  The
# config's diff_ids (the uncompressed digests) stay; the manifest, a new
# blob, names the gzipped layer, and index.json the new manifest.
D=$T/layout
blob() {	# blob sha256:HEX -> its file
	echo "$D/blobs/sha256/${1#sha256:}"
}
m=$(blob "$(jq -r '.manifests[0].digest' "$D/index.json")")
cp "$m" "$T/manifest"
for d in $(jq -r '.layers[].digest' "$m"); do
	gzip -9 -n <"$(blob "$d")" >"$T/layer.gz"
	z=sha256:$(sha256sum <"$T/layer.gz" | cut -d' ' -f1)
	mv "$T/layer.gz" "$(blob "$z")"
	rm "$(blob "$d")"
	jq -c --arg d "$d" --arg z "$z" --argjson n "$(stat -c %s "$(blob "$z")")" \
		'(.layers[] | select(.digest == $d)) |= (.digest = $z | .size = $n |
		    .mediaType = "application/vnd.oci.image.layer.v1.tar+gzip")' \
		"$T/manifest" >"$T/manifest.new"
	mv "$T/manifest.new" "$T/manifest"
done
md=sha256:$(sha256sum <"$T/manifest" | cut -d' ' -f1)
rm "$m"
m=$(blob "$md")
mv "$T/manifest" "$m"

# ---- what docker load needs besides ----
jq --arg d "$md" --argjson n "$(stat -c %s "$m")" \
	--arg i "docker.io/library/nomcast:$V" --arg r "nomcast:$V" \
	'.manifests[0] |= (.digest = $d | .size = $n |
	    .annotations = {"io.containerd.image.name": $i,
	    "org.opencontainers.image.ref.name": $r})' \
	"$D/index.json" >"$T/index.json"
mv "$T/index.json" "$D/index.json"
jq -c --arg t "nomcast:$V" '[{Config: ("blobs/sha256/" +
	(.config.digest | sub("^sha256:"; ""))), RepoTags: [$t],
	Layers: [.layers[].digest | "blobs/sha256/" + sub("^sha256:"; "")]}]' \
	"$m" >"$D/manifest.json"

mkdir -p "$OUT"
tar -C "$D" --format=gnu --sort=name --mtime="@$SOURCE_DATE_EPOCH" \
	--owner=0 --group=0 --numeric-owner --mode='u+rw,go+r,go-w' \
	-cf "$T/$NAME.tar" blobs index.json manifest.json oci-layout
mv "$T/$NAME.tar" "$OUT/"
echo "$OUT/$NAME.tar: $(stat -c %s "$OUT/$NAME.tar") bytes," \
	"layer $(jq '[.layers[].size] | add' "$m") bytes gzipped," \
	"$(wc -l <"$T/libs") libraries + the loader"
