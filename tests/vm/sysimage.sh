#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (or reuse) the systemd guest image: a minimal Debian bookworm
# (mmdebstrap from Debian's archive) with systemd as PID 1, as an ext4 disk
# image. It holds no kernel and nothing of netfence: the guest boots the
# machine's Debian kernel, its modules are shared over 9p, and each run
# installs the current netfence into a copy of this image (tests/vm/sysboot.sh).
#
# The image is cached under ~/.cache/netfence/, keyed by this script (its
# package list and settings), so only the first run pays the build (about
# a minute or two). Prints the image's path on stdout.
set -euo pipefail

suite=bookworm
mirror=${NETFENCE_MIRROR:-http://deb.debian.org/debian}
# Enough for systemd as init, netfence's tool (libnl) and the scenarios'
# traffic (iproute2 for veth and namespaces, netcat for listeners).
packages=(
	systemd systemd-sysv udev kmod iproute2 procps
	libnl-3-200 libnl-genl-3-200 libnettle8 netcat-openbsd
)
# Units a test guest does not need, and which cost boot time under TCG
# (no login prompts; no udev coldplug: it would load every module the
# emulated hardware matches, from 9p; modules the tests need are loaded
# on demand).
masked=(
	getty@tty1.service serial-getty@ttyS0.service console-getty.service
	getty-static.service systemd-udev-trigger.service systemd-udev-settle.service
	systemd-networkd-wait-online.service systemd-timesyncd.service
	apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer
	e2scrub_reap.service fstrim.timer systemd-tmpfiles-clean.timer
	dpkg-db-backup.timer systemd-update-utmp-runlevel.service
	systemd-random-seed.service
)
size=1G

cache=${NETFENCE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/netfence}
key=$( (cat "$0"; echo "$suite $mirror") | sha256sum | cut -c1-16)
image=$cache/sysimage-$key.ext4

if [ -f "$image" ]; then
	echo "$image"
	exit 0
fi

log() { echo "sysimage: $*" >&2; }

mkdir -p "$cache"
# One build at a time: a second caller waits for the first one's image.
exec 9>"$cache/.sysimage.lock"
flock 9
if [ -f "$image" ]; then
	echo "$image"
	exit 0
fi
command -v mmdebstrap >/dev/null || { log "mmdebstrap is missing (run tests/deps.sh)"; exit 1; }
work=$(mktemp -d "$cache/sysimage.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root

# customize_root DIR: what the image needs besides its packages.
customize_root() {
	local dir=$1 u
	echo netfence-sys >"$dir/etc/hostname"
	printf '127.0.0.1\tlocalhost\n127.0.1.1\tnetfence-sys\n' >"$dir/etc/hosts"
	# The root is mounted read-write by the initramfs: nothing to check or
	# remount; the machine's kernel modules are mounted at boot too.
	printf '# mounted by the initramfs (tests/vm/sysimage-init)\n' >"$dir/etc/fstab"
	: >"$dir/etc/machine-id"
	for u in "${masked[@]}"; do
		ln -sf /dev/null "$dir/etc/systemd/system/$u"
	done
	# The journal survives reboots, so a later boot can read an earlier one.
	mkdir -p "$dir/var/log/journal"
	# Mount point of the machine's modules and of the results directory.
	mkdir -p "$dir/nfresults"
	# Quick shutdowns: a hung stop job must not eat the scenario's time.
	mkdir -p "$dir/etc/systemd/system.conf.d"
	printf '[Manager]\nDefaultTimeoutStopSec=10s\nDefaultTimeoutStartSec=60s\n' \
		>"$dir/etc/systemd/system.conf.d/netfence-test.conf"
	rm -rf "$dir/var/cache/apt/archives/"*.deb "$dir/var/lib/apt/lists/"*
}

log "mmdebstrap $suite from $mirror (${packages[*]}) ..."
start=$(date +%s)
include=$(IFS=,; echo "${packages[*]}")
mmdebstrap --mode=root --variant=essential --include="$include" \
	--format=directory "$suite" "$root" "$mirror" >&2
customize_root "$root"
log "mkfs.ext4 -d ($size) ..."
mkfs.ext4 -q -F -L nfsys -d "$root" "$work/image.ext4" "$size" >&2
mv "$work/image.ext4" "$image"
log "done in $(($(date +%s) - start)) s: $image"
echo "$image"
