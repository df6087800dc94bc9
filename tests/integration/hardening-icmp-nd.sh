#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ICMP errors, IPv6 neighbour discovery and MLD pass only as what they are.
#
# Topology: host H (isolated) -- N, where N holds 10.0.22.2 (the resolver
# the rules name) and 10.0.22.3 (a host no rule names), plus fd00:99::3
# behind it (a route via N). Each attack below went through while these
# allowances were address-blind (from a raw socket, CAP_NET_RAW):
# - an ICMP error quoting an allowed flow, sent to a host no rule names;
# - an ICMP error quoting an allowed flow from an off-path host;
# - a "neighbour solicitation" routed off the link, or at hop limit 64;
# - a "router advertisement" from a global address.
# What must keep working: address resolution by global address, SLAAC,
# MLD reports, and path MTU discovery through a router (second topology:
# H2 -- router -- S over a 1280-byte link).
# timeout: 900
. "$(dirname "$0")/lib.sh"
nf_init

ns_new H host
ns_new N net
veth "$H" r0 "$N" eth0
addr "$H" r0 10.0.22.1/24 fd00:22::1/64
addr "$N" eth0 10.0.22.2/24 10.0.22.3/24 fd00:22::2/64 fd00:22::3/64
ip -n "$N" -6 addr add fd00:99::3/128 dev lo || die "fd00:99::3"
route "$H" fd00:99::/64 fd00:22::2

# count_above NS COUNTER N: the watch counter COUNTER in NS is above N.
count_above() { [ "$(nft_count "$1" "$2")" -gt "$3" ]; }

# Counted where the packets arrive (prerouting: MLD goes to groups N
# itself has not joined).
nsx "$N" nft -f - <<'EON' || die "nft watch table"
table inet watch {
	counter err_to_3 {}
	counter err6_to_3 {}
	counter ns_routed {}
	counter ns_hl64 {}
	counter mld {}
	chain pre {
		type filter hook prerouting priority 0; policy accept;
		ip saddr 10.0.22.1 ip daddr 10.0.22.3 icmp type destination-unreachable counter name err_to_3
		ip6 saddr fd00:22::1 ip6 daddr fd00:22::3 icmpv6 type destination-unreachable counter name err6_to_3
		ip6 daddr fd00:99::3 icmpv6 type nd-neighbor-solicit counter name ns_routed
		ip6 daddr fd00:22::3 icmpv6 type nd-neighbor-solicit ip6 hoplimit 64 counter name ns_hl64
		icmpv6 type mld2-listener-report counter name mld
	}
}
EON

expect_ok "isolate: the resolver (v4, v6) and icmpv6 with fd00:22::2" nf "$H" isolate \
	-a '10.0.22.2 proto udp port 53' -a 'fd00:22::2 proto udp port 53' \
	-a 'fd00:22::2 proto icmpv6'

log "ICMP errors go to the source of the packet they quote, and nowhere else"
d4=$(nf_counter "$H" ipv4 local_out dropped_packets)
d6=$(nf_counter "$H" ipv6 local_out dropped_packets)
_run nsx "$H" $PYPROBE icmperr 10.0.22.1 10.0.22.3 10.0.22.2 53 10.0.22.1 40000
_run nsx "$H" $PYPROBE icmperr fd00:22::1 fd00:22::3 fd00:22::2 53 fd00:22::1 40000
sleep 1
expect_eq "no error quoting the resolver's packet reached 10.0.22.3" 0 "$(nft_count "$N" err_to_3)"
expect_eq "no error quoting the resolver's packet reached fd00:22::3" 0 "$(nft_count "$N" err6_to_3)"
expect_drop_delta "counted as dropped (v4)" "$H" ipv4 local_out "$d4" 1
expect_drop_delta "counted as dropped (v6)" "$H" ipv6 local_out "$d6" 1

log "an off-path host sends errors about a flow that does not exist"
e4=$(snmp "$H" IcmpInDestUnreachs)
e6=$(snmp "$H" Icmp6InDestUnreachs)
_run nsx "$N" $PYPROBE icmperr 10.0.22.3 10.0.22.1 10.0.22.1 40000 10.0.22.2 53
_run nsx "$N" $PYPROBE icmperr fd00:22::3 fd00:22::1 fd00:22::1 40000 fd00:22::2 53
sleep 1
expect_eq "the host's ICMP stack got none (v4)" "$e4" "$(snmp "$H" IcmpInDestUnreachs)"
expect_eq "the host's ICMPv6 stack got none" "$e6" "$(snmp "$H" Icmp6InDestUnreachs)"

log "neighbour discovery stays on the link"
d6=$(nf_counter "$H" ipv6 local_out dropped_packets)
_run nsx "$H" $PYPROBE icmp6 fd00:22::1 fd00:99::3 135
_run nsx "$H" $PYPROBE icmp6 fd00:22::1 fd00:22::3 135 --hlim 64
sleep 1
expect_eq "no solicitation routed to fd00:99::3" 0 "$(nft_count "$N" ns_routed)"
expect_eq "no solicitation with hop limit 64 reached fd00:22::3" 0 "$(nft_count "$N" ns_hl64)"
expect_drop_delta "both counted as dropped" "$H" ipv6 local_out "$d6" 2
# What reaches the host's input past netfence (N's own address resolution
# sends real solicitations, at hop limit 255, meanwhile).
nsx "$H" nft -f - <<'EON' || die "nft watch table in H"
table inet watch {
	counter ns_hl64 {}
	chain in {
		type filter hook input priority 0; policy accept;
		icmpv6 type nd-neighbor-solicit ip6 hoplimit 64 counter name ns_hl64
	}
}
EON
ra=$(snmp "$H" Icmp6InRouterAdvertisements)
_run nsx "$N" $PYPROBE icmp6 fd00:22::2 fd00:22::1 134
_run nsx "$N" $PYPROBE icmp6 fd00:22::3 fd00:22::1 135 --hlim 64
sleep 1
expect_eq "a router advertisement from a global address is not delivered" "$ra" \
	"$(snmp "$H" Icmp6InRouterAdvertisements)"
expect_eq "a solicitation with hop limit 64 is not delivered" 0 "$(nft_count "$H" ns_hl64)"

log "what must keep working: address resolution, SLAAC, MLD"
ip -n "$H" -6 neigh flush dev r0
expect_ok "ping6 fd00:22::2 after a neighbour flush" ping6 "$H" fd00:22::2
expect_match "fd00:22::2 resolved" 'lladdr' "$(ip -n "$H" -6 neigh show fd00:22::2)"
nsx "$H" sysctl -qw net.ipv6.conf.r0.accept_ra=2 net.ipv6.conf.r0.autoconf=1
expect_ok "N advertises fd00:77::/64" nsx "$N" $PYPROBE ra eth0 fd00:77::
wait_for 10 sh -c "ip -n '$H' -6 addr show dev r0 | grep -q 'inet6 fd00:77:'"
expect_match "the host configured an address in fd00:77::/64 (SLAAC)" 'inet6 fd00:77:' \
	"$(ip -n "$H" -6 addr show dev r0)"
m=$(nft_count "$N" mld)
bg join "$H" socat -u 'UDP6-RECV:5000,ipv6-join-group=[ff02::1:3]:r0' -
wait_for 10 count_above "$N" mld "$m"
expect_ge "N saw the host's MLD report for ff02::1:3" $((m + 1)) "$(nft_count "$N" mld)"

log "path MTU discovery through a router (errors from an address no rule names)"
ns_new H2 pmtuhost
ns_new R router
ns_new S server
veth "$H2" r0 "$R" eth0
veth "$R" eth1 "$S" eth0
addr "$H2" r0 10.0.30.1/24 fd00:30::1/64
addr "$R" eth0 10.0.30.2/24 fd00:30::2/64
addr "$R" eth1 10.0.31.1/24 fd00:31::1/64
addr "$S" eth0 10.0.31.2/24 fd00:31::2/64
ip -n "$R" link set eth1 mtu 1280
route "$H2" default 10.0.30.2
route "$H2" default fd00:30::2
route "$S" default 10.0.31.1
route "$S" default fd00:31::1
forwarding "$R"
bg sink4 "$S" socat -u TCP4-LISTEN:8080,reuseaddr "CREATE:$T/recv4"
bg sink6 "$S" socat -u TCP6-LISTEN:8081,reuseaddr "CREATE:$T/recv6"
wait_listen "$S" tcp 8081 || die "sinks did not start"
expect_ok "isolate H2: only S's two ports" nf "$H2" isolate \
	-a '10.0.31.2 proto tcp port 8080' -a 'fd00:31::2 proto tcp port 8081'

# size_is FILE BYTES
size_is() { [ "$(stat -c %s "$1" 2>/dev/null)" = "$2" ]; }

e4=$(snmp "$H2" IcmpInDestUnreachs)
e6=$(snmp "$H2" Icmp6InPktTooBigs)
_run nsx "$H2" sh -c 'head -c 300000 /dev/zero | socat -u - TCP4:10.0.31.2:8080'
wait_for 40 size_is "$T/recv4" 300000
expect_eq "S received all 300000 bytes over IPv4" 300000 "$(stat -c %s "$T/recv4")"
expect_ge "H2 received 'fragmentation needed' from the router" $((e4 + 1)) \
	"$(snmp "$H2" IcmpInDestUnreachs)"
_run nsx "$H2" sh -c 'head -c 300000 /dev/zero | socat -u - TCP6:[fd00:31::2]:8081'
wait_for 40 size_is "$T/recv6" 300000
expect_eq "S received all 300000 bytes over IPv6" 300000 "$(stat -c %s "$T/recv6")"
expect_ge "H2 received 'packet too big' from the router" $((e6 + 1)) \
	"$(snmp "$H2" Icmp6InPktTooBigs)"
finish
