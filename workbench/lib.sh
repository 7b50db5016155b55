# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the workbench scripts: messages, paths, the kernel
# source cache and the series.  Sourced, never run.

set -euo pipefail

WB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$WB_DIR/.." && pwd)
WB_CACHE=${WB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dmabuf-wb}
TREE=$WB_CACHE/linux
RESULTS=${WB_RESULTS:-$REPO/results}
JOBS=${JOBS:-$(nproc)}
export ARCH=x86_64

# Top-level directories of a kernel tree: files of this repository below
# them are new kernel files and must be introduced by a patch.
KERNEL_DIRS="arch block certs crypto Documentation drivers fs include init
io_uring ipc kernel lib mm net rust samples scripts security sound tools usr
virt"

say() { printf 'wb: %s\n' "$*" >&2; }
die() { printf 'wb: error: %s\n' "$*" >&2; exit 1; }

need_tool() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 ||
			die "missing tool '$t': run 'make deps' as root (or sudo make deps)"
	done
}

tgit() { git -C "$TREE" "$@"; }

# Kernel version of a source directory, e.g. 6.12.117.
src_version() {
	make -s -C "$1" kernelversion 2>/dev/null
}

# Third-party sources (IGT, v4l-utils) come from ../shared/third_party
# beside the repository when that folder exists; where it does not, the
# caller clones upstream.  third_party_tarball NAME SHA256 prints the
# tarball's path if the folder exists (and dies if the tarball is missing
# or its sha256 differs), nothing if it does not.
THIRD_PARTY=$REPO/../shared/third_party
third_party_tarball() {
	local t=$THIRD_PARTY/$1 sum
	[ -d "$THIRD_PARTY" ] || return 0
	[ -f "$t" ] || die "$t is missing"
	sum=$(sha256sum "$t" | cut -d' ' -f1)
	[ "$sum" = "$2" ] || die "$t: sha256 $sum, expected $2"
	echo "$t"
}
