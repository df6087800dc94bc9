#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# State is per network namespace: isolating A leaves B untouched (no hook,
# no filtering), B's own policy does not change A's, releasing A leaves B
# isolated.
# timeout: 900
. "$(dirname "$0")/lib.sh"
nf_init

# A -- P -- B
ns_new A nsa
ns_new B nsb
ns_new P peer
veth "$A" eth0 "$P" a0
veth "$B" eth0 "$P" b0
addr "$A" eth0 10.0.8.2/24 fd00:8::2/64
addr "$P" a0 10.0.8.1/24 fd00:8::1/64
addr "$B" eth0 10.0.9.2/24 fd00:9::2/64
addr "$P" b0 10.0.9.1/24 fd00:9::1/64
serve ptcp "$P" tcp 8080
serve pudp "$P" udp 5000
serve btcp "$B" tcp 8080
serve atcp "$A" tcp 8080

# b_works WHAT: B and P reach each other over ICMP, TCP and UDP.
b_works() {
	local n
	expect_ok "$1: B pings P" ping4 "$B" 10.0.9.1
	expect_ok "$1: B pings6 P" ping6 "$B" fd00:9::1
	expect_ok "$1: P pings B" ping4 "$P" 10.0.9.2
	expect_ok "$1: B connects to P tcp 8080" tcp "$B" 10.0.9.1 8080
	n=$(hits btcp)
	expect_ok "$1: P connects to B tcp 8080 (v6)" tcp "$P" fd00:9::2 8080
	wait_hits btcp "$n"
	expect_eq "$1: B's server logged P" $((n + 1)) "$(hits btcp)"
	n=$(hits pudp)
	expect_ok "$1: B sends udp to P" udp "$B" 10.0.9.1 5000
	wait_hits pudp "$n"
	expect_eq "$1: P got B's datagram" $((n + 1)) "$(hits pudp)"
}

g0=$(nf_get "$A" .isolated_namespaces)
expect_ok "isolate A (empty allowlist)" nf "$A" isolate
expect_isolated "$A" true 6
expect_isolated "$B" false 0
expect_eq "isolated_namespaces counts A" $((g0 + 1)) "$(nf_get "$B" .isolated_namespaces)"
expect_fail "A cannot ping P" ping4 "$A" 10.0.8.1
expect_fail "P cannot connect to A" tcp "$P" 10.0.8.2 8080
b_works "A isolated"
expect_eq "B's counters stay zero" 0 \
	"$(nf_status "$B" | jq '[.counters[] | .accepted_packets + .dropped_packets] | add // 0')"

log "B gets its own policy; A's is unchanged"
genA=$(nf_get "$A" .policy_generation)
expect_ok "isolate B: tcp 8080 of P" nf "$B" isolate -a '10.0.9.1 proto tcp port 8080'
expect_isolated "$B" true 6
expect_eq "A's allowlist still empty" "" "$(nf_rules "$A")"
expect_eq "A's generation unchanged" "$genA" "$(nf_get "$A" .policy_generation)"
expect_eq "B's allowlist" "10.0.9.1 proto tcp port 8080" "$(nf_rules "$B")"
expect_ok "B connects to P tcp 8080" tcp "$B" 10.0.9.1 8080
expect_fail "B cannot send udp to P" udp "$B" 10.0.9.1 5000
expect_fail "A still cannot connect to P tcp 8080" tcp "$A" 10.0.8.1 8080

log "release A: B stays isolated"
expect_ok "release A" nf "$A" release
expect_isolated "$A" false 0
expect_isolated "$B" true 6
expect_ok "A pings P" ping4 "$A" 10.0.8.1
expect_ok "P connects to A" tcp "$P" 10.0.8.2 8080
expect_fail "B still cannot send udp to P" udp "$B" 10.0.9.1 5000
expect_ok "release B" nf "$B" release
b_works "both released"
finish
