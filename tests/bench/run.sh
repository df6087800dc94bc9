#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# netfence's benchmark ("make bench"): per-packet cost of netfence against
# nothing, an empty hook, nftables, iptables and ipset, for allowlists of
# 10 to 100k entries, plus commit time and kernel memory per rule. Runs in
# a Debian-kernel guest under QEMU TCG with -icount shift=0 -smp 1: the
# guest clock counts instructions, so a guest nanosecond is one guest
# instruction and figures are comparable within a run (absolute times say
# nothing about real hardware).
#
#   run.sh [--quick] [--out DIR]
#
# --quick: fewer sizes, packets and rounds (a few minutes). Results go to
# DIR (default build/bench/results): packets.csv, commit.csv, results.md,
# PNG plots. BENCH_COUNT, BENCH_ROUNDS, BENCH_SIZES, BENCH_MODES override
# the defaults.
set -euo pipefail
. "$(dirname "$0")/../vm/common.sh"
here=$NF_ROOT/tests/bench

quick=
out=$NF_BUILD/bench/results
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1 ;;
	--out) out=$2; shift ;;
	-h|--help) sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) nf_die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done
if [ -n "$quick" ]; then
	count=${BENCH_COUNT:-5000}
	rounds=${BENCH_ROUNDS:-1}
	sizes=${BENCH_SIZES:-10 1000}
	modes=${BENCH_MODES:-single}
	limit=900
else
	count=${BENCH_COUNT:-10000}
	rounds=${BENCH_ROUNDS:-3}
	sizes=${BENCH_SIZES:-10 100 1000 10000 100000}
	modes=${BENCH_MODES:-single multi}
	limit=3600
fi
multi_sizes=${BENCH_MULTI_SIZES:-$(echo $sizes | awk '{ print $1, ($3 ? $3 : ""), $NF }')}
# icount makes rounds repeat to a few instructions per packet (the
# baselines' spread shows it): one round of each allowlist measurement.
sweep_rounds=${BENCH_SWEEP_ROUNDS:-1}

"$NF_ROOT/tests/deps.sh" python3-matplotlib || exit 1
for t in qemu-system-x86_64 nft iptables-legacy ip6tables-legacy ipset jq python3; do
	command -v "$t" >/dev/null || nf_die "$t is missing (run tests/deps.sh)"
done
# Debian's python3 (the one python3-matplotlib installs into), even when
# another python3 comes first in PATH.
py=/usr/bin/python3
[ -x "$py" ] || py=python3
"$py" -c 'import matplotlib' 2>/dev/null ||
	nf_die "python3-matplotlib is missing (apt-get install python3-matplotlib)"

release=$(nf_distro_release)
kdir=$(nf_kdir distro)
mkdir -p "$NF_BUILD"
nf_note "building netfence.ko, the tool and the empty hook for $release"
nf_build_module bench-distro "$kdir" >"$NF_BUILD/bench-build.log" 2>&1 ||
	{ tail -n 20 "$NF_BUILD/bench-build.log"; nf_die "netfence.ko build failed"; }
make -C "$NF_ROOT" ctl >>"$NF_BUILD/bench-build.log" 2>&1 ||
	{ tail -n 20 "$NF_BUILD/bench-build.log"; nf_die "tool build failed"; }
mkdir -p "$NF_BUILD/bench/emptyhook"
cp "$here/emptyhook/Kbuild" "$here/emptyhook/nf_emptyhook.c" "$NF_BUILD/bench/emptyhook/"
make -C "$kdir" M="$NF_BUILD/bench/emptyhook" modules >>"$NF_BUILD/bench-build.log" 2>&1 ||
	{ tail -n 20 "$NF_BUILD/bench-build.log"; nf_die "empty hook build failed"; }

mkdir -p "$out"
out=$(cd "$out" && pwd)
run=$NF_BUILD/bench/run
rm -rf "$run"
mkdir -p "$run"
nf_note "allowlists of $sizes entries"
"$py" "$here/gen.py" "$run/data" $sizes
cp "$here/guest.sh" "$run/job.sh"
{
	printf 'NETFENCE_ROOT=%q\n' "$NF_ROOT"
	printf 'NETFENCE_KO=%q\n' "$NF_BUILD/bench-distro/netfence.ko"
	printf 'NETFENCE=%q\n' "$NF_ROOT/ctl/netfence"
	printf 'EMPTYHOOK_KO=%q\n' "$NF_BUILD/bench/emptyhook/nf_emptyhook.ko"
	printf 'BENCH_DATA=/nfresults/data\n'
	printf 'BENCH_OUT=/nfresults\n'
	printf 'BENCH_COUNT=%q\nBENCH_ROUNDS=%q\nBENCH_SIZES=%q\nBENCH_MODES=%q\n' \
		"$count" "$rounds" "$sizes" "$modes"
	printf 'BENCH_MULTI_SIZES=%q\nBENCH_SWEEP_ROUNDS=%q\n' "$multi_sizes" "$sweep_rounds"
	printf 'BENCH_CONFIGS=%q\n' "${BENCH_CONFIGS:-}"
} >"$run/job.env"

nf_note "guest running ($count packets per measurement, $rounds rounds); log: $run/job.out"
start=$(date +%s)
rc=0
"$here/vm.sh" "$run" "$limit" || rc=$?
elapsed=$(($(date +%s) - start))
if [ "$rc" != 0 ]; then
	tail -n 30 "$run/job.out" 2>/dev/null
	nf_die "benchmark guest failed ($rc)"
fi
# Measurements that did not behave are kept but listed with the results.
grep WARNING "$run/job.out" >"$out/warnings.txt" || rm -f "$out/warnings.txt"
[ -f "$out/warnings.txt" ] && nf_note "warnings: $(wc -l <"$out/warnings.txt") (see $out/warnings.txt)"
cp "$run/packets.csv" "$run/commit.csv" "$out/"
cmd="tests/bench/run.sh${quick:+ --quick}"
[ -n "${BENCH_COUNT:-}${BENCH_ROUNDS:-}${BENCH_SIZES:-}${BENCH_MODES:-}" ] &&
	cmd="BENCH_COUNT=$count BENCH_ROUNDS=$rounds BENCH_SIZES='$sizes' BENCH_MODES='$modes' $cmd"
{
	echo "command: $cmd"
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "kernel: Debian $release ($(dpkg-query -W -f '${Version}' "linux-image-$release" 2>/dev/null))"
	echo "qemu: $(qemu-system-x86_64 --version | head -n1)"
	echo "guest: -smp 1 -icount shift=0 -m ${NETFENCE_VM_MEM:-2048}, TCG on $(nproc) host CPUs"
	echo "netfence: $(git -C "$NF_ROOT" describe --always --dirty 2>/dev/null || echo unknown)"
	echo "packets per measurement: $count; rounds: $rounds; wall time: ${elapsed} s"
} >"$out/environment.txt"
"$py" "$here/report.py" "$out"
nf_note "results: $out/results.md"
