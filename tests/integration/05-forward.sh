#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# FORWARD: a "container" namespace is routed through the host namespace.
# Isolating the host also covers the container: its traffic to an
# allowlisted endpoint is forwarded, everything else is dropped by the
# host's FORWARD hook (both directions), and a reply-direction SYN from the
# allowlisted endpoint's port does not open a connection to the container.
# timeout: 1200
. "$(dirname "$0")/lib.sh"
nf_init

# container -- host (router) -- mgmt (allowlisted web server on port 80)
#                            \-- other
ns_new H host
ns_new C container
ns_new M mgmt
ns_new X other
veth "$H" c0 "$C" eth0
veth "$H" m0 "$M" eth0
veth "$H" x0 "$X" eth0
addr "$H" c0 10.0.5.1/24 fd00:5::1/64
addr "$C" eth0 10.0.5.2/24 fd00:5::2/64
addr "$H" m0 10.0.1.1/24 fd00:1::1/64
addr "$M" eth0 10.0.1.2/24 fd00:1::2/64
addr "$H" x0 10.0.2.1/24 fd00:2::1/64
addr "$X" eth0 10.0.2.2/24 fd00:2::2/64
forwarding "$H"
route "$C" default 10.0.5.1
route "$C" default fd00:5::1
for ns in "$M" "$X"; do
	gw4=10.0.1.1 gw6=fd00:1::1
	[ "$ns" = "$X" ] && gw4=10.0.2.1 gw6=fd00:2::1
	route "$ns" 10.0.5.0/24 $gw4
	route "$ns" fd00:5::/64 $gw6
done

bg web "$M" $PY -m http.server 80 --bind ::
wait_listen "$M" tcp 80 || die "web server did not start"
serve mudp "$M" udp 5000
serve xtcp "$X" tcp 80
serve xudp "$X" udp 5000
serve ctcp "$C" tcp 8080
serve cudp "$C" udp 5000

log "before isolation the container reaches other"
expect_ok "container connects to other tcp 80" tcp "$C" 10.0.2.2 80
expect_ok "other connects to container tcp 8080" tcp "$X" 10.0.5.2 8080

expect_ok "isolate host: tcp 80 of mgmt only" nf "$H" isolate \
	-a '10.0.1.2 proto tcp port 80' -a 'fd00:1::2 proto tcp port 80'
expect_isolated "$H" true 6

log "allowlisted destination: forwarded"
f4=$(nf_counter "$H" ipv4 forward accepted_packets)
f6=$(nf_counter "$H" ipv6 forward accepted_packets)
for url in http://10.0.1.2/ 'http://[fd00:1::2]/'; do
	expect_eq "container: curl $url answers 200" 200 \
		"$(nsx "$C" curl -s -m 10 -o /dev/null -w '%{http_code}' "$url")"
done
expect_eq "mgmt's web server logged both requests" 2 "$(grep -c '"GET / HTTP' "$T/web.log")"
expect_ge "ipv4 forward accepted counter grew" $((f4 + 4)) "$(nf_counter "$H" ipv4 forward accepted_packets)"
expect_ge "ipv6 forward accepted counter grew" $((f6 + 4)) "$(nf_counter "$H" ipv6 forward accepted_packets)"
expect_ge "hits of 10.0.1.2 proto tcp port 80" 4 "$(nf_hits "$H" '10.0.1.2 proto tcp port 80')"
expect_ge "hits of fd00:1::2 proto tcp port 80" 4 "$(nf_hits "$H" 'fd00:1::2 proto tcp port 80')"
expect_eq "host itself reaches mgmt too" 200 \
	"$(nsx "$H" curl -s -m 10 -o /dev/null -w '%{http_code}' http://10.0.1.2/)"

log "everything else: dropped in FORWARD"
for v in 4 6; do
	fam=ipv$v
	if [ $v = 4 ]; then c=10.0.5.2 x=10.0.2.2 m=10.0.1.2 icmp=IcmpInEchos
	else c=fd00:5::2 x=fd00:2::2 m=fd00:1::2 icmp=Icmp6InEchos; fi

	d=$(nf_counter "$H" $fam forward dropped_packets)
	e=$(snmp "$X" $icmp)
	expect_fail "container cannot ping other (v$v)" ping$v "$C" "$x"
	expect_eq "other received no echo request (v$v)" "$e" "$(snmp "$X" $icmp)"
	n=$(hits xtcp)
	expect_fail "container cannot connect to other tcp 80 (v$v)" tcp "$C" "$x" 80
	expect_eq "other's tcp server saw nothing (v$v)" "$n" "$(hits xtcp)"
	n=$(hits xudp)
	expect_ok "container sends udp to other (v$v)" udp "$C" "$x" 5000 --count 2
	n2=$(hits mudp)
	expect_ok "container sends udp 5000 to mgmt (v$v)" udp "$C" "$m" 5000 --count 2
	sleep 0.5
	expect_eq "other's udp server got nothing (v$v)" "$n" "$(hits xudp)"
	expect_eq "mgmt's udp 5000 got nothing (v$v)" "$n2" "$(hits mudp)"
	expect_drop_delta "container's packets dropped in forward" "$H" $fam forward "$d" 6

	d=$(nf_counter "$H" $fam forward dropped_packets)
	e=$(snmp "$C" $icmp)
	expect_fail "other cannot ping container (v$v)" ping$v "$X" "$c"
	expect_eq "container received no echo request (v$v)" "$e" "$(snmp "$C" $icmp)"
	n=$(hits ctcp)
	expect_fail "other cannot connect to container tcp 8080 (v$v)" tcp "$X" "$c" 8080
	expect_fail "mgmt cannot connect to container tcp 8080 (v$v)" tcp "$M" "$c" 8080
	expect_eq "container's tcp server saw nothing (v$v)" "$n" "$(hits ctcp)"
	n=$(hits cudp)
	expect_ok "other sends udp to container (v$v)" udp "$X" "$c" 5000 --count 2
	sleep 0.5
	expect_eq "container's udp server got nothing (v$v)" "$n" "$(hits cudp)"
	expect_drop_delta "inbound packets dropped in forward" "$H" $fam forward "$d" 6
done

log "a SYN from mgmt's allowlisted port 80 does not open a connection to the container"
stop "$web_pid"
for v in 4 6; do
	c=10.0.5.2 m=10.0.1.2
	[ $v = 6 ] && c=fd00:5::2 m=fd00:1::2
	n=$(hits ctcp)
	d=$(nf_counter "$H" ipv$v forward dropped_packets)
	expect_fail "SYN from $m port 80 to container tcp 8080 is dropped (v$v)" \
		tcp "$M" "$c" 8080 --src "$m" --sport 80
	expect_eq "container's tcp server saw nothing (v$v)" "$n" "$(hits ctcp)"
	expect_drop_delta "the SYN was dropped in forward" "$H" ipv$v forward "$d" 1
done

log "release: forwarding unfiltered again"
expect_ok "release" nf "$H" release
expect_isolated "$H" false 0
expect_ok "container pings other again" ping4 "$C" 10.0.2.2
expect_ok "container connects to other again" tcp "$C" fd00:2::2 80
expect_ok "other connects to container again" tcp "$X" 10.0.5.2 8080
finish
