#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A transaction belongs to its socket: a process that begins one, adds rules
# (one small set, then 100,000 rules) and is killed with SIGKILL leaves no
# trace. The policy, generation and status are unchanged, the held rules
# never take effect, and other sockets open transactions meanwhile and after.
# timeout: 900
. "$(dirname "$0")/lib.sh"
nf_init

ns_new H host
ns_new M mgmt
veth "$H" m0 "$M" eth0
addr "$H" m0 10.0.1.1/24 fd00:1::1/64
addr "$M" eth0 10.0.1.2/24 fd00:1::2/64
serve mtcp "$M" tcp 80
serve mudp "$M" udp 5000

expect_ok "isolate: tcp 80 of mgmt" nf "$H" isolate -a '10.0.1.2 proto tcp port 80'
rules0=$(nf_rules "$H")
st0=$(nf_status "$H" | jq -c '{isolated, rules, flags, hooks_registered, policy_memory}')
gen0=$(nf_get "$H" .policy_generation)

# abandon WHAT RULES...: a process holds an open transaction, is killed.
abandon() {
	local what=$1
	shift
	bg holder "$H" $NLCLIENT hold "$@"
	if ! wait_for 120 grep -q '^ready' "$T/holder.log"; then
		fail "$what: holder opened its transaction" "$(cat "$T/holder.log")"
		return
	fi
	pass "$what: holder has an open transaction with rules added"
	expect_ok "$what: another socket opens a transaction meanwhile" nsx "$H" $NLCLIENT begin
	expect_ok "$what: CLI allow add meanwhile" nf "$H" allow add 10.0.9.9
	expect_eq "$what: the CLI's commit holds none of the held rules" \
		"$(printf '%s\n' "$rules0" 10.0.9.9 | sort)" "$(nf_rules "$H")"
	expect_ok "$what: CLI allow del meanwhile" nf "$H" allow del 10.0.9.9
	gen1=$(nf_get "$H" .policy_generation)
	kill -KILL "$holder_pid"
	wait "$holder_pid" 2>/dev/null
	expect_fail "$what: holder is gone" kill -0 "$holder_pid"
	expect_eq "$what: rules unchanged" "$rules0" "$(nf_rules "$H")"
	expect_eq "$what: generation unchanged by the kill" "$gen1" "$(nf_get "$H" .policy_generation)"
	expect_eq "$what: status unchanged" "$st0" \
		"$(nf_status "$H" | jq -c '{isolated, rules, flags, hooks_registered, policy_memory}')"
	n=$(hits mudp)
	expect_fail "$what: udp 5000 (a held rule) still dropped" udp "$H" 10.0.1.2 5000
	expect_eq "$what: mgmt's udp server got nothing" "$n" "$(hits mudp)"
	expect_fail "$what: the held 'any' rule never took effect" ping4 "$H" 10.0.1.2
	expect_ok "$what: tcp 80 still works" tcp "$H" 10.0.1.2 80
	expect_ok "$what: a new transaction from another socket begins" nsx "$H" $NLCLIENT begin
	expect_ok "$what: CLI commit after the kill" nf "$H" allow add 10.0.9.8
	expect_ok "$what: CLI del after the kill" nf "$H" allow del 10.0.9.8
	expect_eq "$what: rules back to the original" "$rules0" "$(nf_rules "$H")"
}

abandon "small transaction" any '10.0.1.2 proto udp port 5000'

$PY - "$T/big.rules" <<'EOP'
import sys
with open(sys.argv[1], "w") as f:
    f.write("any\n10.0.1.2 proto udp port 5000\n")
    for i in range(99998):
        f.write("10.%d.%d.%d\n" % (100 + i // 65536, (i // 256) % 256, i % 256))
EOP
abandon "100,000-rule transaction" -f "$T/big.rules"
expect_eq "generation: only the CLI's commits counted" $((gen0 + 8)) "$(nf_get "$H" .policy_generation)"
finish
