#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The DHCP allowance (policy flags dhcp4/dhcp6, default on) is not a UDP
# tunnel: only well-formed client messages leave, to the broadcast or
# multicast address or to a server learned from an accepted reply, and only
# replies whose transaction id matches a request sent moments ago come in.
# Real clients (this probe over UDP sockets, busybox udhcpc, a DHCPv6
# exchange) keep getting, renewing and releasing leases from dnsmasq,
# also through a dnsmasq relay agent.
# timeout: 900
. "$(dirname "$0")/lib.sh"
nf_init

ns_new L isolated
ns_new N neighbour
ns_new D dhcpserver
veth "$L" n0 "$N" eth0
veth "$L" d0 "$D" eth0
addr "$L" n0 10.0.6.1/24 fd00:6::1/64
# 10.0.6.3: a second address of the neighbour, named as server by a reply.
addr "$N" eth0 10.0.6.2/24 10.0.6.3/24 fd00:6::2/64
addr "$D" eth0 10.0.7.1/24 fd00:7::1/64

log "outbound: port 68 -> 67 reaches no host that is not a DHCP server"
serve n67 "$N" udp 67
expect_ok "isolate with the default policy (dhcp4, dhcp6 on)" nf "$L" isolate
d4=$(nf_counter "$L" ipv4 local_out dropped_packets)
n=$(hits n67)
_run udp "$L" 10.0.6.2 67 --sport 68
sleep 1
expect_eq "junk from udp 68 to a non-DHCP host's port 67: not received" "$n" "$(hits n67)"
expect_drop_delta "the junk datagram was counted as dropped" "$L" ipv4 local_out "$d4" 1
d4=$(nf_counter "$L" ipv4 local_out dropped_packets)
_run nsx "$L" $PYPROBE bootp 10.0.6.2 67 --xid 0x01020304
sleep 1
expect_eq "a well-formed BOOTREQUEST unicast to a host no reply named: not received" \
	"$n" "$(hits n67)"
expect_drop_delta "the BOOTREQUEST was counted as dropped" "$L" ipv4 local_out "$d4" 1
# What stays open, and is documented: well-formed broadcast requests reach
# the local link (this also proves the listener above works).
n=$(hits n67)
expect_ok "a broadcast DISCOVER leaves" nsx "$L" $PYPROBE bootp 255.255.255.255 67 \
	--iface n0 --xid 0x05060708
wait_hits n67 "$n"
expect_eq "the local link sees the broadcast DISCOVER" $((n + 1)) "$(hits n67)"

log "inbound: port 67 -> 68 only as the reply to a request"
serve l68 "$L" udp 68
d4=$(nf_counter "$L" ipv4 local_in dropped_packets)
_run udp "$N" 10.0.6.1 68 --sport 67
_run nsx "$N" $PYPROBE bootp 10.0.6.1 68 --sport 67 --op 2 --xid 0x0badf00d
sleep 1
expect_eq "junk and an unsolicited BOOTREPLY to udp 68: not received" 0 "$(hits l68)"
expect_drop_delta "both were counted as dropped" "$L" ipv4 local_in "$d4" 2
stop "$l68_pid"
bg lreq "$L" $PYPROBE bootp 255.255.255.255 67 --iface n0 --xid 0xa1a1a1a1 --listen 30
wait_for 30 grep -q '^sent' "$T/lreq.log" || fail "the DISCOVER was sent" "$(cat "$T/lreq.log")"
d4=$(nf_counter "$L" ipv4 local_in dropped_packets)
_run nsx "$N" $PYPROBE bootp 10.0.6.1 68 --sport 67 --op 2 --xid 0xa1a1a1a2
_run nsx "$N" $PYPROBE bootp 10.0.6.1 68 --sport 67 --op 2 --xid 0xa1a1a1a1 --server-id 10.0.6.3
if wait_for 20 grep -q 'got op 2 xid 0xa1a1a1a1 from 10.0.6.2' "$T/lreq.log"; then
	pass "the reply with the DISCOVER's xid comes in, from any source (relays)"
else
	fail "the reply with the DISCOVER's xid comes in" "$(cat "$T/lreq.log")"
fi
expect_nomatch "the BOOTREPLY with a wrong xid did not" 'xid 0xa1a1a1a2' "$(cat "$T/lreq.log")"
expect_drop_delta "it was counted as dropped" "$L" ipv4 local_in "$d4" 1
stop "$lreq_pid"
n=$(hits n67)
_run nsx "$L" $PYPROBE bootp 10.0.6.3 67 --xid 0x0a0b0c0d
wait_hits n67 "$n"
expect_eq "unicast to the server the reply named (option 54) is allowed" $((n + 1)) \
	"$(hits n67)"
_run nsx "$L" $PYPROBE bootp 10.0.6.2 67 --xid 0x0a0b0c0e
sleep 1
expect_eq "not to the host that sent the reply but named another server" $((n + 1)) \
	"$(hits n67)"

log "DHCPv6: the same, ports 546 -> 547"
serve n547 "$N" udp 547
d6=$(nf_counter "$L" ipv6 local_out dropped_packets)
_run udp "$L" fd00:6::2 547 --sport 546
_run nsx "$L" $PYPROBE dhcp6msg fd00:6::2 --type 1
sleep 1
expect_eq "junk and a SOLICIT unicast from 546 to a non-server: not received" 0 "$(hits n547)"
expect_drop_delta "both were counted as dropped" "$L" ipv6 local_out "$d6" 2
serve l546 "$L" udp 546
d6=$(nf_counter "$L" ipv6 local_in dropped_packets)
_run udp "$N" fd00:6::1 546 --sport 547
_run nsx "$N" $PYPROBE dhcp6msg fd00:6::1 --type 7 --sport 547 --dport 546
sleep 1
expect_eq "junk and an unsolicited REPLY to udp 546: not received" 0 "$(hits l546)"
expect_drop_delta "both were counted as dropped" "$L" ipv6 local_in "$d6" 2
stop "$l546_pid"

log "dnsmasq: lease, renew and release over UDP sockets, DHCPv6"
expect_ok "release" nf "$L" release
# --log: a drop where none is expected shows in the kernel log.
expect_ok "isolate again: nothing learned yet" nf "$L" isolate --log
chmod 755 "$T"
bg dnsmasq "$D" dnsmasq -k -C /dev/null --port=0 --user=root --group=root \
	--interface=eth0 --bind-interfaces --dhcp-authoritative \
	--dhcp-range=10.0.7.100,10.0.7.150,255.255.255.0,1h \
	--dhcp-range=fd00:7::100,fd00:7::200,64,1h \
	--dhcp-leasefile="$T/leases" --pid-file="$T/dnsmasq.pid" \
	--log-dhcp --log-facility=-
wait_listen "$D" udp 67 || die "dnsmasq did not start: $(cat "$T/dnsmasq.log")"
_run nsx "$L" $PYPROBE dhcp4 d0 --timeout 20
lease=$(awk '$1 == "lease" { print $2 }' "$T/last.out")
if [[ "$lease" == 10.0.7.* ]] && grep -q 'from 10.0.7.1$' "$T/last.out"; then
	pass "DHCPv4 lease over UDP sockets: $(cat "$T/last.out")"
else
	fail "DHCPv4 lease over UDP sockets" "client:" "$(_tail)" \
		"server:" "$(tail -n 8 "$T/dnsmasq.log")"
	lease=10.0.7.100
fi
ip -n "$L" addr add "$lease/24" dev d0
acks=$(grep -c DHCPACK "$T/dnsmasq.log")
expect_ok "renew: REQUEST unicast to the learned server, ACK back" \
	nsx "$L" $PYPROBE dhcp4 d0 --mode renew --server 10.0.7.1 --ciaddr "$lease"
expect_ge "the server acknowledged the renew" $((acks + 1)) "$(grep -c DHCPACK "$T/dnsmasq.log")"
expect_ok "release: RELEASE unicast to the learned server" \
	nsx "$L" $PYPROBE dhcp4 d0 --mode release --server 10.0.7.1 --ciaddr "$lease"
if wait_for 10 grep -q DHCPRELEASE "$T/dnsmasq.log"; then
	pass "the server got the RELEASE"
else
	fail "the server got the RELEASE" "$(tail -n 8 "$T/dnsmasq.log")"
fi
ip -n "$L" -4 addr flush dev d0
_run nsx "$L" $PYPROBE dhcp6 d0 --timeout 20
if grep -q '^lease6 fd00:7::' "$T/last.out"; then
	pass "DHCPv6 lease (SOLICIT, ADVERTISE, REQUEST, REPLY): $(cat "$T/last.out")"
else
	fail "DHCPv6 lease" "client:" "$(_tail)" "server:" "$(tail -n 8 "$T/dnsmasq.log")"
fi

log "busybox udhcpc: lease (packet sockets), renew (UDP, unicast to the server)"
cat >"$T/udhcpc.sh" <<EOF
#!/bin/sh
echo "\$1 \${ip:-} \${serverid:-}" >>"$T/udhcpc.events"
case "\$1" in
bound|renew) ip addr replace "\$ip/\$mask" dev "\$interface" ;;
esac
exit 0
EOF
chmod 755 "$T/udhcpc.sh"
# renew_drops: unicast RENEWs to 10.0.7.1 dropped so far (kernel log of
# policy option log; the counters also count other drops, such as the
# port unreachable for a duplicate ACK nobody listens for).
renew_drops() {
	dmesg | grep -c 'netfence: drop IN= OUT=d0 .*DST=10\.0\.7\.1 .*PROTO=UDP SPT=68 DPT=67'
}
# _events_above EVENT N: udhcpc ran its script for EVENT more than N times.
_events_above() {
	[ "$(grep -c "^$1 " "$T/udhcpc.events")" -gt "$2" ]
}
: >"$T/udhcpc.events"
bg udhcpc "$L" busybox udhcpc -i d0 -f -t 5 -T 2 -s "$T/udhcpc.sh"
if wait_for 60 grep -q '^bound 10.0.7.' "$T/udhcpc.events"; then
	pass "busybox udhcpc gets a lease: $(grep '^bound' "$T/udhcpc.events")"
else
	fail "busybox udhcpc gets a lease" "$(cat "$T/udhcpc.events" "$T/udhcpc.log")"
fi
# 10.0.7.1 was learned from the probe's exchange above. The script adds
# the address after it logs the event: let that settle first.
sleep 2
acks=$(grep -c DHCPACK "$T/dnsmasq.log")
rd=$(renew_drops)
kill -USR1 "$udhcpc_pid"
if wait_for 30 grep -q '^renew 10.0.7.' "$T/udhcpc.events"; then
	pass "busybox udhcpc renews (SIGUSR1)"
else
	fail "busybox udhcpc renews (SIGUSR1)" "$(cat "$T/udhcpc.events" "$T/udhcpc.log")"
fi
expect_eq "its unicast RENEW to the learned server was not dropped" "$rd" "$(renew_drops)" ||
	dmesg | grep 'netfence: drop' | tail -n 5 | sed 's/^/#   /'
expect_ge "the server acknowledged it" $((acks + 1)) "$(grep -c DHCPACK "$T/dnsmasq.log")"

log "isolated while holding a lease: RENEW waits for REBIND, or for a rule"
expect_ok "release" nf "$L" release
# Drop log lines of a namespace other than the initial one need
# nf_log_all_netns (a container must not flood the host's log).
sysctl -qw net.netfilter.nf_log_all_netns=1
expect_ok "isolate again: the server is forgotten" nf "$L" isolate --log
d4=$(nf_counter "$L" ipv4 local_out dropped_packets)
rd=$(renew_drops)
r=$(grep -c '^renew' "$T/udhcpc.events")
kill -USR1 "$udhcpc_pid"
if wait_for 60 _events_above renew "$r"; then
	pass "busybox udhcpc keeps its lease (broadcast REBIND)"
else
	fail "busybox udhcpc keeps its lease" "$(cat "$T/udhcpc.events" "$T/udhcpc.log")"
fi
expect_drop_delta "the unicast RENEW to the unlearned server was dropped" "$L" ipv4 \
	local_out "$d4" 1
expect_ge "the kernel log names it" $((rd + 1)) "$(renew_drops)"
sysctl -qw net.netfilter.nf_log_all_netns=0
expect_ok "isolate with a rule naming the server" nf "$L" isolate --log \
	-a '10.0.7.1 proto udp port 67'
rd=$(renew_drops)
r=$(grep -c '^renew' "$T/udhcpc.events")
kill -USR1 "$udhcpc_pid"
if wait_for 30 _events_above renew "$r"; then
	pass "with the rule, the unicast RENEW goes through"
else
	fail "with the rule, the unicast RENEW goes through" "$(cat "$T/udhcpc.events")"
fi
expect_eq "no RENEW dropped" "$rd" "$(renew_drops)" ||
	dmesg | grep 'netfence: drop' | tail -n 5 | sed 's/^/#   /'
expect_ge "the rule was hit" 1 "$(nf_hits "$L" '10.0.7.1 proto udp port 67')"
stop "$udhcpc_pid"

log "relayed DHCPv4: the relay answers, option 54 names the server to renew with"
ns_new R relay
ns_new S relayedserver
veth "$L" r0 "$R" eth0
veth "$R" eth1 "$S" eth0
addr "$R" eth0 10.0.8.1/24
addr "$R" eth1 10.0.9.1/24
addr "$S" eth0 10.0.9.2/24
route "$S" 10.0.8.0/24 10.0.9.1
forwarding "$R"
bg dnsmasq_s "$S" dnsmasq -k -C /dev/null --port=0 --user=root --group=root \
	--interface=eth0 --dhcp-authoritative \
	--dhcp-range=10.0.8.100,10.0.8.150,255.255.255.0,1h \
	--dhcp-leasefile="$T/leases-s" --pid-file="$T/dnsmasq-s.pid" \
	--log-dhcp --log-facility=-
bg dnsmasq_r "$R" dnsmasq -k -C /dev/null --port=0 --user=root --group=root \
	--interface=eth0 --interface=eth1 --dhcp-relay=10.0.8.1,10.0.9.2 \
	--pid-file="$T/dnsmasq-r.pid" --log-dhcp --log-facility=-
wait_listen "$S" udp 67 || die "dnsmasq (server) did not start: $(cat "$T/dnsmasq_s.log")"
wait_listen "$R" udp 67 || die "dnsmasq (relay) did not start: $(cat "$T/dnsmasq_r.log")"
_run nsx "$L" $PYPROBE dhcp4 r0 --timeout 30
rlease=$(awk '$1 == "lease" { print $2 }' "$T/last.out")
if [[ "$rlease" == 10.0.8.* ]] && grep -q 'from 10.0.9.2$' "$T/last.out"; then
	pass "relayed DHCPv4 lease: $(cat "$T/last.out")"
else
	fail "relayed DHCPv4 lease" "client:" "$(_tail)" \
		"relay:" "$(tail -n 8 "$T/dnsmasq_r.log")" "server:" "$(tail -n 8 "$T/dnsmasq_s.log")"
	rlease=10.0.8.100
fi
ip -n "$L" addr add "$rlease/24" dev r0
route "$L" 10.0.9.0/24 10.0.8.1
expect_ok "renew unicast to the server behind the relay (learned from option 54)" \
	nsx "$L" $PYPROBE dhcp4 r0 --mode renew --server 10.0.9.2 --ciaddr "$rlease"
finish
