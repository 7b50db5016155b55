#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bring the cached kernel tree to "6.12 base + our series".
#
# The cache ($WB_CACHE/linux) is a git repository.  Branch `pristine`
# holds the unmodified base (Debian's linux-source-6.12, or LINUX_SRC).
# Branch `series` is rebuilt on every run: one commit per line of
# patches/series, made of that patch plus the new files the line names.
# The working tree is then switched with `git checkout`, which rewrites
# only the files that differ, so kbuild rebuilds only what changed.
# `make series` exports the same commits, so what we build is exactly
# what we ship.

. "$(dirname "$0")/lib.sh"

DEB_TARBALL=${DEB_TARBALL:-/usr/src/linux-source-6.12.tar.xz}

# Identify the base source so a different one triggers a re-import.
source_identity() {
	if [ -n "${LINUX_SRC:-}" ]; then
		[ -f "$LINUX_SRC/Makefile" ] ||
			die "LINUX_SRC=$LINUX_SRC is not a kernel tree (no Makefile)"
		local v
		v=$(src_version "$LINUX_SRC") ||
			die "LINUX_SRC=$LINUX_SRC: cannot read its kernel version"
		case "$v" in
		6.12|6.12.*) ;;
		*) die "LINUX_SRC=$LINUX_SRC is Linux $v, not 6.12.y" ;;
		esac
		[ ! -e "$LINUX_SRC/.config" ] ||
			die "LINUX_SRC=$LINUX_SRC has a .config: builds are out of tree, give a clean tree (make mrproper)"
		echo "dir:$(cd "$LINUX_SRC" && pwd):$v:$(stat -c %Y "$LINUX_SRC/Makefile")"
	else
		[ -f "$DEB_TARBALL" ] ||
			die "$DEB_TARBALL not found: run 'make deps' as root (installs linux-source-6.12) or set LINUX_SRC"
		echo "deb:$DEB_TARBALL:$(stat -c '%s:%Y' "$DEB_TARBALL")"
	fi
}

import_source() {
	local id=$1 tmp
	say "importing kernel source ($id) into $TREE"
	rm -rf "$TREE"
	mkdir -p "$TREE"
	if [ -n "${LINUX_SRC:-}" ]; then
		tar -C "$LINUX_SRC" --exclude=.git -cf - . | tar -C "$TREE" -xf -
	else
		tmp=$WB_CACHE/unpack.$$
		rm -rf "$tmp" && mkdir -p "$tmp"
		tar -C "$tmp" -xJf "$DEB_TARBALL"
		mv "$tmp"/linux-source-6.12/* "$tmp"/linux-source-6.12/.[!.]* "$TREE"/
		rm -rf "$tmp"
	fi
	local v
	v=$(src_version "$TREE")
	case "$v" in
	6.12|6.12.*) ;;
	*) die "kernel source is Linux $v, not 6.12.y" ;;
	esac
	tgit init -q -b pristine
	tgit config user.name workbench
	tgit config user.email workbench@localhost
	tgit config gc.auto 0
	tgit add -A -f
	tgit commit -q -m "Linux $v (base for the phys-range dma-buf series)"
	echo "$id" >"$TREE/.git/wb-source"
}

# Print the hunks of $1 (a patch file) that touch file $2 at old line $3.
show_failing_hunk() {
	awk -v file="$2" -v line="$3" '
		/^diff --git / { infile = ($0 ~ (" b/" file "$")); show = 0; next }
		infile && /^@@ / {
			split($2, a, ","); start = substr(a[1], 2) + 0
			show = (start == line + 0)
		}
		infile && show { print "    " $0 }
	' "$1"
}

# Apply patches/series on top of pristine as branch `series`.
build_series() {
	local idx=$TREE/.git/wb-index parent tree commit line p f n=0
	local msg=$TREE/.git/wb-msg info=$TREE/.git/wb-info err
	parent=$(tgit rev-parse pristine)
	rm -f "$idx"
	GIT_INDEX_FILE=$idx tgit read-tree pristine
	local listed=$WB_CACHE/listed.$$
	: >"$listed"
	while read -r line; do
		line=${line%%#*}
		# shellcheck disable=SC2086
		set -- $line
		[ $# -gt 0 ] || continue
		p=$REPO/patches/$1
		shift
		[ -f "$p" ] || die "patches/series names $(basename "$p"), which does not exist"
		# A patch that only adds new files carries no diff of its own.
		if grep -q '^diff --git ' "$p" &&
		   ! err=$(GIT_INDEX_FILE=$idx tgit apply --cached "$p" 2>&1); then
			printf 'wb: error: patch %s does not apply:\n%s\n' \
				"patches/$(basename "$p")" "$err" >&2
			local fl
			fl=$(printf '%s\n' "$err" | sed -n 's/^error: patch failed: \(.*\):\([0-9]*\)$/\1 \2/p' | head -n 1)
			if [ -n "$fl" ]; then
				# shellcheck disable=SC2086
				set -- $fl
				echo "wb: failing hunk (in $1 at line $2):" >&2
				show_failing_hunk "$p" "$1" "$2" >&2
			fi
			exit 1
		fi
		for f in "$@"; do
			[ -f "$REPO/$f" ] || die "patches/series: $(basename "$p") introduces $f, which is not in the repository"
			! tgit cat-file -e "pristine:$f" 2>/dev/null ||
				die "$f exists in the base tree: change it with a patch, not as a new file"
			local blob mode=100644
			[ -x "$REPO/$f" ] && mode=100755
			blob=$(tgit hash-object -w "$REPO/$f")
			GIT_INDEX_FILE=$idx tgit update-index --add --cacheinfo "$mode,$blob,$f"
			echo "$f" >>"$listed"
		done
		tree=$(GIT_INDEX_FILE=$idx tgit write-tree)
		tgit mailinfo "$msg" /dev/null <"$p" >"$info"
		local subj author email date
		subj=$(sed -n 's/^Subject: //p' "$info")
		author=$(sed -n 's/^Author: //p' "$info")
		email=$(sed -n 's/^Email: //p' "$info")
		date=$(sed -n 's/^Date: //p' "$info")
		[ -n "$subj" ] && [ -n "$author" ] ||
			die "patches/$(basename "$p") has no From:/Subject: header (use git format-patch)"
		grep -q '^Signed-off-by: ' "$msg" ||
			die "patches/$(basename "$p") has no Signed-off-by"
		commit=$( { printf '%s\n\n' "$subj"; cat "$msg"; } |
			GIT_AUTHOR_NAME=$author GIT_AUTHOR_EMAIL=$email \
			GIT_AUTHOR_DATE=${date:-@0} GIT_COMMITTER_NAME=$author \
			GIT_COMMITTER_EMAIL=$email GIT_COMMITTER_DATE=${date:-@0} \
			tgit commit-tree "$tree" -p "$parent")
		parent=$commit
		n=$((n + 1))
	done <"$REPO/patches/series"
	tgit update-ref refs/heads/series "$parent"
	rm -f "$idx" "$msg" "$info"

	# Every new kernel file in the repository must belong to a patch.
	local d unlisted=""
	for d in $KERNEL_DIRS; do
		[ -d "$REPO/$d" ] || continue
		while read -r f; do
			grep -qxF "$f" "$listed" || unlisted="$unlisted $f"
		done < <(cd "$REPO" && { git ls-files "$d"; git ls-files --others --exclude-standard "$d"; } | sort -u)
	done
	rm -f "$listed"
	[ -z "$unlisted" ] ||
		die "new kernel files not introduced by any patch in patches/series:$unlisted"
	say "series: $n patches on $(src_version "$TREE")"
}

main() {
	need_tool git make tar awk
	mkdir -p "$WB_CACHE"
	local id
	id=$(source_identity)
	if [ ! -f "$TREE/.git/wb-source" ] || [ "$(cat "$TREE/.git/wb-source")" != "$id" ]; then
		import_source "$id"
	fi
	build_series
	# Switch the working tree; only files that differ are rewritten.
	tgit checkout -q -f --detach series
	tgit clean -q -f -d -x >/dev/null
	say "kernel source: Linux $(src_version "$TREE") + series at $TREE"
}

main "$@"
