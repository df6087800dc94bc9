#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages that building and testing netfence need,
# and those named as arguments.
# As root: apt-get update, then apt-get install -y the list (nothing is
# done when every package is already installed). Otherwise: print the
# command to run and fail.
set -euo pipefail

packages=(
	# building the module and the tool
	build-essential pkg-config kmod dkms sparse rsync
	linux-headers-amd64 libnl-3-dev libnl-genl-3-dev nettle-dev libcmocka-dev
	# the compile matrix (tests/compile.sh): pahole for the 6.12 headers,
	# chroots of bullseye and sid with their own compilers
	dwarves mmdebstrap
	# the debug kernel (built from Debian's source)
	linux-source bc bison flex libelf-dev libssl-dev perl python3 xz-utils
	# test guests
	qemu-system-x86 linux-image-amd64 busybox-static cpio gzip
	# the systemd guest image (tests/vm/sysimage.sh, sysboot.sh)
	mmdebstrap debian-archive-keyring e2fsprogs
	# programs the scenarios run inside the guests
	iproute2 procps util-linux jq curl socat netcat-openbsd iperf3
	nftables iptables ipset dnsmasq-base dropbear-bin openssh-client
	# more, named by the caller (make bench: python3-matplotlib)
	"$@"
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
if [ "${#missing[@]}" = 0 ]; then
	echo "deps: all ${#packages[@]} packages installed"
	exit 0
fi
echo "deps: missing: ${missing[*]}"
cmd="apt-get update && apt-get install -y ${packages[*]}"
if [ "$(id -u)" != 0 ]; then
	echo "deps: run as root first:"
	echo "  $cmd"
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${packages[@]}"
