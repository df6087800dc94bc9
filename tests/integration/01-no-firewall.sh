#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# netfence needs no firewall: with nf_tables, ip_tables and nf_conntrack
# not loaded, isolation works (netfence loads nf_conntrack on demand for
# stateful replies, never nf_tables or ip_tables, and depends on none). Then nftables and iptables (legacy and nft
# back ends) are loaded, flushed, given ACCEPT policies and explicit accept
# rules in every chain at every priority: isolation still holds, because an
# accept in another hook never skips netfence's hook.
# Runs first: on the distro kernel nothing must have loaded those modules.
# timeout: 900
. "$(dirname "$0")/lib.sh"

[ "$FLAVOR" = distro ] ||
	skip "the $FLAVOR kernel has nf_tables, ip_tables and conntrack built in"
FW_MODS="nf_tables ip_tables ip6_tables nf_conntrack x_tables"
deps=$(modinfo -F depends "$NF_KO")
for m in $FW_MODS; do
	case ",$deps," in *",$m,"*)
		echo "not ok - netfence.ko depends on $m (depends: $deps)"
		exit 1 ;;
	esac
done
# netfence does not pull them in (checked above): if one is loaded, an
# earlier program did it.
for m in $FW_MODS; do
	[ -d "/sys/module/$m" ] &&
		skip "$m was loaded before this test (by the boot or an earlier test)"
done
nf_init

loaded_fw() {
	local m out=
	for m in $FW_MODS; do
		[ -d "/sys/module/$m" ] && out="$out $m"
	done
	echo "${out# }"
}
expect_eq "lsmod: no firewall module loaded (netfence depends on: ${deps:-nothing})" "" "$(loaded_fw)"
lsmod | sed 's/^/#   /'

ns_new H host
ns_new M mgmt
ns_new X other
veth "$H" m0 "$M" eth0
veth "$H" x0 "$X" eth0
addr "$H" m0 10.0.1.1/24 fd00:1::1/64
addr "$M" eth0 10.0.1.2/24 fd00:1::2/64
addr "$H" x0 10.0.2.1/24 fd00:2::1/64
addr "$X" eth0 10.0.2.2/24 fd00:2::2/64
serve mtcp "$M" tcp 443
serve xtcp "$X" tcp 80
serve xudp "$X" udp 5000
serve htcp "$H" tcp 8080

expect_ok "isolate: tcp 443 of mgmt" nf "$H" isolate \
	-a '10.0.1.2 proto tcp port 443' -a 'fd00:1::2 proto tcp port 443'
expect_isolated "$H" true 6

# isolation_holds WHAT: allowlisted works, the rest is dropped (receivers
# and counters).
isolation_holds() {
	local v x h m n d
	for v in 4 6; do
		if [ $v = 4 ]; then x=10.0.2.2 h=10.0.2.1 m=10.0.1.2
		else x=fd00:2::2 h=fd00:2::1 m=fd00:1::2; fi
		n=$(hits mtcp)
		expect_ok "$1: host connects to mgmt tcp 443 (v$v)" tcp "$H" "$m" 443
		wait_hits mtcp "$n"
		expect_eq "$1: mgmt logged it (v$v)" $((n + 1)) "$(hits mtcp)"
		d=$(nf_counter "$H" ipv$v local_out dropped_packets)
		n=$(hits xtcp)
		expect_fail "$1: host cannot connect to other (v$v)" tcp "$H" "$x" 80
		expect_fail "$1: host cannot ping other (v$v)" ping$v "$H" "$x"
		n2=$(hits xudp)
		expect_fail "$1: host cannot send udp to other (v$v)" udp "$H" "$x" 5000
		sleep 0.3
		expect_eq "$1: other saw no tcp and no udp (v$v)" "$n $n2" "$(hits xtcp) $(hits xudp)"
		expect_drop_delta "$1: drops counted" "$H" ipv$v local_out "$d" 3
		d=$(nf_counter "$H" ipv$v local_in dropped_packets)
		n=$(hits htcp)
		expect_fail "$1: other cannot connect to host (v$v)" tcp "$X" "$h" 8080
		expect_eq "$1: host's listener saw nothing (v$v)" "$n" "$(hits htcp)"
		expect_drop_delta "$1: inbound drops counted" "$H" ipv$v local_in "$d" 1
	done
}

isolation_holds "no firewall loaded"
expect_eq "still no firewall module loaded (conntrack aside)" "" \
	"$(loaded_fw | sed 's/ *nf_conntrack//')"
expect_match "nf_conntrack loaded on demand" 'nf_conntrack' "$(loaded_fw)"
expect_eq "status: replies are stateful" true "$(nf_get "$H" .stateful)"

log "load nftables and iptables, open everything"
nsx "$H" nft -f - <<'EON' || die "nft ruleset"
flush ruleset
table inet open {
	chain pre_in { type filter hook input priority -500; policy accept; counter accept; }
	chain pre_out { type filter hook output priority -500; policy accept; counter accept; }
	chain pre_fwd { type filter hook forward priority -500; policy accept; counter accept; }
	chain post_in { type filter hook input priority 500; policy accept; counter accept; }
	chain post_out { type filter hook output priority 500; policy accept; counter accept; }
}
EON
for t in iptables-legacy ip6tables-legacy iptables-nft ip6tables-nft; do
	command -v $t >/dev/null || { log "$t not installed"; continue; }
	nsx "$H" $t -F || die "$t -F"
	for c in INPUT OUTPUT FORWARD; do
		nsx "$H" $t -P $c ACCEPT
		nsx "$H" $t -I $c -j ACCEPT || die "$t -I $c"
	done
done
log "modules now: $(loaded_fw)"
expect_match "nf_tables loaded" 'nf_tables' "$(loaded_fw)"
expect_match "ip_tables loaded" 'ip_tables' "$(loaded_fw)"
nsx "$H" nft list ruleset | sed 's/^/#   /'

pkts0=$(nsx "$H" nft -j list chain inet open pre_out | jq '[.. | .counter? | objects | .packets] | add')
isolation_holds "firewalls open"
pkts1=$(nsx "$H" nft -j list chain inet open pre_out | jq '[.. | .counter? | objects | .packets] | add')
expect_ge "the accept-all output chain saw the dropped packets first" $((pkts0 + 6)) "$pkts1"
expect_isolated "$H" true 6

expect_ok "release" nf "$H" release
expect_ok "after release other is reachable" tcp "$H" 10.0.2.2 80
finish
