#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what the workbench needs on Debian 12 (non-interactive).  As
# root it installs what is missing; as another user it says what to run.

. "$(dirname "$0")/lib.sh"

# make, xz-utils and perl come with build-essential and linux-source but
# are named because the scripts call them directly (prepare.sh unpacks
# the .tar.xz, build.sh checks perl).
# meson and ninja-build build v4l2-compliance (v4l-utils.sh; g++ comes
# with build-essential); the last block builds IGT GPU Tools' library
# (igt.sh).
PACKAGES="linux-source-6.12 build-essential make xz-utils perl flex bison bc
libelf-dev libssl-dev cpio kmod python3 git pkg-config qemu-system-x86
libdrm-dev clang libclang-rt-14-dev llvm meson ninja-build
libkmod-dev libproc2-dev libdw-dev libpciaccess-dev
libcairo2-dev libpixman-1-dev libudev-dev libglib2.0-dev libjpeg-dev
libunwind-dev"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" -ne 0 ]; then
	die "missing Debian packages:$missing
    install them as root:  sudo make deps   (or: sudo apt-get install$missing)"
fi
say "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
