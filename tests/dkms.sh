#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dkms.conf works with Debian's dkms: a copy of the source made by
# "make dkms-src" is added and built for the installed Debian kernel, then
# removed again. Nothing is installed into any kernel, nothing stays behind.
# Runs as root (dkms writes /usr/src and /var/lib/dkms).
set -euo pipefail
. "$(dirname "$0")/vm/common.sh"
cd "$NF_ROOT"

[ "$(id -u)" = 0 ] || nf_die "dkms needs root"
command -v dkms >/dev/null || nf_die "dkms is not installed (run tests/deps.sh)"

version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
src_version=$(sed -n 's/^#define NETFENCE_VERSION[[:space:]]*"\(.*\)"/\1/p' kmod/main.c)
[ "$version" = "$src_version" ] ||
	nf_die "dkms.conf PACKAGE_VERSION $version differs from kmod/main.c $src_version"

kver=$(nf_distro_release)
# A version of its own, so an installed netfence is never touched.
testver=$version.check$$
src=/usr/src/netfence-$testver
had_tree=; [ -e /var/lib/dkms/netfence ] && had_tree=1
had_key=; [ -e /var/lib/dkms/mok.key ] && had_key=1
had_pub=; [ -e /var/lib/dkms/mok.pub ] && had_pub=1

cleanup() {
	dkms remove "netfence/$testver" --all >/dev/null 2>&1 || true
	rm -rf "$src"
	[ -n "$had_tree" ] || rmdir /var/lib/dkms/netfence 2>/dev/null || true
	# dkms creates a module signing key on first use: ours, so remove it.
	[ -n "$had_key" ] || rm -f /var/lib/dkms/mok.key
	[ -n "$had_pub" ] || rm -f /var/lib/dkms/mok.pub
}
trap cleanup EXIT

make -s dkms-src DKMS_SRC="$src"
sed -i "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$testver\"/" "$src/dkms.conf"
dkms add "netfence/$testver"
dkms build "netfence/$testver" -k "$kver"
ko=$(find "/var/lib/dkms/netfence/$testver/$kver" -name 'netfence.ko*' | head -n1)
[ -n "$ko" ] || nf_die "dkms build produced no netfence.ko"
echo "built: $ko"
modinfo -F vermagic "$ko" | grep -q "^$kver " ||
	nf_die "$ko is not built for $kver: $(modinfo -F vermagic "$ko")"
find "/var/lib/dkms/netfence/$testver/$kver" -name 'netfence_kunit.ko*' | grep -q . &&
	nf_die "DKMS built the KUnit module"
dkms status -m netfence -v "$testver"
# A kernel older than the supported range is refused up front, by name.
old_out=$(dkms build "netfence/$testver" -k 4.19.0-27-amd64 2>&1) &&
	nf_die "dkms built for 4.19: $old_out"
echo "$old_out" | grep -q BUILD_EXCLUSIVE ||
	nf_die "dkms refused 4.19 without naming BUILD_EXCLUSIVE: $old_out"
echo "dkms refuses 4.19.0-27-amd64 (BUILD_EXCLUSIVE_KERNEL): ok"
cleanup
trap - EXIT

left=$( (ls -d "$src" "/var/lib/dkms/netfence/$testver" 2>/dev/null
	find /lib/modules -path "*netfence-$testver*" 2>/dev/null
	find /lib/modules/*/updates /lib/modules/*/extra -name 'netfence*.ko*' -newer dkms.conf \
		2>/dev/null) || true)
[ -z "$left" ] || nf_die "left behind: $left"
echo "dkms add/build/remove of netfence $testver for $kver: ok, nothing left behind"
