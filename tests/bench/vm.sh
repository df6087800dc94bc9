#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the Debian-kernel guest of tests/vm/ for the benchmark and run
# RUNDIR/job.sh in it, like tests/vm/boot.sh but with one CPU and a guest
# clock that counts instructions (-icount shift=0): one guest nanosecond is
# one guest instruction, so per-packet figures repeat from run to run.
#
#   vm.sh RUNDIR TIMEOUT
set -euo pipefail
. "$(dirname "$0")/../vm/common.sh"

rundir=$(cd "${1:?usage: vm.sh RUNDIR TIMEOUT}" && pwd)
limit=${2:?usage: vm.sh RUNDIR TIMEOUT}
[ -f "$rundir/job.sh" ] || nf_die "$rundir/job.sh missing"

release=$(nf_distro_release)
kernel=/boot/vmlinuz-$release
initrd=$("$NF_ROOT/tests/vm/mkinitramfs.sh" "$release")
mem=${NETFENCE_VM_MEM:-2048}
rm -f "$rundir/job.rc" "$rundir/job.out" "$rundir/boot-seconds"
cmdline="console=ttyS0,115200 loglevel=4 panic=-1 mitigations=off"
cmdline+=" nf.init=$NF_ROOT/tests/vm/guest-init.sh"

set +e
timeout --foreground -k 10 "$limit" qemu-system-x86_64 \
	-nodefaults -display none -no-reboot -m "$mem" -smp 1 -icount shift=0 \
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline" \
	-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
	-virtfs "local,path=$rundir,mount_tag=results,security_model=none,multidevs=remap" \
	-serial "file:$rundir/console.log"
qrc=$?
set -e
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	nf_note "benchmark guest timed out after $limit s"
	exit 124
fi
[ -f "$rundir/job.rc" ] || { nf_note "benchmark guest stopped before its job finished"; exit 125; }
exit "$(cat "$rundir/job.rc")"
