#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# compile-test.sh: build every in-tree user of videobuf2's memory
# allocators (dma-contig, dma-sg, vmalloc) and of DRM's shmem and DMA GEM
# helpers on x86-64 with COMPILE_TEST, once on the pristine base and once
# with the series, and fail if the series adds a warning or breaks a
# build.  Drivers we cannot run here (Rockchip, Qualcomm, Samsung, Arm
# Mali, ...) must still build, unchanged.
#
# "A user" is a directory holding a C file or a header that includes one
# of those headers (found in the pristine tree, so a driver the series
# converts away from them still counts); the whole directory is built,
# so a driver's other files are too.  DRM's core directory is the one
# exception: building it would build every DRM driver below it, so its
# own users, and its PRIME code, are built file by file.  Other PRIME users only see new
# declarations in <drm/drm_prime.h> and a new member of
# drm_gem_object_funcs, which cannot break a build unless a name clashes:
# the script checks that no pristine file uses one of the new names.
# Configuration: allmodconfig with
# config/compile-test.config pinned on top.  Warnings are compared as
# "file: warning: text [-Wflag]", without line numbers, which patches
# move.  The pristine side is kept (it cannot change) and rebuilt only
# when the base, the compiler, the configuration or the list changes.
#
# Output: $RESULTS/compile-test/{pristine,series}.warnings, new.warnings
# and the two build logs.

. "$(dirname "$0")/lib.sh"

CT=$WB_CACHE/compile-test
OUT=$RESULTS/compile-test
ALLCONFIG=$WB_DIR/config/compile-test.config
HEADERS='videobuf2-(dma-contig|dma-sg|vmalloc)\.h|drm_gem_(shmem|dma)_helper\.h'
DRM_CORE=drivers/gpu/drm/
# Names the series adds to DRM's headers
DRM_NEW_NAMES='drm_gem_map_phys|drm_gem_unmap_phys|drm_gem_is_prime_exported_dma_buf|get_phys_list|drm_gem_(shmem|dma)_(object_)?get_phys_list'

need_tool make gcc flex bison bc perl
mkdir -p "$CT" "$OUT"

# Build targets of users: directories (relative, with the trailing slash
# Kbuild wants), and the objects of DRM's core directory that use the
# headers.  A directory inside another one of the list is left out:
# building the outer one builds it, and two makes in one directory race.
users() {
	local files
	files=$(tgit grep -l -E "$HEADERS" pristine -- 'drivers/*.c' 'drivers/*.h' |
		sed -e 's/^pristine://')
	tgit grep -l -E "$HEADERS|drm_prime\.h" pristine -- "${DRM_CORE}*.c" |
		sed -e 's/^pristine://' | grep -E "^${DRM_CORE}[^/]+\.c$" |
		sed 's/\.c$/.o/'
	echo "$files" | sed -e 's#/[^/]*$#/#' | grep -vxF "$DRM_CORE" |
		LC_ALL=C sort -u |
		awk 'prev == "" || index($0, prev) != 1 { print; prev = $0 }'
}

# A pristine source tree beside the cache, as series.sh makes one.
pristine_src() {
	local wt=$CT/src-pristine
	if [ "$(git -C "$wt" rev-parse HEAD 2>/dev/null)" != \
	     "$(tgit rev-parse pristine)" ]; then
		tgit worktree remove --force "$wt" 2>/dev/null || rm -rf "$wt"
		tgit worktree prune
		tgit worktree add -q --detach "$wt" pristine
	fi
	echo "$wt"
}

# build SIDE SRC: configure, prepare and build the users' directories
# from scratch in $CT/SIDE; the log goes to $OUT/SIDE.log.
build() {
	local side=$1 src=$2 o=$CT/$1 log=$OUT/$1.log d rc=0
	local -a dirs
	mapfile -t dirs < <(users)
	mkdir -p "$o"
	say "compile-test: $side: allmodconfig + $(basename "$ALLCONFIG")"
	KCONFIG_ALLCONFIG=$ALLCONFIG make -s -C "$src" O="$o" allmodconfig \
		>"$log" 2>&1 || { cat "$log" >&2; die "$side: allmodconfig failed"; }
	say "compile-test: $side: modules_prepare"
	make -s -C "$src" O="$o" -j"$JOBS" modules_prepare >>"$log" 2>&1 ||
		{ tail -n 30 "$log" >&2; die "$side: modules_prepare failed"; }
	# Only these targets' objects are rebuilt, so every warning shows.
	for d in "${dirs[@]}"; do
		case "$d" in
		*.o) rm -f "$o/$d" ;;
		*) [ -d "$o/$d" ] && find "$o/$d" \
			\( -name '*.o' -o -name '*.ko' -o -name '*.mod*' \) -delete ;;
		esac
	done
	say "compile-test: $side: ${#dirs[@]} directories and objects"
	make -C "$src" O="$o" -j"$JOBS" -k "${dirs[@]}" >>"$log" 2>&1 || rc=$?
	echo "$rc" >"$o/rc"
}

# Warnings and errors of a log, one per line, without line numbers.
diagnostics() {
	sed -n -E 's#^(\.\./)*([^ :]+):[0-9]+(:[0-9]+)?: (warning|error): #\2: \4: #p' "$1" |
		sed -E "s#^$CT/src-pristine/##; s#^$TREE/##" | sort -u
}

stamp() {
	{
		tgit rev-parse pristine
		gcc --version | head -n 1
		cat "$ALLCONFIG"
		users
	} | sha256sum | cut -d' ' -f1
}

start=$(date +%s)
bash "$WB_DIR/prepare.sh"
clash=$(tgit grep -n -w -E "$DRM_NEW_NAMES" pristine -- '*.c' '*.h' || true)
[ -z "$clash" ] || die "compile-test: pristine files already use names the series adds to DRM's headers:
$clash"
s=$(stamp)
if [ "$(cat "$CT/pristine.stamp" 2>/dev/null)" != "$s" ] ||
   [ ! -f "$CT/pristine.warnings" ]; then
	build pristine "$(pristine_src)"
	[ "$(cat "$CT/pristine/rc")" = 0 ] ||
		say "compile-test: the pristine build itself fails (rc $(cat "$CT/pristine/rc")); comparing anyway"
	diagnostics "$OUT/pristine.log" >"$CT/pristine.warnings"
	echo "$s" >"$CT/pristine.stamp"
fi
cp "$CT/pristine.warnings" "$OUT/pristine.warnings"
build series "$TREE"
diagnostics "$OUT/series.log" >"$OUT/series.warnings"
comm -13 "$OUT/pristine.warnings" "$OUT/series.warnings" >"$OUT/new.warnings"

n=$(users | wc -l)
say "compile-test: $n directories and objects, $(wc -l <"$OUT/series.warnings") distinct diagnostics with the series, $(wc -l <"$OUT/pristine.warnings") without, in $(( $(date +%s) - start )) s"
if [ -s "$OUT/new.warnings" ]; then
	cat "$OUT/new.warnings" >&2
	die "compile-test: the series adds $(wc -l <"$OUT/new.warnings") diagnostics (above; logs in $OUT)"
fi
if [ "$(cat "$CT/series/rc")" != 0 ] &&
   [ "$(cat "$CT/pristine/rc" 2>/dev/null || echo 0)" = 0 ]; then
	grep -m 20 -E 'Error|error:' "$OUT/series.log" >&2 || true
	die "compile-test: the build fails with the series and not without (log: $OUT/series.log)"
fi
say "compile-test: no new warning"
