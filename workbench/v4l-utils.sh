#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# v4l-utils.sh: build v4l2-compliance and v4l2-ctl from v4l-utils 1.28.1
# into $WB_CACHE/tools/v4l-utils (Debian 12's v4l-utils 1.22 predates
# 6.12's uapi and fails tests that the kernel passes).  The guest runs
#   $WB_CACHE/tools/v4l-utils/bin/v4l2-compliance
#   $WB_CACHE/tools/v4l-utils/bin/v4l2-ctl
# The source is the snapshot in ../shared/third_party/ next to this
# repository, checked against its sha256; without that folder, a clone
# of the upstream tag plus the one upstream fix the snapshot carries.
# The build is kept and redone only when the source or the options
# change (the stamp file records both); it took 76 to 139 s on two
# shared cores.

. "$(dirname "$0")/lib.sh"

V4L_VERSION=1.28.1
V4L_SHA256=16c668e4d4fad0bece3218a272c73e90976b94262d8db033ad3ec94cee602ec5
V4L_GIT=${V4L_UTILS_GIT:-https://git.linuxtv.org/v4l-utils.git}
V4L_TAG=v4l-utils-$V4L_VERSION
# "v4l2-compliance: fix pix_array control test": without it 1.28.1's
# VIDIOC_G/S/ENUMINPUT test fails on every vivid capture node.
V4L_FIX=1cc84dfb

# Only what v4l2-compliance and v4l2-ctl need: no libv4l, no BPF IR
# decoders, no Qt or SDL programs, no documentation.
V4L_OPTIONS="-Dbpf=disabled -Dgconv=disabled -Djpeg=disabled
-Dlibdvbv5=disabled -Dqv4l2=disabled -Dqvidcap=disabled
-Dv4l2-tracer=disabled -Dv4l-plugins=false -Dv4l-wrappers=false
-Ddoxygen-doc=disabled -Dv4l2-compliance-libv4l=false
-Dv4l2-ctl-libv4l=false"
V4L_PROGRAMS="utils/v4l2-compliance/v4l2-compliance utils/v4l2-ctl/v4l2-ctl"

DEST=$WB_CACHE/tools/v4l-utils
SRC=$DEST/src
BUILD=$DEST/build
STAMP=$DEST/stamp

need_tool meson ninja g++ perl

# What the build is made of: the upstream version and the options,
# whichever way the source came (the snapshot carries the same fix).
V4L_TARBALL=$(third_party_tarball v4l-utils-$V4L_VERSION.tar.xz "$V4L_SHA256")
want="$V4L_TAG + $V4L_FIX
$(echo "$V4L_OPTIONS" | paste -sd ' ')"

built() {
	local p
	for p in $V4L_PROGRAMS; do
		[ -x "$DEST/bin/${p##*/}" ] || return 1
	done
	[ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]
}

if built; then
	say "v4l-utils $V4L_VERSION: up to date in $DEST"
	exit 0
fi

rm -rf "$SRC" "$BUILD" "${DEST:?}/bin" "$STAMP"
mkdir -p "$DEST"
if [ -n "$V4L_TARBALL" ]; then
	say "v4l-utils $V4L_VERSION: unpacking $V4L_TARBALL"
	mkdir -p "$SRC"
	tar -xJf "$V4L_TARBALL" -C "$SRC" --strip-components=1
else
	# Not tried on the machines this was written on: they reach no
	# git host.  The fix is on upstream's main branch after the tag,
	# hence a full clone rather than a shallow one of the tag.
	need_tool git
	say "v4l-utils $V4L_VERSION: cloning $V4L_GIT at $V4L_TAG"
	git clone -q "$V4L_GIT" "$SRC" || die "cannot clone $V4L_GIT"
	git -C "$SRC" checkout -q -b wb "$V4L_TAG" ||
		die "$V4L_GIT has no tag $V4L_TAG"
	git -C "$SRC" -c user.name=wb -c user.email=wb@localhost \
		cherry-pick -x "$V4L_FIX" >/dev/null ||
		die "upstream commit $V4L_FIX does not apply on $V4L_TAG"
fi

say "v4l-utils $V4L_VERSION: building v4l2-compliance and v4l2-ctl (about two minutes)"
t0=$(date +%s)
# shellcheck disable=SC2086
meson setup "$BUILD" "$SRC" $V4L_OPTIONS >"$DEST/meson-setup.log" 2>&1 ||
	die "meson setup failed: see $DEST/meson-setup.log"
# shellcheck disable=SC2086
ninja -C "$BUILD" -j "$JOBS" $V4L_PROGRAMS >"$DEST/ninja.log" 2>&1 ||
	die "v4l-utils failed to build: see $DEST/ninja.log"
mkdir -p "$DEST/bin"
for p in $V4L_PROGRAMS; do
	install -m 755 "$BUILD/$p" "$DEST/bin/"
done
echo "$want" >"$STAMP"
say "v4l-utils $V4L_VERSION: built in $(($(date +%s) - t0)) s: $("$DEST/bin/v4l2-compliance" --version | head -n 1)"
