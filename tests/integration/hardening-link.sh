#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The link-layer stage: what never crosses the IP hooks.
#
# Topology: host H (isolated) -- N over a veth pair (r0 / eth0), with VLAN
# 10 on top (r0.10 / eth0.10). N holds 10.0.24.2 (the server the rules
# name) and 10.0.24.3 (a host no rule names). Each attack below went
# through before the stage existed (AF_PACKET needs CAP_NET_RAW, which
# Docker's default capabilities include):
# - an IPv4/UDP datagram built by hand and sent from a packet socket;
# - the same inside a VLAN tag written into the frame;
# - a frame of a private EtherType, sent or received by a packet socket;
# - the same from a device created, or moved into the namespace, after
#   isolation.
# What must keep working: ARP, IP over the VLAN device, link-control
# frames (LLDP), and EtherTypes the policy names.
# timeout: 900
. "$(dirname "$0")/lib.sh"
nf_init

ns_new H host
ns_new N net
veth "$H" r0 "$N" eth0
addr "$H" r0 10.0.24.1/24
addr "$N" eth0 10.0.24.2/24 10.0.24.3/24
ip -n "$H" link add link r0 name r0.10 type vlan id 10 || die "vlan in H"
ip -n "$N" link add link eth0 name eth0.10 type vlan id 10 || die "vlan in N"
ip -n "$H" link set r0.10 up
ip -n "$N" link set eth0.10 up
addr "$H" r0.10 10.0.25.1/24
addr "$N" eth0.10 10.0.25.2/24
NMAC=$(ip -n "$N" -j link show eth0 | "$PROBE" json '.[0].address')

# Counted as they arrive at N (netdev ingress sees every frame).
nsx "$N" nft -f - <<'EON' || die "nft watch table"
table netdev watch {
	counter udp9999 {}
	counter vlan20 {}
	counter private {}
	counter lldp {}
	chain in {
		type filter hook ingress device eth0 priority 0; policy accept;
		ether type ip udp dport 9999 counter name udp9999
		vlan id 20 counter name vlan20
		ether type 0x88b5 counter name private
		ether daddr 01:80:c2:00:00:0e counter name lldp
	}
}
EON
# lcount NAME: packets of counter NAME of N's netdev watch table.
lcount() {
	nsx "$N" nft list counter netdev watch "$1" | awk '$1 == "packets" { print $2 }'
}

serve p2 "$N" tcp 8080 --bind 10.0.24.2
serve v2 "$N" tcp 8081 --bind 10.0.25.2
serve z "$N" udp 9999

expect_ok "isolate: only tcp 8080 on 10.0.24.2 and 8081 on 10.0.25.2" nf "$H" isolate \
	-a '10.0.24.2 proto tcp port 8080' -a '10.0.25.2 proto tcp port 8081'
expect_eq "status: link-layer stage on r0 and r0.10" 2 "$(nf_get "$H" .link_devices)"
expect_match "status says so in words" 'link: +2 devices' "$(nf "$H" status)"

log "IP sent from a packet socket is judged by the rules"
n=$(hits z)
d=$(nf_counter "$H" ipv4 link_out dropped_packets)
_run nsx "$H" $PYPROBE l2udp r0 "$NMAC" 10.0.24.1 10.0.24.3 9999
_run nsx "$H" $PYPROBE l2udp r0 "$NMAC" 10.0.24.1 10.0.24.3 9999 --vlan 20
sleep 1
expect_eq "no hand-built datagram reached N" 0 "$(lcount udp9999)"
expect_eq "no VLAN-tagged one either" 0 "$(lcount vlan20)"
expect_eq "N's udp 9999 server got nothing" "$n" "$(hits z)"
expect_drop_delta "both counted as dropped at link_out" "$H" ipv4 link_out "$d" 2

log "other EtherTypes are dropped both ways"
d=$(nf_counter "$H" link link_out dropped_packets)
_run nsx "$H" $PYPROBE l2send r0 "$NMAC" 0x88b5
sleep 1
expect_eq "no frame of type 0x88b5 reached N" 0 "$(lcount private)"
expect_drop_delta "counted as a dropped link frame" "$H" link link_out "$d" 1
HMAC=$(ip -n "$H" -j link show r0 | "$PROBE" json '.[0].address')
bg l2rx "$H" $PYPROBE l2recv r0 0x88b5 --timeout 4
sleep 1
d=$(nf_counter "$H" link link_in dropped_packets)
_run nsx "$N" $PYPROBE l2send eth0 "$HMAC" 0x88b5
wait "$l2rx_pid"
expect_match "a packet socket in H received no frame of type 0x88b5" '^received 0$' \
	"$(cat "$T/l2rx.log")"
expect_drop_delta "counted as a dropped link frame (link_in)" "$H" link link_in "$d" 1

log "what must keep working"
ip -n "$H" neigh flush dev r0
ip -n "$H" neigh flush dev r0.10
n=$(hits p2)
expect_ok "tcp to 10.0.24.2:8080 after an ARP flush" tcp "$H" 10.0.24.2 8080
wait_hits p2 "$n"
expect_match "10.0.24.2 resolved by ARP" 'lladdr' "$(ip -n "$H" neigh show 10.0.24.2)"
n=$(hits v2)
expect_ok "tcp to 10.0.25.2:8081 over VLAN 10" tcp "$H" 10.0.25.2 8081
wait_hits v2 "$n"
_run nsx "$H" $PYPROBE l2send r0 01:80:c2:00:00:0e 0x88cc
sleep 1
expect_eq "an LLDP frame reached N" 1 "$(lcount lldp)"
expect_ok "isolate again, EtherType 0x88b5 allowed" nf "$H" isolate --ethertype 0x88b5 \
	-a '10.0.24.2 proto tcp port 8080'
expect_eq "status lists it" 0x88b5 "$(nf_get "$H" '.ethertypes[0]')"
_run nsx "$H" $PYPROBE l2send r0 "$NMAC" 0x88b5
sleep 1
expect_eq "the allowed frame of type 0x88b5 reached N" 1 "$(lcount private)"
expect_ok "save and restore keep it" sh -c "'$NF' -n '$H' save > '$T/saved' &&
	grep -qx 'option ethertype 0x88b5' '$T/saved' && '$NF' -n '$H' restore '$T/saved'"
expect_eq "still listed after restore" 0x88b5 "$(nf_get "$H" '.ethertypes[0]')"
expect_ok "isolate again without it" nf "$H" isolate -a '10.0.24.2 proto tcp port 8080'

log "devices created or moved in after isolation are covered"
veth "$H" r1 "$N" eth1
ip -n "$N" link add mv0 type dummy || die "dummy in N"
ip -n "$N" link set mv0 netns "$H" || die "move mv0 into H"
expect_eq "status: r0, r0.10, r1 and mv0 under the stage" 4 "$(nf_get "$H" .link_devices)"
N1MAC=$(ip -n "$N" -j link show eth1 | "$PROBE" json '.[0].address')
nsx "$N" nft add chain netdev watch in1 \
	'{ type filter hook ingress device eth1 priority 0; policy accept; }' || die "nft in1"
nsx "$N" nft add rule netdev watch in1 ether type 0x88b5 counter name private ||
	die "nft rule in1"
c=$(lcount private)
_run nsx "$H" $PYPROBE l2send r1 "$N1MAC" 0x88b5
sleep 1
expect_eq "no frame of type 0x88b5 left through the new device" "$c" "$(lcount private)"
ip -n "$H" link del r1
expect_eq "status: r1 gone" 3 "$(nf_get "$H" .link_devices)"
expect_ok "release" nf "$H" release
expect_eq "status: no device under the stage once released" 0 "$(nf_get "$H" .link_devices)"
_run nsx "$H" $PYPROBE l2send r0 "$NMAC" 0x88b5
sleep 1
expect_eq "released: the frame goes through again (control)" $((c + 1)) "$(lcount private)"
finish
