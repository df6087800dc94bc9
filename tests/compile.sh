#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Compile matrix: netfence.ko built with W=1, not one diagnostic, against
# Debian's headers of every supported kernel series:
#   oldest   bullseye's linux-headers-amd64 (5.10)
#   distro   the headers installed on this machine (bookworm, 6.1)
#   backport bookworm-security's newest linux-headers-*+deb12-amd64 (6.12)
#   newest   sid's linux-headers-amd64
# Versions are looked up in the archive, never written down here.
#
#   compile.sh OUTDIR [REGEX]
# Writes OUTDIR/results ("PASS|FAIL compile [RELEASE]" per kernel), one line
# per kernel on its compiler and time in OUTDIR/info, and one log per
# kernel (OUTDIR/compile__RELEASE_.log: packages, compiler, tools used).
# REGEX selects tests; a kernel's release is not known before its lookup,
# so "compile [oldest]" (distro, backport, newest) also selects it.
#
# Headers come from a private apt configuration (own sources list, lists
# and package cache under $NF_CACHE/kheaders/apt: the machine's sources are
# not touched), fetched with apt-get download and unpacked with dpkg-deb -x.
# Headers built for bookworm (6.1, 6.12) are used with this machine's
# compiler (gcc-12, as they name). Bullseye's name gcc-10 and sid's a newer
# gcc, and sid's host tools (fixdep, modpost, objtool) need a newer C
# library: those two build in a minimal chroot of their own suite
# (mmdebstrap, cached under $NF_CACHE/chroot/), with their own compiler.
# The first use downloads about 300 MB (1.4 GB on disk, most of it the two
# chroots) and costs a few minutes under load; later runs
# only refresh the package lists (once an hour) and compile. The mirror's
# Release files may be older than their Valid-Until (a frozen mirror): that
# check is off, the signatures are still checked.
set -uo pipefail
. "$(dirname "$0")/vm/common.sh"
cd "$NF_ROOT" || exit 1

out=${1:?usage: compile.sh OUTDIR [REGEX]}
sel=${2:-}
mkdir -p "$out"
: >"$out/results"
: >"$out/info"
mkdir -p "$NF_CACHE"
# Two runs share the cache: the second one waits.
exec 7>"$NF_CACHE/.compile.lock"
flock 7

MIRROR=${NETFENCE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${NETFENCE_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
KH=$NF_CACHE/kheaders
APTDIR=$KH/apt

want() { [ -z "$sel" ] || [[ "$1" =~ $sel ]]; }
record() { echo "$1 $2" >>"$out/results"; }
say() { echo "compile: $*"; }

apt_opts=(-o "Dir::Etc::sourcelist=$APTDIR/sources.list" -o Dir::Etc::sourceparts=-
	-o "Dir::State::Lists=$APTDIR/lists" -o "Dir::Cache=$APTDIR/cache"
	-o "Dir::Cache::pkgcache=$APTDIR/cache/pkgcache.bin"
	-o "Dir::Cache::srcpkgcache=$APTDIR/cache/srcpkgcache.bin"
	-o Acquire::Check-Valid-Until=false
	-o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root -o Debug::NoLocking=1)
papt_cache() { apt-cache "${apt_opts[@]}" "$@"; }

# The private package lists, refreshed when older than an hour.
apt_setup() {
	mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$KH/debs"
	cat >"$APTDIR/sources.list.new" <<-EOF
		deb [signed-by=$KEYRING] $MIRROR bullseye main
		deb [signed-by=$KEYRING] $SECURITY bullseye-security main
		deb [signed-by=$KEYRING] $MIRROR bookworm main
		deb [signed-by=$KEYRING] $SECURITY bookworm-security main
		deb [signed-by=$KEYRING] $MIRROR sid main
	EOF
	if ! cmp -s "$APTDIR/sources.list.new" "$APTDIR/sources.list"; then
		mv "$APTDIR/sources.list.new" "$APTDIR/sources.list"
		rm -f "$APTDIR/updated"
	fi
	rm -f "$APTDIR/sources.list.new"
	if [ -z "$(find "$APTDIR/updated" -mmin -60 2>/dev/null)" ]; then
		apt-get "${apt_opts[@]}" -q update || return 1
		touch "$APTDIR/updated"
	fi
}

# suite_candidate SUITE PACKAGE: the newest version of PACKAGE in SUITE
# (or its -security suite).
suite_candidate() {
	papt_cache madison "$2" 2>/dev/null |
		awk -F' [|] ' -v s="$1" '$3 ~ (" " s "(-security)?/main ") { gsub(/ /, "", $2); print $2 }' |
		sort -V | tail -n1
}

# depends_on PACKAGE VERSION REGEX: names of the dependencies of PACKAGE
# VERSION that match REGEX.
depends_on() {
	papt_cache show "$1=$2" 2>/dev/null | sed -n 's/^Depends: //p' | head -n1 |
		tr ',' '\n' | sed 's/^ *//; s/[ (].*//; s/|.*//' | grep -E "$3"
}

# headers_of LABEL: "RELEASE PACKAGE VERSION SUITE" of the kernel series LABEL.
headers_of() {
	local suite pkg ver meta
	case "$1" in
	oldest) suite=bullseye ;;
	newest) suite=sid ;;
	backport)
		# Every linux-headers-X+deb12-amd64 of bookworm-security: the newest.
		pkg=$(papt_cache pkgnames linux-headers- 2>/dev/null |
			grep -E '^linux-headers-[0-9][0-9.]*\+deb12-amd64$' | sort -V | tail -n1)
		[ -n "$pkg" ] || return 1
		ver=$(suite_candidate bookworm "$pkg")
		echo "${pkg#linux-headers-} $pkg $ver bookworm"
		return
		;;
	esac
	meta=$(suite_candidate "$suite" linux-headers-amd64)
	[ -n "$meta" ] || return 1
	pkg=$(depends_on linux-headers-amd64 "$meta" '^linux-headers-.*-amd64$' | head -n1)
	[ -n "$pkg" ] || return 1
	ver=$(suite_candidate "$suite" "$pkg")
	echo "${pkg#linux-headers-} $pkg $ver $suite"
}

# fetch PACKAGE VERSION: the .deb in $KH/debs (apt-get download), its path.
fetch() {
	local f
	f=$(ls "$KH/debs/${1}_${2//:/%3a}_"*.deb 2>/dev/null | head -n1)
	if [ -z "$f" ]; then
		(cd "$KH/debs" && apt-get "${apt_opts[@]}" -q download "$1=$2") >&2 || return 1
		f=$(ls "$KH/debs/${1}_${2//:/%3a}_"*.deb 2>/dev/null | head -n1)
	fi
	[ -n "$f" ] && echo "$f"
}

# unpack_headers PKG VER ROOT: the headers package, the -common and kbuild
# packages it depends on, unpacked into ROOT. Prints the compiler package
# the headers depend on.
unpack_headers() {
	local pkg=$1 ver=$2 root=$3 dep dver deb cc
	for dep in "$pkg" $(depends_on "$pkg" "$ver" '^linux-(headers-.*-common|kbuild-)'); do
		if [ "$dep" = "$pkg" ]; then
			dver=$ver
		else
			dver=$(papt_cache madison "$dep" | awk -F' [|] ' -v v="$ver" '
				{ gsub(/ /, "", $2) } $2 == v { print $2; exit }')
			[ -n "$dver" ] || dver=$(papt_cache madison "$dep" |
				awk -F' [|] ' '{ gsub(/ /, "", $2); print $2 }' | sort -V | tail -n1)
		fi
		deb=$(fetch "$dep" "$dver") || return 1
		dpkg-deb -x "$deb" "$root" || return 1
		echo "$dep $dver" >>"$root/.netfence-packages"
	done
	cc=$(depends_on "$pkg" "$ver" '^(gcc-[0-9]+(-for-host)?|linux-compiler-gcc-[0-9]+-x86)$' |
		head -n1)
	echo "${cc:-gcc}"
}

# chroot_for SUITE COMPILER_PKG KBUILD_PKG KBUILD_VER: a minimal chroot of
# SUITE with make, the compiler and what the kbuild tools are linked
# against; created on first use. Prints its path.
chroot_for() {
	local suite=$1 cc=$2 kbuild=$3 kver=$4 libs dir key
	libs=$(depends_on "$kbuild" "$kver" . | tr '\n' ',' | sed 's/,$//')
	key=$(echo "$suite $cc $libs" | sha256sum | cut -c1-12)
	dir=$NF_CACHE/chroot/$suite-$key
	if [ ! -f "$dir/.netfence-ready" ]; then
		command -v mmdebstrap >/dev/null || { echo "mmdebstrap missing (tests/deps.sh)" >&2; return 1; }
		# mmdebstrap mounts /proc and /sys while it works: never remove
		# through a mount it may have left behind.
		if grep -q " $dir/" /proc/mounts; then
			echo "mounts left under $dir: unmount them first" >&2
			return 1
		fi
		rm -rf --one-file-system "$dir"
		mkdir -p "$NF_CACHE/chroot"
		say "creating a $suite chroot with $cc (once) ..." >&2
		mmdebstrap --variant=minbase --include="make,$cc,libc6-dev${libs:+,$libs}" \
			--aptopt='Acquire::Retries "3"' --aptopt='Acquire::Check-Valid-Until "false"' \
			--skip=cleanup/apt/lists \
			"$suite" "$dir" "deb [signed-by=$KEYRING] $MIRROR $suite main" >&2 || return 1
		touch "$dir/.netfence-ready"
	fi
	echo "$dir"
}

# report_cc OBJDIR WHERE [CHROOT]: the compiler the build really ran (first
# word of a .o's saved command) with its version, and the tools' origin.
report_cc() {
	local cc v
	cc=$(sed -n 's/^\(saved\)\{0,1\}cmd_[^ ]*main\.o := *\([^ ]*\) .*/\2/p' \
		"$1/kmod/.main.o.cmd" 2>/dev/null | head -n1)
	if [ -n "${3:-}" ]; then
		v=$(chroot "$3" "$cc" --version 2>/dev/null | head -n1)
	else
		v=$("$cc" --version 2>/dev/null | head -n1)
	fi
	say "compiler: ${v:-$cc}, $2"
}

# build_one LABEL: look up, fetch, unpack and build against kernel LABEL.
# Prints the test name on fd 3.
build_one() {
	local label=$1 rel pkg ver suite root kdir cc kbuild kbver chr src
	if [ "$label" = distro ]; then
		kdir=$(nf_kdir distro) || return 1
		rel=${kdir#/usr/src/linux-headers-}
		echo "compile [$rel]" >&3
		want "compile [$rel]" || want "compile [$label]" || return 2
		say "kernel $rel (this machine's bookworm headers, $(dpkg-query -W -f='${Version}' \
			"linux-headers-$rel" 2>/dev/null))"
		say "headers built with: $(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"/\1/p' \
			"$kdir/.config")"
		say "host tools: the headers' own (fixdep, modpost, objtool), run on this machine"
		rm -rf "$NF_BUILD/compile-$label"
		nf_build_module "compile-$label" "$kdir" W=1 || return 1
		report_cc "$NF_BUILD/compile-$label" "on this machine (bookworm), the headers' host tools"
		return 0
	fi
	read -r rel pkg ver suite < <(headers_of "$label") || true
	if [ -z "${rel:-}" ]; then
		echo "compile [$label] (lookup)" >&3
		want "compile [$label]" || return 2
		say "no $label headers found in the package lists"
		return 1
	fi
	echo "compile [$rel]" >&3
	want "compile [$rel]" || want "compile [$label]" || return 2
	say "kernel $rel: $pkg $ver from $suite"
	kbuild=$(depends_on "$pkg" "$ver" '^linux-kbuild-' | head -n1)
	kbver=$(papt_cache madison "$kbuild" | awk -F' [|] ' '{ gsub(/ /, "", $2); print $2 }' |
		sort -V | tail -n1)
	if [ "$suite" = bookworm ]; then
		# Built for bookworm: its compiler and host tools are this machine's.
		root=$KH/$rel
		if [ ! -f "$root/.netfence-ready" ]; then
			rm -rf "$root"
			mkdir -p "$root"
			unpack_headers "$pkg" "$ver" "$root" >"$root/.netfence-cc" || return 1
			# The flavour's Makefile includes the common one by its
			# absolute path: make it point into this copy.
			sed -i "s|^include /usr/src/|include $root/usr/src/|" \
				"$root/usr/src/linux-headers-$rel/Makefile"
			touch "$root/.netfence-ready"
		fi
		kdir=$root/usr/src/linux-headers-$rel
		say "headers built with: $(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"/\1/p' \
			"$kdir/.config") (package $(cat "$root/.netfence-cc"))"
		say "host tools: the headers' own (fixdep, modpost, objtool), run on this machine"
		rm -rf "$NF_BUILD/compile-$label"
		nf_build_module "compile-$label" "$kdir" W=1 || return 1
		report_cc "$NF_BUILD/compile-$label" "on this machine (bookworm), the headers' host tools"
		return 0
	fi
	# Another suite: build inside a chroot of it.
	cc=$(depends_on "$pkg" "$ver" '^(gcc-[0-9]+(-for-host)?|linux-compiler-gcc-[0-9]+-x86)$' |
		head -n1)
	chr=$(chroot_for "$suite" "${cc:-gcc}" "$kbuild" "$kbver") || return 1
	if [ ! -f "$chr/.netfence-headers-$rel" ]; then
		# One kernel per chroot: an older release's headers go.
		rm -rf "$chr"/usr/src/linux-headers-* "$chr"/.netfence-headers-*
		unpack_headers "$pkg" "$ver" "$chr" >/dev/null || return 1
		touch "$chr/.netfence-headers-$rel"
	fi
	kdir=/usr/src/linux-headers-$rel
	say "headers built with: $(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"/\1/p' \
		"$chr$kdir/.config") (package $cc)"
	say "host tools: the headers' own (fixdep, modpost, objtool) and make" \
		"$(chroot "$chr" make --version | sed -n '1s/.* //p'), run in $chr" \
		"($suite, C library $(chroot "$chr" ldd --version | sed -n '1s/.* //p;q'))"
	# A clean copy: every file is compiled again and shows its warnings.
	src=$chr/build/netfence
	rm -rf "$src"
	mkdir -p "$src"
	rsync -a --delete --exclude='.git' --exclude='/build' --exclude='/ctl' \
		--exclude='/tests' --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
		"$NF_KMOD_SRC/" "$src/" || return 1
	# objtool reads /proc: a /proc of its own, in a mount namespace that
	# goes with the build (nothing stays mounted under the cache).
	unshare --mount --pid --fork --mount-proc="$chr/proc" \
		chroot "$chr" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/ \
		LANG=C.UTF-8 make -C "$kdir" M=/build/netfence -j"$NF_JOBS" W=1 modules || return 1
	report_cc "$src" "in a $suite chroot, with its make and C library and the headers' host tools" "$chr"
	rm -rf "$NF_BUILD/compile-$label"
	ln -sfn "$src" "$NF_BUILD/compile-$label"
	return 0
}

apt_state=
for label in oldest distro backport newest; do
	log=$out/compile_$label.log
	t0=$(date +%s)
	if [ "$label" != distro ] && [ -z "$apt_state" ]; then
		apt_state=ok
		apt_setup >"$out/apt.log" 2>&1 || apt_state=failed
	fi
	if [ "$label" != distro ] && [ "$apt_state" = failed ]; then
		name="compile [$label] (package lists)"
		want "$name" || continue
		cp "$out/apt.log" "$out/${name//[\/: =\[\]]/_}.log"
		record FAIL "$name"
		continue
	fi
	build_one "$label" >"$log" 2>&1 3>"$out/name"
	rc=$?
	name=$(cat "$out/name")
	rm -f "$out/name"
	[ "$rc" = 2 ] && { rm -f "$log"; continue; }
	secs=$(($(date +%s) - t0))
	echo "compile: $secs s (lookup, fetch, unpack and build)" >>"$log"
	echo "$name: $(sed -n 's/^compile: compiler: //p' "$log" | head -n1), $secs s" >>"$out/info"
	final=$out/${name//[\/: =\[\]]/_}.log
	mv "$log" "$final"
	if [ "$rc" = 0 ] && ! grep -Eq '(warning|error):' "$final"; then
		record PASS "$name"
	else
		grep -E '(warning|error):' "$final" >"$final.diag"
		cat "$final.diag" >>"$final"
		rm -f "$final.diag"
		record FAIL "$name"
	fi
done
exit 0
