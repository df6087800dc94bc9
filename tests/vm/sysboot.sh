#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run one system scenario (tests/system/NAME.sh) in the systemd guest:
# Debian's kernel, systemd as PID 1, a writable disk that lives through
# the guest's reboots.
#
#   sysboot.sh NAME RUNDIR TIMEOUT KO
#
# KO is netfence.ko built for the newest installed Debian kernel. The disk
# (RUNDIR/disk.ext4) is a copy of the cached image (tests/vm/sysimage.sh)
# into which this run installs, as "make install" places them, netfence.ko
# (/lib/modules/RELEASE/extra, then depmod), ctl/netfence (/usr/sbin),
# netfence-restore.service and the modprobe.d and modules-load.d files,
# plus the scenario and its systemd unit (tests/system/). The kernel's own
# modules are the machine's /lib/modules/RELEASE/kernel, shared read-only
# over 9p: nothing to copy, and always those of the kernel that boots.
# QEMU runs without -no-reboot: a reboot in the guest boots the same disk
# again; the guest's poweroff ends the run. RUNDIR (shared at /nfresults)
# receives results, status and bootN.log (tests/system/run-stage.sh);
# the console goes to RUNDIR/console.log. Exit status: 0 when the guest
# powered off after its last stage, 124 on timeout, 1 otherwise.
set -euo pipefail
. "$(dirname "$0")/common.sh"

name=${1:?usage: sysboot.sh NAME RUNDIR TIMEOUT KO}
mkdir -p "${2:?}"
rundir=$(cd "$2" && pwd)
limit=${3:?}
ko=${4:?}
sysdir=$NF_ROOT/tests/system
tool=$NF_ROOT/ctl/netfence
[ -f "$sysdir/$name.sh" ] || nf_die "no scenario $sysdir/$name.sh"
[ -f "$ko" ] || nf_die "$ko missing"
[ -x "$tool" ] || nf_die "$tool missing (make -C ctl)"
command -v debugfs >/dev/null || nf_die "debugfs is missing (e2fsprogs)"

release=$(nf_distro_release)
kernel=/boot/vmlinuz-$release
image=$("$NF_ROOT/tests/vm/sysimage.sh")
initrd=$("$NF_ROOT/tests/vm/mkinitramfs.sh" "$release" "$NF_ROOT/tests/vm/sysimage-init" \
	virtio_pci virtio_blk ext4 9pnet_virtio 9p)

rm -rf "$rundir/results" "$rundir/status" "$rundir"/boot*.log "$rundir/stage"
: >"$rundir/results"
disk=$rundir/disk.ext4
cp --sparse=always "$image" "$disk"

# Module indexes for the machine's modules plus netfence.ko, made by depmod
# in a tree whose kernel/ is the machine's (as the guest will see it).
stage=$rundir/stage
moddir=$stage/lib/modules/$release
mkdir -p "$moddir/extra"
ln -s "/lib/modules/$release/kernel" "$moddir/kernel"
cp "/lib/modules/$release"/modules.{order,builtin,builtin.modinfo} "$moddir/"
install -m 0644 "$ko" "$moddir/extra/netfence.ko"
depmod -b "$stage" "$release"
grep -q '^extra/netfence.ko:' "$moddir/modules.dep" || nf_die "depmod did not index netfence.ko"
grep -q '^kernel/.*/veth.ko:' "$moddir/modules.dep" || nf_die "depmod did not index the kernel's modules"
printf 'NFT_SCENARIO=%q\n' "$name" >"$stage/netfence-test.env"

# debugfs_cmds: the commands that install this run's files into the disk
# (debugfs -w: no mount, no root loop device; a file takes the mode of its
# source and belongs to root).
debugfs_cmds() {
	local d f
	for d in /usr/lib/modules /usr/lib/modules/"$release" /usr/lib/modules/"$release"/extra \
		/usr/lib/modules/"$release"/kernel /etc/netfence /etc/modprobe.d /etc/modules-load.d \
		/usr/local/lib/netfence-test /etc/systemd/system/multi-user.target.wants; do
		echo "mkdir $d"
	done
	echo "write $moddir/extra/netfence.ko /usr/lib/modules/$release/extra/netfence.ko"
	for f in "$moddir"/modules.*; do
		echo "write $f /usr/lib/modules/$release/${f##*/}"
	done
	echo "write $tool /usr/sbin/netfence"
	echo "write $NF_ROOT/ctl/netfence-restore.service /usr/lib/systemd/system/netfence-restore.service"
	echo "write $NF_ROOT/ctl/modprobe.d/netfence.conf /etc/modprobe.d/netfence.conf"
	echo "write $NF_ROOT/ctl/modules-load.d/netfence.conf /etc/modules-load.d/netfence.conf"
	for f in lib.sh run-stage.sh "$name.sh"; do
		echo "write $sysdir/$f /usr/local/lib/netfence-test/$f"
	done
	echo "write $sysdir/netfence-test.service /etc/systemd/system/netfence-test.service"
	echo "symlink /etc/systemd/system/multi-user.target.wants/netfence-test.service" \
		"/etc/systemd/system/netfence-test.service"
	echo "write $stage/netfence-test.env /etc/netfence-test.env"
}
debugfs_cmds >"$stage/debugfs.cmds"
debugfs -w -f "$stage/debugfs.cmds" "$disk" >"$stage/debugfs.log" 2>&1 ||
	nf_die "debugfs failed: $(tail -n5 "$stage/debugfs.log")"
# debugfs goes on after a failed command: only "already exists" is fine.
if grep -v -e '^debugfs' -e 'already exists' -e '^Allocated inode' "$stage/debugfs.log" | grep -q .; then
	nf_die "installing into the disk failed: $(grep -v '^debugfs' "$stage/debugfs.log" | head -n5)"
fi

# One vCPU: on a busy machine two TCG vCPUs wait for each other at every
# cross-CPU TLB flush and text patch (module loads); boots were faster
# with one. NETFENCE_SYS_SMP=N for more.
cmdline="console=ttyS0,115200 loglevel=7 printk.time=1 panic=-1 mitigations=off no_timer_check"
cmdline+=" systemd.show_status=1 ${NETFENCE_VM_APPEND:-}"
args=(-nodefaults -display none -m "${NETFENCE_VM_MEM:-1024}" -smp "${NETFENCE_SYS_SMP:-1}"
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline"
	-drive "file=$disk,format=raw,if=virtio,cache=unsafe"
	-virtfs "local,path=/lib/modules/$release/kernel,mount_tag=hostmods,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$rundir,mount_tag=results,security_model=none,multidevs=remap"
	-serial "file:$rundir/console.log")

# NETFENCE_SYS_RESTART=1: QEMU exits at the guest's reboot (-no-reboot)
# and a new QEMU boots the same disk, instead of QEMU's own reset. Under
# TCG the boots after a reset in the same QEMU were seen to get slower and
# slower (kernel and initramfs: 5, 16, 30 s); this measures the other way.
restart=${NETFENCE_SYS_RESTART:-1}
[ "$restart" = 1 ] && args+=(-no-reboot)
start=$(date +%s.%N)
deadline=$(($(date +%s) + limit))
set +e
while :; do
	timeout --foreground -k 10 "$((deadline - $(date +%s)))" qemu-system-x86_64 "${args[@]}"
	qrc=$?
	[ "$restart" = 1 ] && [ "$qrc" = 0 ] || break
	tail -n1 "$rundir/status" 2>/dev/null | grep -q ' reboot$' || break
	[ "$(date +%s)" -lt "$deadline" ] || { qrc=124; break; }
done
set -e
end=$(date +%s.%N)
echo "$start $end" | awk '{ printf "%.1f\n", $2 - $1 }' >"$rundir/wall-seconds"
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	nf_note "system guest timed out after $limit s"
	exit 124
fi
grep -qx 'done' "$rundir/status" 2>/dev/null || { nf_note "system guest stopped before its last stage"; exit 1; }
