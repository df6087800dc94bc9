#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "dir out" never lets anyone connect in: with 10.0.1.2 tcp 443 allowlisted
# (the host may connect to it), the peer that owns 10.0.1.2 sends a SYN from
# source port 443 to a port the host listens on. It matches the rule only as
# a reply, and a reply-direction SYN without ACK is dropped: the listener
# sees nothing and netfence counts a drop. Control: the same SYN passes once
# a "dir in" rule for the listening port exists.
# timeout: 600
. "$(dirname "$0")/lib.sh"
nf_init

ns_new H host
ns_new M mgmt
veth "$H" m0 "$M" eth0
addr "$H" m0 10.0.1.1/24 fd00:1::1/64
addr "$M" eth0 10.0.1.2/24 fd00:1::2/64
serve htcp "$H" tcp 8080

expect_ok "isolate: host may connect to tcp 443 of mgmt" nf "$H" isolate \
	-a '10.0.1.2 proto tcp port 443' -a 'fd00:1::2 proto tcp port 443'
expect_isolated "$H" true 6

for v in 4 6; do
	src=10.0.1.2 dst=10.0.1.1 fam=ipv4
	[ $v = 6 ] && src=fd00:1::2 dst=fd00:1::1 fam=ipv6
	n=$(hits htcp)
	p=$(snmp "$H" TcpPassiveOpens)
	d=$(nf_counter "$H" $fam local_in dropped_packets)
	expect_fail "SYN from $src port 443 to host tcp 8080 does not connect (v$v)" \
		tcp "$M" "$dst" 8080 --src "$src" --sport 443
	expect_eq "host's listener accepted nothing (v$v)" "$n" "$(hits htcp)"
	expect_eq "host's TCP saw no passive open (v$v)" "$p" "$(snmp "$H" TcpPassiveOpens)"
	expect_drop_delta "the SYN was counted as dropped" "$H" $fam local_in "$d" 1
	expect_eq "the tcp 443 rule has no hit (v$v)" 0 "$(nf_hits "$H" "$src proto tcp port 443")"
done

log "control: a dir in rule for local port 8080 admits the same SYN"
expect_ok "allow add 10.0.1.2 proto tcp port 8080 dir in" \
	nf "$H" allow add 10.0.1.2 proto tcp port 8080 dir in
expect_ok "allow add fd00:1::2 proto tcp port 8080 dir in" \
	nf "$H" allow add fd00:1::2 proto tcp port 8080 dir in
for v in 4 6; do
	src=10.0.1.2 dst=10.0.1.1
	[ $v = 6 ] && src=fd00:1::2 dst=fd00:1::1
	n=$(hits htcp)
	expect_ok "SYN from $src port 443 to tcp 8080 connects under the dir in rule (v$v)" \
		tcp "$M" "$dst" 8080 --src "$src" --sport 443
	wait_hits htcp "$n"
	expect_eq "host's listener accepted it (v$v)" $((n + 1)) "$(hits htcp)"
	# Only the SYN must use it: later segments also match the tcp 443 rule.
	expect_ge "hits of the dir in rule (v$v)" 1 "$(nf_hits "$H" "$src proto tcp port 8080 dir in")"
done
finish
