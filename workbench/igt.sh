#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# igt.sh: build IGT GPU Tools' library and the IGT tests the guest runs
# (kms_prime, vgem_basic, dmabuf_sync_file) into
# $WB_CACHE/tools/igt-gpu-tools/{src,build}.  Our igt-tests link against
# build/lib/libigt.so.  The source is the snapshot in
# ../shared/third_party (checked against its sha256); where that folder
# is absent, a clone of upstream at the same commit.  The build is kept
# until the source changes (stamp file), so tools.sh can call this on
# every run.

. "$(dirname "$0")/lib.sh"

IGT_COMMIT=b3d809d537febc23792ab8d0eb6d13cf80d626c8
IGT_SHA256=4cd3a0e95ada6f09d7bf7f5806c91654d8571dbdd3486f6a6f2f5a0fbe4ed205
IGT_GIT=https://gitlab.freedesktop.org/drm/igt-gpu-tools.git
# IGT's own tests that share buffers between vgem and vkms.
IGT_TESTS="kms_prime vgem_basic dmabuf_sync_file"

# What we change in IGT's tree before building, named in the stamp (see
# allow_vkms below).
IGT_LOCAL="kms_prime and vgem_basic accept vkms"

IGT=$WB_CACHE/tools/igt-gpu-tools
SRC=$IGT/src
BUILD=$IGT/build
STAMP=$IGT/stamp

need_tool meson ninja pkg-config flex bison

IGT_TARBALL=$(third_party_tarball igt-gpu-tools-b3d809d5.tar.xz "$IGT_SHA256")
# The build is named by the upstream commit, whichever way it came: a
# checkout without the third_party folder keeps a build made from it.
want="commit $IGT_COMMIT; $IGT_LOCAL"

have=$(cat "$STAMP" 2>/dev/null || true)
built=1
for t in $IGT_TESTS; do
	[ -x "$BUILD/tests/$t" ] || built=0
done
if [ "$have" = "$want" ] && [ $built = 1 ] && [ -e "$BUILD/lib/libigt.so.0" ]; then
	exit 0
fi

rm -rf "$IGT"
mkdir -p "$IGT"
if [ -n "$IGT_TARBALL" ]; then
	say "IGT: unpacking $(basename "$IGT_TARBALL")"
	mkdir -p "$SRC"
	tar -xJf "$IGT_TARBALL" -C "$SRC" --strip-components=1
else
	need_tool git
	say "IGT: $THIRD_PARTY is absent; cloning $IGT_GIT at ${IGT_COMMIT:0:12}"
	git clone -q "$IGT_GIT" "$SRC" || die "cannot clone $IGT_GIT"
	git -C "$SRC" checkout -q "$IGT_COMMIT" ||
		die "IGT commit $IGT_COMMIT not found in the clone"
fi

# IGT (since September 2025) leaves vkms out of DRIVER_ANY, and a device
# filter cannot bring it back: __drm_open_device() refuses a device whose
# driver is outside the mask it is asked for, filter or not.  kms_prime
# opens its KMS device, and vgem_basic's dmabuf-export the importer of
# vgem's buffer, with DRIVER_ANY, so where vkms is the only KMS device
# (our VM) basic-crc-vgem and dmabuf-export skip.  Let those two opens
# take vkms as well; nothing else changes.
allow_vkms() {
	local file=$SRC/tests/$1 from=$2 to=$3
	grep -qF "$from" "$file" ||
		die "IGT: $file no longer has '$from': review allow_vkms in igt.sh"
	sed -i "s/$from/$to/" "$file"
	grep -qF "$to" "$file" || die "IGT: could not change $file"
}
allow_vkms kms_prime.c "__drm_open_driver_another(0, DRIVER_ANY);" \
	"__drm_open_driver_another(0, DRIVER_ANY | DRIVER_VKMS);"
allow_vkms vgem_basic.c "other = drm_open_driver(DRIVER_ANY);" \
	"other = drm_open_driver(DRIVER_ANY | DRIVER_VKMS);"

say "IGT: configuring and building libigt and $IGT_TESTS"
start=$(date +%s)
# The options of ../shared/third_party/README.md: the library and the
# tests, nothing Intel-specific, no runner, no docs.
meson setup "$BUILD" "$SRC" --buildtype=debugoptimized \
	-Doverlay=disabled -Dchamelium=disabled -Dvalgrind=disabled \
	-Dman=disabled -Dtestplan=disabled -Dsphinx=disabled -Ddocs=disabled \
	-Dtests=enabled -Dxe_driver=disabled -Dxe_eudebug=disabled \
	-Dvmtb=disabled -Dlibdrm_drivers= -Dlibunwind=enabled \
	-Drunner=disabled -Doping=disabled >"$IGT/meson.log" 2>&1 ||
	die "IGT: meson setup failed, see $IGT/meson.log"
# shellcheck disable=SC2046,SC2086
ninja -C "$BUILD" -j "$JOBS" lib/libigt.so.0 $(printf 'tests/%s ' $IGT_TESTS) \
	>"$IGT/ninja.log" 2>&1 || die "IGT: build failed, see $IGT/ninja.log"
echo "$want" >"$STAMP"
say "IGT: built in $(($(date +%s) - start)) s"
