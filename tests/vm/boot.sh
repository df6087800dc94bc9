#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot one test guest (QEMU, TCG) and run RUNDIR/job.sh in it as root.
#
#   boot.sh [-i] FLAVOR RUNDIR TIMEOUT
#
# FLAVOR is distro (Debian's kernel) or debug (the KUnit/KASAN/lockdep
# kernel). RUNDIR is shared read-write with the guest at /nfresults; it must
# hold job.sh, may hold job.env (variables for the job), and receives
# job.out, job.rc, boot-seconds and whatever the job writes. The guest
# console goes to RUNDIR/console.log. -i: interactive, the console is this
# terminal (Ctrl-a x quits QEMU). Exit status: the job's, or 124 on timeout.
set -euo pipefail
. "$(dirname "$0")/common.sh"

interactive=
if [ "${1:-}" = -i ]; then
	interactive=1
	shift
fi
flavor=${1:?usage: boot.sh [-i] FLAVOR RUNDIR TIMEOUT}
rundir=$(cd "${2:?}" && pwd)
limit=${3:?}
[ -f "$rundir/job.sh" ] || nf_die "$rundir/job.sh missing"

case "$flavor" in
distro)
	release=$(nf_distro_release)
	kernel=/boot/vmlinuz-$release
	initrd=$("$NF_ROOT/tests/vm/mkinitramfs.sh" "$release")
	;;
debug)
	tree=$(nf_debug_tree)
	kernel=$tree/arch/x86/boot/bzImage
	initrd=$("$NF_ROOT/tests/vm/mkinitramfs.sh" none)
	;;
*) nf_die "unknown flavor '$flavor'" ;;
esac

# 1 GiB is enough for KASAN too, and keeps kmemleak scans short.
mem=${NETFENCE_VM_MEM:-1024}
rm -f "$rundir/job.rc" "$rundir/job.out" "$rundir/boot-seconds"
# no_timer_check: under a loaded host the emulated timer can miss the
# kernel's IO-APIC timer check, which then panics.
cmdline="console=ttyS0,115200 loglevel=7 printk.time=1 panic=-1 mitigations=off no_timer_check ${NETFENCE_VM_APPEND:-}"
cmdline+=" nf.init=$NF_ROOT/tests/vm/guest-init.sh"
[ -n "$interactive" ] && echo "NETFENCE_INTERACTIVE=1" >>"$rundir/job.env"

args=(-nodefaults -display none -no-reboot -m "$mem" -smp 2
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline"
	-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$rundir,mount_tag=results,security_model=none,multidevs=remap")
if [ -n "$interactive" ]; then
	args+=(-serial mon:stdio)
else
	args+=(-serial "file:$rundir/console.log")
fi

start=$(date +%s.%N)
set +e
timeout --foreground -k 10 "$limit" qemu-system-x86_64 "${args[@]}"
qrc=$?
set -e
end=$(date +%s.%N)
echo "$start $end" | awk '{ printf "%.1f\n", $2 - $1 }' >"$rundir/wall-seconds"
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	nf_note "$flavor guest timed out after $limit s"
	exit 124
fi
[ -f "$rundir/job.rc" ] || { nf_note "$flavor guest stopped before its job finished"; exit 125; }
exit "$(cat "$rundir/job.rc")"
