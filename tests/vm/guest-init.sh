#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# First program of a test guest (PID 1 after the initramfs switched to the
# overlay of the machine's root). Mounts what a Debian userland expects,
# mounts the run directory shared by the host at /nfresults, runs
# /nfresults/job.sh there and powers off. Never returns.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=${TERM:-linux} LANG=C.UTF-8

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
# The machine's /tmp stays reachable under /.hosttmp: a checkout there (as
# a CI clone may be) is bound back to its own path once job.env names it.
mkdir -p /.hosttmp
mount --bind /tmp /.hosttmp
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/netns /run/lock
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
hostname netfence-vm
ip link set lo up
mkdir -p /nfresults
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 results /nfresults ||
	echo "guest-init: cannot mount the results directory" >&2

if [ -f /nfresults/job.env ]; then
	set -a
	. /nfresults/job.env
	set +a
fi
for p in "${NETFENCE_ROOT:-}" "${NETFENCE_KDIR:-}"; do
	case "$p" in
	/tmp/?*)
		mkdir -p "$p"
		mount --bind "/.hosttmp/${p#/tmp/}" "$p" ||
			echo "guest-init: cannot bind $p" >&2
		;;
	esac
done

# A kernel that has everything built in has no /lib/modules of its own:
# give modprobe its list of built-ins so "modprobe veth" succeeds there.
rel=$(uname -r)
if [ ! -e "/lib/modules/$rel" ] && [ -f "${NETFENCE_KDIR:-/nonexistent}/modules.builtin" ]; then
	mkdir -p "/lib/modules/$rel"
	cp "$NETFENCE_KDIR/modules.builtin" "$NETFENCE_KDIR/modules.builtin.modinfo" \
		"/lib/modules/$rel/" 2>/dev/null
	depmod "$rel" 2>/dev/null
fi

up=$(cut -d' ' -f1 /proc/uptime)
echo "$up" >/nfresults/boot-seconds
echo "netfence-vm: guest up after $up s" >/dev/kmsg
cd /nfresults
if [ -n "${NETFENCE_INTERACTIVE:-}" ]; then
	setsid -c bash /nfresults/job.sh </dev/ttyS0 >/dev/ttyS0 2>&1
	rc=$?
else
	bash /nfresults/job.sh >/nfresults/job.out 2>&1
	rc=$?
fi
echo "$rc" >/nfresults/job.rc
cd /
sync
umount /nfresults 2>/dev/null
echo "netfence-vm: job exited $rc, powering off" >/dev/kmsg
/bin/busybox reboot -f
sleep 60
