#!/bin/sh
# packaging/tarball.sh OUTDIR - the release tarball for Nomad's artifact
# block: OUTDIR/nomcast-VERSION-linux-amd64.tar.gz, which unpacks to
# nomcast-VERSION-linux-amd64/ with nomcastd, nomcastctl, the man pages,
# an example configuration, README, LICENSE and SHA256SUMS (of every file
# beside it).
#
# The binaries are linked for any glibc 2.34 or later host (Debian 12,
# Ubuntu 22.04 and 24.04): libev, inih, json-c, libnl and libmicrohttpd are
# linked in (-Dstatic_deps=true); libc, libcurl, libcrypto and GnuTLS,
# which those hosts have as shared libraries, are not.  tests/pkg/tarball.sh
# checks what they need.
#
# Reproducible: the same tree gives the same bytes, wherever it is built.
# The build runs in an exported copy of the tree at a path of its own,
# with every path in the objects relative, no debug information, stripped
# binaries, and an archive whose order, times, owners and modes are fixed
# (the time is the last commit's).
set -eu
OUT=$1
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/packaging/common.sh"
V=$(pkg_version "$TOP")
NAME=nomcast-$V-linux-amd64
SOURCE_DATE_EPOCH=$(pkg_epoch "$TOP")
export SOURCE_DATE_EPOCH

T=$(mktemp -d /tmp/nomcast-tarball.XXXXXX)
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

SRC=$T/nomcast-$V
pkg_export "$TOP" "$SRC"
# The build folder inside the copy: the objects name sources as ../x.c;
# -ffile-prefix-map covers anything absolute (the temporary folder's name).
# -O2 with assertions kept, as the test suite runs it, and the hardening
# Debian's packages get (stack protector, fortify, PIE, full RELRO).
meson setup "$SRC/build-release" "$SRC" --buildtype=release \
	-Doptimization=2 -Db_pie=true -Dstatic_deps=true -Dtests=false \
	-Dc_args="-ffile-prefix-map=$T=/src -fstack-protector-strong -D_FORTIFY_SOURCE=2" \
	-Dc_link_args="-Wl,-z,relro,-z,now" >"$T/setup.log" 2>&1 ||
	{ cat "$T/setup.log" >&2; exit 1; }
ninja -C "$SRC/build-release" nomcastd nomcastctl >"$T/build.log" 2>&1 ||
	{ cat "$T/build.log" >&2; exit 1; }

D=$T/stage/$NAME
mkdir -p "$D/man/man1" "$D/man/man5" "$D/man/man8" "$D/examples"
for b in nomcastd nomcastctl; do
	strip --strip-all -o "$D/$b" "$SRC/build-release/$b"
done
cp "$SRC/man/nomcastd.8" "$D/man/man8/"
cp "$SRC/man/nomcast.ini.5" "$D/man/man5/"
cp "$SRC/man/nomcastctl.1" "$D/man/man1/"
cp "$SRC/examples/nomcast.ini" "$D/examples/"
cp "$SRC/LICENSE" "$D/"
sed "s/@VERSION@/$V/g; s/@NAME@/$NAME/g" "$SRC/packaging/README.tarball" \
	>"$D/README"
(cd "$D" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' |
	LC_ALL=C sort | xargs sha256sum >SHA256SUMS)

mkdir -p "$OUT"
tar -C "$T/stage" --format=gnu --sort=name --mtime="@$SOURCE_DATE_EPOCH" \
	--owner=0 --group=0 --numeric-owner --mode='u+rwX,go+rX,go-w' \
	-cf - "$NAME" | gzip -9 -n >"$T/$NAME.tar.gz"
mv "$T/$NAME.tar.gz" "$OUT/"
echo "$OUT/$NAME.tar.gz"
