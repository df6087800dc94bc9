#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (or reuse) the initramfs that mounts the machine's root over 9p.
#
#   mkinitramfs.sh RELEASE   for a Debian kernel: the virtio, 9p and overlay
#                            modules of /lib/modules/RELEASE are packed in
#   mkinitramfs.sh none      for a kernel that has them built in
#   mkinitramfs.sh RELEASE INIT MODULE...
#                            another init (e.g. sysimage-init, which mounts
#                            a disk) with the modules it needs, and their
#                            dependencies, loaded in that order
#
# The image is cached under ~/.cache/netfence/initramfs/, keyed by this
# script, the init it packs, busybox and the modules. Prints its path.
set -euo pipefail

release=${1:?usage: mkinitramfs.sh RELEASE|none [INIT MODULE...]}
here=$(cd "$(dirname "$0")" && pwd)
init=${2:-$here/initramfs-init}
cache=${NETFENCE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/netfence}/initramfs
busybox=$(command -v busybox) || { echo "mkinitramfs: busybox-static is missing" >&2; exit 1; }
# Modules needed before the root can be mounted, in load order.
wanted="virtio_pci 9pnet_virtio 9p overlay"
[ $# -gt 2 ] && wanted="${*:3}"

mods=
if [ "$release" != none ]; then
	mods=$(modprobe -S "$release" --show-depends -a $wanted |
		awk '$1 == "insmod" && !seen[$2]++ { print $2 }')
fi

key=$( (cat "$0" "$init"; echo "$wanted"; sha256sum "$busybox"; echo "$release"
	for m in $mods; do sha256sum "$m"; done) | sha256sum | cut -c1-16)
out=$cache/initramfs-$key.cpio.gz
if [ -f "$out" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$cache"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,dev,proc,sys,lib/modules,lower,upper,newroot,results}
cp "$busybox" "$work/bin/busybox"
ln -s busybox "$work/bin/sh"
install -m 0755 "$init" "$work/init"
: >"$work/lib/modules/load-order"
for m in $mods; do
	base=$(basename "$m")
	case "$base" in
	*.ko.xz) xz -dc "$m" >"$work/lib/modules/${base%.xz}"; base=${base%.xz} ;;
	*.ko.zst) zstd -qdc "$m" >"$work/lib/modules/${base%.zst}"; base=${base%.zst} ;;
	*.ko.gz) gzip -dc "$m" >"$work/lib/modules/${base%.gz}"; base=${base%.gz} ;;
	*) cp "$m" "$work/lib/modules/$base" ;;
	esac
	echo "$base" >>"$work/lib/modules/load-order"
done
# Guests boot side by side: each packs its own copy, the last rename wins.
(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp.$$"
mv "$out.tmp.$$" "$out"
echo "$out"
