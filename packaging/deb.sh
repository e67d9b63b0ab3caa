#!/bin/sh
# packaging/deb.sh OUTDIR - build the Debian package nomcast from this tree
# (debian/) and put the .deb in OUTDIR.
#
# The working tree as git sees it (packaging/common.sh's pkg_export:
# tracked files with their uncommitted edits, and untracked files that are
# not ignored; never a build folder) is copied to a temporary
# nomcast-VERSION folder with a file COMMIT (git describe, read by
# meson.build in a tree without .git), built there with
# dpkg-buildpackage -b (fakeroot, DEB_BUILD_OPTIONS=nocheck) and checked
# with lintian: any error or warning fails.  Nothing is written outside
# OUTDIR and the temporary folder, which is removed however the script ends.
# Needs: dpkg-dev, debhelper, fakeroot, lintian and the Build-Depends of
# debian/control.  Prints the path of the .deb.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
OUT=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)

# the version: meson's, and the same upstream part in debian/changelog
. "$ROOT/packaging/common.sh"
VERSION=$(pkg_version "$ROOT")
[ -n "$VERSION" ] || { echo "deb.sh: no version in meson.build" >&2; exit 1; }
DEBVER=$(dpkg-parsechangelog -l "$ROOT/debian/changelog" -S Version)
if [ "${DEBVER%-*}" != "$VERSION" ]; then
	echo "deb.sh: debian/changelog has $DEBVER, meson.build $VERSION" >&2
	exit 1
fi
ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)
DEB="nomcast_${DEBVER}_${ARCH}.deb"

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

TMP=$(mktemp -d /tmp/nomcast-deb.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
SRC="$TMP/nomcast-$VERSION"

pkg_export "$ROOT" "$SRC"
[ -f "$SRC/meson.build" ] || { echo "deb.sh: copy of the tree failed" >&2; exit 1; }

cd "$SRC"
echo "deb.sh: building nomcast $DEBVER ($(cat COMMIT)) in $SRC" >&2
DEB_BUILD_OPTIONS="nocheck${DEB_BUILD_OPTIONS:+ $DEB_BUILD_OPTIONS}" \
	dpkg-buildpackage -b -us -uc -rfakeroot >"$TMP/build.log" 2>&1 || {
	tail -n 60 "$TMP/build.log" >&2
	echo "deb.sh: dpkg-buildpackage failed" >&2
	exit 1
}
[ -f "$TMP/$DEB" ] || { echo "deb.sh: no $DEB was built" >&2; exit 1; }

# lintian on the .changes (the .deb and the .buildinfo): no error, no warning
CHANGES="$TMP/nomcast_${DEBVER}_${ARCH}.changes"
lintian --fail-on error,warning "$CHANGES" >"$TMP/lintian.log" 2>&1 || {
	cat "$TMP/lintian.log" >&2
	echo "deb.sh: lintian found errors or warnings" >&2
	exit 1
}
[ -s "$TMP/lintian.log" ] && cat "$TMP/lintian.log" >&2

cp "$TMP/$DEB" "$OUT/$DEB"
echo "$OUT/$DEB"
