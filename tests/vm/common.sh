# SPDX-License-Identifier: GPL-2.0
# Shared by the host-side test scripts: where things are, which kernels we
# boot, how netfence.ko is built for each of them. Source it, do not run it.

NF_ROOT=${NF_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
NF_BUILD=${NF_BUILD:-$NF_ROOT/build}
NF_CACHE=${NETFENCE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/netfence}
# Source of the kernel module (Kbuild, kmod/, include/); overridable so the
# bench itself can be exercised with another module.
NF_KMOD_SRC=${NETFENCE_KMOD_SRC:-$NF_ROOT}
NF_JOBS=${NF_JOBS:-2}

nf_die() { echo "netfence-tests: $*" >&2; exit 1; }
nf_note() { echo "netfence-tests: $*" >&2; }

# Release of the newest installed Debian kernel that has an image, headers
# and modules (e.g. 6.1.0-56-amd64).
nf_distro_release() {
	local d r best=
	for d in /usr/src/linux-headers-*-amd64; do
		[ -d "$d" ] || continue
		r=${d#/usr/src/linux-headers-}
		[ -f "/boot/vmlinuz-$r" ] && [ -d "/lib/modules/$r/kernel" ] || continue
		best=$(printf '%s\n%s\n' "$best" "$r" | sed '/^$/d' | sort -V | tail -n1)
	done
	[ -n "$best" ] || nf_die "no Debian amd64 kernel with headers found (run tests/deps.sh)"
	echo "$best"
}

# Path of the debug kernel tree; builds it on first use (about 5 min).
nf_debug_tree() {
	"$NF_ROOT/tests/kernel/build-debug-kernel.sh"
}

# nf_kdir FLAVOR: kernel tree to build modules against.
nf_kdir() {
	case "$1" in
	distro) echo "/usr/src/linux-headers-$(nf_distro_release)" ;;
	debug) nf_debug_tree ;;
	*) nf_die "unknown kernel flavor '$1' (distro or debug)" ;;
	esac
}

# nf_kernel_image FLAVOR KDIR
nf_kernel_image() {
	case "$1" in
	distro) echo "/boot/vmlinuz-${2#/usr/src/linux-headers-}" ;;
	debug) echo "$2/arch/x86/boot/bzImage" ;;
	esac
}

# nf_build_module NAME KDIR [MAKE ARGS...]: copy the module source to
# build/NAME (so the kernel flavors never share objects) and build it there.
nf_build_module() {
	local dir=$NF_BUILD/$1 kdir=$2
	shift 2
	mkdir -p "$dir"
	rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='*.cmd' \
		--exclude='.*.cmd' --exclude='*.mod' --exclude='*.mod.c' \
		--exclude='modules.order' --exclude='Module.symvers' \
		--exclude='.git' --exclude='/build' --exclude='/ctl' --exclude='/tests' \
		--exclude='/.ci' "$NF_KMOD_SRC/" "$dir/" || return 1
	# Excluded names (the objects) survive --delete: rebuilds stay incremental.
	make -C "$kdir" M="$dir" -j"$NF_JOBS" "$@" modules
}
