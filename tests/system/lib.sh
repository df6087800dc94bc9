# SPDX-License-Identifier: GPL-2.0
# Guest side of the system scenarios (tests/system/NAME.sh), sourced by
# tests/system/run-stage.sh in the systemd guest (tests/vm/sysboot.sh).
#
# A scenario is a set of stages, one per boot of the same disk: the
# function stage_N runs in boot N (from 1). A stage checks what it needs
# and ends by choosing what comes next: then_reboot (the default) or
# then_poweroff (the last stage). A boot without a stage_N function fails
# the scenario and powers off.
#
# Checks (one "PASS|FAIL NAME" line each in the results; any FAIL fails
# the scenario; NAME is prefixed with "bootN: "):
#   check NAME CMD...          CMD succeeds
#   check_fail NAME CMD...     CMD fails
#   check_eq NAME WANT GOT     GOT equals WANT
#   check_match NAME ERE TEXT  TEXT has a line matching ERE
# Values kept on the disk from one boot to the next:
#   keep NAME VALUE, kept NAME (prints it)
# note TEXT: a "# TEXT" line in the results (what a check cannot decide).
# Output of the stage goes to bootN.log in the results directory; the
# scenario's programs are in the image (no python3; bash, iproute2, nc).

NFT_STATE=/var/lib/netfence-test
NFT_RESULTS=/nfresults
NETFENCE=${NETFENCE:-/usr/sbin/netfence}
NFT_BOOT=${NFT_BOOT:-0}
# What follows the stage (read by run-stage.sh).
export NFT_NEXT=reboot

# result PASS|FAIL NAME: record one check.
result() {
	echo "$1 boot$NFT_BOOT: $2" | tee -a "$NFT_RESULTS/results"
}

# note TEXT...: an informative line in the results.
note() {
	echo "# boot$NFT_BOOT: $*" | tee -a "$NFT_RESULTS/results"
}

# log TEXT...: a line of the stage's log only.
log() {
	echo "--- $*"
}

# check NAME CMD...: PASS if CMD succeeds.
check() {
	local name=$1
	shift
	log "check: $name: $*"
	if "$@"; then
		result PASS "$name"
	else
		result FAIL "$name"
		return 1
	fi
}

# check_fail NAME CMD...: PASS if CMD fails.
check_fail() {
	local name=$1
	shift
	log "check: $name: ! $*"
	if "$@"; then
		result FAIL "$name"
		return 1
	fi
	result PASS "$name"
}

# check_eq NAME WANT GOT
check_eq() {
	if [ "$2" = "$3" ]; then
		result PASS "$1"
		return 0
	fi
	result FAIL "$1"
	log "want:"
	printf '%s\n' "$2" | sed 's/^/    | /'
	log "got:"
	printf '%s\n' "$3" | sed 's/^/    | /'
	return 1
}

# check_match NAME ERE TEXT
check_match() {
	if grep -Eq -- "$2" <<<"$3"; then
		result PASS "$1"
		return 0
	fi
	result FAIL "$1"
	log "no line matches /$2/ in:"
	printf '%s\n' "$3" | sed 's/^/    | /'
	return 1
}

# keep NAME VALUE: remember VALUE for the next boots.
keep() {
	mkdir -p "$NFT_STATE/kept"
	printf '%s\n' "$2" >"$NFT_STATE/kept/$1"
	sync
}

# kept NAME: a value kept by an earlier boot (empty if none).
kept() {
	cat "$NFT_STATE/kept/$1" 2>/dev/null
}

then_reboot() { NFT_NEXT=reboot; }
then_poweroff() { NFT_NEXT=poweroff; }

# ---------------------------------------------------------------- helpers

# wait_for SECONDS CMD...: retry CMD every 0.2 s until it succeeds.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.2
	done
}

# tcp_connect ADDR PORT [SECONDS] [NETNS]: a TCP connection to ADDR:PORT
# opens (and carries one line) within SECONDS (3).
tcp_connect() {
	local addr=$1 port=$2 secs=${3:-3} ns=${4:-}
	# shellcheck disable=SC2016 # expanded by the inner bash
	local cmd=(timeout "$secs" bash -c 'echo "hello $0" >"/dev/tcp/$1/$2"' "$NFT_BOOT" "$addr" "$port")
	if [ -n "$ns" ]; then
		ip netns exec "$ns" "${cmd[@]}"
	else
		"${cmd[@]}"
	fi
}

# listen NAME PORT [NETNS]: a TCP listener on PORT (all addresses) that
# appends what each connection sends to $NFT_STATE/listen-NAME; stopped by
# stop_listeners. Waits until it listens.
listen() {
	local name=$1 port=$2 ns=${3:-} out=$NFT_STATE/listen-$1
	: >"$out"
	if [ -n "$ns" ]; then
		ip netns exec "$ns" nc -k -l "$port" >>"$out" 2>/dev/null &
	else
		nc -k -l "$port" >>"$out" 2>/dev/null &
	fi
	NFT_LISTENERS+=" $!"
	if [ -n "$ns" ]; then
		wait_for 5 bash -c "ip netns exec '$ns' ss -Hltn 'sport = :$port' | grep -q ."
	else
		wait_for 5 bash -c "ss -Hltn 'sport = :$port' | grep -q ."
	fi
}
NFT_LISTENERS=

# received NAME: lines the listener NAME received.
received() {
	grep -c . "$NFT_STATE/listen-$1" 2>/dev/null
}

stop_listeners() {
	local p
	for p in $NFT_LISTENERS; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	NFT_LISTENERS=
}

# peer_netns NAME HOSTADDR PEERADDR: a network namespace NAME linked to
# this one by a veth pair (nf-NAME here with HOSTADDR/24, eth0 there with
# PEERADDR/24).
peer_netns() {
	local ns=$1 here=$2 there=$3
	ip netns add "$ns" &&
		ip link add "nf-$ns" type veth peer name eth0 netns "$ns" &&
		ip addr add "$here/24" dev "nf-$ns" &&
		ip link set "nf-$ns" up &&
		ip -n "$ns" addr add "$there/24" dev eth0 &&
		ip -n "$ns" link set eth0 up &&
		ip -n "$ns" link set lo up
}
