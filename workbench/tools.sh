#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools.sh FLAVOR: build the user-space test programs the guest runs, into
# $WB_CACHE/tools (seen by the guest through the 9p root):
#   kselftest/  the kernel's own dma-buf kselftests, from the patched tree
#   igt/        this repository's igt-tests, IGT tests built against
#               IGT's library
#   fuzz/       dmabuf-fuzz, the bounded dma-buf uapi fuzzer (dmabuf-fuzz/)
#   v4l-utils/  v4l2-compliance and v4l2-ctl (v4l-utils.sh; kept across runs)
# The kselftests and igt-tests compile against the uapi headers of the
# kernel we just built.  IGT itself (its library and the IGT tests the
# guest runs) is built once by igt.sh into igt-gpu-tools/, which is kept
# across runs.

. "$(dirname "$0")/lib.sh"

flavor=${1:-debug}
OUT=$WB_CACHE/build-$flavor
TOOLS=$WB_CACHE/tools
need_tool gcc make pkg-config
pkg-config --exists libdrm || die "libdrm-dev is missing: run 'make deps' as root"

make -s -C "$TREE" O="$OUT" headers >/dev/null
HDR=$OUT/usr/include
rm -rf "$TOOLS/kselftest" "$TOOLS/igt" "$TOOLS/fuzz"
mkdir -p "$TOOLS/kselftest" "$TOOLS/igt" "$TOOLS/build"

# The kernel's dma-buf kselftests, built by their own Makefiles.
for d in drivers/dma-buf dmabuf-heaps; do
	mkdir -p "$TOOLS/build/${d//\//-}"
	make -s -C "$TREE/tools/testing/selftests/$d" \
		OUTPUT="$TOOLS/build/${d//\//-}" \
		KHDR_INCLUDES="-isystem $HDR" >/dev/null ||
		die "kselftest $d failed to build"
	find "$TOOLS/build/${d//\//-}" -maxdepth 1 -type f -perm -u+x \
		-exec ln -sf {} "$TOOLS/kselftest/" \;
done

bash "$WB_DIR/igt.sh"
IGT=$TOOLS/igt-gpu-tools
make -s -C "$REPO/igt-tests" OUT="$TOOLS/igt" KHDR="$HDR" \
	IGT_SRC="$IGT/src" IGT_BUILD="$IGT/build" ||
	die "igt-tests failed to build"
make -s -C "$REPO/dmabuf-fuzz" OUT="$TOOLS/fuzz" KHDR="$HDR" ||
	die "dmabuf-fuzz failed to build"
bash "$WB_DIR/v4l-utils.sh"
say "test programs: $(ls "$TOOLS/kselftest" | tr '\n' ' ')$(ls "$TOOLS/igt" | tr '\n' ' ')"
