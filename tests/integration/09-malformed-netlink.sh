#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Malformed generic-netlink requests (tests/tools/nlclient.py, raw
# AF_NETLINK): wrong attribute types, short and oversize attributes, a
# missing or wrong NETFENCE_A_PROTO, garbage nesting, unknown commands and
# flag bits, transaction commands out of order, invalid rules. Each one gets
# a negative errno and an extack message, and afterwards the policy in force
# is the same (rules, generation) and still filters traffic. A TXN_ADD is
# all or nothing.
# timeout: 600
. "$(dirname "$0")/lib.sh"
nf_init

ns_new H host
ns_new M mgmt
ns_new S scratch
veth "$H" m0 "$M" eth0
addr "$H" m0 10.0.1.1/24 fd00:1::1/64
addr "$M" eth0 10.0.1.2/24 fd00:1::2/64
serve mtcp "$M" tcp 80
serve mudp "$M" udp 5000

expect_ok "isolate: tcp 80 of mgmt" nf "$H" isolate \
	-a '10.0.1.2 proto tcp port 80' -a 'fd00:1::2 proto tcp port 80'
rules0=$(nf_rules "$H")
gen0=$(nf_get "$H" .policy_generation)
mem0=$(nf_get "$H" .policy_memory)

_run nsx "$H" $NLCLIENT malformed
rc=$?
sed 's/^/#   /' "$T/last.out"
expect_eq "every malformed request refused with errno and extack" 0 "$rc"
nfail=$(grep -c '^FAIL' "$T/last.out")
nok=$(grep -c '^ok' "$T/last.out")
expect_eq "no failed case in the nlclient report" 0 "$nfail"
expect_ge "at least 50 cases ran" 50 "$nok"

log "the previous policy is still in force"
expect_eq "rules unchanged" "$rules0" "$(nf_rules "$H")"
expect_eq "generation unchanged" "$gen0" "$(nf_get "$H" .policy_generation)"
expect_eq "policy memory unchanged" "$mem0" "$(nf_get "$H" .policy_memory)"
expect_isolated "$H" true 6
expect_ok "tcp 80 of mgmt still works" tcp "$H" 10.0.1.2 80
expect_ok "tcp 80 of mgmt still works (v6)" tcp "$H" fd00:1::2 80
n=$(hits mudp)
expect_fail "udp 5000 of mgmt still dropped" udp "$H" 10.0.1.2 5000
expect_eq "mgmt's udp server got nothing" "$n" "$(hits mudp)"
expect_fail "mgmt still cannot connect in" tcp "$M" 10.0.1.1 22

log "the CLI shows the kernel's extack text"
expect_exit 1 "allow del of an absent rule" nf "$H" allow del 10.9.9.9
msg=$(cat "$T/last.out")
expect_match "error line carries a message after 'netfence: ...:'" '^netfence: [^:]+: .+' "$msg"

log "TXN_ADD is all or nothing, TXN_DEL too unless DEL_ABSENT (scratch namespace)"
_run nsx "$S" $NLCLIENT all-or-none
rc=$?
sed 's/^/#   /' "$T/last.out"
expect_eq "nlclient all-or-none" 0 "$rc"
expect_eq "the CLI sees the last transaction's policy" "10.6.0.0/16" "$(nf_rules "$S")"
finish
