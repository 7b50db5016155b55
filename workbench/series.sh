#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Export the series (branch `series` of the kernel cache, which prepare.sh
# built from patches/series) as a git-am-able patch set with a cover
# letter in out/series/, then prove it: `git am` it onto a pristine tree
# of the same version and compare the resulting tree object.

. "$(dirname "$0")/lib.sh"

OUTDIR=$REPO/out/series
base=$(tgit rev-parse pristine)
n=$(tgit rev-list --count pristine..series)
[ "$n" -gt 0 ] || die "patches/series is empty: nothing to export"
version=$(src_version "$TREE")

rm -rf "$OUTDIR"
mkdir -p "$OUTDIR"
# The cover letter is signed by the series' author, not the cache's user.
author=$(tgit log -1 --format='%an' series)
email=$(tgit log -1 --format='%ae' series)
tgit -c user.name="$author" -c user.email="$email" format-patch -q \
	--cover-letter --base="$base" -o "$OUTDIR" \
	--subject-prefix="PATCH 6.12" pristine..series

# The cover letter: subject and blurb from patches/cover-letter.
cover=$REPO/patches/cover-letter
[ -f "$cover" ] || die "patches/cover-letter is missing"
subject=$(head -n 1 "$cover")
cl=$(ls "$OUTDIR"/0000-*.patch)
python3 - "$cl" "$cover" "$subject" "$version" <<'PY'
import sys
path, cover, subject, version = sys.argv[1:]
blurb = open(cover).read().split('\n', 1)[1].strip('\n')
blurb = blurb.replace('@VERSION@', version)
s = open(path).read()
s = s.replace('*** SUBJECT HERE ***', subject).replace('*** BLURB HERE ***', blurb)
open(path, 'w').write(s)
PY

# Prove it on a pristine checkout of the same base.
wt=$WB_CACHE/series-check
tgit worktree remove --force "$wt" 2>/dev/null || rm -rf "$wt"
tgit worktree prune
tgit worktree add -q --detach "$wt" pristine
patches=$(ls "$OUTDIR"/*.patch | grep -v '/0000-')
# shellcheck disable=SC2086
git -C "$wt" -c user.name=wb -c user.email=wb@localhost am -q $patches ||
	{ git -C "$wt" am --abort 2>/dev/null; die "git am of out/series failed on pristine $version"; }
got=$(git -C "$wt" rev-parse 'HEAD^{tree}')
want=$(tgit rev-parse 'series^{tree}')
tgit worktree remove --force "$wt"
[ "$got" = "$want" ] ||
	die "git am of out/series gives tree $got, the build tree is $want"
say "out/series: cover letter + $n patches; git am on pristine $version gives the built tree ($got)"
