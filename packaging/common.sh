# packaging/common.sh - what the packaging scripts share.  Sourced.
#
# pkg_version: the release, from meson.build (the one place it is set)
# pkg_export SRC DEST: the source tree as it is now (tracked and new files,
#   uncommitted edits included, nothing git ignores: no build folders)
#   copied to DEST, with the commit in DEST/COMMIT, since DEST has no .git
#   (meson.build reads it for --version)
# pkg_epoch SRC: SOURCE_DATE_EPOCH for a reproducible build: the time of
#   the last commit

pkg_version() {
	sed -n "s/^  version : '\([^']*\)',\$/\1/p" "$1/meson.build" | head -n 1
}

pkg_export() {
	mkdir -p "$2"
	# (files deleted in the work tree but not yet in git are left out)
	(cd "$1" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do
			if [ -e "$f" ] || [ -L "$f" ]; then printf "%s\0" "$f"; fi
		done' sh | xargs -0 cp --parents -P -t "$2" --)
	git -C "$1" describe --always --dirty --abbrev=12 >"$2/COMMIT"
}

pkg_epoch() {
	git -C "$1" log -1 --format=%ct
}
