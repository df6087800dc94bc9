#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Conntrack-aware replies. The host may query its resolver (udp 53, a real
# dnsmasq). A datagram spoofed from the resolver's address and port 53 to a
# local port that sent no query is dropped: netfence runs conntrack in the
# isolated namespace by itself (status "stateful"), and also when an
# nftables "ct state" rule of the namespace's own uses it. Before netfence
# did so, the namespace without such a rule matched replies statelessly and
# delivered the spoofed datagram.
# timeout: 900
. "$(dirname "$0")/lib.sh"
nf_init

# setup_pair HOSTVAR RESOLVERVAR NAME: host -- resolver, host isolated
# with the resolver allowlisted, listener on udp 40000 in the host.
setup_pair() {
	ns_new "$1" "$3host"
	ns_new "$2" "$3dns"
	local h=${!1} r=${!2}
	veth "$h" r0 "$r" eth0
	addr "$h" r0 10.0.4.1/24 fd00:4::1/64
	addr "$r" eth0 10.0.4.2/24 fd00:4::2/64
	bg "${3}dnsmasq" "$r" dnsmasq -k -C /dev/null --user=root --group=root \
		--no-resolv --no-hosts --listen-address=10.0.4.2,fd00:4::2 --bind-interfaces \
		--address=/example.test/10.9.9.9 --log-queries --log-facility=- \
		--pid-file="$T/${3}dnsmasq.pid"
	wait_listen "$r" udp 53 || die "dnsmasq did not start: $(cat "$T/${3}dnsmasq.log")"
	serve "${3}udp" "$h" udp 40000
	expect_ok "$3: isolate with the resolver allowlisted" nf "$h" isolate \
		-a '10.0.4.2 proto udp port 53' -a 'fd00:4::2 proto udp port 53'
}

# check_pair NAME HOST RESOLVER delivered|dropped
check_pair() {
	local name=$1 h=$2 r=$3 want=$4 v res srv fam n d
	for v in 4 6; do
		res=10.0.4.2 srv=10.0.4.1 fam=ipv4
		[ $v = 6 ] && res=fd00:4::2 srv=fd00:4::1 fam=ipv6
		n=$(grep -c 'query\[A\] example.test' "$T/${name}dnsmasq.log")
		_run nsx "$h" $PYPROBE dns "$res" example.test
		if grep -q 'answer 10.9.9.9' "$T/last.out"; then
			pass "$name: real query to $res answered"
		else
			fail "$name: real query to $res answered" "$(_tail)"
		fi
		expect_eq "$name: resolver logged the query (v$v)" $((n + 1)) \
			"$(grep -c 'query\[A\] example.test' "$T/${name}dnsmasq.log")"
		expect_ge "$name: rule hits (query and reply, v$v)" 2 \
			"$(nf_hits "$h" "$res proto udp port 53")"

		n=$(hits "${name}udp")
		d=$(nf_counter "$h" $fam local_in dropped_packets)
		expect_ok "$name: resolver sends a spoofed reply from $res:53 to port 40000" \
			nsx "$r" $PYPROBE rawudp "$res" 53 "$srv" 40000
		sleep 1
		if [ "$want" = delivered ]; then
			expect_eq "$name: spoofed datagram delivered without conntrack (v$v)" \
				$((n + 1)) "$(hits "${name}udp")"
		else
			expect_eq "$name: spoofed datagram not delivered (v$v)" "$n" "$(hits "${name}udp")"
			expect_drop_delta "$name: spoofed datagram counted as dropped" "$h" $fam local_in "$d" 1
		fi
	done
}

log "no conntrack rule of the namespace's own: netfence turns conntrack on"
setup_pair H1 R1 sl
expect_eq "sl: status says stateful" true "$(nf_get "$H1" .stateful)"
if [ "$FLAVOR" = distro ]; then
	expect_ok "nf_conntrack was loaded on demand" sh -c "lsmod | grep -q '^nf_conntrack '"
fi
log "features of this kernel: $(nf_status "$H1" | "$PROBE" json .features | tr '\n' ' ')"
check_pair sl "$H1" "$R1" dropped

log "conntrack also used by the namespace's own nftables rules"
setup_pair H2 R2 sf
nsx "$H2" nft -f - <<'EON' || die "nft ct table"
table inet ctt {
	chain in {
		type filter hook input priority 0; policy accept;
		ct state established,related counter accept
	}
}
EON
check_pair sf "$H2" "$R2" dropped
log "released and isolated again: still stateful"
expect_ok "release" nf "$H1" release
expect_eq "released: status says not stateful" false "$(nf_get "$H1" .stateful)"
expect_ok "isolate again" nf "$H1" isolate -a '10.0.4.2 proto udp port 53' \
	-a 'fd00:4::2 proto udp port 53'
check_pair sl "$H1" "$R1" dropped
finish
