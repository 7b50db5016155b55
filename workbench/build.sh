#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh FLAVOR: configure and build the kernel of one flavor out of
# tree in $WB_CACHE/build-FLAVOR.
#   vm     allnoconfig + config/vm.config            (make run, make bench)
#   debug  vm + config/debug.config                   (make check)
# After olddefconfig every option the fragments ask for is checked; one
# that Kconfig dropped fails the build, named.

. "$(dirname "$0")/lib.sh"

flavor=${1:-}
case "$flavor" in
vm) frags="$WB_DIR/config/vm.config" ;;
debug) frags="$WB_DIR/config/vm.config $WB_DIR/config/debug.config" ;;
*) die "unknown kernel flavor '$flavor' (vm or debug)" ;;
esac
# Features may add their own options in config/features/*.config.
for f in "$WB_DIR"/config/features/*.config; do
	[ -e "$f" ] && frags="$frags $f"
done

need_tool make gcc flex bison bc perl
OUT=$WB_CACHE/build-$flavor
mkdir -p "$OUT"

# Print "CONFIG_X=value" for every option the fragments request; a later
# fragment overrides an earlier one.
requested() {
	# shellcheck disable=SC2086
	sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*=.*\)$/\1/p' \
		-e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1=n/p' $frags |
		awk -F= '{ v[$1] = substr($0, length($1) + 2); if (!($1 in o)) o[$1] = n++ }
			END { for (k in v) print o[k] "\t" k "=" v[k] }' |
		sort -n | cut -f2-
}

configure() {
	local prev=$OUT/.config.prev
	[ -f "$OUT/.config" ] && cp -p "$OUT/.config" "$prev"
	# shellcheck disable=SC2086
	(cd "$TREE" && scripts/kconfig/merge_config.sh -n -O "$OUT" $frags) \
		>"$OUT/merge_config.log" 2>&1 ||
		{ cat "$OUT/merge_config.log" >&2; die "merge_config.sh failed"; }
	make -s -C "$TREE" O="$OUT" olddefconfig >/dev/null

	local req opt val have missing=""
	while read -r req; do
		opt=${req%%=*}
		val=${req#*=}
		have=$(sed -n "s/^$opt=\(.*\)$/\1/p" "$OUT/.config")
		if [ "$val" = n ]; then
			[ -z "$have" ] || missing="$missing $opt(asked n, got $have)"
		elif [ "$have" != "$val" ]; then
			missing="$missing $opt(asked $val, got ${have:-unset})"
		fi
	done < <(requested)
	[ -z "$missing" ] ||
		die "Kconfig dropped options the fragments ask for:$missing"

	# Keep the old timestamp when nothing changed, so make does no work.
	if [ -f "$prev" ] && cmp -s "$prev" "$OUT/.config"; then
		touch -r "$prev" "$OUT/.config"
	fi
	rm -f "$prev"
}

configure
say "building Linux $(src_version "$TREE") ($flavor) in $OUT with -j$JOBS"
start=$(date +%s)
# make's status, not the filter's: PIPESTATUS must be read right after
# the pipeline itself (inside an `if` it describes the `if`, and a failed
# build went unnoticed with the previous bzImage left in place).
set +e
make -C "$TREE" O="$OUT" -j"$JOBS" bzImage 2>&1 |
	tee "$OUT/build.log" | grep --line-buffered -E '^ *(CC|LD|AR|AS|GEN|BUILD|Kernel:)|error|warning:' >&2
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -eq 0 ] || { tail -n 40 "$OUT/build.log" >&2; die "kernel build failed ($flavor): see $OUT/build.log"; }
say "built $OUT/arch/x86/boot/bzImage in $(($(date +%s) - start)) s"
