#!/bin/bash
# Build (or reuse) the debug kernel from Debian's linux-source-6.1.
#
# The tree is cached outside the repository, keyed by the hash of
# debug.config and the linux-source package version, so only the first run
# pays the build. Prints the path of the built tree on stdout.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
frag=$here/debug.config
tarball=$(ls /usr/src/linux-source-*.tar.xz | sort -V | tail -n1)
srcver=$(dpkg-query -W -f='${Version}' "$(dpkg -S "$tarball" | cut -d: -f1)")
key=$( (cat "$frag"; echo "$srcver") | sha256sum | cut -c1-16)
cache=${NETFENCE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/netfence}
tree=$cache/debug-kernel-$key
jobs=$(nproc)

if [ -f "$tree/.netfence-built" ]; then
	echo "$tree"
	exit 0
fi

log() { echo "build-debug-kernel: $*" >&2; }

mkdir -p "$cache"
# One build at a time: a second caller waits for the first one's tree.
exec 9>"$cache/.debug-kernel.lock"
flock 9
if [ -f "$tree/.netfence-built" ]; then
	echo "$tree"
	exit 0
fi
rm -rf "$tree.tmp"
mkdir -p "$tree.tmp"
log "extracting $tarball (source version $srcver) ..."
tar -xf "$tarball" -C "$tree.tmp" --strip-components=1
cd "$tree.tmp"
log "configuring with $frag ..."
make -s ARCH=x86_64 KCONFIG_ALLCONFIG="$frag" allnoconfig >&2
# Every line of the fragment must have survived dependency resolution.
missing=0
while IFS= read -r line; do
	case "$line" in CONFIG_*) ;; *) continue ;; esac
	if ! grep -qx "$line" .config; then
		log "config line not in force: $line"
		missing=1
	fi
done < "$frag"
[ "$missing" = 0 ] || { log "fix $frag"; exit 1; }
log "building bzImage and modules with $jobs jobs (several minutes) ..."
make -s ARCH=x86_64 -j"$jobs" bzImage modules >&2
cd /
rm -rf "$tree"
mv "$tree.tmp" "$tree"
touch "$tree/.netfence-built"
log "done: $tree"
echo "$tree"
