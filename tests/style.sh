#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Kernel style checks of netfence:
#   checkpatch:FILE       scripts/checkpatch.pl --no-tree -f, for every kernel
#                         source and the uapi header
#   warnings:W=1 C=2      the module built against the Debian headers with
#                         W=1 and sparse on every file, not one diagnostic
#
#   style.sh OUTDIR [REGEX]
# Writes OUTDIR/results ("PASS|FAIL NAME" per test) and one log per test
# (OUTDIR/NAME.log, with "/: =" in NAME turned into "_"). REGEX selects tests.
set -uo pipefail
. "$(dirname "$0")/vm/common.sh"
cd "$NF_ROOT" || exit 1

out=${1:?usage: style.sh OUTDIR [REGEX]}
sel=${2:-}
mkdir -p "$out"
: >"$out/results"

want() { [ -z "$sel" ] || [[ "$1" =~ $sel ]]; }
logof() { local n=${1//[\/: =]/_}; echo "$out/$n.log"; }
record() { echo "$1 $2" >>"$out/results"; }

# checkpatch.pl and the data files it reads, from the newest linux-source.
checkpatch_dir() {
	local tarball ver dir
	tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n1)
	[ -n "$tarball" ] || nf_die "linux-source is not installed (run tests/deps.sh)"
	ver=$(basename "$tarball" .tar.xz)
	dir=$NF_CACHE/checkpatch-$ver
	if [ ! -f "$dir/scripts/checkpatch.pl" ]; then
		rm -rf "$dir.tmp"
		mkdir -p "$dir.tmp"
		tar -xJf "$tarball" -C "$dir.tmp" --strip-components=1 --wildcards \
			'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch' || return 1
		rm -rf "$dir"
		mv "$dir.tmp" "$dir"
	fi
	echo "$dir"
}

files=$(ls kmod/*.c kmod/*.h kmod/kunit/*.c kmod/kunit/*.h kmod/compat/*/*.h \
	include/uapi/linux/netfence.h 2>/dev/null)
todo=
for f in $files; do
	want "checkpatch:$f" && todo+=" $f"
done
if [ -n "$todo" ]; then
	cp_dir=$(checkpatch_dir) || { record FAIL "checkpatch:(setup)"; exit 0; }
	for f in $todo; do
		log=$(logof "checkpatch:$f")
		if perl "$cp_dir/scripts/checkpatch.pl" --no-tree --no-summary --show-types \
			-f "$f" >"$log" 2>&1; then
			record PASS "checkpatch:$f"
		else
			record FAIL "checkpatch:$f"
		fi
	done
fi

name="warnings:W=1 C=2"
if want "$name"; then
	log=$(logof "$name")
	kdir=$(nf_kdir distro)
	# A clean copy: every file is compiled and checked again.
	rm -rf "$NF_BUILD/style"
	if nf_build_module style "$kdir" W=1 C=2 >"$log" 2>&1 &&
		! grep -Eq '(warning|error):' "$log"; then
		record PASS "$name"
	else
		# Put the diagnostics at the end, where a failure report looks.
		grep -E '(warning|error):' "$log" >"$log.diag"
		cat "$log.diag" >>"$log"
		rm -f "$log.diag"
		record FAIL "$name"
	fi
fi
