#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# refresh.sh PATCH [FILE...]: rewrite patches/PATCH from the kernel cache's
# working tree.  The diff is taken, against the tree before PATCH, over
# every existing kernel file PATCH already changes plus the FILEs named
# (kernel paths); the patch's header and message are kept, the diffstat is
# recomputed.  Edit the files in $WB_CACHE/linux (after `wb prepare`),
# then refresh the patch that should own the change.
#
# A file that a later patch changes too is taken as it stands at PATCH
# (the working tree holds both changes); naming it is refused.

. "$(dirname "$0")/lib.sh"

name=${1:-}
[ -n "$name" ] || die "usage: wb refresh PATCH [FILE...]"
shift
extra=("$@")
p=$REPO/patches/$name
[ -f "$p" ] || die "no patches/$name"

# Position of the patch in the series, and the patches after it.
idx=0 pos=0 later=()
while read -r line; do
	line=${line%%#*}
	# shellcheck disable=SC2086
	set -- $line
	[ $# -gt 0 ] || continue
	idx=$((idx + 1))
	if [ "$1" = "$name" ]; then
		pos=$idx
	elif [ "$pos" -gt 0 ]; then
		later+=("$REPO/patches/$1")
	fi
done <"$REPO/patches/series"
[ "$pos" -gt 0 ] || die "$name is not in patches/series"

mapfile -t files < <({ sed -n 's|^diff --git a/\([^ ]*\) b/.*|\1|p' "$p"; printf '%s\n' "${extra[@]}"; } | sed '/^$/d' | sort -u)
[ "${#files[@]}" -gt 0 ] || die "$name changes no existing file; name the files"
# A file a later patch changes too keeps its content at this patch.
own=()
for f in "${files[@]}"; do
	touched=""
	for l in "${later[@]}"; do
		grep -q "^diff --git a/$f " "$l" && touched=$(basename "$l")
	done
	if [ -z "$touched" ]; then
		own+=("$f")
	elif printf '%s\n' "${extra[@]}" | grep -qxF "$f"; then
		die "$f is also changed by the later $touched"
	fi
done

# Commit pos of branch series is this patch; its parent is the base.
commit=$(tgit rev-list --reverse pristine..series | sed -n "${pos}p")
[ -n "$commit" ] || die "branch series has no commit $pos: run wb prepare"
base=$(tgit rev-parse "$commit^")

# The patch's tree: this commit's, with the working tree's version of
# every file it owns.
idxf=$(mktemp)
rm -f "$idxf"
GIT_INDEX_FILE=$idxf tgit read-tree "$commit"
for f in "${own[@]}"; do
	GIT_INDEX_FILE=$idxf tgit update-index --add \
		--cacheinfo "100644,$(tgit hash-object -w "$TREE/$f"),$f"
done
tree=$(GIT_INDEX_FILE=$idxf tgit write-tree)
rm -f "$idxf"

tmp=$(mktemp)
# Header and message: everything before the first "---" line.
awk '/^---$/ { exit } { print }' "$p" >"$tmp"
{
	echo "---"
	tgit diff --stat=72 "$base" "$tree" -- "${files[@]}"
	echo
	tgit diff --abbrev=7 "$base" "$tree" -- "${files[@]}"
	echo "-- "
	echo "2.39.5"
	echo
} >>"$tmp"
mv "$tmp" "$p"
say "patches/$name: $(grep -c '^diff --git' "$p") files, from $TREE"
