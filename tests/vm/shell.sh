#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Interactive root shell in a test guest with netfence loaded and the
# netfence tool on PATH ("make vm-shell", "make vm-shell KERNEL=debug").
# The machine's files are visible read-only (writes go to a throwaway
# overlay); the session directory build/vm-shell/FLAVOR is shared at
# /nfresults. Leave with "exit" (or Ctrl-a x).
set -euo pipefail
. "$(dirname "$0")/common.sh"

flavor=${1:-distro}
kdir=$(nf_kdir "$flavor")
log=$NF_BUILD/logs/build-$flavor.log
mkdir -p "${log%/*}"
make -s -C "$NF_ROOT/ctl" >/dev/null || nf_die "the netfence tool does not build"
nf_build_module "$flavor" "$kdir" $([ "$flavor" = debug ] && echo NETFENCE_KUNIT=1) >"$log" 2>&1 ||
	nf_die "netfence.ko does not build: see $log"

dir=$NF_BUILD/vm-shell/$flavor
rm -rf "$dir"
mkdir -p "$dir"
kunit_ko=
[ -f "$NF_BUILD/$flavor/netfence_kunit.ko" ] && kunit_ko=$NF_BUILD/$flavor/netfence_kunit.ko
{
	printf 'NETFENCE_FLAVOR=%q\n' "$flavor"
	printf 'NETFENCE_ROOT=%q\n' "$NF_ROOT"
	printf 'NETFENCE=%q\n' "$NF_ROOT/ctl/netfence"
	printf 'NETFENCE_KO=%q\n' "$NF_BUILD/$flavor/netfence.ko"
	printf 'NETFENCE_KUNIT_KO=%q\n' "$kunit_ko"
	printf 'NETFENCE_KDIR=%q\n' "$kdir"
	printf 'PATH=%q\n' "$NF_ROOT/ctl:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
} >"$dir/job.env"
cat >"$dir/job.sh" <<'JOB'
cd "$NETFENCE_ROOT"
"$NETFENCE_ROOT/tests/vm/load-module.sh" "$NETFENCE_KO" && echo "netfence.ko loaded."
echo "This is a throwaway $NETFENCE_FLAVOR-kernel guest: try 'netfence status'."
echo "The kernel log is in dmesg. 'exit' powers the guest off."
export PS1='netfence-vm# '
stty sane 2>/dev/null
eval "$(resize 2>/dev/null)" || true
exec bash --norc -i
JOB
echo "booting the $flavor guest (Ctrl-a x kills it)..."
"$NF_ROOT/tests/vm/boot.sh" -i "$flavor" "$dir" "${NETFENCE_SHELL_TIMEOUT:-86400}"
