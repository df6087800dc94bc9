#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Basic isolation, IPv4 and IPv6: the host namespace is isolated with an
# allowlist holding one TCP endpoint of the management peer. A peer that is
# not allowlisted is unreachable in both directions for ICMP, TCP and UDP; a
# real HTTP session to the allowlisted endpoint works; release restores
# everything. Every expectation is checked where the packet would arrive and
# in netfence's counters.
# timeout: 1200
. "$(dirname "$0")/lib.sh"
nf_init

# Topology: mgmt (allowlisted) -- host -- other (not allowlisted).
ns_new H host
ns_new M mgmt
ns_new X other
veth "$H" m0 "$M" eth0
veth "$H" x0 "$X" eth0
addr "$H" m0 10.0.1.1/24 fd00:1::1/64
addr "$M" eth0 10.0.1.2/24 fd00:1::2/64
addr "$H" x0 10.0.2.1/24 fd00:2::1/64
addr "$X" eth0 10.0.2.2/24 fd00:2::2/64

bg web "$M" $PY -m http.server 443 --bind ::
wait_listen "$M" tcp 443 || die "http server did not start"
serve mudp "$M" udp 5000
serve xtcp "$X" tcp 80
serve xudp "$X" udp 5000
serve htcp "$H" tcp 8080
serve hudp "$H" udp 5000

peer4=10.0.2.2 peer6=fd00:2::2 host4=10.0.2.1 host6=fd00:2::1

# reach_all WHAT: every probe between host and other succeeds (before
# isolation and after release), counted at the receiver.
reach_all() {
	local v dst src n
	for v in 4 6; do
		eval "dst=\$peer$v src=\$host$v"
		expect_ok "$1: host pings other (v$v)" ping$v "$H" "$dst"
		expect_ok "$1: other pings host (v$v)" ping$v "$X" "$src"
		n=$(hits xtcp)
		expect_ok "$1: host connects to other tcp 80 (v$v)" tcp "$H" "$dst" 80
		wait_hits xtcp "$n"
		expect_eq "$1: other's tcp server logged the connection (v$v)" $((n + 1)) "$(hits xtcp)"
		n=$(hits xudp)
		expect_ok "$1: host sends udp to other (v$v)" udp "$H" "$dst" 5000
		wait_hits xudp "$n"
		expect_eq "$1: other's udp server got the datagram (v$v)" $((n + 1)) "$(hits xudp)"
		n=$(hits htcp)
		expect_ok "$1: other connects to host tcp 8080 (v$v)" tcp "$X" "$src" 8080
		wait_hits htcp "$n"
		expect_eq "$1: host's tcp server logged the connection (v$v)" $((n + 1)) "$(hits htcp)"
		n=$(hits hudp)
		expect_ok "$1: other sends udp to host (v$v)" udp "$X" "$src" 5000
		wait_hits hudp "$n"
		expect_eq "$1: host's udp server got the datagram (v$v)" $((n + 1)) "$(hits hudp)"
	done
}

nft_hooks() {
	nsx "$H" nft list hooks 2>&1 | grep -c netfence
}

log "before isolation: everything reachable"
expect_isolated "$H" false 0
reach_all "released"

log "isolate host: only tcp 443 of mgmt allowed"
expect_ok "isolate with two rules" nf "$H" isolate \
	-a '10.0.1.2 proto tcp port 443' -a 'fd00:1::2 proto tcp port 443'
expect_isolated "$H" true 6
expect_eq "status counts 2 rules" 2 "$(nf_get "$H" .rules)"
if [ "$FLAVOR" = debug ]; then
	expect_ge "nft list hooks shows netfence's 6 hooks in the host netns" 6 "$(nft_hooks)"
	expect_eq "no netfence hook in the other netns" 0 \
		"$(nsx "$X" nft list hooks 2>&1 | grep -c netfence)"
else
	log "nft list hooks check skipped: the distro kernel has no nfnetlink_hook"
fi

log "allowlisted endpoint: a real HTTP session works"
a4=$(nf_counter "$H" ipv4 local_out accepted_packets)
a6=$(nf_counter "$H" ipv6 local_out accepted_packets)
for url in http://10.0.1.2:443/ 'http://[fd00:1::2]:443/'; do
	expect_eq "curl $url answers 200" 200 \
		"$(nsx "$H" curl -s -m 10 -o /dev/null -w '%{http_code}' "$url")"
done
expect_eq "mgmt's web server logged both requests" 2 "$(grep -c '"GET / HTTP' "$T/web.log")"
expect_ge "hits of rule 10.0.1.2 proto tcp port 443" 4 "$(nf_hits "$H" '10.0.1.2 proto tcp port 443')"
expect_ge "hits of rule fd00:1::2 proto tcp port 443" 4 "$(nf_hits "$H" 'fd00:1::2 proto tcp port 443')"
expect_ge "ipv4 local_out accepted counter grew" $((a4 + 4)) "$(nf_counter "$H" ipv4 local_out accepted_packets)"
expect_ge "ipv6 local_out accepted counter grew" $((a6 + 4)) "$(nf_counter "$H" ipv6 local_out accepted_packets)"

log "allowlisted address, other port or other protocol: dropped"
n=$(hits mudp)
expect_fail "host cannot send udp 5000 to mgmt" udp "$H" 10.0.1.2 5000
expect_fail "host cannot ping mgmt" ping4 "$H" 10.0.1.2
expect_fail "mgmt cannot connect to host tcp 8080" tcp "$M" 10.0.1.1 8080
expect_eq "mgmt's udp server got nothing" "$n" "$(hits mudp)"

log "non-allowlisted peer: nothing passes, either way"
for v in 4 6; do
	eval "dst=\$peer$v src=\$host$v"
	icmp=IcmpInEchos
	[ $v = 6 ] && icmp=Icmp6InEchos
	fam=ipv$v

	d=$(nf_counter "$H" $fam local_out dropped_packets)
	e=$(snmp "$X" $icmp)
	expect_fail "host cannot ping other (v$v)" ping$v "$H" "$dst"
	expect_eq "other received no echo request (v$v)" "$e" "$(snmp "$X" $icmp)"
	expect_drop_delta "echo request counted as dropped" "$H" $fam local_out "$d" 1

	d=$(nf_counter "$H" $fam local_out dropped_packets)
	n=$(hits xtcp)
	expect_fail "host cannot connect to other tcp 80 (v$v)" tcp "$H" "$dst" 80
	expect_eq "other's tcp server saw nothing (v$v)" "$n" "$(hits xtcp)"
	expect_drop_delta "SYN counted as dropped" "$H" $fam local_out "$d" 1

	d=$(nf_counter "$H" $fam local_out dropped_packets)
	n=$(hits xudp)
	expect_fail "host cannot send udp to other (v$v)" udp "$H" "$dst" 5000 --count 3
	sleep 0.5
	expect_eq "other's udp server got nothing (v$v)" "$n" "$(hits xudp)"
	expect_drop_delta "3 datagrams counted as dropped" "$H" $fam local_out "$d" 3

	d=$(nf_counter "$H" $fam local_in dropped_packets)
	e=$(snmp "$H" $icmp)
	expect_fail "other cannot ping host (v$v)" ping$v "$X" "$src"
	expect_eq "host's ICMP layer saw no echo request (v$v)" "$e" "$(snmp "$H" $icmp)"
	expect_drop_delta "inbound echo request counted as dropped" "$H" $fam local_in "$d" 1

	d=$(nf_counter "$H" $fam local_in dropped_packets)
	n=$(hits htcp)
	expect_fail "other cannot connect to host tcp 8080 (v$v)" tcp "$X" "$src" 8080
	expect_eq "host's tcp server saw nothing (v$v)" "$n" "$(hits htcp)"
	expect_drop_delta "inbound SYN counted as dropped" "$H" $fam local_in "$d" 1

	d=$(nf_counter "$H" $fam local_in dropped_packets)
	n=$(hits hudp)
	expect_ok "other sends 3 udp datagrams to host (v$v)" udp "$X" "$src" 5000 --count 3
	sleep 0.5
	expect_eq "host's udp server got nothing (v$v)" "$n" "$(hits hudp)"
	expect_drop_delta "3 inbound datagrams counted as dropped" "$H" $fam local_in "$d" 3
done

log "release: everything reachable again"
expect_ok "release" nf "$H" release
expect_isolated "$H" false 0
expect_eq "policy kept after release" 2 "$(nf_get "$H" .rules)"
if [ "$FLAVOR" = debug ]; then
	expect_eq "nft list hooks shows no netfence hook after release" 0 "$(nft_hooks)"
fi
reach_all "released again"
expect_ok "release again is idempotent" nf "$H" release
finish
