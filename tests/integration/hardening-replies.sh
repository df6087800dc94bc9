#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Replies are checked against conntrack, and outbound destinations after NAT.
#
# Topology: host H (isolated) -- N, where N holds 10.0.20.2 (the peer the
# rules name: resolver, servers) and 10.0.20.3 (a host no rule names).
# Each attack below went through while replies were matched statelessly and
# LOCAL_OUT was checked before NAT:
# - a local process sends from a "dir in" port range to any host;
# - a process with CAP_NET_RAW forges TCP segments from a "dir in" port;
# - a peer speaks first to a UDP port after conntrack forgot the flow;
# - a DNAT rule turns an allowed destination into any destination.
# What must keep working: a TCP connection to a "dir in" port opened before
# isolation (even when the host speaks first, and with
# nf_conntrack_tcp_loose=0), flows opened by either side as the rules say,
# and a destination rewritten by DNAT to an allowed backend. Option
# stateless gives the weaker mode back, switched by a commit either way.
# timeout: 900
. "$(dirname "$0")/lib.sh"
nf_init

ns_new H host
ns_new N net
veth "$H" r0 "$N" eth0
addr "$H" r0 10.0.20.1/24 fd00:20::1/64
addr "$N" eth0 10.0.20.2/24 10.0.20.3/24 fd00:20::2/64 fd00:20::3/64

# What reaches the host no rule names, counted where it arrives.
nsx "$N" nft -f - <<'EON' || die "nft watch table"
table inet watch {
	counter forged_tcp {}
	counter dnat3 {}
	chain in {
		type filter hook input priority 0; policy accept;
		ip saddr 10.0.20.1 ip daddr 10.0.20.3 tcp sport 2222 counter name forged_tcp
		ip saddr 10.0.20.1 ip daddr 10.0.20.3 th dport 8080 counter name dnat3
	}
}
EON

# Servers in H that speak first: one line every half second, to one
# client each (2222 now, 2223 later), until the connection closes.
printf 'while date +%%s.%%N; do sleep 0.5; done\n' >"$T/ticker.sh"
bg ticker1 "$H" socat TCP-LISTEN:2222,reuseaddr "EXEC:sh $T/ticker.sh"
bg ticker2 "$H" socat TCP-LISTEN:2223,reuseaddr "EXEC:sh $T/ticker.sh"
wait_listen "$H" tcp 2223 || die "ticker did not start"

# lines NAME: lines a background client has written so far.
lines() { wc -l <"$T/$1.log"; }
# lines_above NAME N: more than N lines (for wait_for).
lines_above() { [ "$(lines "$1")" -gt "$2" ]; }

# A connection opened before isolation, held by a client that never sends.
bg tick1 "$N" socat -u TCP:10.0.20.1:2222 -
wait_for 30 test -s "$T/tick1.log" || die "ticker client got nothing"

RULES=(-a '10.0.20.2 proto udp port 53' -a 'fd00:20::2 proto udp port 53'
	-a '10.0.20.2 proto udp port 5353'
	-a 'any proto udp port 60000-61000 dir in'
	-a '10.0.20.0/24 proto tcp port 2222-2223 dir in')
expect_ok "isolate: resolver, a udp range and ports 2222-2223 open to the network" \
	nf "$H" isolate "${RULES[@]}"
expect_eq "status: replies are checked against conntrack" true "$(nf_get "$H" .stateful)"
expect_match "status says so in words" 'replies: +stateful' "$(nf "$H" status)"

log "a connection to a dir-in port opened before isolation keeps flowing"
n=$(lines tick1)
wait_for 20 lines_above tick1 $((n + 2))
expect_ge "the host kept sending on it (lines $n -> $(lines tick1))" $((n + 3)) "$(lines tick1)"

log "a process with CAP_NET_RAW forges segments from the dir-in port"
d=$(nf_counter "$H" ipv4 local_out dropped_packets)
_run nsx "$H" $PYPROBE rawtcp 10.0.20.1 2222 10.0.20.3 80
sleep 1
expect_eq "no forged segment reached 10.0.20.3" 0 "$(nft_count "$N" forged_tcp)"
expect_drop_delta "the forged segment was counted as dropped" "$H" ipv4 local_out "$d" 1

log "a local process sends from the open udp range to any host"
serve zudp "$N" udp 9999
for dst in 10.0.20.3 fd00:20::3; do
	fam=ipv4
	[[ $dst == *:* ]] && fam=ipv6
	n=$(hits zudp)
	d=$(nf_counter "$H" $fam local_out dropped_packets)
	_run udp "$H" "$dst" 9999 --sport 60000
	sleep 1
	expect_eq "nothing from port 60000 reached $dst:9999" "$n" "$(hits zudp)"
	expect_drop_delta "the datagram to $dst was counted as dropped" "$H" $fam local_out "$d" 1
done
serve hmosh "$H" udp 60001 --echo
expect_ok "a remote host opens a flow to port 60001 and gets the echo (v4)" \
	udp "$N" 10.0.20.1 60001 --src 10.0.20.3 --expect-reply
expect_ok "a remote host opens a flow to port 60001 and gets the echo (v6)" \
	udp "$N" fd00:20::1 60001 --src fd00:20::3 --expect-reply

log "a udp peer that speaks first after conntrack forgot the flow"
serve peer "$N" udp 5353 --echo
nsx "$H" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=2
expect_ok "the host asks 10.0.20.2:5353 from port 40001 and gets the answer" \
	udp "$H" 10.0.20.2 5353 --sport 40001 --expect-reply
sleep 4
serve hu "$H" udp 40001
n=$(hits hu)
d=$(nf_counter "$H" ipv4 local_in dropped_packets)
_run udp "$N" 10.0.20.1 40001 --src 10.0.20.2 --sport 5353
sleep 1
expect_eq "the unsolicited datagram from 10.0.20.2:5353 was not delivered" "$n" "$(hits hu)"
expect_drop_delta "and counted as dropped" "$H" ipv4 local_in "$d" 1
stop "$hu_pid"
expect_ok "the host asks again: the flow works again" \
	udp "$H" 10.0.20.2 5353 --sport 40001 --expect-reply

log "nf_conntrack_tcp_loose=0: conntrack does not pick up old connections"
expect_ok "release" nf "$H" release
nsx "$H" sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0
bg tick2 "$N" socat -u TCP:10.0.20.1:2223 -
wait_for 30 test -s "$T/tick2.log" || die "second ticker client got nothing"
expect_ok "isolate again" nf "$H" isolate "${RULES[@]}"
n=$(lines tick2)
wait_for 20 lines_above tick2 $((n + 2))
expect_ge "the old connection keeps flowing untracked (lines $n -> $(lines tick2))" \
	$((n + 3)) "$(lines tick2)"
_run nsx "$H" $PYPROBE rawtcp 10.0.20.1 2222 10.0.20.3 80
sleep 1
expect_eq "forged segments still go nowhere" 0 "$(nft_count "$N" forged_tcp)"
nsx "$H" sysctl -qw net.netfilter.nf_conntrack_tcp_loose=1
# Closed while allowed: a connection cut by the next policy would linger
# in FIN_WAIT (and keep the namespace alive) after the test.
stop "$tick1_pid"
stop "$tick2_pid"
wait_for 10 sh -c "! ss -N '$H' -tnH state established | grep -q ':222[23] '"

log "option stateless: the weaker mode, switched both ways while isolated"
expect_ok "commit the same rules with --stateless" nf "$H" isolate --stateless "${RULES[@]}"
expect_eq "status: replies are no longer checked against conntrack" false "$(nf_get "$H" .stateful)"
expect_eq "status: the option is on" true "$(nf_get "$H" .flags.stateless)"
expect_match "status says why in words" 'replies: +stateless \(option stateless' "$(nf "$H" status)"
n=$(hits zudp)
_run udp "$H" 10.0.20.3 9999 --sport 60000
wait_hits zudp "$n"
expect_eq "as documented, a send from port 60000 now reaches 10.0.20.3" $((n + 1)) "$(hits zudp)"
expect_ok "commit the same rules without it" nf "$H" isolate "${RULES[@]}"
expect_eq "status: stateful again" true "$(nf_get "$H" .stateful)"
n=$(hits zudp)
d=$(nf_counter "$H" ipv4 local_out dropped_packets)
_run udp "$H" 10.0.20.3 9999 --sport 60000
sleep 1
expect_eq "the send from port 60000 is stopped again" "$n" "$(hits zudp)"
expect_drop_delta "and counted as dropped" "$H" ipv4 local_out "$d" 1
expect_ok "the host still asks 10.0.20.2:5353 and gets the answer" \
	udp "$H" 10.0.20.2 5353 --sport 40002 --expect-reply

log "DNAT on the host cannot move an allowed destination"
serve p2 "$N" tcp 8080 --bind 10.0.20.2
serve p3 "$N" tcp 8080 --bind 10.0.20.3
serve u3 "$N" udp 8080 --bind 10.0.20.3
nsx "$H" nft -f - <<'EON' || die "nft nat table"
table ip nfnat {
	chain out {
		type nat hook output priority -100; policy accept;
		ip daddr 10.0.20.2 th dport 8080 dnat to 10.0.20.3
	}
}
EON
expect_ok "isolate: only 10.0.20.2 tcp and udp 8080" nf "$H" isolate \
	-a '10.0.20.2 proto tcp port 8080' -a '10.0.20.2 proto udp port 8080'
n=$(hits p3)
u=$(hits u3)
d=$(nf_counter "$H" ipv4 local_out dropped_packets)
expect_fail "connect to 10.0.20.2:8080, rewritten to 10.0.20.3, fails" tcp "$H" 10.0.20.2 8080
_run udp "$H" 10.0.20.2 8080
sleep 1
expect_eq "no SYN nor datagram arrived at 10.0.20.3:8080" 0 "$(nft_count "$N" dnat3)"
expect_eq "10.0.20.3 got no connection" "$n" "$(hits p3)"
expect_eq "10.0.20.3 got no datagram" "$u" "$(hits u3)"
expect_drop_delta "the rewritten SYN and datagram were counted as dropped" "$H" ipv4 local_out "$d" 2
expect_ok "isolate: only the backend, 10.0.20.3 tcp 8080" \
	nf "$H" isolate -a '10.0.20.3 proto tcp port 8080'
n=$(hits p3)
expect_ok "connect to 10.0.20.2:8080 reaches the allowed backend" tcp "$H" 10.0.20.2 8080
wait_hits p3 "$n"
expect_eq "10.0.20.3 got the connection" $((n + 1)) "$(hits p3)"
expect_ge "hits of the backend's rule" 2 "$(nf_hits "$H" '10.0.20.3 proto tcp port 8080')"
finish
