# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared helpers of netfence's integration scenarios. Sourced by every
# tests/integration/NAME.sh; each scenario runs as root in a disposable VM,
# from the repository root, with:
#   NETFENCE_KO      the netfence.ko built for the running kernel
#   NETFENCE         the netfence command-line tool
#   NETFENCE_FLAVOR  "distro" (Debian stock kernel, netfilter parts as modules)
#                    or "debug" (KASAN/lockdep kernel, netfilter built in)
# Exit status: 0 pass, 77 skip (reason on stdout), anything else fail.
#
# A scenario reads like this:
#   . tests/integration/lib.sh
#   nf_init                      # module loaded, cleanup trap armed
#   ns_new H host                # namespace "nf<pid>-host" in $H
#   veth H eth0 M eth0           # veth pair between two namespaces
#   addr H eth0 10.0.1.1/24 fd00:1::1/64
#   expect_ok "host reaches mgmt" nsx "$H" curl -s http://10.0.1.2/
#   finish                       # summary, exit status

set -u
set -o pipefail

NF=${NETFENCE:?NETFENCE must name the netfence binary}
NF_KO=${NETFENCE_KO:?NETFENCE_KO must name netfence.ko}
FLAVOR=${NETFENCE_FLAVOR:-distro}
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# -S: no site packages, the interpreter starts much faster in a TCG guest.
PY="/usr/bin/python3 -S"
[ -x /usr/bin/python3 ] || PY="python3 -S"
TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools" && pwd)
# nfprobe (C, tests/tools/nfprobe.c): TCP/UDP endpoints, netns exec and JSON
# fields; a process start costs a lot under TCG, an interpreter's even more.
PROBE=$TOOLS/nfprobe
[ -x "$PROBE" ] || { echo "FATAL: $PROBE missing (make -C tests/tools)"; exit 1; }
# The rarer probes (DHCP, DNS, raw UDP, streams).
PYPROBE="$PY $TOOLS/probe.py"
NLCLIENT="$PY $TOOLS/nlclient.py"
TEST_NAME=$(basename "$0" .sh)
T=$(mktemp -d "${TMPDIR:-/tmp}/$TEST_NAME.XXXXXX")
# World-readable scratch directory (files an unprivileged user must read).
TP=$(mktemp -d /tmp/netfence-pub.XXXXXX)
chmod 755 "$TP"
PFX="nf$$-"

_NSES=()
_PIDS=()
_PASS=0
_FAIL=0
_BASE_ISOLATED=
_ISOLATED_GLOBAL=()

# ---------------------------------------------------------------- reporting

log() { echo "# $*"; }

pass() {
	_PASS=$((_PASS + 1))
	echo "ok $((_PASS + _FAIL)) - $1"
}

# fail DESC [DETAIL...]: record a failed expectation, keep going.
fail() {
	_FAIL=$((_FAIL + 1))
	echo "not ok $((_PASS + _FAIL)) - $1"
	shift
	local l
	for l in "$@"; do
		printf '%s\n' "$l" | sed 's/^/#   /'
	done
}

die() {
	echo "FATAL: $*"
	_FAIL=$((_FAIL + 1))
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 77
}

# _run CMD...: run with output in $T/last.out, print nothing, return status.
_run() {
	"$@" >"$T/last.out" 2>&1
}

_tail() {
	tail -n 15 "$T/last.out" 2>/dev/null
}

_cmdline() {
	printf '%q ' "$@"
}

# expect_ok DESC CMD...: CMD must exit 0.
expect_ok() {
	local desc=$1 rc
	shift
	_run "$@"
	rc=$?
	if [ "$rc" = 0 ]; then
		pass "$desc"
	else
		fail "$desc" "expected: success of: $(_cmdline "$@")" \
			"got: exit $rc, output:" "$(_tail)"
	fi
	return "$rc"
}

# expect_fail DESC CMD...: CMD must exit non-zero (and not 3, which the
# probes use for local setup errors such as a failed bind).
expect_fail() {
	local desc=$1 rc
	shift
	_run "$@"
	rc=$?
	if [ "$rc" = 3 ]; then
		fail "$desc" "expected: failure of: $(_cmdline "$@")" \
			"got: exit 3 (the probe could not start), output:" "$(_tail)"
		return 1
	fi
	if [ "$rc" != 0 ]; then
		pass "$desc"
		return 0
	fi
	fail "$desc" "expected: failure of: $(_cmdline "$@")" \
		"got: exit 0, output:" "$(_tail)"
	return 1
}

# expect_exit CODE DESC CMD...: CMD must exit with CODE.
expect_exit() {
	local code=$1 desc=$2 rc
	shift 2
	_run "$@"
	rc=$?
	if [ "$rc" = "$code" ]; then
		pass "$desc"
		return 0
	fi
	fail "$desc" "expected: exit $code of: $(_cmdline "$@")" \
		"got: exit $rc, output:" "$(_tail)"
	return 1
}

# expect_eq DESC EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
		return 0
	fi
	fail "$1" "expected: $2" "got:      $3"
	return 1
}

# expect_ge DESC MIN ACTUAL (integers)
expect_ge() {
	if [[ "$3" =~ ^[0-9]+$ ]] && [ "$3" -ge "$2" ]; then
		pass "$1"
		return 0
	fi
	fail "$1" "expected: >= $2" "got:      $3"
	return 1
}

# expect_le DESC MAX ACTUAL (integers)
expect_le() {
	if [[ "$3" =~ ^[0-9]+$ ]] && [ "$3" -le "$2" ]; then
		pass "$1"
		return 0
	fi
	fail "$1" "expected: <= $2" "got:      $3"
	return 1
}

# expect_match DESC ERE TEXT
expect_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		pass "$1"
		return 0
	fi
	fail "$1" "expected text matching: $2" "got:" "$3"
	return 1
}

# expect_nomatch DESC ERE TEXT
expect_nomatch() {
	if ! printf '%s\n' "$3" | grep -Eq -- "$2"; then
		pass "$1"
		return 0
	fi
	fail "$1" "expected no text matching: $2" "got:" "$3"
	return 1
}

# wait_for SECONDS CMD...: poll CMD every 0.2 s until it succeeds.
wait_for() {
	local end=$((EPOCHSECONDS + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$EPOCHSECONDS" -ge "$end" ] && return 1
		sleep 0.2
	done
	return 0
}

# finish: print the summary and exit with the scenario's status.
finish() {
	echo "# $TEST_NAME: $_PASS passed, $_FAIL failed"
	[ "$_FAIL" = 0 ] && exit 0
	exit 1
}

# ---------------------------------------------------------------- module

# nf_module_loaded: netfence is present in the running kernel.
nf_module_loaded() {
	[ -d /sys/module/netfence ]
}

# nf_load_module: load netfence.ko (and its dependencies) unless present.
nf_load_module() {
	local deps d
	nf_module_loaded && return 0
	deps=$(modinfo -F depends "$NF_KO") || die "modinfo $NF_KO failed"
	for d in ${deps//,/ }; do
		modprobe "$d" || die "modprobe $d (dependency of netfence) failed"
	done
	insmod "$NF_KO" || die "insmod $NF_KO failed"
	log "loaded $NF_KO (depends: ${deps:-none})"
}

# nf_init: common start of every scenario.
nf_init() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ -x "$NF" ] || die "netfence tool $NF missing"
	[ -f "$NF_KO" ] || die "module $NF_KO missing"
	trap _cleanup EXIT
	trap 'exit 130' INT TERM
	nf_load_module
	_BASE_ISOLATED=$(nf_global_isolated)
	log "flavor $FLAVOR, kernel $(uname -r), isolated namespaces at start: $_BASE_ISOLATED"
}

# nf_global_isolated: NETFENCE_A_ISOLATED_NETNS as seen from this netns.
nf_global_isolated() {
	"$NF" -j status 2>/dev/null | "$PROBE" json .isolated_namespaces 2>/dev/null
}


_cleanup() {
	local rc=$? pid ns left
	trap - EXIT INT TERM
	for pid in "${_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for ns in "${_NSES[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -TERM "$pid" 2>/dev/null
		done
	done
	sleep 0.3
	for pid in "${_PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	for ns in "${_NSES[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
	done
	wait 2>/dev/null
	for ns in "${_NSES[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	# Namespaces die asynchronously (under emulation, dozens of them take
	# over a minute); their isolation must go with them.
	if [ -n "$_BASE_ISOLATED" ] && nf_module_loaded; then
		if ! wait_for 180 _isolated_is "$_BASE_ISOLATED"; then
			left=$(nf_global_isolated)
			echo "not ok - cleanup: isolated namespaces back to $_BASE_ISOLATED after deleting ours"
			echo "#   got: $left"
			[ "$rc" = 0 ] && rc=1
		fi
	fi
	rm -rf "$T" "$TP"
	exit "$rc"
}

# ---------------------------------------------------------------- topology

# ns_new VAR NAME: create namespace "$PFX$NAME", store its name in VAR.
ns_new() {
	local var=$1 ns="$PFX$2"
	ip netns add "$ns" || die "ip netns add $ns"
	_NSES+=("$ns")
	printf -v "$var" '%s' "$ns"
	ip -n "$ns" link set lo up
	nsx "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.default.router_solicitations=0 \
		net.ipv6.conf.default.accept_ra=0 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.ping_group_range="0 2147483647" >/dev/null
}

# nsx NS CMD...: run CMD inside namespace NS. Not "ip netns exec": it
# remounts /sys, which costs a second per call under TCG (nothing here reads
# per-netns /sys); nfprobe's setns+exec is also cheaper than nsenter's.
nsx() {
	local ns=$1
	shift
	"$PROBE" -n "$ns" exec "$@"
}

# veth NS_A IF_A NS_B IF_B: veth pair between two namespaces, both ends up.
veth() {
	ip -n "$1" link add "$2" type veth peer name "$4" netns "$3" ||
		die "veth $1/$2 - $3/$4"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

# addr NS IF ADDR/LEN...: IPv4 and IPv6 addresses (IPv6 without DAD).
addr() {
	local ns=$1 ifc=$2 a
	shift 2
	for a in "$@"; do
		case "$a" in
		*:*) ip -n "$ns" -6 addr add "$a" dev "$ifc" nodad ;;
		*) ip -n "$ns" addr add "$a" dev "$ifc" ;;
		esac || die "addr $a on $ns/$ifc"
	done
}

# route NS DEST VIA: route (family from DEST), DEST may be "default".
route() {
	local fam=-4
	case "$2$3" in *:*) fam=-6 ;; esac
	ip -n "$1" "$fam" route add "$2" via "$3" || die "route $2 via $3 in $1"
}

# forwarding NS: make NS a router for both families.
forwarding() {
	nsx "$1" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null
}

# bg NAME NS CMD...: start CMD in NS in the background, output in $T/NAME.log;
# its pid goes into the variable NAME_pid (killed by the cleanup).
bg() {
	local name=$1 ns=$2
	shift 2
	# Not nsx: a function sent to the background runs in a subshell, and
	# $! would name that shell instead of the command (stop and the
	# cleanup would kill the shell and leave the command running).
	"$PROBE" -n "$ns" exec "$@" >"$T/$name.log" 2>&1 &
	_PIDS+=($!)
	printf -v "${name}_pid" '%s' "$!"
}

# stop PID: end a background process started by bg.
stop() {
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# serve NAME NS tcp|udp PORT [--echo]: line-logging dual-stack server
# ($T/NAME.log, one line per TCP connection or UDP datagram); waits until
# it listens.
serve() {
	local name=$1 ns=$2 proto=$3 port=$4
	shift 4
	bg "$name" "$ns" $PROBE serve "$proto" "$port" "$@"
	wait_for 120 grep -q '^listening' "$T/$name.log" ||
		die "server $name ($proto $port in $ns) did not start: $(cat "$T/$name.log")"
}

# hits NAME: connections/datagrams the server NAME has logged so far.
hits() {
	local l n=0
	while IFS= read -r l; do
		[[ "$l" == "got "* ]] && n=$((n + 1))
	done <"$T/$1.log" 2>/dev/null
	echo "$n"
}

# wait_hits NAME N: wait (up to 10 s) until server NAME logged more than N.
wait_hits() {
	wait_for 10 _hits_above "$1" "$2"
}

_hits_above() {
	[ "$(hits "$1")" -gt "$2" ]
}

# dmesg_mark: writes a unique line to the kernel log and prints it, for
# dmesg_since. A line count would stop growing once the ring buffer is
# full (every isolation and commit logs a line).
dmesg_mark() {
	local tag="netfence-test-mark-$$-$RANDOM$RANDOM"
	echo "$tag" >/dev/kmsg
	echo "$tag"
}

# dmesg_since TAG: the kernel log lines after the mark TAG.
dmesg_since() {
	dmesg | sed -n "/$1/,\$p" | tail -n +2
}

# _isolated_is N: the global count of isolated namespaces is N.
_isolated_is() {
	[ "$(nf_global_isolated)" = "$1" ]
}

# wait_listen NS tcp|udp PORT: wait until something listens on PORT in NS.
wait_listen() {
	local opt=-ltnH
	[ "$2" = udp ] && opt=-lunH
	wait_for 120 _port_listening "$1" "$opt" "$3"
}

_port_listening() {
	nsx "$1" ss "$2" "sport = :$3" | grep -q .
}

# ---------------------------------------------------------------- probes

# ping4/ping6 NS DEST: one echo request, 2 s wait at most.
ping4() {
	nsx "$1" busybox ping -c 1 -W 2 "$2"
}

ping6() {
	nsx "$1" busybox ping6 -c 1 -W 2 "$2"
}

# tcp NS DEST PORT [probe options]: TCP connect (1.5 s), send a line.
tcp() {
	local ns=$1
	shift
	"$PROBE" -n "$ns" tcp "$@"
}

# udp NS DEST PORT [probe options]: send UDP datagram(s).
udp() {
	local ns=$1
	shift
	"$PROBE" -n "$ns" udp "$@"
}

# snmp NS COUNTER: absolute value of a /proc/net/{snmp,snmp6,netstat}
# counter in NS (e.g. IcmpInEchos, Icmp6InEchos, TcpPassiveOpens).
snmp() {
	nsx "$1" nstat -asz "$2" 2>/dev/null | awk -v c="$2" '$1 == c { print $2; f = 1 } END { if (!f) print 0 }'
}

# nft_count NS COUNTER: packets of the named counter COUNTER of the nftables
# table "inet watch" in NS (a receiver-side count a scenario sets up).
nft_count() {
	nsx "$1" nft list counter inet watch "$2" | awk '$1 == "packets" { print $2 }'
}

# rx_packets NS IF: packets received by an interface.
rx_packets() {
	ip -n "$1" -s -j link show dev "$2" | "$PROBE" json '.[0].stats64.rx.packets'
}

# ---------------------------------------------------------------- netfence

# nf NS ARGS...: run the tool against namespace NS.
nf() {
	local ns=$1
	shift
	"$NF" -n "$ns" "$@"
}

# nf_status NS: status as JSON (one document).
nf_status() {
	"$NF" -j -n "$1" status
}

# nf_get NS PATH: one value of the status document (PATH as in
# "nfprobe json": .isolated, .flags.nd, ...).
nf_get() {
	nf_status "$1" | "$PROBE" json "$2"
}

# nf_released NS: NS is not isolated (for wait_for).
nf_released() {
	[ "$(nf_get "$1" .isolated)" = false ]
}

# json_sum SEL_FIELD SEL_VALUE [SEL_FIELD SEL_VALUE] SUM_FIELD <FLAT: the sum
# of SUM_FIELD over the array elements whose SEL_FIELDs have those values
# ("absent" when none does), read from "nfprobe json" output of an array
# (".[N].FIELD VALUE") or of an object with one (".NAME[N].FIELD VALUE").
json_sum() {
	local k v i sum=0 n=0
	local -A a=()
	while read -r k v; do
		[[ "$k" =~ ^\.[a-z_]*\[([0-9]+)\]\.([a-z_]+)$ ]] || continue
		a[${BASH_REMATCH[1]},${BASH_REMATCH[2]}]=$v
	done
	for k in "${!a[@]}"; do
		[ "${k#*,}" = "${!#}" ] || continue
		i=${k%%,*}
		[ "${a[$i,$1]-}" = "$2" ] || continue
		if [ $# = 5 ]; then [ "${a[$i,$3]-}" = "$4" ] || continue; fi
		v=${a[$k]}
		sum=$((sum + v))
		n=$((n + 1))
	done
	if [ "$n" = 0 ]; then echo absent; else echo "$sum"; fi
}

# nf_counter NS ipv4|ipv6 local_in|local_out|forward FIELD
nf_counter() {
	local v
	v=$(nf_status "$1" | "$PROBE" json | json_sum family "$2" hook "$3" "$4")
	echo "${v/absent/0}"
}

# nf_hits NS 'CANONICAL RULE': hit counter of that rule (from show -j).
nf_hits() {
	"$NF" -j -n "$1" show | "$PROBE" json | json_sum rule "$2" hits
}

# nf_rules NS: the policy's rules in canonical text, sorted.
nf_rules() {
	"$NF" -n "$1" allow list | sort
}

# expect_isolated NS true|false HOOKS
expect_isolated() {
	local st
	st=$(nf_status "$1") || { fail "status of $1" "netfence status failed"; return 1; }
	expect_eq "$1: isolated is $2" "$2" "$("$PROBE" json .isolated <<<"$st")"
	expect_eq "$1: hooks_registered is $3" "$3" "$("$PROBE" json .hooks_registered <<<"$st")"
}

# expect_drop_delta DESC NS FAMILY HOOK BEFORE MIN: dropped_packets grew by >= MIN.
expect_drop_delta() {
	local now
	now=$(nf_counter "$2" "$3" "$4" dropped_packets)
	expect_ge "$1 ($3 $4 dropped_packets $5 -> $now)" "$(($5 + $6))" "$now"
}
