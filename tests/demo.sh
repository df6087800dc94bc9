#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "make demo": netfence isolating a host, shown step by step in a
# throwaway virtual machine (QEMU with Debian's own kernel). Nothing is
# loaded into the kernel of the machine this runs on.
#
# With --guest, this script is the demonstration itself (run inside the VM).
set -uo pipefail

# ---------------------------------------------------------------- in the VM
if [ "${1:-}" = --guest ]; then
	NF=${NETFENCE:?}
	ok=0
	bad=0

	step() { printf '\n=== %s\n\n' "$*"; }
	say() { printf '%s\n' "$*"; }
	# show CMD...: print a command as typed, then run it.
	show() {
		local a line=
		for a in "$@"; do
			[ "$a" = "$NF" ] && a=netfence
			case "$a" in *' '*) a="'$a'" ;; esac
			line+=" $a"
		done
		printf '  $%s\n' "$line"
		"$@" 2>&1 | sed 's/^/    /'
	}
	yes_() { ok=$((ok + 1)); printf '  \342\234\224 %s\n' "$*"; }
	no_() { bad=$((bad + 1)); printf '  \342\234\230 %s\n' "$*"; }
	# works DESC CMD...: DESC must be true: CMD succeeds.
	works() {
		local d=$1
		shift
		if "$@" >/dev/null 2>&1; then yes_ "$d"; else no_ "$d (but it failed)"; fi
	}
	# blocked DESC CMD...: DESC must be true: CMD fails.
	blocked() {
		local d=$1
		shift
		if "$@" >/dev/null 2>&1; then no_ "$d (but it got through)"; else yes_ "$d"; fi
	}
	in_ns() { local n=$1; shift; ip netns exec "$n" "$@"; }
	ping_from() { in_ns "$1" busybox ping -c 1 -W 2 "$2"; }
	fetch_from() { in_ns "$1" curl -s --max-time 3 -o /dev/null -f "$2"; }

	step "Setting the scene"
	say "Three network namespaces play three machines, joined by virtual cables:"
	say "  host      the machine we will isolate (a server that may be compromised)"
	say "  mgmt      the management server of the incident responders, 10.0.0.2"
	say "  internet  anything else out there, 203.0.113.2"
	say ""
	say "  mgmt 10.0.0.2 ---- 10.0.0.1 host 203.0.113.1 ---- 203.0.113.2 internet"
	for n in host mgmt internet; do
		ip netns add "$n"
		ip -n "$n" link set lo up
	done
	ip -n host link add m0 type veth peer name eth0 netns mgmt
	ip -n host link add i0 type veth peer name eth0 netns internet
	ip -n host addr add 10.0.0.1/24 dev m0
	ip -n mgmt addr add 10.0.0.2/24 dev eth0
	ip -n host addr add 203.0.113.1/24 dev i0
	ip -n internet addr add 203.0.113.2/24 dev eth0
	for l in "host m0" "host i0" "mgmt eth0" "internet eth0"; do
		set -- $l
		ip -n "$1" link set "$2" up
	done
	www=$(mktemp -d)
	echo "management console" >"$www/index.html"
	in_ns mgmt python3 -m http.server 8080 --bind 10.0.0.2 --directory "$www" \
		>/dev/null 2>&1 &
	in_ns internet python3 -m http.server 80 --bind 203.0.113.2 --directory "$www" \
		>/dev/null 2>&1 &
	in_ns host python3 -m http.server 22 --bind 0.0.0.0 --directory "$www" \
		>/dev/null 2>&1 &
	for i in $(seq 100); do
		fetch_from mgmt http://10.0.0.2:8080/ && fetch_from internet http://203.0.113.2/ &&
			fetch_from host http://127.0.0.1:22/ && break
		sleep 0.2
	done
	say ""
	say "mgmt serves its console on TCP port 8080, a web site runs on the internet"
	say "(port 80), and the host offers a service on port 22 (think: SSH)."

	step "Step 1: before isolation, traffic flows everywhere"
	works "host pings the internet" ping_from host 203.0.113.2
	works "host downloads from the internet (http://203.0.113.2/)" \
		fetch_from host http://203.0.113.2/
	works "host pings the management server" ping_from host 10.0.0.2
	works "host opens the management console (http://10.0.0.2:8080/)" \
		fetch_from host http://10.0.0.2:8080/
	works "the internet connects to the host's port 22" fetch_from internet http://203.0.113.1:22/
	show "$NF" -n host status

	step "Step 2: isolate the host, allowing only the management console"
	say "The responders cut the host off the network, but keep one door open:"
	say "TCP to port 8080 of the management server. One command, applied atomically:"
	show "$NF" -n host isolate --allow '10.0.0.2 proto tcp port 8080'
	say ""
	show "$NF" -n host status

	step "Step 3: while isolated"
	works "host still opens the management console (allowed)" \
		fetch_from host http://10.0.0.2:8080/
	blocked "host can no longer download from the internet" \
		fetch_from host http://203.0.113.2/
	blocked "host can no longer ping the internet" ping_from host 203.0.113.2
	blocked "host cannot ping the management server either (only TCP 8080 is allowed)" \
		ping_from host 10.0.0.2
	blocked "the internet can no longer connect to the host's port 22" \
		fetch_from internet http://203.0.113.1:22/
	blocked "the management server cannot connect to the host's port 22 (the rule only lets the host connect out)" \
		fetch_from mgmt http://10.0.0.1:22/
	say ""
	say "netfence counts what it let through and what it dropped, per rule and per hook:"
	show "$NF" -n host show
	show "$NF" -n host stats

	step "Step 4: release the host"
	show "$NF" -n host release
	works "host downloads from the internet again" fetch_from host http://203.0.113.2/
	works "host pings the internet again" ping_from host 203.0.113.2
	works "host pings the management server again" ping_from host 10.0.0.2
	works "the internet connects to the host's port 22 again" \
		fetch_from internet http://203.0.113.1:22/
	show "$NF" -n host status

	step "Summary"
	if [ "$bad" = 0 ]; then
		say "All $ok checks behaved as expected: netfence isolated the host from everything"
		say "except the management console, and released it cleanly."
	else
		say "$bad of $((ok + bad)) checks did NOT behave as expected (marked with a cross)."
	fi
	kill $(jobs -p) 2>/dev/null
	wait 2>/dev/null
	[ "$bad" = 0 ]
	exit
fi

# ---------------------------------------------------------------- on the host
. "$(dirname "$0")/vm/common.sh"
cd "$NF_ROOT" || exit 1
echo "netfence demo: preparing (packages, the netfence tool and kernel module)..."
tests/deps.sh >/dev/null || { tests/deps.sh; exit 1; }
make -s -C ctl >/dev/null || nf_die "the netfence tool does not build (make -C ctl)"
kdir=$(nf_kdir distro)
log=$NF_BUILD/logs/build-distro.log
mkdir -p "${log%/*}"
nf_build_module distro "$kdir" >"$log" 2>&1 || nf_die "netfence.ko does not build: see $log"

dir=$NF_BUILD/demo
rm -rf "$dir"
mkdir -p "$dir"
{
	printf 'NETFENCE_FLAVOR=distro\n'
	printf 'NETFENCE_ROOT=%q\n' "$NF_ROOT"
	printf 'NETFENCE=%q\n' "$NF_ROOT/ctl/netfence"
	printf 'NETFENCE_KO=%q\n' "$NF_BUILD/distro/netfence.ko"
} >"$dir/job.env"
cat >"$dir/job.sh" <<'EOF'
"$NETFENCE_ROOT/tests/vm/load-module.sh" "$NETFENCE_KO" || exit 1
exec "$NETFENCE_ROOT/tests/demo.sh" --guest
EOF
: >"$dir/job.out"
echo "netfence demo: starting a virtual machine with Debian's kernel $(nf_distro_release)" \
	"(about 20 seconds)..."
tests/vm/boot.sh distro "$dir" 600 >"$dir/boot.log" 2>&1 &
vm=$!
tail -n +1 -F --pid="$vm" "$dir/job.out" 2>/dev/null
wait "$vm"
rc=$?
if [ "$rc" != 0 ]; then
	echo
	echo "netfence demo: failed (status $rc). Guest console: ${dir#"$NF_ROOT"/}/console.log"
	cat "$dir/boot.log"
fi
exit "$rc"
